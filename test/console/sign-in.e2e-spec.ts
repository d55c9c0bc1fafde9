import type { Browser } from 'playwright-core';
import { createTestApp, type TestApp } from '../harness/app';
import { checkScreen, closeTab, launchBrowser, openConsole, WIDTHS } from '../harness/browser';

describe('console: signing in', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    t = await createTestApp({ sandbox: false });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('is served by the service with its own script policy', async () => {
    const answer = await t.http().get('/console/').expect(200);
    expect(answer.headers['content-type']).toMatch(/text\/html/);
    expect(answer.headers['content-security-policy']).toContain("script-src 'self'");
    await t.http().get('/console').expect(301);
  });

  for (const [label, width] of Object.entries(WIDTHS)) {
    it(`refuses a wrong token with a clear message, then signs in (${label})`, async () => {
      const page = await openConsole(browser, t, { width, signedIn: false });
      await page.getByLabel('API token').fill('not-the-token');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'This API token is not valid' }).waitFor();
      await checkScreen(page, 'sign-in');

      await page.getByLabel('API token').fill('test-api-token-0123456789abcdef');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Pages' }).waitFor();
      expect(await page.evaluate("sessionStorage.getItem('mcc.apiToken')")).toBe(
        'test-api-token-0123456789abcdef',
      );
      await closeTab(page);
    });
  }
});
