/**
 * The campaign screens in a real browser against the service and the sandbox:
 * composing with the personalisation helper (attributes suggested with examples)
 * and seeing the API's rendering for a sample user as Messenger bubbles, that
 * rendering following the editor before anything is saved (a changed text, an
 * over-limit text refused beside its field by the API's check, requests only
 * once typing pauses), limits counted while typing and the save's refusal
 * beside its field, a carousel drawn as cards, a test-send to the
 * testers with each answer (one refused by the sandbox), publish refused until
 * a test-send succeeds, a cron schedule's next runs in both timezones, the list.
 */
import type { Browser, Page } from 'playwright-core';
import { auth, type TestApp } from '../harness/app';
import { importCsv, PAGE_ID } from '../harness/audience';
import {
  checkScreen,
  closeTab,
  errorsIn,
  openConsole,
  seriousViolations,
  startConsoleApp,
  stopConsoleApp,
  WIDTHS,
} from '../harness/browser';
import { createCampaign, createSegment, forcePublish } from '../harness/campaigns';
import { eventually } from '../harness/eventually';

const ANA = '6543210987654321';
const BRUNO = '6543210987654322';
const CHLOE = '6543210987654323';
const TIMEOUT = 120_000;

/** Stands in for the product photos the cards link to: the test browser reaches no other host. */
const PHOTO = (colour: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="440" height="220"><rect width="440" height="220" fill="${colour}"/></svg>`;

describe('console: campaigns', () => {
  let t: TestApp;
  let browser: Browser;
  let segmentId: string;

  beforeAll(async () => {
    ({ t, browser } = await startConsoleApp());
    const recent = new Date(Date.now() - 3_600_000).toISOString();
    const old = new Date(Date.now() - 5 * 86_400_000).toISOString();
    await importCsv(
      t,
      [
        'psid,first_name,last_inbound_at,city',
        `${ANA},Ana,${recent},Lyon`,
        `${BRUNO},Bruno,${recent},Lyon`,
        `${CHLOE},Chloé,${old},Nice`,
      ].join('\n'),
    );
    segmentId = await createSegment(t);
    await t
      .http()
      .put(`/api/pages/${PAGE_ID}/testers`)
      .set(auth)
      .send({ psids: [ANA, BRUNO] })
      .expect(200);
    // The sandbox refuses Bruno as Facebook refuses a person who is unavailable.
    t.sandbox!.sandbox.setScenario({ errorsByPsid: { [BRUNO]: { code: 551, subcode: 1545041 } } });
  }, TIMEOUT);
  afterAll(() => stopConsoleApp(t, browser));

  /** The builder's save bar sticks to the bottom of the window: checked scrolled to the end. */
  const check = (page: Page, name: string) => checkScreen(page, name, { scrolledToEnd: true });

  /** Adds a quick reply in the editor and answers its group (the `number`th). */
  const addQuickReply = async (page: Page, number: number) => {
    await page.getByRole('button', { name: 'Add a quick reply' }).click();
    return page.getByRole('group', { name: `Quick reply ${number}`, exact: true });
  };

  const builder = async (width: number, campaignId: string, name: string): Promise<Page> => {
    const page = await openConsole(browser, t, {
      width,
      path: `/pages/${PAGE_ID}/campaigns/${campaignId}`,
    });
    await page.getByRole('heading', { level: 1, name }).waitFor();
    return page;
  };

  for (const [label, width] of Object.entries(WIDTHS)) {
    it(
      `composes a personalised text with quick replies and previews it for a sample user (${label})`,
      async () => {
        const page = await openConsole(browser, t, {
          width,
          path: `/pages/${PAGE_ID}/campaigns/new`,
        });
        await page.getByRole('heading', { name: 'New campaign' }).waitFor();
        // Not created yet: drawn as written only, the per-person preview starts once created.
        await page.getByText(/Create the draft to see the message as real people/).waitFor();
        await page.getByLabel('Name', { exact: true }).fill(`Restock ${label}`);
        await eventually(
          () => page.getByLabel('Segment').inputValue(),
          (value) => value === segmentId,
        );

        // The attributes found on the Page's users are suggested with example values.
        await eventually(
          () => page.getByLabel('Personal field').locator('option').allTextContents(),
          (options) => options.some((option) => /^city \(e\.g\. (Lyon|Nice)/.test(option)),
        );
        // The personalisation helper inserts the first name where the cursor is.
        const text = page.getByLabel('Message text');
        await text.fill('Hi ');
        await page.getByRole('button', { name: 'Insert' }).click();
        await eventually(
          () => text.inputValue(),
          (value) => value === 'Hi {{ user.firstName }}',
        );
        await text.fill('Hi {{ user.firstName }}, the {{ user.attributes.city }} store is open');
        await page.getByText('1931 characters left').waitFor();

        await (await addQuickReply(page, 1)).getByLabel('Title').fill('Shop now');
        await (await addQuickReply(page, 2))
          .getByLabel('Type')
          .selectOption({ label: 'Ask for their email' });
        await page.getByText('2 of 13 quick replies').waitFor();
        const draft = page.getByRole('group', { name: 'Preview of the message as written' });
        await draft.getByText('Shop now').waitFor();
        await draft.getByText('Email address').waitFor();

        await page.getByRole('button', { name: 'Create draft' }).click();
        await page.getByRole('heading', { level: 1, name: `Restock ${label}` }).waitFor();
        const ana = page.getByRole('group', { name: 'Preview for Ana' });
        await ana.getByText('Hi Ana, the Lyon store is open').waitFor();
        await ana.getByRole('listitem').filter({ hasText: 'Shop now' }).waitFor();
        await page
          .getByRole('group', { name: 'Preview for Chloé' })
          .getByText('Hi Chloé, the Nice store is open')
          .waitFor();
        // The eligibility breakdown: Chloé has not written for five days.
        await page.getByText('Who could get it now').waitFor();
        await page.getByText('Messaging window closed').waitFor();
        await check(page, 'campaign-builder');
        await closeTab(page);
      },
      TIMEOUT,
    );

    it(
      `counts limits while typing and shows the API's refusal beside the field (${label})`,
      async () => {
        const name = `Too long ${label}`;
        const id = await createCampaign(t, segmentId, {
          name,
          message: {
            kind: 'text',
            text: 'Hi {{ user.firstName }}',
            quickReplies: Array.from({ length: 13 }, (_, i) => `Choice ${i + 1}`),
          },
        });
        const page = await builder(width, id, name);
        const text = page.getByLabel('Message text');
        await text.fill('x'.repeat(2001));
        await page.getByText('1 characters over the limit of 2000').waitFor();
        // The live preview's check already gives the API's reason, before any save.
        await page
          .locator('.field')
          .filter({ has: text })
          .getByRole('alert')
          .filter({ hasText: 'must be at most 2000 characters' })
          .waitFor();
        await page.getByText('13 of 13 quick replies').waitFor();
        await (await addQuickReply(page, 14)).getByLabel('Title').fill('Choice 14');
        await page.getByText('14 quick replies: Messenger shows at most 13. Remove 1.').waitFor();

        await page.getByRole('button', { name: 'Save changes' }).click();
        const textField = page.locator('.field').filter({ has: text });
        await textField
          .getByRole('alert')
          .filter({ hasText: 'must be at most 2000 characters' })
          .waitFor();
        expect(await text.getAttribute('aria-invalid')).toBe('true');
        await page
          .getByRole('group', { name: 'Quick replies', exact: true })
          .getByRole('alert')
          .filter({ hasText: 'at most 13 quick replies' })
          .waitFor();
        await page.getByText('Not saved: see the reasons beside the fields.').waitFor();
        await check(page, 'campaign-limit-error');
        await closeTab(page);
      },
      TIMEOUT,
    );

    it(
      `the preview for people follows the editor before saving (${label})`,
      async () => {
        const name = `Live ${label}`;
        const id = await createCampaign(t, segmentId, { name });
        const previews: string[] = [];
        const page = await builder(width, id, name);
        page.on('request', (request) => {
          if (request.method() === 'POST' && request.url().endsWith(`/campaigns/${id}/preview`))
            previews.push(request.postData() ?? '');
        });
        const ana = page.getByRole('group', { name: 'Preview for Ana' });
        await ana.getByText('Hi Ana').waitFor();
        await page.getByText('Shows the saved version 1.').waitFor();
        expect(await page.getByText(/save to see your changes/i).count()).toBe(0);

        // A changed text is rendered for the sample user without saving.
        const text = page.getByLabel('Message text');
        await text.fill('Hello {{ user.firstName }}, {{ user.attributes.city }} has news');
        await ana.getByText('Hello Ana, Lyon has news').waitFor();
        await page
          .getByRole('group', { name: 'Preview for Chloé' })
          .getByText('Hello Chloé, Nice has news')
          .waitFor();
        await page.getByText('Shows your changes (not saved yet).').waitFor();
        await page.getByText('Unsaved changes.').waitFor();
        const sent = JSON.parse(previews[previews.length - 1]) as Record<string, unknown>;
        expect(sent).toEqual({
          message: {
            kind: 'text',
            text: 'Hello {{ user.firstName }}, {{ user.attributes.city }} has news',
          },
        });

        // Typing asks again only once it pauses (about half a second).
        const before = previews.length;
        await text.press('End');
        await text.pressSequentially(' today', { delay: 40 });
        await ana.getByText('Hello Ana, Lyon has news today').waitFor();
        const typed = previews.slice(before);
        expect(typed.length).toBeLessThan(' today'.length);
        expect(typed[typed.length - 1]).toContain('has news today');

        // An over-limit text: the API's reason beside the field, before any save.
        await text.fill('x'.repeat(2001));
        const textField = page.locator('.field').filter({ has: text });
        await textField
          .getByRole('alert')
          .filter({ hasText: 'must be at most 2000 characters' })
          .waitFor();
        expect(await text.getAttribute('aria-invalid')).toBe('true');
        await page
          .getByText('Cannot be previewed as it is: see the reasons beside the fields.')
          .waitFor();
        await page.getByText('Unsaved changes.').waitFor();
        // Nothing was stored by the previews.
        const stored = await t.http().get(`/api/campaigns/${id}`).set(auth).expect(200);
        expect(stored.body).toMatchObject({
          messageVersion: 1,
          message: { kind: 'text', text: 'Hi {{ user.firstName }}' },
        });
        await check(page, 'campaign-live-refused');

        // Fixed: the reason goes and the people's preview follows again.
        await text.fill('Back in stock, {{ user.firstName }}');
        await ana.getByText('Back in stock, Ana').waitFor();
        await textField.getByRole('alert').waitFor({ state: 'detached' });
        await page.getByText('Shows your changes (not saved yet).').waitFor();
        await check(page, 'campaign-live-preview');
        await closeTab(page);
      },
      TIMEOUT,
    );

    it(
      `composes a carousel and previews its cards (${label})`,
      async () => {
        const name = `Carousel ${label}`;
        const id = await createCampaign(t, segmentId, { name });
        const page = await builder(width, id, name);
        await page.route('https://images.example.com/**', (route) =>
          route.fulfill({
            contentType: 'image/svg+xml',
            body: PHOTO(route.request().url().includes('bags') ? '#9db4c0' : '#e8a87c'),
          }),
        );
        await page.getByLabel('Kind of message').selectOption({ label: 'Carousel of cards' });
        const first = page.getByRole('group', { name: 'Card 1', exact: true });
        await first.getByLabel('Title', { exact: true }).fill('{{ user.firstName }}, new shoes');
        await first.getByLabel('Subtitle').fill('From 49 € this week');
        await first.getByLabel('Image URL').fill('https://images.example.com/shoes.svg');
        await first.getByRole('button', { name: 'Add a button to card 1' }).click();
        const button = page.getByRole('group', { name: 'Card 1, button 1', exact: true });
        await button.getByLabel('Title').fill('Shop shoes');
        await button.getByLabel('Web address (URL)').fill('https://example.com/shoes');
        await page.getByRole('button', { name: 'Add a card' }).click();
        const second = page.getByRole('group', { name: 'Card 2', exact: true });
        await second.getByLabel('Title', { exact: true }).fill('Bags');
        await second.getByLabel('Subtitle').fill('The new season');
        await second.getByLabel('Image URL').fill('https://images.example.com/bags.svg');
        await page
          .getByRole('group', { name: 'Preview of the message as written' })
          .getByRole('region', { name: 'Carousel of 2 cards' })
          .waitFor();

        await page.getByRole('button', { name: 'Save changes' }).click();
        await page.getByText('Saved (version 2).').waitFor();
        const cards = page
          .getByRole('group', { name: 'Preview for Ana' })
          .getByRole('region', { name: 'Carousel of 2 cards' });
        await cards.getByText('Ana, new shoes').waitFor();
        await cards.getByText('Bags').waitFor();
        await cards.getByRole('listitem').filter({ hasText: 'Shop shoes' }).waitFor();
        await check(page, 'campaign-preview-carousel');
        await closeTab(page);
      },
      TIMEOUT,
    );

    it(
      `refuses to publish before a test-send, shows each tester's answer, then publishes (${label})`,
      async () => {
        const name = `Weekly ${label}`;
        const id = await createCampaign(t, segmentId, {
          name,
          schedule: { type: 'cron', cron: '0 9 * * 1', timezone: 'Europe/Paris' },
        });
        const page = await builder(width, id, name);
        const publish = async () => {
          await page.getByRole('button', { name: 'Publish', exact: true }).click();
          await page
            .getByRole('dialog')
            .getByRole('button', { name: 'Publish', exact: true })
            .click();
        };
        await publish();
        await page.getByRole('alert').filter({ hasText: 'Test it first.' }).waitFor();
        await page.getByRole('button', { name: 'Publish without a test' }).waitFor();

        await page.getByRole('radio', { name: /The Page's testers \(2\)/ }).waitFor();
        expect(await page.getByRole('radio', { name: /The Page's testers/ }).isChecked()).toBe(
          true,
        );
        await page.getByRole('button', { name: 'Send test' }).click();
        const answers = page.locator('.cb-test-results');
        const ana = answers.getByRole('listitem').filter({ hasText: 'Ana' });
        await ana.getByText('sent', { exact: true }).waitFor();
        await ana.getByText(/^m_/).waitFor();
        const bruno = answers.getByRole('listitem').filter({ hasText: 'Bruno' });
        await bruno.getByText('refused', { exact: true }).waitFor();
        await bruno.getByText('551', { exact: true }).waitFor();
        await bruno.getByText('1545041', { exact: true }).waitFor();
        await page.getByText('A test-send of version 1 arrived: you can publish now.').waitFor();
        await check(page, 'campaign-test-send');

        // One PSID: Facebook's refusal (422) is read from the API's answer, shown like a tester's.
        await page.getByRole('radio', { name: 'One person (PSID)' }).check();
        await page.getByLabel('PSID', { exact: true }).fill(BRUNO);
        await page.getByRole('button', { name: 'Send test' }).click();
        await eventually(
          () => answers.getByRole('listitem').count(),
          (count) => count === 1,
        );
        const one = answers.getByRole('listitem');
        await one.getByText('refused', { exact: true }).waitFor();
        await one.getByText('551', { exact: true }).waitFor();
        await one.getByText('1545041', { exact: true }).waitFor();

        await publish();
        await page.getByText(/^Scheduled: the next run is/).waitFor();
        await page.locator('.screen-header').getByText('scheduled').waitFor();
        await page.getByRole('link', { name: 'Open the run dashboard' }).waitFor();
        const stored = await t.http().get(`/api/campaigns/${id}`).set(auth).expect(200);
        expect(stored.body.status).toBe('scheduled');

        // Pause (asked first), which makes it editable, then resume.
        await page.getByRole('button', { name: 'Pause', exact: true }).click();
        await page.getByRole('dialog').getByRole('button', { name: 'Pause', exact: true }).click();
        await page.locator('.screen-header').getByText('paused').waitFor();
        await page.getByRole('button', { name: 'Save changes' }).waitFor();
        await page.getByRole('button', { name: 'Resume', exact: true }).click();
        await page.getByRole('dialog').getByRole('button', { name: 'Resume', exact: true }).click();
        await page.locator('.screen-header').getByText('scheduled').waitFor();
        await closeTab(page);
      },
      TIMEOUT,
    );

    it(
      `schedules by cron and shows the next runs in both timezones (${label})`,
      async () => {
        const name = `Mondays ${label}`;
        const id = await createCampaign(t, segmentId, { name });
        const page = await builder(width, id, name);
        await page.getByRole('radio', { name: /Repeatedly/ }).check();
        await page
          .getByLabel('Repeat', { exact: true })
          .selectOption({ label: 'Every Monday at 9:00' });
        await page.getByLabel('Campaign timezone').selectOption('America/New_York');
        const runs = page.getByRole('region', { name: 'Next runs' });
        await runs.getByRole('columnheader', { name: /America\/New_York/ }).waitFor();
        await runs.getByRole('columnheader', { name: /Your time \(Europe\/Paris\)/ }).waitFor();
        const first = runs.getByRole('row').nth(1);
        const cells = async () => (await first.getByRole('cell').allTextContents()).join(' | ');
        await eventually(cells, (row) => /Mon.*09:00 .* \| .*1[45]:00 /.test(row));
        expect(await runs.getByRole('row').count()).toBe(6);

        await page.getByLabel('Cron expression').fill('30 8 * * 1-5');
        expect(await page.getByLabel('Repeat', { exact: true }).inputValue()).toBe('custom');
        await eventually(cells, (row) => /08:30 .* \| .*1[34]:30 /.test(row));
        await page.getByRole('button', { name: 'Save changes' }).click();
        await page.getByText('Saved (version 1).').waitFor();
        const stored = await t.http().get(`/api/campaigns/${id}`).set(auth).expect(200);
        expect(stored.body.schedule).toEqual({
          type: 'cron',
          cron: '30 8 * * 1-5',
          timezone: 'America/New_York',
        });
        await check(page, 'campaign-schedule');
        await closeTab(page);
      },
      TIMEOUT,
    );

    it(
      `lists the Page's campaigns with their status, schedule and run (${label})`,
      async () => {
        const name = `Flash sale ${label}`;
        const id = await createCampaign(t, segmentId, { name });
        await forcePublish(t, id);
        const page = await openConsole(browser, t, {
          width,
          path: `/pages/${PAGE_ID}/campaigns`,
        });
        await page.getByRole('heading', { level: 1, name: 'Campaigns' }).waitFor();
        const row = page.getByRole('row').filter({ hasText: name });
        await row.getByText('running').waitFor();
        await row.getByRole('link', { name: /Run dashboard/ }).waitFor();
        expect(await row.getByRole('link', { name, exact: true }).getAttribute('href')).toBe(
          `#/pages/${PAGE_ID}/campaigns/${id}`,
        );
        await page.getByRole('link', { name: 'New campaign' }).waitFor();
        await checkScreen(page, 'campaigns');
        await closeTab(page);
      },
      TIMEOUT,
    );
  }
  it(
    'draws every other message kind and a utility template for a sample user',
    async () => {
      await t
        .http()
        .post(`/api/pages/${PAGE_ID}/templates`)
        .set(auth)
        .send({
          name: 'order_update',
          language: 'en_US',
          category: 'UTILITY',
          components: [
            { type: 'HEADER', format: 'TEXT', text: 'Your order' },
            {
              type: 'BODY',
              text: 'Hi {{1}}, order {{2}} has shipped.',
              example: { body_text: [['Ana', 'A-1001']] },
            },
            {
              type: 'BUTTONS',
              buttons: [{ type: 'URL', text: 'Track', url: 'https://acme.example/track' }],
            },
          ],
        })
        .expect(201);
      const kinds: [string, Record<string, unknown>, string[]][] = [
        [
          'buttons',
          {
            message: {
              kind: 'buttons',
              text: 'Hi {{ user.firstName }}, pick one',
              buttons: [
                { title: 'Visit', value: 'https://example.com' },
                { title: 'Call us', value: 'phone_number:+15551234567' },
                { title: 'Later', value: 'LATER' },
              ],
            },
          },
          ['Hi Ana, pick one', 'Visit', 'Call us', 'Later'],
        ],
        [
          'attachment',
          {
            message: {
              kind: 'attachment',
              attachmentType: 'video',
              url: 'https://example.com/clip.mp4',
              quickReplies: ['More'],
            },
            ratePerSecond: 10,
          },
          ['Video', 'https://example.com/clip.mp4', 'More'],
        ],
        [
          'media',
          {
            message: {
              kind: 'media',
              mediaType: 'image',
              attachmentId: '1234567890',
              button: { title: 'See it', value: 'https://example.com' },
            },
          },
          ['uploaded attachment 1234567890', 'See it'],
        ],
        [
          'otn_request',
          {
            message: { kind: 'otn_request', title: 'Tell me when it is back', payload: 'restock' },
          },
          ['Tell me when it is back', 'Notify me'],
        ],
        [
          'raw',
          { message: { kind: 'raw', payload: { text: 'Raw hello {{ user.firstName }}' } } },
          ['Raw hello Ana'],
        ],
        [
          'utility',
          {
            delivery: {
              policy: 'utility',
              template: 'order_update',
              language: 'en_US',
              parameters: ['{{ user.firstName }}', '{{ user.attributes.city }}-1'],
            },
          },
          ['Your order', 'Hi Ana, order Lyon-1 has shipped.', 'Track'],
        ],
      ];
      for (const [kind, fields, texts] of kinds) {
        const name = `Kind ${kind}`;
        const id = await createCampaign(t, segmentId, { name, ...fields });
        const page = await builder(WIDTHS.desktop, id, name);
        const ana = page.getByRole('group', { name: 'Preview for Ana' });
        for (const text of texts) await ana.getByText(text).first().waitFor();
        if (kind === 'utility') {
          // The template's text is sent: no message editor, a sentence says so.
          await page.getByText('A utility campaign sends the text of its template').waitFor();
          expect(await page.getByLabel('Message text').count()).toBe(0);
          expect(await page.getByLabel('Template', { exact: true }).inputValue()).toBe(
            'order_update|en_US',
          );
          expect(await page.getByLabel('Value of {{2}}').inputValue()).toBe(
            '{{ user.attributes.city }}-1',
          );
        } else {
          expect(await page.getByLabel('Kind of message').inputValue()).toBe(kind);
        }
        expect(errorsIn(page)).toEqual([]);
        expect(await seriousViolations(page)).toEqual([]);
        if (kind === 'utility') {
          await check(page, 'campaign-utility');
          const phone = await builder(WIDTHS.phone, id, name);
          await phone.getByText('A utility campaign sends the text of its template').waitFor();
          await phone
            .getByRole('group', { name: 'Preview for Ana' })
            .getByText('Hi Ana, order Lyon-1 has shipped.')
            .waitFor();
          await check(phone, 'campaign-utility');
          await closeTab(phone);
        }
        await closeTab(page);
      }
    },
    TIMEOUT,
  );
});
