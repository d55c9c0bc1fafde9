/**
 * The campaign lifecycle under concurrent requests (SPEC §8), through the HTTP
 * API of two app instances on one database: of N conflicting requests exactly
 * one succeeds and the others answer 409 with the status now; a one-shot
 * campaign never gets a second run; a message changed while paused needs a test
 * before resume. Each race is repeated for many rounds, since one round can be
 * won by luck.
 */
import { ManualClock } from '../src/common/clock';
import { CampaignRunsService } from '../src/campaigns/campaign-runs.service';
import { auth, createTestApp, type TestApp } from './harness/app';
import { importCsv, PAGE_ID, PAGE_TOKEN, registerPage } from './harness/audience';

const ROUNDS = 20;
// Twenty rounds of twenty concurrent requests each: on a loaded machine that takes longer than jest's default.
jest.setTimeout(180_000);
const PSID = '6543210987654321';

describe('campaign lifecycle under concurrency', () => {
  const clock = new ManualClock();
  let first: TestApp;
  let second: TestApp;
  let segmentId: string;
  /** Alternates between the two instances, as a load balancer would. */
  let turn = 0;
  const instance = () => (turn++ % 2 === 0 ? first : second);
  const post = (path: string, body: object = {}) =>
    instance().http().post(`/api${path}`).set(auth).send(body);
  const patch = (path: string, body: object) =>
    instance().http().patch(`/api${path}`).set(auth).send(body);
  const get = async (path: string) =>
    (await first.http().get(`/api${path}`).set(auth).expect(200)).body;
  const runsOf = (id: string) =>
    first.db.collection('campaign_runs').countDocuments({ campaignId: id });

  beforeAll(async () => {
    first = await createTestApp({
      clock,
      sandbox: { pages: [{ pageId: PAGE_ID, accessToken: PAGE_TOKEN }] },
    });
    second = await createTestApp({
      clock,
      sandbox: false,
      env: { MONGODB_URI: first.config.mongodbUri, GRAPH_API_URL: first.sandbox!.url },
    });
    // Listening once: supertest would otherwise open a server per request, and 20 at once reset connections.
    await Promise.all([first.app.listen(0, '127.0.0.1'), second.app.listen(0, '127.0.0.1')]);
    await registerPage(first);
    const recent = new Date(Date.now() - 3_600_000).toISOString();
    const imported = await importCsv(
      first,
      `psid,first_name,last_inbound_at\n${PSID},Ana,${recent}\n`,
    );
    expect(imported.body).toMatchObject({ status: 'completed', counts: { inserted: 1 } });
    segmentId = (
      await post(`/pages/${PAGE_ID}/segments`, {
        name: 'All',
        rules: { attribute: 'psid', op: 'exists', value: true },
      }).expect(201)
    ).body.id;
  });
  afterAll(async () => {
    await second.close();
    await first.close();
  });

  async function campaign(schedule: object = { type: 'now' }): Promise<string> {
    const created = await post(`/pages/${PAGE_ID}/campaigns`, {
      name: 'Race',
      segmentId,
      message: { kind: 'text', text: 'Hi {{ user.firstName }}' },
      schedule,
    }).expect(201);
    return created.body.id as string;
  }

  /** Sends the requests at once; the statuses, in order. */
  async function race(
    requests: (() => PromiseLike<{ status: number; body: Record<string, unknown> }>)[],
  ) {
    return Promise.all(requests.map((request) => request()));
  }

  function expectOneWinner(
    answers: { status: number; body: Record<string, unknown> }[],
    status: string,
  ) {
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    for (const answer of answers.filter((a) => a.status !== 200)) {
      expect(answer.status).toBe(409);
      expect(answer.body).toMatchObject({ statusCode: 409, status });
    }
  }

  it('lets exactly one of 20 concurrent publishes of a `now` campaign win, with one run', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const id = await campaign();
      const answers = await race(
        Array.from({ length: 20 }, () => () => post(`/campaigns/${id}/publish`, { force: true })),
      );
      expectOneWinner(answers, 'running');
      expect(await runsOf(id)).toBe(1);
      expect((await get(`/campaigns/${id}`)).status).toBe('running');
    }
  });

  it('lets exactly one of 20 concurrent publishes of an `at` campaign win', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const at = new Date(clock.now().getTime() + 3_600_000).toISOString();
      const id = await campaign({ type: 'at', at });
      const answers = await race(
        Array.from({ length: 20 }, () => () => post(`/campaigns/${id}/publish`, { force: true })),
      );
      expectOneWinner(answers, 'scheduled');
      expect(await first.db.collection('campaign_changes').countDocuments({ campaignId: id })).toBe(
        1,
      );
    }
  });

  it('never gives a one-shot campaign a second run: a paused one is resumed, not published', async () => {
    const id = await campaign();
    await post(`/campaigns/${id}/publish`, { force: true }).expect(200);
    await post(`/campaigns/${id}/pause`).expect(200, { status: 'paused' });
    expect(
      (await post(`/campaigns/${id}/publish`, { force: true }).expect(409)).body,
    ).toMatchObject({ error: 'invalid_transition', status: 'paused' });
    await post(`/campaigns/${id}/resume`).expect(200, { status: 'running' });
    expect(await runsOf(id)).toBe(1);
  });

  it('lets exactly one of a concurrent cancel and resume win, and the campaign ends as the winner said', async () => {
    let raced = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      const id = await campaign();
      await post(`/campaigns/${id}/publish`, { force: true }).expect(200);
      await post(`/campaigns/${id}/pause`).expect(200);
      const [cancel, resume] = await race([
        () => post(`/campaigns/${id}/cancel`),
        () => post(`/campaigns/${id}/resume`),
      ]);
      const now = (await get(`/campaigns/${id}`)).status;
      if (cancel.status === 200 && resume.status === 200) {
        // No race after all: the resume had finished before the cancel read the campaign, so the
        // cancel stopped a running campaign, which is allowed. The change log shows that order.
        const changes = await first.db
          .collection('campaign_changes')
          .find({ campaignId: id })
          .sort({ revision: -1 })
          .limit(2)
          .toArray();
        expect(changes.reverse().map(({ action, from, to }) => [action, from, to])).toEqual([
          ['resume', 'paused', 'running'],
          ['cancel', 'running', 'cancelled'],
        ]);
        expect(now).toBe('cancelled');
        continue;
      }
      raced += 1;
      const [winner, loser] = cancel.status === 200 ? [cancel, resume] : [resume, cancel];
      expect([cancel.status, resume.status].sort()).toEqual([200, 409]);
      expect(now).toBe(winner.body.status);
      // The loser names the status the winner left: it read `paused`, which is no longer true.
      expect(loser.body).toMatchObject({ statusCode: 409, status: now });
    }
    // Most rounds must be real races, or this test would prove nothing.
    expect(raced).toBeGreaterThanOrEqual(ROUNDS / 2);
  });

  it('lets exactly one of a concurrent publish and message edit win; a published version is always a tested one', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const at = new Date(clock.now().getTime() + 3_600_000).toISOString();
      const id = await campaign({ type: 'at', at });
      await post(`/campaigns/${id}/test-send`, { psid: PSID }).expect(200);
      const [published, edited] = await race([
        () => post(`/campaigns/${id}/publish`),
        () => patch(`/campaigns/${id}`, { message: { kind: 'text', text: `Round ${round}` } }),
      ]);
      expect([published.status, edited.status].sort()).toEqual([200, 409]);
      const stored = await get(`/campaigns/${id}`);
      if (published.status === 200) {
        expect(stored).toMatchObject({
          status: 'scheduled',
          messageVersion: 1,
          publishedVersion: 1,
        });
        // The edit read a draft, or found it scheduled: either way it names the status now.
        expect(edited.body).toMatchObject({ statusCode: 409, status: 'scheduled' });
        expect(['concurrent_change', 'not_editable']).toContain(edited.body.error);
      } else {
        expect(stored).toMatchObject({ status: 'draft', messageVersion: 2 });
        // Lost the claim, or read the edited draft after the edit had finished: its new version is untested.
        expect(published.body).toMatchObject({ statusCode: 409, status: 'draft' });
        expect(['concurrent_change', 'test_send_required']).toContain(published.body.error);
      }
    }
  });

  it('needs a test-send of a message changed while paused before it resumes', async () => {
    const id = await campaign();
    await post(`/campaigns/${id}/test-send`, { psid: PSID }).expect(200);
    await post(`/campaigns/${id}/publish`).expect(200, { status: 'running' });
    await post(`/campaigns/${id}/pause`).expect(200);
    await patch(`/campaigns/${id}`, { message: { kind: 'text', text: 'Changed' } }).expect(200);
    expect((await post(`/campaigns/${id}/resume`).expect(409)).body).toMatchObject({
      error: 'test_send_required',
      status: 'paused',
    });
    await post(`/campaigns/${id}/test-send`, { psid: PSID }).expect(200);
    await post(`/campaigns/${id}/resume`).expect(200, { status: 'running' });
    expect(await get(`/campaigns/${id}`)).toMatchObject({ messageVersion: 2, publishedVersion: 2 });

    // A rename is no new version: no new test is needed.
    await post(`/campaigns/${id}/pause`).expect(200);
    await patch(`/campaigns/${id}`, { name: 'Renamed' }).expect(200);
    await post(`/campaigns/${id}/resume`).expect(200, { status: 'running' });

    // Force goes live untested, as publish does.
    await post(`/campaigns/${id}/pause`).expect(200);
    await patch(`/campaigns/${id}`, { message: { kind: 'text', text: 'Again' } }).expect(200);
    await post(`/campaigns/${id}/resume`, { force: true }).expect(200, { status: 'running' });
  });

  it('starts each due occurrence once while cancels race the scheduler', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const at = new Date(clock.now().getTime() + 60_000).toISOString();
      const id = await campaign({ type: 'at', at });
      await post(`/campaigns/${id}/publish`, { force: true }).expect(200);
      clock.advance(120_000);
      const [, , cancel] = await Promise.all([
        first.app.get(CampaignRunsService).tick(),
        second.app.get(CampaignRunsService).tick(),
        post(`/campaigns/${id}/cancel`),
      ]);
      const stored = await get(`/campaigns/${id}`);
      const runs = await runsOf(id);
      expect(runs).toBeLessThanOrEqual(1);
      if (cancel.status === 200) {
        // The cancel came first (no run), or after the start had finished (one run, now cancelled).
        expect(stored.status).toBe('cancelled');
      } else {
        expect(cancel.body).toMatchObject({ error: 'concurrent_change', status: 'running' });
        expect(stored.status).toBe('running');
        expect(runs).toBe(1);
      }
    }
  });

  it('finishes a change whose writer crashed after claiming it, and says so to the next request', async () => {
    const id = await campaign();
    const stored = await first.db.collection('campaigns').findOne({}, { sort: { _id: -1 } });
    // A claim that was inserted but never carried out: the process died in between.
    await first.db.collection('campaign_changes').insertOne({
      campaignId: id,
      revision: (stored!.revision as number) + 1,
      action: 'cancel',
      from: 'draft',
      to: 'cancelled',
      set: { status: 'cancelled', revision: (stored!.revision as number) + 1 },
      unset: [],
      createdAt: new Date(),
    });
    expect(
      (await post(`/campaigns/${id}/publish`, { force: true }).expect(409)).body,
    ).toMatchObject({ error: 'concurrent_change', status: 'cancelled' });
    expect((await get(`/campaigns/${id}`)).status).toBe('cancelled');
  });

  it('answers 409 naming the status for a deleted campaign racing its publish', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const id = await campaign();
      const [published, deleted] = await race([
        () => post(`/campaigns/${id}/publish`, { force: true }),
        () => instance().http().delete(`/api/campaigns/${id}`).set(auth),
      ]);
      if (published.status === 200) {
        expect(deleted.status).toBe(409);
        expect(await runsOf(id)).toBe(1);
      } else {
        expect(deleted.status).toBe(204);
        // 409 when it read the draft before the delete, 404 when after.
        expect([404, 409]).toContain(published.status);
        expect(await runsOf(id)).toBe(0);
      }
    }
  });
});
