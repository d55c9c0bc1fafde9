/**
 * The Audience screens in a real browser against the service: a CSV upload with
 * bad rows (reading the file, then progress to the counted end, counts, the bad
 * lines as a table), the imports history, the users list with paging, the API's
 * search by the first digits of a PSID or by name (paged too), and one user's
 * typed attributes, notification tokens (never their values) and thread owner.
 */
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { TokensService } from '../../src/tokens/tokens.service';
import { auth, type TestApp } from '../harness/app';
import {
  checkScreen,
  closeTab,
  openConsole,
  startConsoleApp,
  stopConsoleApp,
  WIDTHS,
} from '../harness/browser';

jest.setTimeout(120_000);

/** One Page per width, so each width imports into an empty audience. */
const PAGES = {
  desktop: { pageId: '104857600000001', token: `EAAB${'d'.repeat(40)}` },
  phone: { pageId: '104857600000002', token: `EAAB${'p'.repeat(40)}` },
} as const;
const ANA = '6100000000000001';

/** 30 good rows (Ana, Bruno, then 28 customers) and 3 bad ones, on lines 4, 18 and 34. */
function customersCsv(): string {
  const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
  const lines = [
    'psid,first_name,last_name,locale,timezone,last_inbound_at,city,orders:number,vip:boolean,signed_up:date',
    `${ANA},Ana,López,fr_FR,Europe/Paris,${hourAgo},Lyon,3,yes,2025-03-14`,
    '6100000000000002,Bruno,Martin,fr_FR,Europe/Paris,,Paris,1,no,2025-04-01',
  ];
  for (let n = 3; n <= 30; n++) {
    if (lines.length === 3) lines.push('not-a-psid,Bad,Row,,,,,,,');
    if (lines.length === 17) lines.push('6100000000000099,Many,Orders,,,,Nice,many,no,');
    lines.push(`61000000000000${String(n).padStart(2, '0')},Customer,Number ${n},,,,Lyon,${n},no,`);
  }
  lines.push('6100000000000098,Late,Date,,,not-a-date,,,,');
  return `${lines.join('\n')}\n`;
}

