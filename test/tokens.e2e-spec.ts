/**
 * The notification-token ledger end to end: opt-ins (as the sandbox issues them
 * and Facebook sends them) stored sealed, listed without values, claimed and
 * settled by the rules of each kind, stopped and resumed; and the opt-in request
 * routes, whose wire bodies are checked against what the sandbox received.
 */
import { randomBytes } from 'node:crypto';
import { ManualClock } from '../src/common/clock';
import { MessengerClient } from '../src/messenger/messenger-client.service';
import { sendMessageBody, textMessage } from '../src/messenger/payloads';
import { PagesService } from '../src/pages/pages.service';
import type { SandboxOptin } from '../src/sandbox/sandbox.types';
import { pageWebhook } from '../src/sandbox/webhook-events';
import { TokensService, type TokenClaim } from '../src/tokens/tokens.service';
import { auth, createTestApp, type TestApp } from './harness/app';
import { importCsv, PAGE_ID, PAGE_TOKEN, registerPage } from './harness/audience';
import { createSegment } from './harness/campaigns';
import { eventually } from './harness/eventually';
import { postTo, webhookFixture } from './harness/webhooks';

const OPEN = '6100000000000001';
const OPEN_TOO = '6100000000000002';
const CLOSED = '6100000000000003';
const NEVER_SEEN = '6100000000000004';
const DAY = 24 * 3_600_000;

