/**
 * The segments screens in a real browser against the real service: a rule tree
 * built through the builder with the live count checked to the exact numbers of
 * users imported through the API (previews that store nothing), the attributes
 * and example values the API suggests, saving, the list, editing, the API's
 * refusals shown beside the condition they name, deletion, and the keyboard alone.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Browser, Locator, Page } from 'playwright-core';
import { auth, type TestApp } from '../harness/app';
import { importCsv, PAGE_ID } from '../harness/audience';
import {
  checkScreen,
  closeTab,
  openConsole,
  startConsoleApp,
  stopConsoleApp,
  WIDTHS,
} from '../harness/browser';
import { eventually } from '../harness/eventually';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const LIST = `/pages/${PAGE_ID}/segments`;

interface Segment {
  id: string;
  name: string;
  rules: unknown;
}

jest.setTimeout(60_000);

describe('console: segments', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    ({ t, browser } = await startConsoleApp());
    const iso = (ago: number) => new Date(Date.now() - ago).toISOString();
    const imported = await importCsv(
      t,
      [
        'psid,first_name,city,orders:number,vip:boolean,last_inbound_at,signed_up:date,locale',
        `1,Ana,Lyon,5,true,${iso(HOUR)},2026-01-10,fr_FR`, // window open: reachable
        `2,Bo,Lyon,3,false,${iso(2 * DAY)},2026-03-01,en_GB`,
        `3,Cy,Lyon,1,true,${iso(3 * DAY)},2026-05-01`,
        `4,Di,Lyon,4,false,,2026-07-01`, // never wrote
        `5,Ed,Paris,9,true,${iso(HOUR)},2026-09-01`,
        `6,Fa,Lyon,6,false,${iso(2 * HOUR)},`, // window open but opted out (below)
        `7,Gu,Lyon,2,false,${iso(HOUR / 2)},`, // window open: reachable
        '8,Hu,Marseille,3,false,,',
      ].join('\n'),
    );
    expect(imported.body).toMatchObject({ status: 'completed', counts: { inserted: 8 } });
    await t
      .http()
      .patch(`/api/pages/${PAGE_ID}/users/6`)
      .set(auth)
      .send({ suppressed: true })
      .expect(200);
  });
  afterAll(() => stopConsoleApp(t, browser));

  const open = (options: { width?: number; path: string }) => openConsole(browser, t, options);

  const segments = async (): Promise<Segment[]> =>
    (await t.http().get(`/api${LIST}`).set(auth).expect(200)).body.items;
  const named = async (name: string) => (await segments()).find((s) => s.name === name);

  /** "count reachable" once the preview is not updating, e.g. "6 2". */
  const LIVE_COUNT = `(() => {
      const panel = document.querySelector('.segment-preview');
      if (!panel || panel.getAttribute('aria-busy') === 'true') return 'busy';
      const stat = (name) => panel.querySelector('[data-stat="' + name + '"]').textContent;
      return stat('count') + ' ' + stat('reachable');
    })()`;
  const expectCount = async (page: Page, expected: string) => {
    const reached = await page
      .waitForFunction(`${LIVE_COUNT} === ${JSON.stringify(expected)}`, undefined, {
        timeout: 10_000,
      })
      .then(
        () => true,
        () => false,
      );
    if (!reached) expect(await page.evaluate<string>(LIVE_COUNT)).toBe(expected);
  };

  const condition = (page: Page, number: string) =>
    page.getByRole('group', { name: `Condition ${number}`, exact: true });
  const group = (page: Page, number: string) =>
    page.getByRole('group', { name: `Group ${number}`, exact: true });

  async function fillCondition(
    row: Locator,
    field: string,
    comparison: string,
    value?: { fill?: string; select?: string },
  ) {
    await row.getByLabel('Field').selectOption({ label: field });
    await row.getByLabel('Comparison').selectOption({ label: comparison });
    if (value?.fill !== undefined) await row.getByLabel(/^(Value|Days|Values)$/).fill(value.fill);
    if (value?.select !== undefined)
      await row.getByLabel('Value').selectOption({ label: value.select });
  }

  /** The values the condition's value input suggests (its datalist). */
  const examplesOf = (page: Page, number: string) =>
    page.evaluate<string[]>(
      `(() => {
        const row = [...document.querySelectorAll('fieldset.rule-condition')].find(
          (fieldset) => fieldset.querySelector('legend').textContent === ${JSON.stringify(`Condition ${number}`)},
        );
        const input = row && row.querySelector('input[list]');
        return input && input.list ? [...input.list.options].map((option) => option.value) : [];
      })()`,
    );

  const sampleNames = (page: Page) =>
    page.evaluate<string[]>(
      `[...document.querySelectorAll('.segment-sample a')].map((link) => link.textContent + ' ' + link.getAttribute('href'))`,
    );

  it('says when the Page has no segment yet, suggests the attributes, and previews without storing anything', async () => {
    const page = await open({ path: LIST });
    await page.getByText('No segments yet').waitFor();
    await checkScreen(page, 'segments-empty');
    const phone = await open({ width: WIDTHS.phone, path: LIST });
    await phone.getByText('No segments yet').waitFor();
    await checkScreen(phone, 'segments-empty');
    await closeTab(phone);

    await page.getByRole('link', { name: 'Build the first segment' }).click();
    await page.getByRole('heading', { name: 'New segment' }).waitFor();
    await page.getByText('Fill in every condition to see who matches.').waitFor();
    // The attributes of the Page's users, each with its kind of value.
    const attributes = await condition(page, '1')
      .locator('optgroup[label="Attributes"] option')
      .allTextContents();
    expect(attributes).toEqual([
      'city (text)',
      'orders (number)',
      'signed_up (date)',
      'vip (yes or no)',
    ]);
    await fillCondition(condition(page, '1'), 'city (text)', 'is', { fill: 'Paris' });
    // The values seen are offered while typing.
    expect((await examplesOf(page, '1')).sort()).toEqual(['Lyon', 'Marseille', 'Paris']);
    await expectCount(page, '1 1');
    await fillCondition(condition(page, '1'), 'orders (number)', 'is at least', { fill: '9' });
    // Five distinct numbers of the newest users (orders are 5 3 1 4 9 6 2 3).
    const orders = await examplesOf(page, '1');
    expect(orders).toHaveLength(5);
    expect(orders.every((value) => ['1', '2', '3', '4', '5', '6', '9'].includes(value))).toBe(true);
    await expectCount(page, '1 1');
    // Built-in fields suggest what the data holds: the locales seen.
    await fillCondition(condition(page, '1'), 'Locale', 'is', { fill: 'fr_FR' });
    expect((await examplesOf(page, '1')).sort()).toEqual(['en_GB', 'fr_FR']);
    await expectCount(page, '1 1');
    // Counting stored nothing; leaving without saving leaves nothing either.
    expect(await segments()).toEqual([]);
    await page.getByRole('link', { name: 'All segments' }).click();
    await page.getByText('No segments yet').waitFor();
    expect(await segments()).toEqual([]);
    await closeTab(page);
  });

  for (const [label, width] of Object.entries(WIDTHS)) {
    const name = `Lyon regulars (${label})`;

    it(`builds a segment with a nested any-group and counts it live, saves it, lists it (${label})`, async () => {
      const before = (await segments()).length;
      const page = await open({ width, path: `${LIST}/new` });
      await page.getByLabel('Segment name').fill(name);

      // city is Lyon: 1, 2, 3, 4, 6, 7; reachable now 1 and 7 (6 opted out)
      await fillCondition(condition(page, '1'), 'city (text)', 'is', { fill: 'Lyon' });
      await expectCount(page, '6 2');

      // and orders at least 3: 1, 2, 4, 6; reachable 1
      await page.getByRole('button', { name: 'Add condition', exact: true }).click();
      await fillCondition(condition(page, '2'), 'orders (number)', 'is at least', { fill: '3' });
      await expectCount(page, '4 1');

      // and (vip, or wrote within 7 days): 1 (vip), 2 (2 days ago), 6 (2 hours ago)
      await page.getByRole('button', { name: 'Add group', exact: true }).click();
      await expect(group(page, '3').getByLabel('Match').inputValue()).resolves.toBe('any');
      await fillCondition(condition(page, '3.1'), 'vip (yes or no)', 'is', { select: 'yes' });
      await group(page, '3').getByRole('button', { name: 'Add condition to group 3' }).click();
      await fillCondition(condition(page, '3.2'), 'Last message from them', 'is within the last', {
        fill: '7',
      });
      await expectCount(page, '3 1');
      expect((await sampleNames(page)).sort()).toEqual([
        `Ana #/pages/${PAGE_ID}/users/1`,
        `Bo #/pages/${PAGE_ID}/users/2`,
        `Fa #/pages/${PAGE_ID}/users/6`,
      ]);
      await page.getByRole('status').filter({ hasText: 'Unsaved changes' }).waitFor();
      expect(await segments()).toHaveLength(before);
      await checkScreen(page, 'segment-builder');

      // A full-page screenshot leaves Chromium's scroll position to be restored on the next
      // input, which would move the button under a click: settle it with a harmless one first.
      await page.getByRole('heading', { name: 'Who is in it' }).click();
      await page.getByRole('button', { name: 'Save segment' }).click();
      await page.getByRole('heading', { name, exact: true }).waitFor();
      await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      const saved = await named(name);
      expect(saved?.rules).toEqual({
        all: [
          { attribute: 'city', op: 'eq', value: 'Lyon' },
          { attribute: 'orders', op: 'gte', value: 3 },
          {
            any: [
              { attribute: 'vip', op: 'eq', value: true },
              { attribute: 'lastInboundAt', op: 'withinLastDays', value: 7 },
            ],
          },
        ],
      });
      await expectCount(page, '3 1');
      expect(await segments()).toHaveLength(before + 1);

      await page.getByRole('link', { name: 'All segments' }).click();
      const row = page.getByRole('row', { name: new RegExp(escapeRegExp(name)) });
      await settles(
        async () => (await row.locator('td.number').allTextContents()).join(' '),
        '3 1',
      );
      await checkScreen(page, 'segments');
      await closeTab(page);
    });

    it(`reopens a saved segment, edits it and saves the change (${label})`, async () => {
      const page = await open({ width, path: LIST });
      await page.getByRole('link', { name, exact: true }).click();
      await page.getByRole('heading', { name, exact: true }).waitFor();
      await expectCount(page, '3 1');
      const orders = condition(page, '2');
      expect(await orders.getByLabel('Field').inputValue()).toBe('attribute:orders');
      expect(await orders.getByLabel('Comparison').inputValue()).toBe('gte');
      expect(await orders.getByLabel('Value').inputValue()).toBe('3');
      expect(await condition(page, '3.2').getByLabel('Days').inputValue()).toBe('7');

      // orders at least 5: 1 (vip) and 6 (wrote 2 hours ago)
      await orders.getByLabel('Value').fill('5');
      await page.getByRole('status').filter({ hasText: 'Unsaved changes' }).waitFor();
      await expectCount(page, '2 1');
      // Counted, not stored: the saved rules are as they were until Save.
      expect((await named(name))?.rules).toMatchObject({ all: [{}, { value: 3 }, {}] });
      await page.getByRole('button', { name: 'Save segment' }).click();
      await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      expect(await page.getByText('Unsaved changes').count()).toBe(0);
      const saved = (await named(name)) as { rules: { all: { value?: unknown }[] } };
      expect(saved.rules.all[1]).toEqual({ attribute: 'orders', op: 'gte', value: 5 });
      await closeTab(page);
    });

    it(`shows the API's refusal beside the condition and the group it names (${label})`, async () => {
      const page = await open({ width, path: `${LIST}/new` });
      await page.getByLabel('Segment name').fill(`Refused (${label})`);
      // 5000 days: the API takes 0 to 3650.
      await fillCondition(condition(page, '1'), 'Last message from them', 'is within the last', {
        fill: '5000',
      });
      // Groups nested six deep: the API takes five levels.
      let at = '';
      for (let level = 2; level <= 6; level += 1) {
        const parent = at ? group(page, at) : page.locator('fieldset.rule-group').first();
        const addGroup = at ? `Add group to group ${at}` : 'Add group';
        await parent.getByRole('button', { name: addGroup, exact: true }).click();
        at = at ? `${at}.2` : '2'; // after the group's own first condition
        await fillCondition(condition(page, `${at}.1`), 'PSID', 'has a value');
      }
      // Live, before saving: the reason sits beside the condition that has it.
      const days = condition(page, '1');
      await days
        .getByText('withinLastDays takes a number of days from 0 (exclusive) to 3650')
        .waitFor();
      expect(await days.getByLabel('Days').getAttribute('aria-invalid')).toBe('true');
      await page.getByText('Fix what is marked in red to see who matches.').waitFor();

      await page.getByRole('button', { name: 'Save segment' }).click();
      await page.getByRole('alert').filter({ hasText: 'Not saved' }).waitFor();
      await days
        .getByText('withinLastDays takes a number of days from 0 (exclusive) to 3650')
        .waitFor();
      const deepest = group(page, '2.2.2.2.2');
      await deepest.getByText('nesting is deeper than 5 levels').first().waitFor();
      expect(await deepest.getByLabel('Match').first().getAttribute('aria-invalid')).toBe('true');
      // Only the groups too deep are marked.
      expect(await group(page, '2.2.2.2').getByText('nesting is deeper').count()).toBe(1);
      expect(await named(`Refused (${label})`)).toBeUndefined();
      await checkScreen(page, 'segment-builder-error');

      // Fixing the value clears its reason.
      await days.getByLabel('Days').fill('30');
      await settles(() => days.getByText('withinLastDays takes').count(), 0);
      await closeTab(page);
    });
  }

  it('sends lists, dates and a none-of group as the rule language has them', async () => {
    const page = await open({ path: `${LIST}/new` });
    await page.getByLabel('Segment name').fill('Early Lyon and Paris');
    // city is Lyon or Paris: 1 to 7
    await fillCondition(condition(page, '1'), 'city (text)', 'is one of', {
      fill: 'Lyon\nParis',
    });
    await expectCount(page, '7 3');
    // signed up before 1 June (midnight in the browser's timezone): 1, 2, 3
    await page.getByRole('button', { name: 'Add condition', exact: true }).click();
    await fillCondition(condition(page, '2'), 'signed_up (date)', 'is before');
    await condition(page, '2').getByLabel('Date').fill('2026-06-01');
    await expectCount(page, '3 1');
    await condition(page, '2').getByText('From 1 Jun 2026, 00:00 CEST').waitFor();
    // none of: first name starts with "a" (Ana): 2, 3
    await page.getByRole('button', { name: 'Add group', exact: true }).click();
    await group(page, '3').getByLabel('Match').selectOption({ label: 'none of these' });
    await fillCondition(condition(page, '3.1'), 'First name', 'starts with', { fill: 'a' });
    await expectCount(page, '2 0');

    await page.getByRole('button', { name: 'Save segment' }).click();
    await page.getByRole('heading', { name: 'Early Lyon and Paris' }).waitFor();
    expect((await named('Early Lyon and Paris'))?.rules).toEqual({
      all: [
        { attribute: 'city', op: 'in', value: ['Lyon', 'Paris'] },
        { attribute: 'signed_up', op: 'before', value: '2026-06-01T00:00:00+02:00' },
        { not: { attribute: 'firstName', op: 'startsWith', value: 'a' } },
      ],
    });
    // Reopened, every value is where it was typed.
    await page.reload();
    await expectCount(page, '2 0');
    expect(await condition(page, '1').getByLabel('Values').inputValue()).toBe('Lyon\nParis');
    expect(await condition(page, '2').getByLabel('Date').inputValue()).toBe('2026-06-01');
    expect(await group(page, '3').getByLabel('Match').inputValue()).toBe('none');
    expect(await condition(page, '3.1').getByLabel('Value').inputValue()).toBe('a');
    await closeTab(page);
  });

  it('builds a condition from the keyboard alone', async () => {
    const page = await open({ path: `${LIST}/new` });
    const focused = () =>
      page.evaluate<string>(
        `(() => { const el = document.activeElement; return (el.labels && el.labels[0] ? el.labels[0].textContent : el.textContent) + '|' + (el.closest('fieldset.rule-condition') ? el.closest('fieldset.rule-condition').querySelector('legend').textContent : ''); })()`,
      );
    await page.getByLabel('Segment name').focus();
    await page.keyboard.type('Keyboard segment');
    await page.keyboard.press('Tab'); // the root group's Match
    await settles(focused, 'Match|');
    await page.keyboard.press('Tab');
    await settles(focused, 'Field|Condition 1');
    await page.keyboard.type('city');
    expect(await condition(page, '1').getByLabel('Field').inputValue()).toBe('attribute:city');
    await page.keyboard.press('Tab');
    await settles(focused, 'Comparison|Condition 1');
    await page.keyboard.press('ArrowDown'); // is → is not
    await page.keyboard.press('ArrowDown'); // → contains
    expect(await condition(page, '1').getByLabel('Comparison').inputValue()).toBe('contains');
    await page.keyboard.press('Tab');
    await page.keyboard.type('yo');
    await expectCount(page, '6 2');

    // Past Remove to Add condition; Enter adds one and puts the focus on its field.
    await page.keyboard.press('Tab');
    await settles(focused, 'Remove condition 1|Condition 1');
    await page.keyboard.press('Tab');
    await settles(focused, 'Add condition|');
    await page.keyboard.press('Enter');
    await settles(focused, 'Field|Condition 2');
    await page.keyboard.type('orders');
    await page.keyboard.press('Tab');
    for (let i = 0; i < 3; i += 1) await page.keyboard.press('ArrowDown'); // is, is not, more than, at least
    expect(await condition(page, '2').getByLabel('Comparison').inputValue()).toBe('gte');
    await page.keyboard.press('Tab');
    await page.keyboard.type('3');
    await expectCount(page, '4 1');

    // Saving with Enter on the button.
    await page.getByRole('button', { name: 'Save segment' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Keyboard segment' }).waitFor();
    expect((await named('Keyboard segment'))?.rules).toEqual({
      all: [
        { attribute: 'city', op: 'contains', value: 'yo' },
        { attribute: 'orders', op: 'gte', value: 3 },
      ],
    });
    await closeTab(page);
  });

  it('deletes a segment after asking, and keeps it when told to', async () => {
    const page = await open({ path: LIST });
    const row = page.getByRole('row', { name: /Keyboard segment/ });
    await row.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Delete the segment “Keyboard segment”?').waitFor();
    await dialog.getByRole('button', { name: 'Keep as is' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await named('Keyboard segment')).toBeDefined();

    await row.getByRole('button', { name: 'Delete' }).click();
    await dialog.getByRole('button', { name: 'Delete segment' }).click();
    await page.getByText('The segment “Keyboard segment” was deleted.').waitFor();
    await row.waitFor({ state: 'detached' });
    expect(await named('Keyboard segment')).toBeUndefined();
    // The others stay.
    expect(await named('Lyon regulars (desktop)')).toBeDefined();
    await closeTab(page);
  });
});

/** Waits until `read` gives `expected` (deeply equal), then asserts it. */
async function settles<T>(read: () => Promise<T>, expected: T): Promise<void> {
  const value = await eventually(read, (seen) => isDeepStrictEqual(seen, expected), {
    timeoutMs: 10_000,
    everyMs: 100,
  }).catch(() => read());
  expect(value).toEqual(expected);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