describe('console: Audience', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    ({ t, browser } = await startConsoleApp({ pages: Object.values(PAGES) }));
  });
  afterAll(() => stopConsoleApp(t, browser));

  const open = (width: number, path: string) =>
    openConsole(browser, t, { width, path, timeoutMs: 20_000 });

  /** The number under a count's label in the import's report. */
  const count = (page: Page, label: string) =>
    page.locator('.au-counts .stat', { has: page.getByText(label, { exact: true }) }).locator('dd');

  for (const [label, width] of Object.entries(WIDTHS) as [keyof typeof WIDTHS, number][]) {
    const { pageId } = PAGES[label];

    it(`imports a CSV with bad rows, shows the bad lines, pages and searches the users (${label})`, async () => {
      const page = await open(width, `/pages/${pageId}/audience`);
      await page.getByRole('heading', { level: 1, name: 'Audience of Acme' }).waitFor();
      await page.getByText('No user yet').waitFor();
      await page.getByText('No import yet.').waitFor();

      await page.getByLabel('CSV file', { exact: true }).setInputFiles({
        name: 'customers.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(customersCsv(), 'utf8'),
      });
      // Until the import has counted the file's rows (rowsTotal null), the bar has no end: the
      // import's answers say it is at that moment (finished too fast to see it), then the truth.
      let holding = true;
      await page.route('**/api/imports/*', async (route) => {
        const response = await route.fetch();
        const view = (await response.json()) as Record<string, unknown>;
        const counts = {
          rows: 0,
          inserted: 0,
          updated: 0,
          unchanged: 0,
          invalid: 0,
          duplicates: 0,
        };
        const reading = { status: 'running', rowsProcessed: 0, rowsTotal: null, counts };
        const shown = holding ? { ...view, ...reading, errors: [], errorCount: 0 } : view;
        await route.fulfill({ response, json: shown });
      });
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      const progress = page.getByRole('progressbar', { name: /Progress of the import/ });
      await page.getByRole('status').filter({ hasText: 'Importing… reading the file…' }).waitFor();
      expect(await progress.getAttribute('aria-valuetext')).toBe('Reading the file…');
      expect(await progress.getAttribute('aria-valuenow')).toBeNull();
      await checkScreen(page, 'audience-import-reading');
      holding = false;
      await page.getByRole('status').filter({ hasText: 'Import finished' }).waitFor();
      await page.unroute('**/api/imports/*');
      expect(await progress.getAttribute('aria-valuetext')).toBe('100%');
      // The bar's end is the rows the import counted (the bad ones included).
      expect(await progress.getAttribute('aria-valuemax')).toBe('33');
      expect(await count(page, 'Rows read').textContent()).toBe('33');
      expect(await count(page, 'Added').textContent()).toBe('30');
      expect(await count(page, 'Bad rows').textContent()).toBe('3');

      const errors = page.getByRole('table', { name: 'Rows not imported' });
      const cells = await Promise.all(
        (await errors.locator('tbody tr').all()).map((row) => row.locator('td').allTextContents()),
      );
      expect(cells.map(([line]) => line)).toEqual(['4', '18', '34']);
      expect(cells[0][1]).toMatch(/psid/);
      expect(cells[1][1]).toMatch(/orders/);
      expect(cells[2][1]).toMatch(/last_inbound_at/);
      // The table shows what the API says.
      const imports = await t.http().get(`/api/pages/${pageId}/imports`).set(auth).expect(200);
      expect(imports.body.items[0].errors.map((e: { line: number }) => String(e.line))).toEqual(
        cells.map(([line]) => line),
      );
      // The history and the users list follow the finished import.
      await page
        .getByRole('row')
        .filter({ hasText: 'customers.csv' })
        .getByText('Finished')
        .waitFor();
      await page.getByRole('link', { name: 'Ana López' }).waitFor();
      await checkScreen(page, 'audience-import-errors');

      // Paging: 25 users a page, then the last 5.
      const users = page.locator('.au-users tbody tr');
      expect(await users.count()).toBe(25);
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByText('Page 2', { exact: true }).waitFor();
      await page.getByRole('link', { name: 'Customer Number 30' }).waitFor();
      expect(await users.count()).toBe(5);
      expect(await page.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
      await page.getByRole('button', { name: 'Previous' }).click();
      await page.getByText('Page 1', { exact: true }).waitFor();
      await page.getByLabel('Users per page').selectOption('50');
      await page.getByRole('link', { name: 'Customer Number 30' }).waitFor();
      expect(await users.count()).toBe(30);

      // The screen as it opens once the import is done.
      await page.reload();
      await page.getByRole('link', { name: 'Ana López' }).waitFor();
      await page.getByRole('row').filter({ hasText: 'customers.csv' }).waitFor();
      await checkScreen(page, 'audience');

      // The API searches: the first digits of a PSID find every PSID starting with them, all of
      // them the one user; words find names containing each, capitals and accents ignored.
      const search = async (text: string, found: string) => {
        await page.getByLabel('Search by PSID or name').fill(text);
        await page.getByRole('button', { name: 'Search', exact: true }).click();
        await page.getByRole('status').filter({ hasText: found }).waitFor();
      };
      const names = () => page.locator('.au-users tbody tr td:first-child').allTextContents();
      await search('610000000000002', '10 users whose PSID starts with 610000000000002.');
      expect(await names()).toEqual(
        Array.from({ length: 10 }, (_, n) => `Customer Number ${20 + n}`),
      );
      await search('6100000000000002', '1 user whose PSID starts with 6100000000000002.');
      expect(await names()).toEqual(['Bruno Martin']);
      await search('lopez', '1 user named “lopez”.');
      expect(await names()).toEqual(['Ana López']);
      await search('CUSTOMER number 3', '4 users named “CUSTOMER number 3”.');
      expect(await names()).toEqual([3, 13, 23, 30].map((n) => `Customer Number ${n}`));
      await search('nobody', 'No user named “nobody”.');
      expect(await users.count()).toBe(0);
      // Search results page like the list: 28 customers, 25 then 3.
      await search('customer', 'Users named “customer”: page 1, more on the next.');
      expect(await users.count()).toBe(25);
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByRole('status').filter({ hasText: 'page 2, the last' }).waitFor();
      expect(await names()).toEqual([
        'Customer Number 28',
        'Customer Number 29',
        'Customer Number 30',
      ]);
      await checkScreen(page, 'audience-search');
      await page.getByRole('button', { name: 'Show everyone' }).click();
      await page.getByText('Page 1', { exact: true }).waitFor();
      await page.getByRole('link', { name: 'Bruno Martin' }).waitFor();
      expect(await users.count()).toBe(25);
      await page.getByLabel('Search by PSID or name').fill('ana lóp');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.getByRole('link', { name: 'Ana López' }).click();
      await page.getByRole('heading', { level: 1, name: 'Ana López' }).waitFor();
      await closeTab(page);
    });

    it(`shows a user's typed attributes, tokens without their values and thread owner (${label})`, async () => {
      // Ana agreed to marketing messages: the token's value must never reach the console.
      const { token, event } = t.sandbox!.sandbox.optIn(pageId, ANA, {
        type: 'notification_messages',
        topic: 'weekly_deals',
        frequency: 'WEEKLY',
        title: 'Weekly deals',
      });
      await t.app.get(TokensService).applyOptin(
        {
          pageId,
          field: 'messaging',
          eventId: randomBytes(8).toString('hex'),
          receivedAt: new Date(),
        },
        event,
      );

      const page = await open(width, `/pages/${pageId}/users/${ANA}`);
      await page.getByRole('heading', { level: 1, name: 'Ana López' }).waitFor();
      const attributes = page.getByRole('table', { name: 'Attributes' });
      const attribute = (name: string) =>
        attributes.getByRole('row').filter({ has: page.getByText(name, { exact: true }) });
      expect(await attribute('city').textContent()).toBe('citytextLyon');
      expect(await attribute('orders').textContent()).toBe('ordersnumber3');
      expect(await attribute('vip').textContent()).toBe('vipyes/noyes');
      await attribute('signed_up').getByText('date', { exact: true }).waitFor();
      // A calendar date shows as that day, not as midnight UTC in the reader's zone.
      await attribute('signed_up').getByText('14 Mar 2025', { exact: true }).waitFor();

      const tokens = page.getByRole('table', { name: 'Notification tokens' });
      await tokens.getByText('Marketing messages').waitFor();
      await tokens.getByText('weekly_deals').waitFor();
      await tokens.getByText('active').waitFor();
      expect(await page.content()).not.toContain(token);

      // The sandbox names this connector's own app as the thread's owner.
      await page.getByText('This app (the campaign connector)').waitFor();
      await page.getByText(/Open until/).waitFor();
      await checkScreen(page, 'user');

      // An unknown PSID says so.
      await page.goto(page.url().replace(ANA, '6199999999999999'));
      await page.getByRole('heading', { level: 1, name: 'User not found' }).waitFor();
      await closeTab(page);
    });
  }
});
