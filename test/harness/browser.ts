/**
 * Drives the console in headless Chromium (shipped inside @sparticuz/chromium,
 * driven by playwright-core) against a real app, database and sandbox.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { API_TOKEN, type TestApp } from './app';
import { locateChromium } from './chromium';

const ROOT = join(__dirname, '..', '..');

/** Where screenshots go: docs/console when refreshing the docs, else a cache folder. */
export const SCREENSHOT_DIR =
  process.env.CONSOLE_SCREENSHOTS_DIR ?? join(ROOT, '.cache', 'console-screenshots');

export const WIDTHS = { desktop: 1280, phone: 390 } as const;

export async function launchBrowser(): Promise<Browser> {
  locateChromium();
  const { path, args } = JSON.parse(process.env.CONSOLE_CHROMIUM!) as {
    path: string;
    args: string[];
  };
  // One process per tab is sturdier than the single-process mode tuned for serverless.
  const kept = args.filter((arg) => arg !== '--single-process' && arg !== '--no-zygote');
  return chromium.launch({ executablePath: path, args: kept, headless: true });
}

/** Listens on a loopback port (once) and answers the console's address. */
export async function consoleUrl(t: TestApp): Promise<string> {
  const server: import('node:http').Server = t.app.getHttpServer();
  if (!server.listening) await t.app.listen(0, '127.0.0.1');
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}/console/`;
}

/**
 * A new tab at `width` on the console, signed in unless told otherwise. The
 * test page may inject axe-core despite the console's script policy.
 */
export async function openConsole(
  browser: Browser,
  t: TestApp,
  options: { width?: number; signedIn?: boolean; path?: string } = {},
): Promise<Page> {
  const width = options.width ?? WIDTHS.desktop;
  const context = await browser.newContext({
    viewport: { width, height: width > 600 ? 900 : 844 },
    bypassCSP: true,
    timezoneId: 'Europe/Paris',
    locale: 'en-GB',
  });
  const page = await context.newPage();
  const base = await consoleUrl(t);
  if (options.signedIn !== false) {
    await page.addInitScript(
      `sessionStorage.setItem('mcc.apiToken', ${JSON.stringify(API_TOKEN)})`,
    );
  }
  await page.goto(`${base}${options.path ? `#${options.path}` : ''}`);
  return page;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** The serious and critical accessibility violations axe-core finds on the page as it is now. */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  // A string, so this file needs no DOM types: it runs in the page, where axe and document exist.
  const violations = await page.evaluate<AxeViolation[]>(
    'axe.run(document).then((result) => result.violations)',
  );
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes
          .map((node) => node.target.join(' '))
          .join(', ')}`,
    );
}

/** Saves `<name>-<width>.png` of the whole page. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const width = page.viewportSize()?.width ?? WIDTHS.desktop;
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-${width}.png`), fullPage: true });
}

/**
 * Checks a screen the way every screen is checked: no serious or critical
 * accessibility violation, and a screenshot at the page's width.
 */
export async function checkScreen(page: Page, name: string): Promise<void> {
  expect(await seriousViolations(page)).toEqual([]);
  await screenshot(page, name);
}
