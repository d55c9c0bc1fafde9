/**
 * The Pages screens in a real browser against the service and the Messenger
 * sandbox: registering a Page (and a refusal beside its field), its health, the
 * connection check (Facebook's acceptance, refusal and silence), rotating the
 * token, renaming, and the testers with the API's per-item refusals.
 */
import type { Browser, Page } from 'playwright-core';
import { PageHealthService } from '../../src/pages/page-health.service';
import { auth, type TestApp } from '../harness/app';
import {
  checkScreen,
  closeTab,
  openConsole,
  startConsoleApp,
  stopConsoleApp,
  WIDTHS,
} from '../harness/browser';

/** One Page per width, so each width walks the whole job on a Page of its own. */
const PAGES = {
  desktop: {
    pageId: '104857600000001',
    name: 'Acme Shoes',
    token: 'EAABacmeShoesToken'.padEnd(60, 'S'),
  },
  phone: {
    pageId: '104857600000002',
    name: 'Acme Socks',
    token: 'EAABacmeSocksToken'.padEnd(60, 'K'),
  },
} as const;
/** A Page blocked by Facebook, with a campaign it paused. */
const BLOCKED = {
  pageId: '104857600000009',
  name: 'Lyon Bakery',
  token: 'EAABlyonBakeryToken'.padEnd(60, 'B'),
};
/** A token Facebook (the sandbox) does not know: the connection check is refused with 190. */
const UNKNOWN_TOKEN = 'EAABnotKnownToFacebook'.padEnd(60, 'W');
const PSID = '6543210987654321';

jest.setTimeout(120_000);

