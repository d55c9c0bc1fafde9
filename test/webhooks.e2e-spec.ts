/**
 * The Messenger webhook end to end (issue 9, items 1, 2 and 6): signed raw bodies
 * in Meta's exact shapes (test/fixtures/webhooks, with non-ASCII text and URLs, so
 * they are sent escaped as Facebook escapes them), and what each event changes:
 * users, receipts in a sent campaign's stats, Page health and paused campaigns,
 * template statuses, and the token and handover services reached. Then the
 * refusals (signatures, size), replays, and processing failures retried.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hubSignature, legacyHubSignature } from '../src/common/hub-signature';
import { SecretBox } from '../src/common/secret-box';
import { OutcomesService } from '../src/delivery/outcomes.service';
import { ThreadOwnersService } from '../src/handover/thread-owners.service';
import { facebookJson } from '../src/sandbox/webhook-events';
import { TokensService } from '../src/tokens/tokens.service';
import { MAX_ATTEMPTS } from '../src/webhooks/webhook-payload';
import { webhookBodyContext } from '../src/webhooks/webhook-event.schema';
import { WebhooksService } from '../src/webhooks/webhooks.service';
import { APP_SECRET, auth, createTestApp, type TestApp } from './harness/app';
import { importCsv, PAGE_ID, PAGE_TOKEN, registerPage } from './harness/audience';
import { ENGINE_ENV } from './harness/campaigns';
import { eventually } from './harness/eventually';
import {
  deliverTo,
  postTo,
  processedOn,
  sha256,
  webhookFixture,
  type StoredEvent,
} from './harness/webhooks';

type Payload = {
  object: string;
  entry: { id: string; time: number; messaging?: Record<string, unknown>[]; standby?: unknown[] }[];
};
const fixture = (name: string) => webhookFixture<Payload>(name);
/** The one event of a fixture's first entry, to adapt before sending. */
const firstEvent = (payload: Payload) =>
  (payload.entry[0].messaging ?? payload.entry[0].standby)![0] as Record<string, unknown> & {
    sender: { id: string };
  };

/** A text message from `psid` at `at`, in the shape of the message-text fixture. */
function textMessage(psid: string, text: string, at: number): Payload {
  const payload = fixture('message-text');
  Object.assign(firstEvent(payload), { sender: { id: psid }, timestamp: at });
  Object.assign(firstEvent(payload).message as object, { mid: `m_${psid}_${at}`, text });
  return payload;
}

