/**
 * The handover protocol end to end: the thread routes against the sandbox's
 * recorded wire bodies, the sandbox's role refusals as 422, a pass to the Page
 * Inbox that makes campaigns and test-send skip the user until a take gives the
 * thread back, and handover webhooks (Meta's shapes, test/fixtures/webhooks)
 * applied in and out of order.
 */
import { ThreadOwnersService } from '../src/handover/thread-owners.service';
import { PAGE_INBOX_APP_ID } from '../src/messenger/payloads';
import type { MessagingEvent } from '../src/webhooks/messaging-event';
import { APP_ID, auth, createTestApp, type TestApp } from './harness/app';
import { importCsv, PAGE_ID, PAGE_TOKEN, registerPage } from './harness/audience';
import { ENGINE_ENV } from './harness/campaigns';
import { eventually } from './harness/eventually';
import { postTo, webhookFixture } from './harness/webhooks';

const OTHER_APP = '2000000000000002';
const psid = (n: number) => String(7_200_000_000_000_000 + n);
const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();

type HandoverPayload = {
  object: string;
  entry: { id: string; time: number; messaging?: MessagingEvent[]; standby?: MessagingEvent[] }[];
};

/** A handover fixture as Facebook sends it. */
const payloadOf = (name: string) => webhookFixture<HandoverPayload>(`handover-${name}`);

/** A fixture's one event, with the Page entry it came in. */
function fixture(name: string): {
  pageId: string;
  field: 'messaging' | 'standby';
  event: MessagingEvent;
} {
  const [entry] = payloadOf(name).entry;
  const field = entry.messaging ? 'messaging' : 'standby';
  return { pageId: entry.id, field, event: entry[field]![0] };
}

