/**
 * The whole job in the console, as a marketer does it, with nothing set up
 * through the API: register the Page, import customers, build a segment,
 * compose and preview a personalised message, test-send it, publish, watch the
 * run complete on its dashboard, and export every recipient's outcome.
 */
import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { auth, type TestApp } from '../harness/app';
import { errorsIn, openConsole, startConsoleApp, stopConsoleApp } from '../harness/browser';
import { ENGINE_ENV } from '../harness/campaigns';
import { eventually } from '../harness/eventually';

const PAGE_ID = '104857600000042';
const PAGE_TOKEN = `EAAB${'w'.repeat(60)}`;
const TIMEOUT = 180_000;
const psid = (n: number) => String(7300000000000000 + n);
const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();

/** Five Lyon customers (four wrote in the last day, one a week ago), one in Nice, one bad row. */
const CUSTOMERS = [
  'psid,first_name,city,last_inbound_at',
  `${psid(1)},Ana,Lyon,${hoursAgo(1)}`,
  `${psid(2)},Bruno,Lyon,${hoursAgo(2)}`,
  `${psid(3)},Chloé,Lyon,${hoursAgo(3)}`,
  `${psid(4)},Dan,Lyon,${hoursAgo(4)}`,
  `${psid(5)},Eve,Lyon,${hoursAgo(24 * 7)}`,
  `${psid(6)},Farid,Nice,${hoursAgo(1)}`,
  'not-a-psid,Gus,Lyon,',
].join('\n');