describe('notification tokens', () => {
  const clock = new ManualClock();
  let t: TestApp;
  let tokens: TokensService;
  const post = (path: string, body: object) =>
    t.http().post(`/api/pages/${PAGE_ID}${path}`).set(auth).send(body);
  const list = async (psid: string) =>
    (await t.http().get(`/api/pages/${PAGE_ID}/users/${psid}/tokens`).set(auth).expect(200)).body
      .items as Record<string, unknown>[];
  const sandbox = () => t.sandbox!.sandbox;
  const context = () => ({
    pageId: PAGE_ID,
    field: 'messaging' as const,
    eventId: randomBytes(8).toString('hex'),
    receivedAt: clock.now(),
  });
  /** The user taps an opt-in request: the sandbox issues the token, the webhook's event is applied. */
  async function optIn(psid: string, optin: SandboxOptin, at = clock.now()) {
    const { token, event } = sandbox().optIn(PAGE_ID, psid, optin);
    await tokens.applyOptin(context(), { ...event, timestamp: at.getTime() });
    return token;
  }
  const claim = (psid: string, kind: 'otn' | 'notification_messages', topic: string) =>
    tokens.claim(PAGE_ID, psid, kind, topic, `test:${psid}`);

  beforeAll(async () => {
    t = await createTestApp({
      clock,
      sandbox: { pages: [{ pageId: PAGE_ID, accessToken: PAGE_TOKEN }] },
    });
    tokens = t.app.get(TokensService);
    await registerPage(t);
    const ago = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();
    await importCsv(
      t,
      [
        'psid,first_name,last_inbound_at',
        `${OPEN},Ana,${ago(1)}`,
        `${OPEN_TOO},Bo,${ago(2)}`,
        `${CLOSED},Cy,${ago(72)}`,
        `${NEVER_SEEN},Di,`,
      ].join('\n'),
    );
  });
  afterAll(() => t.close());
  beforeEach(() => sandbox().setScenario({}));

  describe('one-time notification tokens', () => {
    it('are stored sealed: the value is in no document and no answer', async () => {
      const token = await optIn(OPEN, { type: 'one_time_notif_req', topic: 'restock' });
      const stored = await t.db.collection('notification_tokens').find({}).toArray();
      expect(stored).toHaveLength(1);
      expect(JSON.stringify(stored)).not.toContain(token);
      expect(stored[0]).toMatchObject({
        pageId: PAGE_ID,
        psid: OPEN,
        kind: 'otn',
        topic: 'restock',
      });

      const listed = await t.http().get(`/api/pages/${PAGE_ID}/users/${OPEN}/tokens`).set(auth);
      expect(listed.text).not.toContain(token);
      expect(listed.body.items).toEqual([
        {
          id: stored[0]._id,
          kind: 'otn',
          topic: 'restock',
          status: 'active',
          createdAt: clock.now().toISOString(),
          expiresAt: new Date(clock.now().getTime() + 365 * DAY).toISOString(),
        },
      ]);
    });

    it('stores the same opt-in delivered twice once', async () => {
      const { token, event } = sandbox().optIn(PAGE_ID, OPEN_TOO, {
        type: 'one_time_notif_req',
        topic: 'twice',
      });
      await tokens.applyOptin(context(), event);
      await tokens.applyOptin(context(), event);
      const stored = await t.db
        .collection('notification_tokens')
        .find({ psid: OPEN_TOO, topic: 'twice' })
        .toArray();
      expect(stored).toHaveLength(1);
      expect(JSON.stringify(stored)).not.toContain(token);
    });

    it('are claimed oldest first, once each, and spent whatever the outcome', async () => {
      const older = await optIn(
        CLOSED,
        { type: 'one_time_notif_req', topic: 'sale' },
        new Date(clock.now().getTime() - DAY),
      );
      const newer = await optIn(CLOSED, { type: 'one_time_notif_req', topic: 'sale' });
      expect(await tokens.holders(PAGE_ID, 'otn', 'sale')).toEqual(new Set([CLOSED]));

      const first = (await claim(CLOSED, 'otn', 'sale')) as TokenClaim;
      expect(first).toMatchObject({
        claimed: true,
        value: older,
        recipient: { one_time_notif_token: older },
      });
      // Sending with it reaches the user; the sandbox refuses it a second time.
      const client = t.app.get(MessengerClient);
      const page = await t.app.get(PagesService).credentials(PAGE_ID);
      const send = () =>
        client.sendMessage(
          page,
          sendMessageBody({
            recipient: { one_time_notif_token: first.value },
            messagingType: 'UPDATE',
            message: textMessage('On sale'),
          }),
        );
      expect(await send()).toMatchObject({ ok: true, value: { recipientId: CLOSED } });
      expect(await send()).toMatchObject({ ok: false, failure: { code: 100, class: 'permanent' } });
      await tokens.settle(first, 'consumed');

      const second = (await claim(CLOSED, 'otn', 'sale')) as TokenClaim;
      expect(second).toMatchObject({ claimed: true, value: newer });
      // Claimed, not settled yet: listed as spent with an unknown fate.
      expect((await list(CLOSED)).find((token) => token.id === second.tokenId)).toMatchObject({
        status: 'unknown',
      });
      await tokens.settle(second, 'unknown');
      expect(await claim(CLOSED, 'otn', 'sale')).toEqual({ claimed: false, reason: 'no_token' });
      expect(await tokens.holders(PAGE_ID, 'otn', 'sale')).toEqual(new Set());
      expect((await list(CLOSED)).map((token) => [token.topic, token.status]).sort()).toEqual([
        ['sale', 'consumed'],
        ['sale', 'unknown'],
      ]);
    });

    it('are never used once expired, and listed as expired', async () => {
      await optIn(
        NEVER_SEEN,
        { type: 'one_time_notif_req', topic: 'old' },
        new Date(clock.now().getTime() - 366 * DAY),
      );
      expect(await tokens.holders(PAGE_ID, 'otn', 'old')).toEqual(new Set());
      expect(await claim(NEVER_SEEN, 'otn', 'old')).toEqual({ claimed: false, reason: 'no_token' });
      expect(await list(NEVER_SEEN)).toEqual([
        expect.objectContaining({ topic: 'old', status: 'expired' }),
      ]);
    });

    it('are deleted with their uses a month after they expired, by the periodic sweep', async () => {
      await optIn(NEVER_SEEN, { type: 'one_time_notif_req', topic: 'ancient' });
      const used = (await claim(NEVER_SEEN, 'otn', 'ancient')) as TokenClaim;
      await tokens.settle(used, 'consumed');
      const stored = async () => [
        await t.db.collection('notification_tokens').countDocuments({ _id: used.tokenId as never }),
        await t.db.collection('notification_token_uses').countDocuments({ tokenId: used.tokenId }),
      ];
      expect(await stored()).toEqual([1, 1]);
      const now = clock.now();
      try {
        clock.advance(365 * DAY + 29 * DAY);
        await tokens.sweepExpired();
        expect(await stored()).toEqual([1, 1]);
        // This sweep takes every token the tests above stored; those below store their own.
        clock.advance(2 * DAY);
        await tokens.sweepExpired();
      } finally {
        clock.set(now);
      }
      expect(await stored()).toEqual([0, 0]);
    });

    it('from the checkbox plugin are kept under the user_ref, and make no user', async () => {
      await tokens.applyOptin(context(), {
        recipient: { id: PAGE_ID },
        timestamp: clock.now().getTime(),
        sender: { user_ref: 'ref-123' },
        optin: {
          type: 'one_time_notif_req',
          payload: 'plugin',
          one_time_notif_token: 'plugin-token-1',
        },
      });
      const stored = await t.db.collection('notification_tokens').findOne({ topic: 'plugin' });
      expect(stored).toMatchObject({ userRef: 'ref-123', kind: 'otn' });
      expect(stored).not.toHaveProperty('psid');
      expect(await t.db.collection('users').countDocuments({ psid: 'ref-123' })).toBe(0);
    });
  });

  describe('marketing-message tokens', () => {
    it('are stored with frequency, timezone, expiry and token status, and used within their frequency', async () => {
      const token = await optIn(OPEN, {
        type: 'notification_messages',
        topic: 'deals',
        frequency: 'WEEKLY',
        timezone: 'Europe/Paris',
        title: 'Weekly deals',
      });
      const [listed] = (await list(OPEN)).filter((item) => item.topic === 'deals');
      expect(listed).toMatchObject({
        kind: 'notification_messages',
        status: 'active',
        frequency: 'WEEKLY',
        timezone: 'Europe/Paris',
        userTokenStatus: 'NOT_REFRESHED',
        title: 'Weekly deals',
      });
      expect(JSON.stringify(await list(OPEN))).not.toContain(token);

      const first = (await claim(OPEN, 'notification_messages', 'deals')) as TokenClaim;
      expect(first).toMatchObject({
        claimed: true,
        recipient: { notification_messages_token: token },
      });
      const client = t.app.get(MessengerClient);
      const page = await t.app.get(PagesService).credentials(PAGE_ID);
      const body = sendMessageBody({
        recipient: { id: OPEN },
        messagingType: 'UPDATE',
        message: textMessage('Deals of the week'),
      });
      // The Messenger client's Recipient type names only PSIDs and OTN tokens so far.
      const withToken = { ...body, recipient: first.recipient } as unknown as typeof body;
      expect(await client.sendMessage(page, withToken)).toMatchObject({ ok: true });
      // Facebook's frequency refusal, as the sandbox answers a send too soon.
      expect(await client.sendMessage(page, withToken)).toMatchObject({
        ok: false,
        failure: { code: 4, subcode: 2018354, reason: 'frequency_cap' },
      });
      await tokens.settle(first, 'sent');

      const capped = await claim(OPEN, 'notification_messages', 'deals');
      const weekLater = new Date(clock.now().getTime() + 7 * DAY);
      expect(capped).toEqual({ claimed: false, reason: 'frequency_cap', nextAllowedAt: weekLater });
      expect((await list(OPEN)).find((item) => item.topic === 'deals')).toMatchObject({
        status: 'active',
        lastUsedAt: clock.now().toISOString(),
        nextAllowedAt: weekLater.toISOString(),
      });
      clock.advance(7 * DAY);
      try {
        const again = await claim(OPEN, 'notification_messages', 'deals');
        expect(again).toMatchObject({ claimed: true, useId: `${first.tokenId}:2` });
      } finally {
        clock.advance(-7 * DAY);
      }
    });

    it('are stopped by STOP NOTIFICATIONS and resumed by RESUME NOTIFICATIONS', async () => {
      await optIn(OPEN_TOO, { type: 'notification_messages', topic: 'news', frequency: 'DAILY' });
      await optIn(OPEN_TOO, { type: 'notification_messages', topic: 'tips', frequency: 'MONTHLY' });
      await optIn(OPEN_TOO, { type: 'one_time_notif_req', topic: 'news' });
      const statuses = async () =>
        Object.fromEntries(
          (await list(OPEN_TOO)).map((item) => [
            `${String(item.kind)}:${String(item.topic)}`,
            item.status,
          ]),
        );

      await tokens.applyOptin(
        context(),
        sandbox().setNotificationStatus(PAGE_ID, OPEN_TOO, 'STOP NOTIFICATIONS'),
      );
      expect(await statuses()).toMatchObject({
        'notification_messages:news': 'stopped',
        'notification_messages:tips': 'stopped',
        'otn:news': 'active',
      });
      expect(await tokens.holders(PAGE_ID, 'notification_messages', 'news')).toEqual(new Set());
      expect(await claim(OPEN_TOO, 'notification_messages', 'news')).toEqual({
        claimed: false,
        reason: 'no_token',
      });

      await tokens.applyOptin(
        context(),
        sandbox().setNotificationStatus(PAGE_ID, OPEN_TOO, 'RESUME NOTIFICATIONS'),
      );
      expect(await statuses()).toMatchObject({
        'notification_messages:news': 'active',
        'notification_messages:tips': 'active',
      });
      expect(await claim(OPEN_TOO, 'notification_messages', 'news')).toMatchObject({
        claimed: true,
      });
    });
  });

  describe('through the webhook', () => {
    it('stores the opt-ins Facebook sends, and applies STOP and RESUME NOTIFICATIONS', async () => {
      await t.app.listen(0, '127.0.0.1');
      const url = `${await t.app.getUrl()}/webhooks/messenger`.replace('[::1]', '127.0.0.1');
      const deliver = (event: Record<string, unknown>) =>
        sandbox().sendWebhook(url, pageWebhook(PAGE_ID, [event]));
      const { token, event } = sandbox().optIn(PAGE_ID, OPEN, {
        type: 'notification_messages',
        topic: 'webhook-deals',
        frequency: 'DAILY',
      });
      expect((await deliver(event)).status).toBe(200);
      // Delivered again, as Facebook retries: still one token.
      expect((await deliver(event)).status).toBe(200);
      const topicOf = async () =>
        (await list(OPEN)).filter((item) => item.topic === 'webhook-deals');
      expect(await eventually(topicOf, (items) => items.length > 0)).toEqual([
        expect.objectContaining({ kind: 'notification_messages', status: 'active' }),
      ]);
      expect(
        await t.db.collection('notification_tokens').countDocuments({ topic: 'webhook-deals' }),
      ).toBe(1);
      expect(JSON.stringify(await list(OPEN))).not.toContain(token);

      await deliver(sandbox().setNotificationStatus(PAGE_ID, OPEN, 'STOP NOTIFICATIONS'));
      await eventually(topicOf, (items) => items[0]?.status === 'stopped');
      await deliver(sandbox().setNotificationStatus(PAGE_ID, OPEN, 'RESUME NOTIFICATIONS'));
      await eventually(topicOf, (items) => items[0]?.status === 'active');
    });
  });

  describe('signed opt-in fixtures posted to the webhook', () => {
    // Meta's shapes, as test/fixtures/webhooks holds them; both opt-ins are of one user.
    const FIXTURE_PSID = '7100000000000006';
    /** Posts the fixture signed over Facebook's escaped bytes, and waits until it has been processed. */
    const postSigned = (name: string) => postTo(t, webhookFixture(name));

    it('a one-time notification opt-in: listed as an active otn of its topic, expiring a year after the opt-in', async () => {
      await postSigned('optin-otn');
      const listed = await t
        .http()
        .get(`/api/pages/${PAGE_ID}/users/${FIXTURE_PSID}/tokens`)
        .set(auth)
        .expect(200);
      expect(listed.body.items).toEqual([
        {
          id: expect.any(String),
          kind: 'otn',
          topic: 'restock',
          status: 'active',
          createdAt: '2026-11-23T13:26:00.000Z',
          expiresAt: '2027-11-23T13:26:00.000Z',
        },
      ]);
      expect(listed.text).not.toContain('otn_7Zx3Qm9KpLw2Rt5Vy8Bn1Cd4Fg6Hj0');
      // What was stored is Facebook's token: the claim a send would make gives it back.
      expect(await claim(FIXTURE_PSID, 'otn', 'restock')).toMatchObject({
        claimed: true,
        recipient: { one_time_notif_token: 'otn_7Zx3Qm9KpLw2Rt5Vy8Bn1Cd4Fg6Hj0' },
      });
    });

    it('a marketing-messages opt-in: listed with its frequency, timezone, title, token status and Facebook’s expiry', async () => {
      await postSigned('optin-notification-messages');
      const listed = await t
        .http()
        .get(`/api/pages/${PAGE_ID}/users/${FIXTURE_PSID}/tokens`)
        .set(auth)
        .expect(200);
      const items = listed.body.items as Record<string, unknown>[];
      expect(items.filter((item) => item.kind === 'notification_messages')).toEqual([
        {
          id: expect.any(String),
          kind: 'notification_messages',
          topic: 'weekly_news',
          status: 'active',
          createdAt: '2026-11-23T13:27:00.000Z',
          expiresAt: new Date(1811160420000).toISOString(),
          frequency: 'WEEKLY',
          timezone: 'Europe/Paris',
          userTokenStatus: 'NOT_REFRESHED',
          title: 'Nouveautés de la semaine',
        },
      ]);
      expect(listed.text).not.toContain('nm_Pq2Ws4Ed6Rf8Tg0Yh2Uj4Ik6Ol8Zx0');
      expect(await claim(FIXTURE_PSID, 'notification_messages', 'weekly_news')).toMatchObject({
        claimed: true,
        recipient: { notification_messages_token: 'nm_Pq2Ws4Ed6Rf8Tg0Yh2Uj4Ik6Ol8Zx0' },
      });
    });
  });

  describe("the sandbox's scripting routes", () => {
    it('issue a token with its opt-in event, and STOP with its event', async () => {
      const control = (path: string, body: object) =>
        fetch(`${t.sandbox!.url}/_sandbox/${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }).then(async (response) => ({
          status: response.status,
          body: (await response.json()) as Record<string, unknown>,
        }));
      const issued = await control('optins', {
        pageId: PAGE_ID,
        psid: NEVER_SEEN,
        type: 'notification_messages',
        topic: 'scripted',
        frequency: 'MONTHLY',
      });
      expect(issued).toMatchObject({
        status: 200,
        body: {
          token: expect.any(String),
          event: {
            sender: { id: NEVER_SEEN },
            recipient: { id: PAGE_ID },
            optin: {
              type: 'notification_messages',
              payload: 'scripted',
              notification_messages_token: issued.body.token,
              notification_messages_frequency: 'MONTHLY',
              notification_messages_timezone: 'UTC',
              token_expiry_timestamp: expect.any(Number),
              user_token_status: 'NOT_REFRESHED',
            },
          },
        },
      });
      await tokens.applyOptin(context(), issued.body.event as Record<string, unknown>);
      expect(await claim(NEVER_SEEN, 'notification_messages', 'scripted')).toMatchObject({
        claimed: true,
        value: issued.body.token,
      });

      const stop = await control('notification-status', {
        pageId: PAGE_ID,
        psid: NEVER_SEEN,
        status: 'STOP NOTIFICATIONS',
      });
      expect(stop.body.event).toMatchObject({
        optin: {
          type: 'notification_messages',
          notification_messages_status: 'STOP NOTIFICATIONS',
        },
      });
      expect(
        (await control('optins', { pageId: PAGE_ID, psid: 'x', type: 'otn', topic: 't' })).status,
      ).toBe(400);
    });
  });

  describe('GET …/users/:psid/tokens', () => {
    it('answers an empty list for a user without tokens, 404 for an unknown Page, 400 for a bad PSID', async () => {
      expect(await list('6199999999999999')).toEqual([]);
      await t.http().get(`/api/pages/999/users/${OPEN}/tokens`).set(auth).expect(404);
      const bad = await t
        .http()
        .get(`/api/pages/${PAGE_ID}/users/0123/tokens`)
        .set(auth)
        .expect(400);
      expect(bad.body.details).toEqual([expect.objectContaining({ field: 'psid' })]);
    });
  });

  describe('opt-in requests', () => {
    beforeEach(() => sandbox().reset());
    const messages = () => sandbox().requests({ endpoint: 'messages' });

    it('sends the one_time_notif_req template to a user whose window is open', async () => {
      const answer = await post('/otn-requests', {
        psid: OPEN,
        title: 'Back in stock?',
        topic: 'restock',
      }).expect(200);
      expect(answer.body).toEqual({
        results: [{ psid: OPEN, ok: true, messageId: expect.stringMatching(/^m_/) }],
      });
      expect(messages().map((request) => request.body)).toEqual([
        {
          recipient: { id: OPEN },
          messaging_type: 'UPDATE',
          message: {
            attachment: {
              type: 'template',
              payload: {
                template_type: 'one_time_notif_req',
                title: 'Back in stock?',
                payload: 'restock',
              },
            },
          },
        },
      ]);
    });

    it('sends nothing to a user outside the window, and answers why', async () => {
      const closed = await post('/otn-requests', {
        psid: CLOSED,
        title: 'Later?',
        topic: 'restock',
      }).expect(200);
      expect(closed.body).toEqual({
        results: [{ psid: CLOSED, ok: false, reason: 'window_closed' }],
      });
      const unknown = await post('/otn-requests', {
        psid: NEVER_SEEN,
        title: 'Later?',
        topic: 'restock',
      }).expect(200);
      expect(unknown.body).toEqual({
        results: [{ psid: NEVER_SEEN, ok: false, reason: 'unknown_window' }],
      });
      await post('/otn-requests', {
        psid: '6199999999999999',
        title: 'Later?',
        topic: 'restock',
      }).expect(404);
      expect(messages()).toEqual([]);
    });

    it('sends to every user of a segment whose window is open, and counts the rest', async () => {
      const segmentId = await createSegment(t);
      const answer = await post('/otn-requests', {
        segmentId,
        title: 'Back in stock?',
        topic: 'restock',
      }).expect(200);
      expect(answer.body).toEqual({
        audience: 4,
        sent: 2,
        failed: 0,
        skipped: 2,
        byReason: { window_closed: 1, unknown_window: 1 },
      });
      expect(
        messages()
          .map((request) => (request.body as { recipient: { id: string } }).recipient.id)
          .sort(),
      ).toEqual([OPEN, OPEN_TOO]);
    });

    it('sends the marketing-message opt-in template with its topic, frequency, image and timezone', async () => {
      await post('/notification-requests', {
        psid: OPEN,
        title: 'Weekly deals',
        topic: 'deals',
        frequency: 'WEEKLY',
        imageUrl: 'https://example.com/deals.png',
        timezone: 'Europe/Paris',
      }).expect(200);
      await post('/notification-requests', {
        psid: OPEN,
        title: 'Tips',
        topic: 'tips',
        frequency: 'MONTHLY',
      }).expect(200);
      expect(messages().map((request) => (request.body as { message: unknown }).message)).toEqual([
        {
          attachment: {
            type: 'template',
            payload: {
              template_type: 'notification_messages',
              title: 'Weekly deals',
              image_url: 'https://example.com/deals.png',
              payload: 'deals',
              notification_messages_frequency: 'WEEKLY',
              notification_messages_timezone: 'Europe/Paris',
            },
          },
        },
        {
          attachment: {
            type: 'template',
            payload: {
              template_type: 'notification_messages',
              title: 'Tips',
              payload: 'tips',
              notification_messages_frequency: 'MONTHLY',
            },
          },
        },
      ]);
    });

    it.each([
      ['a title over 65 characters', { psid: OPEN, title: 'x'.repeat(66), topic: 't' }, 'title'],
      ['no title', { psid: OPEN, topic: 't' }, 'title'],
      ['a topic with spaces', { psid: OPEN, title: 'T', topic: 'a b' }, 'topic'],
      [
        'both psid and segmentId',
        { psid: OPEN, segmentId: 'a'.repeat(24), title: 'T', topic: 't' },
        'segmentId',
      ],
      ['neither psid nor segmentId', { title: 'T', topic: 't' }, 'segmentId'],
      ['a PSID with a leading zero', { psid: '0123', title: 'T', topic: 't' }, 'psid'],
      ['an unknown field', { psid: OPEN, title: 'T', topic: 't', tag: 'X' }, 'tag'],
    ])('refuses %s with a 400 naming the field (otn-requests)', async (_name, body, field) => {
      const answer = await post('/otn-requests', body).expect(400);
      expect(answer.body.details).toEqual([expect.objectContaining({ field })]);
    });

    it.each([
      ['no frequency', { frequency: undefined }, 'frequency'],
      ['an unknown frequency', { frequency: 'HOURLY' }, 'frequency'],
      ['an http image', { imageUrl: 'http://example.com/a.png' }, 'imageUrl'],
      ['an unknown timezone', { timezone: 'Mars/Olympus' }, 'timezone'],
    ])(
      'refuses %s with a 400 naming the field (notification-requests)',
      async (_name, change, field) => {
        const body = { psid: OPEN, title: 'T', topic: 't', frequency: 'DAILY', ...change };
        const answer = await post('/notification-requests', body).expect(400);
        expect(answer.body.details).toEqual([expect.objectContaining({ field })]);
        expect(messages()).toEqual([]);
      },
    );
  });
});