describe('handover', () => {
  let t: TestApp;
  const post = (path: string, body?: object) => {
    const request = t.http().post(`/api${path}`).set(auth);
    return body === undefined ? request : request.send(body);
  };
  const get = async (path: string) =>
    (await t.http().get(`/api${path}`).set(auth).expect(200)).body;
  const thread = (id: string, action: string) => `/pages/${PAGE_ID}/threads/${id}/${action}`;
  const recorded = (endpoint: string) => t.sandbox!.sandbox.requests({ endpoint });
  const storedUser = (id: string) =>
    t.db.collection('users').findOne({ pageId: PAGE_ID, psid: id });

  beforeAll(async () => {
    t = await createTestApp({
      env: ENGINE_ENV,
      sandbox: { pages: [{ pageId: PAGE_ID, accessToken: PAGE_TOKEN }] },
    });
    await registerPage(t);
  });
  afterAll(() => t.close());
  beforeEach(() => t.sandbox!.sandbox.reset());

  async function users(ids: string[], tag: string): Promise<string> {
    await importCsv(
      t,
      [
        'psid,first_name,last_inbound_at,batch',
        ...ids.map((id) => `${id},U,${hoursAgo(1)},${tag}`),
      ].join('\n'),
    );
    return (
      await post(`/pages/${PAGE_ID}/segments`, {
        name: tag,
        rules: { attribute: 'batch', op: 'eq', value: tag },
      }).expect(201)
    ).body.id;
  }

  async function campaign(segmentId: string): Promise<string> {
    return (
      await post(`/pages/${PAGE_ID}/campaigns`, {
        name: 'Handover',
        segmentId,
        message: { kind: 'text', text: 'Hi {{ user.firstName }}' },
      }).expect(201)
    ).body.id;
  }

  async function run(id: string) {
    await post(`/campaigns/${id}/publish`, { force: true }).expect(200);
    await eventually(
      () => get(`/campaigns/${id}`),
      (c) => c.status === 'completed',
    );
    return get(`/campaigns/${id}/stats`);
  }

  const messagedPsids = () =>
    recorded('messages').map((r) => (r.body as { recipient: { id: string } }).recipient.id);

  describe('routes, checked on the wire', () => {
    const user = psid(1);
    beforeAll(() => users([user], 'wire'));

    it('passes to the Page Inbox by default, takes back, requests and reads the owner', async () => {
      expect(
        (await post(thread(user, 'pass'), { metadata: 'a person, please – «agent»' }).expect(200))
          .body,
      ).toEqual({
        ok: true,
      });
      const [pass] = recorded('pass_thread_control');
      expect(pass).toMatchObject({
        method: 'POST',
        path: '/me/pass_thread_control',
        version: 'v25.0',
        authorization: `Bearer ${PAGE_TOKEN}`,
      });
      // The token travels in the header only; this Page has no app secret, so no proof either.
      expect(pass.query).toEqual({});
      expect(pass.body).toEqual({
        recipient: { id: user },
        target_app_id: PAGE_INBOX_APP_ID,
        metadata: 'a person, please – «agent»',
      });
      expect((await storedUser(user))?.threadOwnerAppId).toBe(PAGE_INBOX_APP_ID);

      expect(await get(thread(user, 'owner'))).toEqual({
        appId: PAGE_INBOX_APP_ID,
        ownedByThisApp: false,
      });
      const [owner] = recorded('thread_owner');
      expect(owner).toMatchObject({
        method: 'GET',
        path: '/me/thread_owner',
        authorization: `Bearer ${PAGE_TOKEN}`,
      });
      expect(owner.query).toEqual({ recipient: user });

      await post(thread(user, 'request'), { metadata: 'give it back' }).expect(200);
      expect(recorded('request_thread_control')[0]).toMatchObject({
        authorization: `Bearer ${PAGE_TOKEN}`,
        body: { recipient: { id: user }, metadata: 'give it back' },
      });
      // A request changes no owner.
      expect((await storedUser(user))?.threadOwnerAppId).toBe(PAGE_INBOX_APP_ID);

      // No body at all: take needs none.
      expect((await post(thread(user, 'take')).expect(200)).body).toEqual({ ok: true });
      expect(recorded('take_thread_control')[0]).toMatchObject({
        path: '/me/take_thread_control',
        authorization: `Bearer ${PAGE_TOKEN}`,
        body: { recipient: { id: user } },
      });
      expect(await storedUser(user)).not.toHaveProperty('threadOwnerAppId');
      expect(await get(thread(user, 'owner'))).toEqual({ appId: APP_ID, ownedByThisApp: true });
    });

    it('passes to another app', async () => {
      await post(thread(user, 'pass'), { targetAppId: OTHER_APP }).expect(200);
      expect(recorded('pass_thread_control')[0].body).toEqual({
        recipient: { id: user },
        target_app_id: OTHER_APP,
      });
      expect((await storedUser(user))?.threadOwnerAppId).toBe(OTHER_APP);
      await post(thread(user, 'take'), {}).expect(200);
    });

    it.each([
      ['a PSID with a leading zero', thread('0123', 'pass'), {}, 'psid'],
      ['a PSID with letters', thread('12a', 'take'), {}, 'psid'],
      ['an app id with letters', thread(user, 'pass'), { targetAppId: 'inbox' }, 'targetAppId'],
      [
        'an app id as a number',
        thread(user, 'pass'),
        { targetAppId: 263902037430900 },
        'targetAppId',
      ],
      [
        'metadata over 1000 characters',
        thread(user, 'request'),
        { metadata: 'x'.repeat(1001) },
        'metadata',
      ],
      ['null metadata', thread(user, 'take'), { metadata: null }, 'metadata'],
    ])('refuses %s with a 400 before any Graph call', async (_case, path, body, field) => {
      const answer = await post(path, body).expect(400);
      expect(answer.body.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ field })]),
      );
      expect(t.sandbox!.sandbox.requests()).toHaveLength(0);
    });

    it('accepts metadata of exactly 1000 characters', async () => {
      await post(thread(user, 'request'), { metadata: 'x'.repeat(1000) }).expect(200);
    });

    it('answers 404 for an unknown Page', async () => {
      await t.http().get('/api/pages/999999/threads/123/owner').set(auth).expect(404);
    });
  });

  describe("the sandbox refuses what Facebook refuses: 422 with Facebook's error", () => {
    const user = psid(2);
    beforeAll(() => users([user], 'refusals'));

    it('a pass of a thread this app no longer owns', async () => {
      await post(thread(user, 'pass'), {}).expect(200);
      const answer = await post(thread(user, 'pass'), { targetAppId: OTHER_APP }).expect(422);
      expect(answer.body).toMatchObject({
        ok: false,
        error: {
          code: 100,
          subcode: 2534037,
          class: 'permanent',
          reason: 'graph_100_2534037',
          message: "(#100) The action is invalid since it's not the thread owner.",
        },
      });
      // The refused pass changed nothing: the inbox still has it.
      expect((await storedUser(user))?.threadOwnerAppId).toBe(PAGE_INBOX_APP_ID);
    });

    it("a take by a secondary receiver of another app's thread", async () => {
      t.sandbox!.sandbox.setAppRoles({
        [OTHER_APP]: ['primary_receiver'],
        [APP_ID]: ['secondary_receiver'],
        [PAGE_INBOX_APP_ID]: ['secondary_receiver'],
      });
      t.sandbox!.sandbox.setThreadOwner(user, PAGE_INBOX_APP_ID);
      const answer = await post(thread(user, 'take'), {}).expect(422);
      expect(answer.body.error).toMatchObject({ code: 100, subcode: 2534037 });
      // Asking is open to a secondary receiver.
      await post(thread(user, 'request'), {}).expect(200);
    });

    it('the primary receiver takes the thread back', async () => {
      t.sandbox!.sandbox.setThreadOwner(user, PAGE_INBOX_APP_ID);
      await post(thread(user, 'take'), {}).expect(200);
      expect(await storedUser(user)).not.toHaveProperty('threadOwnerAppId');
    });
  });

  it('answers 502 when Facebook cannot be reached', async () => {
    const offline = await createTestApp({ sandbox: false });
    try {
      await offline
        .http()
        .post('/api/pages')
        .set(auth)
        .send({ pageId: PAGE_ID, name: 'Acme', accessToken: PAGE_TOKEN })
        .expect(201);
      const answer = await offline
        .http()
        .post(`/api/pages/${PAGE_ID}/threads/${psid(3)}/pass`)
        .set(auth)
        .send({})
        .expect(502);
      expect(answer.body.error).toMatchObject({ reason: 'connection_refused' });
    } finally {
      await offline.close();
    }
  });

  describe('campaigns skip a thread another app owns', () => {
    const passed = psid(10);
    const others = [psid(11), psid(12)];
    let segmentId: string;
    beforeAll(async () => {
      segmentId = await users([passed, ...others], 'skip');
    });

    it('after a pass to the inbox: skipped with thread_owned_by_other_app, never sent; test-send says who owns it', async () => {
      await post(thread(passed, 'pass'), {}).expect(200);
      const id = await campaign(segmentId);

      const preview = (await post(`/campaigns/${id}/preview`, {}).expect(200)).body;
      expect(preview.eligibility).toMatchObject({
        audience: 3,
        eligible: 2,
        thread_owned_by_other_app: 1,
      });
      const testSend = await post(`/campaigns/${id}/test-send`, { psid: passed }).expect(409);
      expect(testSend.body).toMatchObject({ error: 'thread_owned_by_other_app' });
      expect(testSend.body.message).toContain(PAGE_INBOX_APP_ID);
      expect(recorded('messages')).toHaveLength(0);

      const stats = await run(id);
      expect(stats).toMatchObject({
        audience: 3,
        sent: 2,
        skipped: 1,
        failed: 0,
        byReason: { thread_owned_by_other_app: 1 },
      });
      expect(messagedPsids().sort()).toEqual([...others].sort());
    });

    it('after a take back: eligible again, sent', async () => {
      await post(thread(passed, 'take'), {}).expect(200);
      const id = await campaign(segmentId);
      await post(`/campaigns/${id}/test-send`, { psid: passed }).expect(200);
      t.sandbox!.sandbox.reset();
      const stats = await run(id);
      expect(stats).toMatchObject({ audience: 3, sent: 3, skipped: 0 });
      expect(stats.byReason).not.toHaveProperty('thread_owned_by_other_app');
      expect(messagedPsids().sort()).toEqual([passed, ...others].sort());
    });
  });

  describe('handover webhooks, signed and posted', () => {
    const inbox = psid(30);
    const passedBack = psid(31);
    const lateOlder = psid(32);
    let campaignId: string;
    beforeAll(async () => {
      campaignId = await campaign(await users([inbox, passedBack, lateOlder], 'webhook-http'));
    });

    /** Posts a body signed over Facebook's escaped bytes (the fixtures' metadata holds non-ASCII). */
    async function deliverPayload(payload: HandoverPayload) {
      const stored = await postTo(t, payload);
      expect(stored.refused).toBeUndefined();
    }

    /** Delivers a fixture, its sender made `user`. */
    function deliver(name: string, user?: string) {
      const payload = payloadOf(name);
      const event = (payload.entry[0].messaging ?? payload.entry[0].standby)![0];
      if (user) event.sender = { id: user };
      return deliverPayload(payload);
    }

    /**
     * The owner the service keeps for the user's thread, as its API shows it:
     * test-send refuses a thread another app owns (409) and names that app. Neither
     * GET …/owner (it asks Facebook, and stores the answer) nor the user resource
     * shows the stored owner.
     */
    async function keptOwner(user: string): Promise<string> {
      const answer = await post(`/campaigns/${campaignId}/test-send`, { psid: user });
      if (answer.status === 200) return 'this app';
      expect(answer.status).toBe(409);
      expect(answer.body.error).toBe('thread_owned_by_other_app');
      return /owned by app (\d+)/.exec(answer.body.message as string)?.[1] ?? answer.body.message;
    }
    const ownedByOthers = async () =>
      (await post(`/campaigns/${campaignId}/preview`, {}).expect(200)).body.eligibility
        .thread_owned_by_other_app;

    it('a pass to the Page Inbox makes the user skipped; a request leaves it so; a take back makes them eligible', async () => {
      expect(await keptOwner(inbox)).toBe('this app');

      await deliver('pass-to-inbox', inbox);
      expect(await keptOwner(inbox)).toBe(PAGE_INBOX_APP_ID);
      expect(await ownedByOthers()).toBe(1);

      await deliver('request', inbox);
      expect(await keptOwner(inbox)).toBe(PAGE_INBOX_APP_ID);
      expect(await t.db.collection('thread_control_requests').countDocuments({ psid: inbox })).toBe(
        1,
      );

      await deliver('take-back', inbox);
      expect(await keptOwner(inbox)).toBe('this app');
      expect(await ownedByOthers()).toBe(0);
      // The webhooks did it, not a call of ours.
      expect(recorded('thread_owner')).toHaveLength(0);
      expect(await t.app.get(ThreadOwnersService).ownerOf(PAGE_ID, inbox)).toMatchObject({
        source: 'take_thread_control',
        at: new Date(1764400004000),
      });
    });

    it('a pass back from the Page Inbox makes the user eligible again', async () => {
      await deliver('pass-to-inbox', passedBack);
      expect(await keptOwner(passedBack)).toBe(PAGE_INBOX_APP_ID);
      await deliver('pass-back', passedBack);
      expect(await keptOwner(passedBack)).toBe('this app');
      expect(await t.app.get(ThreadOwnersService).ownerOf(PAGE_ID, passedBack)).toMatchObject({
        appId: null,
        previousAppId: PAGE_INBOX_APP_ID,
        source: 'pass_thread_control',
        metadata: 'Marked as done in the Page Inbox',
      });
    });

    it('an older pass arriving after a newer take back leaves the user eligible', async () => {
      await deliver('take-back', lateOlder);
      await deliver('pass-to-inbox', lateOlder);
      expect(await keptOwner(lateOlder)).toBe('this app');
      expect(await t.app.get(ThreadOwnersService).ownerOf(PAGE_ID, lateOlder)).toMatchObject({
        source: 'take_thread_control',
        at: new Date(1764400004000),
      });
      expect(await ownedByOthers()).toBe(0);
    });

    it("keeps the Page's app roles from an app_roles webhook", async () => {
      await deliver('app-roles');
      expect(await t.app.get(ThreadOwnersService).appRolesOf(PAGE_ID)).toMatchObject({
        roles: { [APP_ID]: ['primary_receiver'], [PAGE_INBOX_APP_ID]: ['secondary_receiver'] },
        at: new Date(1764400000000),
      });
    });
  });

  describe('applyHandover with Facebook-shaped events', () => {
    const user = '7100000000000001';
    let owners: ThreadOwnersService;
    beforeAll(async () => {
      owners = t.app.get(ThreadOwnersService);
      await users([user], 'webhook');
    });
    beforeEach(() => t.db.collection('thread_owners').deleteMany({}));

    const apply = (name: string, eventId = name) => {
      const { pageId, field, event } = fixture(name);
      return owners.applyHandover({ pageId, field, eventId, receivedAt: new Date() }, event);
    };
    const owner = async () => (await storedUser(user))?.threadOwnerAppId;

    it('keeps the owner of a thread whose user did not exist yet, through a later import', async () => {
      const { pageId, field, event } = fixture('pass-to-inbox');
      const newcomer = '7100000000000099';
      const theirs: MessagingEvent = { ...event, sender: { id: newcomer } };
      await owners.applyHandover(
        { pageId, field, eventId: 'newcomer', receivedAt: new Date() },
        theirs,
      );
      expect(await storedUser(newcomer)).toMatchObject({
        threadOwnerAppId: PAGE_INBOX_APP_ID,
        source: 'webhook',
        suppressed: false,
      });
      await users([newcomer], 'after-handover');
      expect(await storedUser(newcomer)).toMatchObject({
        threadOwnerAppId: PAGE_INBOX_APP_ID,
        firstName: 'U',
      });
    });

    it('follows passes and takes in order; a replay changes nothing', async () => {
      await apply('pass-to-inbox');
      expect(await owner()).toBe(PAGE_INBOX_APP_ID);
      expect(await owners.ownerOf(PAGE_ID, user)).toMatchObject({
        appId: PAGE_INBOX_APP_ID,
        previousAppId: APP_ID,
        source: 'pass_thread_control',
        metadata: 'Customer asked for a person – «agent»',
        at: new Date(1764400001000),
      });
      await apply('pass-to-inbox');
      expect(await owner()).toBe(PAGE_INBOX_APP_ID);

      await apply('pass-back');
      expect(await owner()).toBeUndefined();
      expect(await owners.ownerOf(PAGE_ID, user)).toMatchObject({
        appId: null,
        source: 'pass_thread_control',
      });

      await apply('pass-to-inbox', 'replayed-late');
      expect(await owner()).toBeUndefined();
    });

    it('an older event arriving after a newer one does not regress the owner', async () => {
      await apply('take-back');
      await apply('pass-to-inbox');
      expect(await owner()).toBeUndefined();
      expect(await owners.ownerOf(PAGE_ID, user)).toMatchObject({
        source: 'take_thread_control',
        at: new Date(1764400004000),
      });

      await t.db.collection('thread_owners').deleteMany({});
      await apply('pass-back');
      await apply('pass-to-inbox');
      expect(await owner()).toBeUndefined();
    });

    it('a take by this app clears the owner a pass set', async () => {
      await apply('pass-to-inbox');
      await apply('take-back');
      expect(await owner()).toBeUndefined();
    });

    it('records a request without changing the owner, once however often it comes', async () => {
      await apply('pass-to-inbox');
      await apply('request');
      await apply('request', 'again');
      expect(await owner()).toBe(PAGE_INBOX_APP_ID);
      expect(
        await t.db.collection('thread_control_requests').find({ psid: user }).toArray(),
      ).toEqual([
        expect.objectContaining({
          pageId: PAGE_ID,
          requestedOwnerAppId: PAGE_INBOX_APP_ID,
          metadata: 'An agent wants this conversation',
          at: new Date(1764400005000),
        }),
      ]);
    });

    it("keeps the Page's app roles from the latest app_roles event", async () => {
      await apply('app-roles');
      expect(await owners.appRolesOf(PAGE_ID)).toMatchObject({
        roles: { [APP_ID]: ['primary_receiver'], [PAGE_INBOX_APP_ID]: ['secondary_receiver'] },
        at: new Date(1764400000000),
      });
    });

    it('a later API call wins over an older webhook', async () => {
      await apply('pass-back');
      await post(thread(user, 'pass'), {}).expect(200);
      await apply('take-back');
      expect(await owner()).toBe(PAGE_INBOX_APP_ID);
      await post(thread(user, 'take'), {}).expect(200);
    });

    it('ignores what is not a handover', async () => {
      await owners.applyHandover(
        { pageId: PAGE_ID, field: 'messaging', eventId: 'm', receivedAt: new Date() },
        { sender: { id: user }, recipient: { id: PAGE_ID }, timestamp: 1, message: { text: 'hi' } },
      );
      expect(await owners.ownerOf(PAGE_ID, user)).toBeUndefined();
    });
  });
});
