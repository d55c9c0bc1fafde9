/**
 * Builds the console (src/console → dist/console) when its build is missing or
 * older than its sources, so the tests and the demo serve the console as it is
 * in the checkout without a manual step.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CONSOLE_BUILD_DIR } from '../src/common/console-assets';

const ROOT = join(__dirname, '..');
const SOURCES = join(ROOT, 'src', 'console');

function newestChange(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestChange(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function builtAt(): number {
  try {
    return statSync(join(CONSOLE_BUILD_DIR, 'index.html')).mtimeMs;
  } catch {
    return 0;
  }
}

export function ensureConsoleBuilt(say: (line: string) => void = () => undefined): void {
  if (builtAt() >= newestChange(SOURCES)) return;
  say('building the console (src/console → dist/console)…');
  const build = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      join(SOURCES, 'vite.config.mts'),
      '--outDir',
      CONSOLE_BUILD_DIR,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (build.status !== 0) throw new Error(`the console build failed (exit ${build.status})`);
}