describe('console: the whole job', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    // The Page is registered from the screen.
    ({ t, browser } = await startConsoleApp({
      env: ENGINE_ENV,
      pages: [{ pageId: PAGE_ID, token: PAGE_TOKEN }],
      register: false,
    }));
    page = await openConsole(browser, t, { path: '/pages' });
  }, TIMEOUT);
  afterAll(() => stopConsoleApp(t, browser));

  it(
    'registers, imports, segments, composes, tests, publishes, watches the run and exports',
    async () => {
      // The Page.
      await page.getByRole('heading', { level: 1, name: 'Pages' }).waitFor();
      await page.getByLabel('Page id', { exact: true }).fill(PAGE_ID);
      await page.getByLabel('Name', { exact: true }).fill('Lyon Bikes');
      await page.getByLabel('Page access token', { exact: true }).fill(PAGE_TOKEN);
      await page.getByRole('button', { name: 'Register the Page' }).click();
      await page
        .getByRole('link', { name: /Lyon Bikes/ })
        .first()
        .waitFor();
      const stored = JSON.stringify(await t.db.collection('pages').findOne({ pageId: PAGE_ID }));
      expect(stored).not.toContain(PAGE_TOKEN);

      // The audience.
      const sections = page.getByRole('navigation', { name: 'Sections' });
      await page.getByLabel('Page', { exact: true }).selectOption(PAGE_ID);
      await sections.getByRole('link', { name: 'Audience' }).click();
      await page.getByLabel('CSV file', { exact: true }).setInputFiles({
        name: 'customers.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(CUSTOMERS, 'utf8'),
      });
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'Import finished' }).waitFor();
      // The bad row is reported with its line, and the six others are in.
      await page
        .getByRole('row')
        .filter({ hasText: 'psid must be digits' })
        .getByText('8')
        .waitFor();
      const users = await t.http().get(`/api/pages/${PAGE_ID}/users`).set(auth).expect(200);
      expect(users.body.items).toHaveLength(6);

      // The segment: Lyon, counted live.
      await sections.getByRole('link', { name: 'Segments' }).click();
      await page
        .getByRole('link', { name: /New segment|Build the first segment/ })
        .first()
        .click();
      await page.getByLabel('Segment name').fill('Lyon customers');
      const condition = page.getByRole('group', { name: 'Condition 1', exact: true });
      await condition.getByLabel('Field').selectOption({ label: 'city (text)' });
      await condition.getByLabel('Comparison').selectOption({ label: 'is' });
      await condition.getByLabel('Value').fill('Lyon');
      await eventually(
        () => page.locator('.segment-preview [data-stat="count"]').textContent(),
        (count) => count === '5',
      );
      await page.getByRole('button', { name: 'Save segment' }).click();
      await eventually(
        async () => (await t.http().get(`/api/pages/${PAGE_ID}/segments`).set(auth)).body.items,
        (items: { name: string }[]) => items.some((s) => s.name === 'Lyon customers'),
      );

      // The campaign: composed, previewed for a real customer.
      await sections.getByRole('link', { name: 'Campaigns' }).click();
      await page.getByRole('link', { name: 'New campaign' }).first().click();
      await page.getByRole('heading', { name: 'New campaign' }).waitFor();
      await page.getByLabel('Name', { exact: true }).fill('Spring tune-up');
      await page.getByLabel('Segment').selectOption({ label: 'Lyon customers' });
      await page
        .getByLabel('Message text')
        .fill('Hi {{ user.firstName }}, spring tune-ups are 20% off in {{ user.attributes.city }}');
      await page.getByRole('button', { name: 'Create draft' }).click();
      await page.getByRole('heading', { level: 1, name: 'Spring tune-up' }).waitFor();
      await page
        .getByRole('group', { name: 'Preview for Ana' })
        .getByText('Hi Ana, spring tune-ups are 20% off in Lyon')
        .waitFor();
      // Eve has not written for a week: the breakdown says so before anything is sent.
      await page.getByText('Messaging window closed').waitFor();

      // Test-send to Ana, then publish (now).
      await page.getByRole('radio', { name: 'One person (PSID)' }).check();
      await page.getByLabel('PSID', { exact: true }).fill(psid(1));
      await page.getByRole('button', { name: 'Send test' }).click();
      await page.locator('.cb-test-results').getByText('sent', { exact: true }).waitFor();
      await page.getByRole('button', { name: 'Publish', exact: true }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Publish', exact: true }).click();

      // The run: watched to the end on its dashboard.
      await page.getByRole('link', { name: 'Open the run dashboard' }).click();
      await page.getByRole('heading', { level: 1, name: 'Spring tune-up' }).waitFor();
      const progress = page.getByRole('progressbar', { name: 'Recipients done' });
      await eventually(
        () => progress.getAttribute('aria-valuetext'),
        (text) => text === '100%',
        { timeoutMs: 60_000 },
      );
      const campaignId = /campaigns\/([a-f0-9]{24})/.exec(page.url())![1];
      // The engine ends the run after its last outcome; then the screen, at its next read, says so.
      await eventually(
        async () =>
          (await t.http().get(`/api/campaigns/${campaignId}`).set(auth).expect(200)).body.status,
        (status) => status === 'completed',
        { timeoutMs: 60_000 },
      );
      await page
        .locator('.badge')
        .filter({ hasText: /^completed$/ })
        .first()
        .waitFor({ timeout: 15_000 });
      const stats = (await t.http().get(`/api/campaigns/${campaignId}/stats`).set(auth).expect(200))
        .body;
      expect(stats).toMatchObject({ audience: 5, sent: 4, skipped: 1, failed: 0 });
      // One message each to the four in their window, the test-send to Ana before them.
      const sent = t.sandbox!.sandbox.requests({ endpoint: 'messages' });
      expect(sent).toHaveLength(5);

      // The export: every recipient with their outcome.
      const [file] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Download CSV' }).click(),
      ]);
      const rows: Record<string, string>[] = parse(readFileSync(await file.path(), 'utf8'), {
        columns: true,
      });
      expect(rows.map((row) => `${row.psid} ${row.status}`).sort()).toEqual([
        `${psid(1)} sent`,
        `${psid(2)} sent`,
        `${psid(3)} sent`,
        `${psid(4)} sent`,
        `${psid(5)} skipped`,
      ]);
      expect(errorsIn(page)).toEqual([]);
    },
    TIMEOUT,
  );
});
