/**
 * Drives the console in headless Chromium (shipped inside @sparticuz/chromium,
 * driven by playwright-core) against a real app, database and sandbox.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { API_TOKEN, createTestApp, type TestApp } from './app';
import { PAGE_ID, PAGE_TOKEN, registerPage } from './audience';
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

/** The errors thrown in each tab openConsole opened (a screen that crashes fails its test). */
const pageErrors = new WeakMap<Page, string[]>();

/**
 * A new tab at `width` on the console, signed in unless told otherwise, whose
 * script errors are recorded (closeTab fails on any). The test page may inject
 * axe-core despite the console's script policy. With `timeoutMs`, its waits
 * fail with the locator named, well before the test's own timeout.
 */
export async function openConsole(
  browser: Browser,
  t: TestApp,
  options: { width?: number; signedIn?: boolean; path?: string; timeoutMs?: number } = {},
): Promise<Page> {
  const width = options.width ?? WIDTHS.desktop;
  const context = await browser.newContext({
    viewport: { width, height: width > 600 ? 900 : 844 },
    bypassCSP: true,
    timezoneId: 'Europe/Paris',
    locale: 'en-GB',
  });
  const page = await context.newPage();
  const errors: string[] = [];
  pageErrors.set(page, errors);
  page.on('pageerror', (error) => errors.push(error.message));
  if (options.timeoutMs !== undefined) page.setDefaultTimeout(options.timeoutMs);
  const base = await consoleUrl(t);
  if (options.signedIn !== false) {
    await page.addInitScript(
      `sessionStorage.setItem('mcc.apiToken', ${JSON.stringify(API_TOKEN)})`,
    );
  }
  await page.goto(`${base}${options.path ? `#${options.path}` : ''}`);
  return page;
}

/** The script errors thrown so far in a tab openConsole opened. */
export function errorsIn(page: Page): string[] {
  return pageErrors.get(page) ?? [];
}

/** Closes a tab openConsole opened, and fails if a script error was thrown in it. */
export async function closeTab(page: Page): Promise<void> {
  await page.context().close();
  expect(errorsIn(page)).toEqual([]);
}

/**
 * A test app whose sandbox knows `pages` (by default the one Page of
 * harness/audience), each registered with the service unless `register` is
 * false, and a browser. Stop both with stopConsoleApp.
 */
export async function startConsoleApp(
  options: {
    pages?: { pageId: string; token: string }[];
    register?: boolean;
  } & Omit<NonNullable<Parameters<typeof createTestApp>[0]>, 'sandbox'> = {},
): Promise<{ t: TestApp; browser: Browser }> {
  const { pages = [{ pageId: PAGE_ID, token: PAGE_TOKEN }], register = true, ...rest } = options;
  const t = await createTestApp({
    ...rest,
    sandbox: { pages: pages.map(({ pageId, token }) => ({ pageId, accessToken: token })) },
  });
  if (register) for (const { pageId, token } of pages) await registerPage(t, pageId, token);
  return { t, browser: await launchBrowser() };
}

export async function stopConsoleApp(t?: TestApp, browser?: Browser): Promise<void> {
  await browser?.close();
  await t?.close();
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
 * accessibility violation, and a screenshot at the page's width. With
 * `scrolledToEnd`, the window is scrolled to the bottom first (so what sticks
 * to the window's bottom stands where it belongs in a whole-page screenshot).
 */
export async function checkScreen(
  page: Page,
  name: string,
  options: { scrolledToEnd?: boolean } = {},
): Promise<void> {
  if (options.scrolledToEnd) await page.evaluate('window.scrollTo(0, document.body.scrollHeight)');
  expect(await seriousViolations(page)).toEqual([]);
  await screenshot(page, name);
}