describe('Messenger webhook', () => {
  let t: TestApp;
  const events = () => t.db.collection<StoredEvent>('webhook_events');
  const user = (psid: string) => t.db.collection('users').findOne({ pageId: PAGE_ID, psid });

  beforeAll(async () => {
    t = await createTestApp({
      env: { ...ENGINE_ENV, OPT_OUT_KEYWORDS: 'STOP, Arrêt', WEBHOOK_RETRY_TICK_MS: '0' },
      sandbox: { pages: [{ pageId: PAGE_ID, accessToken: PAGE_TOKEN }] },
    });
    await registerPage(t);
  });
  afterAll(() => t.close());
  afterEach(() => jest.restoreAllMocks());

  const deliver = (payload: unknown, options?: Parameters<typeof deliverTo>[2]) =>
    deliverTo(t, payload, options);

  /** A stored body's bytes, unsealed as the service does. */
  const opened = (stored: StoredEvent) =>
    t.app.get(SecretBox).open(stored.bodySealed, webhookBodyContext(stored._id));

  const post = (payload: unknown) => postTo(t, payload);

  describe('verification', () => {
    const verify = (query: Record<string, string>) =>
      t.http().get('/webhooks/messenger').query(query);

    it('echoes the challenge when the verify token matches, 403 otherwise', async () => {
      const ok = await verify({
        'hub.mode': 'subscribe',
        'hub.verify_token': 'verify-me',
        'hub.challenge': '1158201444',
      }).expect(200);
      expect(ok.text).toBe('1158201444');
      expect(ok.headers['content-type']).toMatch(/^text\/plain/);
      for (const query of <Record<string, string>[]>[
        { 'hub.mode': 'subscribe', 'hub.verify_token': 'verify-you', 'hub.challenge': '1' },
        { 'hub.mode': 'unsubscribe', 'hub.verify_token': 'verify-me', 'hub.challenge': '1' },
        { 'hub.mode': 'subscribe', 'hub.challenge': '1' },
        { 'hub.mode': 'subscribe', 'hub.verify_token': 'verify-me' },
      ])
        await verify(query).expect(403);
    });
  });

  describe('signatures and size', () => {
    it('refuses a missing, wrong, other-secret, legacy-only or re-serialised signature with 401, storing nothing', async () => {
      const payload = fixture('message-text');
      const signedRaw = facebookJson(payload);
      const reserialised = JSON.stringify(payload);
      expect(reserialised).not.toBe(signedRaw);
      const attempts = [
        { signature: null },
        { signature: `sha256=${'0'.repeat(64)}` },
        { secret: 'f'.repeat(32) },
        { signature: legacyHubSignature(signedRaw, APP_SECRET) },
        // Signed as sent by Facebook, then parsed and serialised again by a proxy.
        { raw: reserialised, signature: hubSignature(signedRaw, APP_SECRET) },
      ];
      for (const attempt of attempts) {
        const { response, id } = await deliver(payload, attempt);
        expect(response.status).toBe(401);
        expect(await events().countDocuments({ _id: id })).toBe(0);
      }
      expect(await events().countDocuments({ _id: sha256(signedRaw) })).toBe(0);
      expect(await user('7100000000000001')).toBeNull();
    });

    it('refuses a body over the size cap with 413, storing nothing', async () => {
      const before = await events().countDocuments();
      const payload = fixture('message-text');
      (firstEvent(payload).message as { text: string }).text = 'x'.repeat(1_100_000);
      const { response } = await deliver(payload);
      expect(response.status).toBe(413);
      expect(await events().countDocuments()).toBe(before);
    });

    it('accepts what the sandbox sends, signed over its escaped bytes with both headers', async () => {
      await t.app.listen(0, '127.0.0.1');
      const payload = fixture('standby-message');
      const answer = await t.sandbox!.sandbox.sendWebhook(
        `${await t.app.getUrl()}/webhooks/messenger`,
        payload,
      );
      expect(answer).toEqual({ status: 200, body: 'EVENT_RECEIVED' });
      const stored = await eventually(
        () => events().findOne({ _id: sha256(facebookJson(payload)) }),
        (event) => event?.status === 'processed',
      );
      expect(opened(stored!)).toContain('All\\u00f4 ?');
    });

    it('sends the legacy sha1 X-Hub-Signature beside X-Hub-Signature-256, both over the exact bytes it sends', async () => {
      // A receiver of our own, so what arrives is read byte for byte, before any parsing.
      const received: { headers: IncomingHttpHeaders; raw: Buffer }[] = [];
      const receiver = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          received.push({ headers: request.headers, raw: Buffer.concat(chunks) });
          response.writeHead(200, { 'Content-Type': 'text/plain' }).end('EVENT_RECEIVED');
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/messenger`;
      // Scripted over the sandbox's HTTP routes, as the demo does: an opt-in, then a fixture.
      const control = async (path: string, body: object) => {
        const response = await fetch(`${t.sandbox!.url}/_sandbox/${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        return {
          status: response.status,
          body: (await response.json()) as Record<string, unknown>,
        };
      };
      try {
        const optin = await control('optins', {
          pageId: PAGE_ID,
          psid: '7100000000000041',
          type: 'notification_messages',
          topic: 'weekly_news',
          frequency: 'WEEKLY',
          timezone: 'Europe/Paris',
          title: 'Nouveautés de la semaine',
          url,
        });
        expect(optin).toMatchObject({
          status: 200,
          body: { webhook: { status: 200, body: 'EVENT_RECEIVED' } },
        });
        const sent = await control('webhooks', { url, payload: fixture('message-text') });
        expect(sent).toEqual({ status: 200, body: { status: 200, body: 'EVENT_RECEIVED' } });
      } finally {
        await new Promise((resolve) => receiver.close(resolve));
      }

      expect(received).toHaveLength(2);
      for (const { headers, raw } of received) {
        const hmac = (algorithm: 'sha1' | 'sha256') =>
          createHmac(algorithm, APP_SECRET).update(raw).digest('hex');
        expect(headers['x-hub-signature-256']).toBe(`sha256=${hmac('sha256')}`);
        expect(headers['x-hub-signature']).toBe(`sha1=${hmac('sha1')}`);
        // Facebook's bytes: ASCII only, every non-ASCII character and `/` escaped.
        expect(raw.every((byte) => byte < 0x80)).toBe(true);
      }
      const [optinBytes, fixtureBytes] = received.map(({ raw }) => raw.toString('utf8'));
      expect(optinBytes).toContain('"title":"Nouveaut\\u00e9s de la semaine"');
      expect(optinBytes).toContain('"notification_messages_timezone":"Europe\\/Paris"');
      expect(fixtureBytes).toBe(facebookJson(fixture('message-text')));
    });
  });

  describe('events', () => {
    it('stores the body exactly as received, escapes included, sealed at rest', async () => {
      const payload = fixture('message-text');
      const stored = await post(payload);
      expect(opened(stored)).toBe(facebookJson(payload));
      expect(opened(stored)).toContain('Bonjour \\ud83d\\udc4b');
      expect(opened(stored)).toContain('https:\\/\\/example.com\\/boutique\\/\\u00e9t\\u00e9');
      // Opt-ins carry notification tokens: nothing of a body is readable in the database.
      expect(JSON.stringify(stored)).not.toContain('Bonjour');
    });

    it('captures the sender of a message with its time and keeps the last inbound event', async () => {
      await post(fixture('message-text'));
      await post(fixture('message-quick-reply'));
      expect(await user('7100000000000001')).toMatchObject({
        source: 'webhook',
        suppressed: false,
        lastInboundAt: new Date(1795440060000),
        lastInbound: {
          kind: 'message',
          at: new Date(1795440060000),
          mid: 'm_quick_reply_0001',
          hasText: true,
          quickReplyPayload: 'RESTOCK_YES/ÉTÉ',
        },
      });
      const view = await t
        .http()
        .get(`/api/pages/${PAGE_ID}/users/7100000000000001`)
        .set(auth)
        .expect(200);
      expect(view.body).toMatchObject({ source: 'webhook' });
    });

    it('applies one PSID’s events in order: stickers and attachments', async () => {
      await post(fixture('message-attachments'));
      expect(await user('7100000000000002')).toMatchObject({
        lastInboundAt: new Date(1795440130000),
        lastInbound: { mid: 'm_image_0001', attachmentTypes: ['image', 'file'] },
      });
    });

    it('keeps a sticker’s id and its image attachment on the last inbound event, until a later message replaces it', async () => {
      const stored = await post(fixture('message-sticker'));
      expect(opened(stored)).toContain('"sticker_id":369239263222822');
      expect(opened(stored)).toContain('https:\\/\\/scontent.xx.fbcdn.net\\/v\\/');
      expect((await user('7100000000000015'))!.lastInbound).toEqual({
        kind: 'message',
        at: new Date(1795440150000),
        mid: 'm_sticker_0002',
        attachmentTypes: ['image'],
        stickerId: '369239263222822',
      });
      // The next message is kept whole: nothing of the sticker stays behind.
      await post(textMessage('7100000000000015', 'Merci ! 👍', 1795440160000));
      expect((await user('7100000000000015'))!.lastInbound).toEqual({
        kind: 'message',
        at: new Date(1795440160000),
        mid: 'm_7100000000000015_1795440160000',
        hasText: true,
      });
    });

    it('keeps one PSID’s newest event when its bodies arrive together, newest first', async () => {
      const psid = '7100000000000016';
      const times = [0, 1, 2, 3, 4, 5].map((second) => 1795440200000 + second * 1000);
      const bodies = times.map((at, i) => textMessage(psid, `message ${i} – «${at}»`, at));
      const newest = times[times.length - 1];
      // supertest would start one listener per request on a server not listening yet.
      if (!t.app.getHttpServer().listening) await t.app.listen(0, '127.0.0.1');
      /** Posts bodies all at once and waits until each has been processed. */
      const together = async (wave: Payload[]) => {
        const delivered = await Promise.all(wave.map((body) => deliver(body)));
        expect(delivered.map(({ response }) => response.status)).toEqual(wave.map(() => 200));
        const processed = await Promise.all(delivered.map(({ id }) => processedOn(t, id)));
        expect(processed.map((event) => event.refused)).toEqual(wave.map(() => undefined));
      };
      // In reverse: the two newest together, then the four older ones together, so
      // older events are surely applied after the newest (the order of one wave is the network's).
      const reversed = [...bodies].reverse();
      await together(reversed.slice(0, 2));
      await together(reversed.slice(2));
      expect(await user(psid)).toMatchObject({
        lastInboundAt: new Date(newest),
        lastInbound: { kind: 'message', at: new Date(newest), mid: `m_${psid}_${newest}` },
      });
      const view = await t.http().get(`/api/pages/${PAGE_ID}/users/${psid}`).set(auth).expect(200);
      expect(view.body.lastInboundAt).toBe(new Date(newest).toISOString());
    });

    it('opens the 7-day window for a first message from a Click-to-Messenger ad', async () => {
      await post(fixture('message-from-ad'));
      expect(await user('7100000000000003')).toMatchObject({
        lastInboundAt: new Date(1795440180000),
        adReferralAt: new Date(1795440180000),
        lastInbound: {
          referral: { source: 'ADS', type: 'OPEN_THREAD', adId: '23851234567890123' },
        },
      });
      await post(fixture('message-text'));
      expect((await user('7100000000000001'))!.adReferralAt).toBeUndefined();
    });

    it('captures postbacks, referrals and standby messages', async () => {
      await post(fixture('postback'));
      await post(fixture('referral'));
      await post(fixture('standby-message'));
      expect(await user('7100000000000004')).toMatchObject({
        lastInboundAt: new Date(1795440240000),
        lastInbound: { kind: 'postback', postbackPayload: 'GET_STARTED/fr' },
      });
      expect(await user('7100000000000005')).toMatchObject({
        lastInboundAt: new Date(1795440300000),
        lastInbound: { kind: 'referral', referral: { ref: 'qr/étiquette', source: 'SHORTLINK' } },
      });
      expect(await user('7100000000000012')).toMatchObject({
        lastInboundAt: new Date(1795441140000),
      });
    });

    it('captures nothing from echoes, unknown events or unregistered Pages, and counts them', async () => {
      await post(fixture('echo'));
      await post(fixture('unknown-reaction'));
      const other = await post(fixture('unregistered-page'));
      expect(other.refused).toBeUndefined();
      for (const psid of ['7100000000000011', '104857600000001', '7100000000000013'])
        expect(await user(psid)).toBeNull();
      expect(await t.db.collection('users').countDocuments({ psid: '7100000000000014' })).toBe(0);
      const metrics = (await t.http().get('/metrics').expect(200)).text;
      expect(metrics).toContain('webhook_events_total{type="echo",outcome="applied"} 1');
      expect(metrics).toContain('webhook_events_total{type="reaction",outcome="ignored"} 1');
      expect(metrics).toContain('webhook_events_total{type="message",outcome="ignored"} 1');
    });

    it('suppresses a user whose message is an opt-out keyword, whole and in any case', async () => {
      await post(textMessage('7100000000000020', '  arrêt ', 1795440000000));
      await post(textMessage('7100000000000021', "Don't stop!", 1795440000000));
      await post(textMessage('7100000000000022', 'stop', 1795440000000));
      expect(await user('7100000000000020')).toMatchObject({
        suppressed: true,
        suppressedReason: 'opt_out_keyword',
      });
      expect(await user('7100000000000021')).toMatchObject({ suppressed: false });
      expect(await user('7100000000000022')).toMatchObject({ suppressed: true });
    });

    it('suppresses nobody for STOP when no opt-out keyword is configured: the keyword is off by default', async () => {
      // Another app on a database of its own, configured like this file's but for OPT_OUT_KEYWORDS.
      const plain = await createTestApp({
        env: { ...ENGINE_ENV, WEBHOOK_RETRY_TICK_MS: '0' },
        sandbox: { pages: [{ pageId: PAGE_ID, accessToken: PAGE_TOKEN }] },
      });
      try {
        await registerPage(plain);
        expect(plain.config.webhook.optOutKeywords).toEqual([]);
        const stop = textMessage('7100000000000023', 'STOP', 1795440000000);
        await postTo(plain, stop);
        expect(
          await plain.db.collection('users').findOne({ pageId: PAGE_ID, psid: '7100000000000023' }),
        ).toMatchObject({ suppressed: false, lastInboundAt: new Date(1795440000000) });
        // The same bytes here, where STOP is configured, do suppress.
        await post(stop);
        expect(await user('7100000000000023')).toMatchObject({
          suppressed: true,
          suppressedReason: 'opt_out_keyword',
        });
      } finally {
        await plain.close();
      }
    });

    it('refuses for good the events the API would refuse, and applies the rest of the body', async () => {
      const payload = fixture('message-text');
      const good = firstEvent(payload);
      payload.entry[0].messaging = [
        { ...good, sender: { id: '0712' } },
        { ...good, sender: { id: '7100000000000030' }, timestamp: Date.now() + 3_600_000 },
        { ...good, sender: { id: '7100000000000031' } },
      ];
      const stored = await post(payload);
      expect(stored.refused).toEqual([
        { position: '0.messaging.0', reason: expect.stringContaining('psid') },
        { position: '0.messaging.1', reason: expect.stringContaining('lastInboundAt') },
      ]);
      expect(await user('7100000000000030')).toBeNull();
      expect(await user('7100000000000031')).not.toBeNull();
    });

    it('passes opt-ins to the token ledger, with the event id and where it came from', async () => {
      const applyOptin = jest.spyOn(t.app.get(TokensService), 'applyOptin');
      const otn = await post(fixture('optin-otn'));
      const marketing = await post(fixture('optin-notification-messages'));
      expect(applyOptin.mock.calls).toEqual([
        [
          {
            pageId: PAGE_ID,
            field: 'messaging',
            eventId: `${otn._id}:0.messaging.0`,
            receivedAt: expect.any(Date),
          },
          firstEvent(fixture('optin-otn')),
        ],
        [
          expect.objectContaining({ eventId: `${marketing._id}:0.messaging.0` }),
          firstEvent(fixture('optin-notification-messages')),
        ],
      ]);
    });

    it('passes every handover event to the thread owners, from messaging and standby', async () => {
      const applyHandover = jest.spyOn(t.app.get(ThreadOwnersService), 'applyHandover');
      // The handover work's fixtures; the take comes in a standby entry, as it does for a secondary app.
      const take = fixture('handover-take-back');
      take.entry[0].standby = take.entry[0].messaging;
      delete take.entry[0].messaging;
      for (const payload of [
        fixture('handover-pass-to-inbox'),
        take,
        fixture('handover-request'),
        fixture('handover-app-roles'),
      ])
        await post(payload);
      expect(
        applyHandover.mock.calls.map(([context, event]) => [
          context.field,
          Object.keys(event).find((key) => key.includes('thread') || key === 'app_roles'),
        ]),
      ).toEqual([
        ['messaging', 'pass_thread_control'],
        ['standby', 'take_thread_control'],
        ['messaging', 'request_thread_control'],
        ['messaging', 'app_roles'],
      ]);
    });

    it('stores utility template status updates', async () => {
      const stored = await post(fixture('template-status'));
      expect(await t.db.collection('message_template_updates').find().toArray()).toEqual([
        {
          _id: `${stored._id}:0.changes.0`,
          pageId: PAGE_ID,
          templateId: '1689556908129832',
          name: 'order_update',
          language: 'fr_FR',
          status: 'APPROVED',
          reason: 'NONE',
          receivedAt: expect.any(Date),
        },
      ]);
    });
  });

  describe('receipts, replays and retries', () => {
    const psids = ['7200000000000001', '7200000000000002', '7200000000000003'];
    let campaignId: string;
    let messageIds: Record<string, string>;

    beforeAll(async () => {
      const recent = new Date(Date.now() - 3_600_000).toISOString();
      await importCsv(
        t,
        ['psid,last_inbound_at,batch', ...psids.map((psid) => `${psid},${recent},receipts`)].join(
          '\n',
        ),
      );
      const segment = await t
        .http()
        .post(`/api/pages/${PAGE_ID}/segments`)
        .set(auth)
        .send({ name: 'receipts', rules: { attribute: 'batch', op: 'eq', value: 'receipts' } })
        .expect(201);
      campaignId = (
        await t
          .http()
          .post(`/api/pages/${PAGE_ID}/campaigns`)
          .set(auth)
          .send({
            name: 'Receipts',
            segmentId: segment.body.id,
            message: { kind: 'text', text: 'Hello' },
          })
          .expect(201)
      ).body.id;
      await t.http().post(`/api/campaigns/${campaignId}/publish`).set(auth).send({ force: true });
      await eventually(
        async () => (await t.http().get(`/api/campaigns/${campaignId}`).set(auth)).body.status,
        (status) => status === 'completed',
      );
      const list = await t
        .http()
        .get(`/api/campaigns/${campaignId}/deliveries`)
        .set(auth)
        .expect(200);
      messageIds = Object.fromEntries(
        (list.body.items as { psid: string; messageId: string }[]).map((d) => [
          d.psid,
          d.messageId,
        ]),
      );
    });

    const stats = async () =>
      (await t.http().get(`/api/campaigns/${campaignId}/stats`).set(auth).expect(200)).body;

    function receipt(name: string, psid: string, change: (body: Record<string, unknown>) => void) {
      const payload = fixture(name);
      const event = firstEvent(payload);
      event.sender = { id: psid };
      event.timestamp = Date.now();
      change(event);
      return payload;
    }

    it('counts deliveries by mid and by watermark, and reads by watermark, in the stats', async () => {
      expect(await stats()).toMatchObject({ sent: 3, delivered: 0, read: 0 });
      await post(
        receipt('delivery-mids', psids[0], (event) => {
          event.delivery = { mids: [messageIds[psids[0]]], watermark: Date.now() - 86_400_000 };
        }),
      );
      await post(
        receipt('delivery-watermark', psids[1], (event) => {
          event.delivery = { watermark: Date.now() };
        }),
      );
      await post(
        receipt('read', psids[2], (event) => {
          event.read = { watermark: Date.now() };
        }),
      );
      expect(await stats()).toMatchObject({ sent: 3, delivered: 3, read: 1 });
    });

    it('acknowledges a replayed body and changes nothing the second time', async () => {
      const payload = receipt('read', psids[0], (event) => {
        event.read = { watermark: Date.now() };
      });
      const receipts = t.db.collection('delivery_receipts');
      const first = await post(payload);
      const count = await receipts.countDocuments();
      const applyReceipt = jest.spyOn(t.app.get(OutcomesService), 'applyReceipt');
      const { response } = await deliver(payload);
      expect(response.status).toBe(200);
      expect(response.text).toBe('EVENT_RECEIVED');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(applyReceipt).not.toHaveBeenCalled();
      expect(await events().countDocuments({ _id: first._id })).toBe(1);
      expect(await receipts.countDocuments()).toBe(count);
      expect(await stats()).toMatchObject({ delivered: 3, read: 2 });
    });

    /** Makes a stored body's retry due now, as time passing would. */
    const due = (id: string) =>
      events().updateOne({ _id: id }, { $set: { nextAttemptAt: new Date(Date.now() - 1) } });

    it('keeps a body whose processing failed and applies it on a retry', async () => {
      const applyReceipt = jest
        .spyOn(t.app.get(OutcomesService), 'applyReceipt')
        .mockRejectedValueOnce(new Error('database hiccup'));
      const payload = receipt('delivery-watermark', psids[2], (event) => {
        event.delivery = { watermark: Date.now() };
      });
      const { id } = await deliver(payload);
      const failed = await eventually(
        () => events().findOne({ _id: id }),
        (event) => event?.lastError !== undefined,
      );
      expect(failed).toMatchObject({
        status: 'received',
        attempts: 1,
        lastError: 'database hiccup',
      });
      // Not due yet: the pass leaves it alone.
      expect(await t.app.get(WebhooksService).retryDue()).toBe(0);
      await due(id);
      expect(await t.app.get(WebhooksService).retryDue()).toBe(1);
      expect(await events().findOne({ _id: id })).toMatchObject({
        status: 'processed',
        attempts: 2,
      });
      expect(applyReceipt).toHaveBeenCalledTimes(2);
    });

    it('marks a body failed with the reason once its attempts are spent, never dropping it', async () => {
      jest
        .spyOn(t.app.get(OutcomesService), 'applyReceipt')
        .mockRejectedValue(new Error('still failing'));
      const payload = receipt('read', psids[1], (event) => {
        event.read = { watermark: Date.now() };
      });
      const { id } = await deliver(payload);
      await eventually(
        () => events().findOne({ _id: id }),
        (event) => event?.lastError !== undefined,
      );
      for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt += 1) {
        await due(id);
        await t.app.get(WebhooksService).retryDue();
      }
      expect(await events().findOne({ _id: id })).toMatchObject({
        status: 'failed',
        attempts: MAX_ATTEMPTS,
        lastError: 'still failing',
      });
      await due(id);
      expect(await t.app.get(WebhooksService).retryDue()).toBe(0);
    });
  });

  describe('policy enforcement', () => {
    it('block pauses the running campaigns and marks the Page blocked; unblock lifts the mark only', async () => {
      const psids = Array.from({ length: 6 }, (_, i) => String(7300000000000001 + i));
      const recent = new Date(Date.now() - 3_600_000).toISOString();
      await importCsv(
        t,
        ['psid,last_inbound_at,batch', ...psids.map((psid) => `${psid},${recent},policy`)].join(
          '\n',
        ),
      );
      const segment = await t
        .http()
        .post(`/api/pages/${PAGE_ID}/segments`)
        .set(auth)
        .send({ name: 'policy', rules: { attribute: 'batch', op: 'eq', value: 'policy' } })
        .expect(201);
      const id = (
        await t
          .http()
          .post(`/api/pages/${PAGE_ID}/campaigns`)
          .set(auth)
          .send({
            name: 'Slow',
            segmentId: segment.body.id,
            message: { kind: 'text', text: 'Slowly' },
            ratePerSecond: 1,
          })
          .expect(201)
      ).body.id;
      await t.http().post(`/api/campaigns/${id}/publish`).set(auth).send({ force: true });
      const campaign = async () =>
        (await t.http().get(`/api/campaigns/${id}`).set(auth).expect(200)).body;
      await eventually(campaign, (c) => c.status === 'running');
      const health = async () =>
        (await t.http().get(`/api/pages/${PAGE_ID}/health`).set(auth).expect(200)).body;

      const block = fixture('policy-block');
      const reason = (firstEvent(block)['policy-enforcement'] as { reason: string }).reason;
      await post(block);
      expect(await campaign()).toMatchObject({ status: 'paused' });
      const blocked = await health();
      expect(blocked).toMatchObject({
        status: 'blocked',
        lastError: { source: 'policy_enforcement', message: reason },
        pausedCampaigns: [id],
      });
      expect((await campaign()).pausedReason).toBe(`policy_block: ${reason}`);

      // The same block again (another delivery, other bytes) changes nothing.
      block.entry[0].time += 1;
      await post(block);
      expect(await health()).toEqual(blocked);

      await post(fixture('policy-unblock'));
      expect(await health()).toMatchObject({ status: 'ok', pausedCampaigns: [id] });
      expect(await campaign()).toMatchObject({ status: 'paused' });
    });
  });
});