describe('console: Pages', () => {
  let t: TestApp;
  let browser: Browser;
  const sandbox = () => t.sandbox!.sandbox;

  beforeAll(async () => {
    ({ t, browser } = await startConsoleApp({
      pages: [...Object.values(PAGES), BLOCKED],
      register: false,
    }));
    await t
      .http()
      .post('/api/pages')
      .set(auth)
      .send({ pageId: BLOCKED.pageId, name: BLOCKED.name, accessToken: BLOCKED.token })
      .expect(201);
    const segment = await t
      .http()
      .post(`/api/pages/${BLOCKED.pageId}/segments`)
      .set(auth)
      .send({ name: 'Everyone', rules: { attribute: 'psid', op: 'exists', value: true } })
      .expect(201);
    const campaign = await t
      .http()
      .post(`/api/pages/${BLOCKED.pageId}/campaigns`)
      .set(auth)
      .send({
        name: 'Spring sale',
        segmentId: segment.body.id,
        message: { kind: 'text', text: 'Hello' },
      })
      .expect(201);
    await t.app
      .get(PageHealthService)
      .recordPolicyBlock(BLOCKED.pageId, 'The Page sent messages people reported as spam', [
        campaign.body.id,
      ]);
  });
  afterAll(() => stopConsoleApp(t, browser));
  afterEach(() => {
    sandbox().setScenario({});
  });

  /** A tab whose waits fail with the locator named, well before the test's own timeout. */
  const open = (width: number, path: string) =>
    openConsole(browser, t, { width, path, timeoutMs: 20_000 });

  /** The card of a Page in the list. */
  const card = (page: Page, name: string) =>
    page.getByRole('listitem').filter({ has: page.getByRole('heading', { name }) });

  for (const [label, width] of Object.entries(WIDTHS) as [keyof typeof WIDTHS, number][]) {
    const p = PAGES[label];

    it(`registers a Page, showing a refusal beside its field, and lists it with its health (${label})`, async () => {
      const page = await open(width, '/pages');
      await page.getByRole('heading', { level: 1, name: 'Pages' }).waitFor();

      // A page id that is not numeric is refused, and the reason is given beside that field.
      await page.getByLabel('Page id', { exact: true }).fill('acme-shoes');
      await page.getByLabel('Name', { exact: true }).fill(p.name);
      await page.getByLabel('Page access token', { exact: true }).fill(UNKNOWN_TOKEN);
      await page.getByRole('button', { name: 'Register the Page' }).click();
      const pageIdField = page.locator('.field', {
        has: page.getByLabel('Page id', { exact: true }),
      });
      await pageIdField
        .getByRole('alert')
        .filter({ hasText: 'must be the numeric Facebook Page id' })
        .waitFor();
      expect(await page.getByLabel('Page id', { exact: true }).getAttribute('aria-invalid')).toBe(
        'true',
      );
      // The secret field is a password input.
      expect(await page.getByLabel('Page access token', { exact: true }).getAttribute('type')).toBe(
        'password',
      );

      // Corrected, it registers (with a token Facebook will refuse: the Page's screen fixes it).
      await page.getByLabel('Page id', { exact: true }).fill(p.pageId);
      await page.getByRole('button', { name: 'Register the Page' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: `${p.name} is registered` })
        .waitFor();
      await card(page, p.name).getByText('Can send').waitFor();
      expect(await page.getByLabel('Page access token', { exact: true }).inputValue()).toBe('');
      expect(await page.content()).not.toContain(UNKNOWN_TOKEN);
      // The Page picker knows the new Page.
      await page
        .locator('.page-picker option', { hasText: `${p.name} (${p.pageId})` })
        .waitFor({ state: 'attached' });

      // The blocked Page shows why, and the campaign it paused.
      const blocked = card(page, BLOCKED.name);
      await blocked.getByText('Blocked by Facebook').waitFor();
      await blocked.getByText('The Page sent messages people reported as spam').waitFor();
      await blocked.getByRole('link', { name: 'Spring sale' }).waitFor();

      const stored = await t.http().get(`/api/pages/${p.pageId}`).set(auth).expect(200);
      expect(stored.body).toMatchObject({ name: p.name, hasAppSecret: false });
      await checkScreen(page, 'pages');
      await closeTab(page);
    });

    it(`checks the connection, rotates the token, renames and sets the testers (${label})`, async () => {
      const page = await open(width, '/pages');
      await card(page, p.name).getByRole('link', { name: p.name }).click();
      await page.getByRole('heading', { level: 1, name: p.name }).waitFor();
      const health = page.locator('section', {
        has: page.getByRole('heading', { name: 'Health' }),
      });
      await health.getByText('Can send').waitFor();

      // Facebook refuses the registered token: the answer is shown and the health follows.
      await page.getByLabel('Send to (PSID)').fill(PSID);
      await page.getByRole('button', { name: 'Send the check message' }).click();
      const refused = page.getByRole('alert').filter({ hasText: 'Facebook refused the message' });
      await refused.waitFor();
      expect(await refused.textContent()).toContain('Invalid OAuth access token');
      await health.getByText('Access token not valid').waitFor();
      await health.getByText(/Facebook error 190/).waitFor();

      // A bad PSID is refused before any call, beside its field.
      await page.getByLabel('Send to (PSID)').fill('0654');
      await page.getByRole('button', { name: 'Send the check message' }).click();
      await page
        .locator('.field', { has: page.getByLabel('Send to (PSID)') })
        .getByRole('alert')
        .filter({ hasText: 'must be a PSID' })
        .waitFor();
      await page.getByLabel('Send to (PSID)').fill(PSID);
      // Changing the PSID takes the stale reason away.
      expect(
        await page
          .locator('.field', { has: page.getByLabel('Send to (PSID)') })
          .getByRole('alert')
          .count(),
      ).toBe(0);

      // Rotating the token asks first, then saves it and clears the field.
      const tokenField = page.getByLabel('New access token');
      expect(await tokenField.getAttribute('type')).toBe('password');
      await tokenField.fill(p.token);
      await page.getByRole('button', { name: 'Replace the access token' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByText(`Replace the access token of ${p.name}?`).waitFor();
      await dialog.getByRole('button', { name: 'Replace it' }).click();
      await page.getByRole('status').filter({ hasText: 'The new access token is saved' }).waitFor();
      expect(await tokenField.inputValue()).toBe('');
      expect(await page.content()).not.toContain(p.token);

      // Facebook gives no answer: the console says so (502), distinct from a refusal.
      sandbox().setScenario({ resetPsids: [PSID] });
      await page.getByRole('button', { name: 'Send the check message' }).click();
      await page.getByRole('alert').filter({ hasText: 'Facebook could not be reached' }).waitFor();
      sandbox().setScenario({});

      // The check now succeeds with the new token, and the Page is healthy again.
      sandbox().reset();
      await page.getByRole('button', { name: 'Send the check message' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: `Facebook accepted the message to ${PSID}` })
        .waitFor();
      await health.getByText('Can send').waitFor();
      const [sent] = sandbox().requests({ endpoint: 'messages' });
      expect(sent.authorization).toBe(`Bearer ${p.token}`);
      expect(sent.body).toMatchObject({
        recipient: { id: PSID },
        message: { text: 'Connection check from the campaign console' },
      });

      // Testers: two added, the second refused beside its own field, then corrected.
      await page.getByRole('button', { name: 'Add a tester' }).click();
      await page.getByLabel('Tester 1 PSID').fill('6543210987654321');
      await page.getByRole('button', { name: 'Add a tester' }).click();
      await page.getByLabel('Tester 2 PSID').fill('0123');
      await page.getByRole('button', { name: 'Save the testers' }).click();
      const second = page.locator('li', { has: page.getByLabel('Tester 2 PSID') });
      await second
        .getByRole('alert')
        .filter({ hasText: 'must be digits without a leading zero' })
        .waitFor();
      expect(await page.getByLabel('Tester 2 PSID').getAttribute('aria-invalid')).toBe('true');
      expect(
        await page
          .locator('li', { has: page.getByLabel('Tester 1 PSID') })
          .getByRole('alert')
          .count(),
      ).toBe(0);
      const testers = () =>
        t
          .http()
          .get(`/api/pages/${p.pageId}/testers`)
          .set(auth)
          .then((answer) => answer.body.psids);
      expect(await testers()).toEqual([]);

      await page.getByLabel('Tester 2 PSID').fill('6543210987654322');
      await page.getByRole('button', { name: 'Save the testers' }).click();
      await page.getByRole('status').filter({ hasText: 'The testers are saved' }).waitFor();
      expect(await testers()).toEqual(['6543210987654321', '6543210987654322']);

      await page.getByRole('button', { name: 'Remove tester 1' }).click();
      await page.getByRole('button', { name: 'Save the testers' }).click();
      await page.getByRole('status').filter({ hasText: 'The testers are saved' }).waitFor();
      expect(await testers()).toEqual(['6543210987654322']);
      await page.getByRole('button', { name: 'Add a tester' }).click();
      await page.getByLabel('Tester 2 PSID').fill('6543210987654323');
      await page.getByRole('button', { name: 'Save the testers' }).click();
      await page.getByRole('status').filter({ hasText: 'The testers are saved' }).waitFor();
      expect(await testers()).toEqual(['6543210987654322', '6543210987654323']);

      // Renaming changes the title and the Page picker.
      const renamed = `${p.name} Paris`;
      await page.getByLabel('Page name').fill(renamed);
      await page.getByRole('button', { name: 'Save the name' }).click();
      await page.getByRole('heading', { level: 1, name: renamed }).waitFor();
      await page
        .locator('.page-picker option', { hasText: `${renamed} (${p.pageId})` })
        .waitFor({ state: 'attached' });
      await page.getByLabel('Page name').fill(p.name);
      await page.getByRole('button', { name: 'Save the name' }).click();
      await page.getByRole('heading', { level: 1, name: p.name, exact: true }).waitFor();

      // The links to the Page's other screens.
      for (const section of ['Audience', 'Segments', 'Campaigns'])
        expect(
          await page
            .getByRole('navigation', { name: 'This Page' })
            .getByRole('link', { name: section })
            .getAttribute('href'),
        ).toBe(`#/pages/${p.pageId}/${section.toLowerCase()}`);

      await checkScreen(page, 'page-detail');
      await closeTab(page);
    });
  }
});
