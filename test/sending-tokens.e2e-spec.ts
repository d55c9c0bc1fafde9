/**
 * Campaigns sent to notification tokens (SPEC §3): the engine claims each user's
 * token before the call (an insert: never used twice), sends to the token, and
 * settles it; users without one are skipped `no_token` with no call. Test-send
 * spends a token only with useToken.
 */
import { randomBytes } from 'node:crypto';
import type { SandboxOptin } from '../src/sandbox/sandbox.types';
import { TokensService } from '../src/tokens/tokens.service';
import { auth, createTestApp, type TestApp } from './harness/app';
import { importCsv, PAGE_ID, PAGE_TOKEN, registerPage } from './harness/audience';
import { createCampaign, createSegment, ENGINE_ENV, forcePublish } from './harness/campaigns';
import { eventually } from './harness/eventually';

const WITH_TOKEN = '6200000000000001';
const WITH_TWO = '6200000000000002';
const WITHOUT = '6200000000000003';
const OTHER_TOPIC = '6200000000000004';

type Recipient = {
  id?: string;
  one_time_notif_token?: string;
  notification_messages_token?: string;
};

describe('campaigns to notification tokens', () => {
  let t: TestApp;
  const sandbox = () => t.sandbox!.sandbox;
  const get = async (path: string) =>
    (await t.http().get(`/api${path}`).set(auth).expect(200)).body;

  async function optIn(psid: string, optin: SandboxOptin): Promise<string> {
    const { token, event } = sandbox().optIn(PAGE_ID, psid, optin);
    await t.app.get(TokensService).applyOptin(
      {
        pageId: PAGE_ID,
        field: 'messaging',
        eventId: randomBytes(8).toString('hex'),
        receivedAt: new Date(),
      },
      event,
    );
    return token;
  }

  async function run(delivery: object): Promise<{ id: string; recipients: Recipient[] }> {
    const before = sandbox().requests({ endpoint: 'messages' }).length;
    const id = await createCampaign(t, await createSegment(t), { delivery });
    await forcePublish(t, id);
    await eventually(
      () => get(`/campaigns/${id}`),
      (c) => c.status === 'completed',
    );
    const recipients = sandbox()
      .requests({ endpoint: 'messages' })
      .slice(before)
      .map((request) => (request.body as { recipient: Recipient }).recipient);
    return { id, recipients };
  }

  beforeAll(async () => {
    t = await createTestApp({
      env: ENGINE_ENV,
      sandbox: { pages: [{ pageId: PAGE_ID, accessToken: PAGE_TOKEN }] },
    });
    await registerPage(t);
    // Nobody has written for days: only tokens reach them.
    const old = new Date(Date.now() - 5 * 86_400_000).toISOString();
    await importCsv(
      t,
      [
        'psid,first_name,last_inbound_at',
        ...[WITH_TOKEN, WITH_TWO, WITHOUT, OTHER_TOPIC].map((p) => `${p},U${p.slice(-1)},${old}`),
      ].join('\n'),
    );
  });
  afterAll(() => t.close());

  it('sends an OTN campaign to each token once, skips users without one, and spends the tokens', async () => {
    const tokens = new Map<string, string[]>([
      [WITH_TOKEN, [await optIn(WITH_TOKEN, { type: 'one_time_notif_req', topic: 'restock' })]],
      [
        WITH_TWO,
        [
          await optIn(WITH_TWO, { type: 'one_time_notif_req', topic: 'restock' }),
          await optIn(WITH_TWO, { type: 'one_time_notif_req', topic: 'restock' }),
        ],
      ],
    ]);
    await optIn(OTHER_TOPIC, { type: 'one_time_notif_req', topic: 'sale' });

    const first = await run({ policy: 'otn', topic: 'restock' });
    // One message each, to the oldest token, never to a PSID.
    const byToken = (a: Recipient, b: Recipient) =>
      String(a.one_time_notif_token).localeCompare(String(b.one_time_notif_token));
    expect([...first.recipients].sort(byToken)).toEqual(
      [
        { one_time_notif_token: tokens.get(WITH_TOKEN)![0] },
        { one_time_notif_token: tokens.get(WITH_TWO)![0] },
      ].sort(byToken),
    );
    expect(await get(`/campaigns/${first.id}/stats`)).toMatchObject({
      audience: 4,
      sent: 2,
      skipped: 2,
      byReason: { no_token: 2 },
    });
    const listed = await get(`/pages/${PAGE_ID}/users/${WITH_TOKEN}/tokens`);
    expect(listed.items[0]).toMatchObject({ kind: 'otn', topic: 'restock', status: 'consumed' });
    expect(JSON.stringify(listed)).not.toContain(tokens.get(WITH_TOKEN)![0]);

    // Again: the spent tokens are never used twice; the second token of WITH_TWO is.
    const second = await run({ policy: 'otn', topic: 'restock' });
    expect(second.recipients).toEqual([{ one_time_notif_token: tokens.get(WITH_TWO)![1] }]);
  });

  it('sends a marketing-message campaign within each token’s frequency', async () => {
    const token = await optIn(WITH_TOKEN, {
      type: 'notification_messages',
      topic: 'weekly_deals',
      frequency: 'WEEKLY',
    });
    const first = await run({ policy: 'notification_messages', topic: 'weekly_deals' });
    expect(first.recipients).toEqual([{ notification_messages_token: token }]);
    // The same week: the frequency holds the user back, without a call.
    const second = await run({ policy: 'notification_messages', topic: 'weekly_deals' });
    expect(second.recipients).toEqual([]);
    expect(await get(`/campaigns/${second.id}/stats`)).toMatchObject({
      sent: 0,
      byReason: { frequency_cap: 1, no_token: 3 },
    });
  });

  it('counts token holders in the preview and spends a token on test-send only with useToken', async () => {
    const token = await optIn(WITHOUT, { type: 'one_time_notif_req', topic: 'launch' });
    const id = await createCampaign(t, await createSegment(t), {
      delivery: { policy: 'otn', topic: 'launch' },
    });
    const preview = await t
      .http()
      .post(`/api/campaigns/${id}/preview`)
      .set(auth)
      .send({})
      .expect(200);
    expect(preview.body.eligibility).toMatchObject({ audience: 4, eligible: 1, no_token: 3 });

    const before = sandbox().requests({ endpoint: 'messages' }).length;
    // Without useToken a test-send is a standard message, which the closed window refuses.
    sandbox().setScenario({ outsideWindowPsids: [WITHOUT] });
    await t
      .http()
      .post(`/api/campaigns/${id}/test-send`)
      .set(auth)
      .send({ psid: WITHOUT })
      .expect(422);
    const spent = await t
      .http()
      .post(`/api/campaigns/${id}/test-send`)
      .set(auth)
      .send({ psid: WITHOUT, useToken: true })
      .expect(200);
    // The answer never shows the token.
    expect(spent.body.request.recipient).toEqual({ one_time_notif_token: '(hidden)' });
    const sent = sandbox().requests({ endpoint: 'messages' }).slice(before);
    expect(sent.map((r) => (r.body as { recipient: Recipient }).recipient)).toEqual([
      { id: WITHOUT },
      { one_time_notif_token: token },
    ]);
    expect(
      (
        await t
          .http()
          .post(`/api/campaigns/${id}/test-send`)
          .set(auth)
          .send({ psid: WITHOUT, useToken: true })
          .expect(409)
      ).body,
    ).toMatchObject({ error: 'no_token' });
  });
});
