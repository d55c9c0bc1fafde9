/** Finds the headless Chromium shipped inside @sparticuz/chromium. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Unpacks Chromium once per jest run (global setup) and hands its path to the workers. */
export function locateChromium(): void {
  if (process.env.CONSOLE_CHROMIUM) return;
  const found = spawnSync(process.execPath, [join(ROOT, 'scripts', 'chromium-path.mjs')], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (found.status !== 0) throw new Error(`headless Chromium is not available: ${found.stderr}`);
  process.env.CONSOLE_CHROMIUM = found.stdout.trim();
}
