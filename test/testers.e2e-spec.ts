/**
 * A Page's testers (SPEC §1.4, §7, §9) through the HTTP API with the sandbox:
 * the list's rules, a test-send to every tester with each one's answer and own
 * personalisation on the wire, and publish unlocked by any tester's success.
 */
import { auth, createTestApp, type TestApp } from './harness/app';
import { importCsv, PAGE_ID, PAGE_TOKEN, registerPage } from './harness/audience';

const ANA = '6543210987654321';
const BRUNO = '6543210987654322';
const CHLOE = '6543210987654323';
const STRANGER = '6543210987654399';
const OTHER_PAGE = '104857600000002';

describe('testers', () => {
  let t: TestApp;
  let segmentId: string;
  const testersOf = (pageId = PAGE_ID) => `/api/pages/${pageId}/testers`;
  const post = (path: string, body: object = {}) =>
    t.http().post(`/api${path}`).set(auth).send(body);
  const putTesters = (psids: unknown, pageId = PAGE_ID) =>
    t.http().put(testersOf(pageId)).set(auth).send({ psids });
  const createCampaign = async (overrides: object = {}): Promise<string> =>
    (
      await post(`/pages/${PAGE_ID}/campaigns`, {
        name: 'Restock',
        segmentId,
        message: {
          kind: 'text',
          text: 'Hi {{ user.firstName }}, the {{ user.attributes.city }} store is open',
        },
        schedule: { type: 'cron', cron: '0 9 * * 1', timezone: 'Europe/Paris' },
        ...overrides,
      }).expect(201)
    ).body.id;
  const messagesTo = (psid: string) =>
    t.sandbox!.sandbox.requests({ endpoint: 'messages', psid }).map((request) => request.body);

  beforeAll(async () => {
    t = await createTestApp({ sandbox: { pages: [{ pageId: PAGE_ID, accessToken: PAGE_TOKEN }] } });
    await registerPage(t);
    await registerPage(t, OTHER_PAGE);
    const recent = new Date(Date.now() - 3_600_000).toISOString();
    await importCsv(
      t,
      [
        'psid,first_name,last_inbound_at,city',
        `${ANA},Ana,${recent},Lyon`,
        `${BRUNO},Bruno,${recent},Lyon`,
        `${CHLOE},Chloé,${recent},Nice`,
      ].join('\n'),
    );
    segmentId = (
      await post(`/pages/${PAGE_ID}/segments`, {
        name: 'Everyone',
        rules: { attribute: 'psid', op: 'exists', value: true },
      }).expect(201)
    ).body.id;
  });
  afterAll(() => t.close());
  beforeEach(() => t.sandbox!.sandbox.reset());

  it('stores the list on the Page: empty at first, replaced whole by PUT', async () => {
    await t.http().get(testersOf()).set(auth).expect(200, { psids: [] });
    await putTesters([ANA, STRANGER]).expect(200, { psids: [ANA, STRANGER] });
    await t
      .http()
      .get(testersOf())
      .set(auth)
      .expect(200, { psids: [ANA, STRANGER] });
    await putTesters([BRUNO]).expect(200, { psids: [BRUNO] });
    await putTesters([]).expect(200, { psids: [] });
    expect((await t.db.collection('pages').findOne({ pageId: PAGE_ID }))!.testers).toEqual([]);
  });

  it.each([
    [
      Array.from({ length: 11 }, (_, i) => String(100 + i)),
      [{ field: 'psids', reason: 'must hold at most 10 testers' }],
    ],
    [[ANA, '0123'], [{ field: 'psids[1]', reason: 'must be digits without a leading zero' }]],
    [[ANA, 'abc'], [{ field: 'psids[1]', reason: 'must be digits' }]],
    [[Number(ANA)], [{ field: 'psids[0]', reason: 'must be a string of digits' }]],
    [[ANA, BRUNO, ANA], [{ field: 'psids[2]', reason: 'repeats psids[0]' }]],
    ['6543210987654321', [{ field: 'psids', reason: 'must be an array' }]],
  ])('refuses %j with a 400 naming the item, keeping the stored list', async (psids, details) => {
    await putTesters([CHLOE]).expect(200);
    const { body } = await putTesters(psids).expect(400);
    expect(body.details).toEqual(details);
    await t
      .http()
      .get(testersOf())
      .set(auth)
      .expect(200, { psids: [CHLOE] });
  });

  it('answers 404 for an unknown Page', async () => {
    await t.http().get(testersOf('999')).set(auth).expect(404);
    await putTesters([ANA], '999').expect(404);
  });

  it('test-sends to every tester and answers each result; each got their own message', async () => {
    t.sandbox!.sandbox.setScenario({ errorsByPsid: { [BRUNO]: { code: 551, subcode: 1545041 } } });
    await putTesters([ANA, BRUNO, STRANGER, CHLOE]).expect(200);
    const id = await createCampaign();

    const { body } = await post(`/campaigns/${id}/test-send`, { testers: true }).expect(200);
    expect(body).toEqual({
      messageVersion: 1,
      results: [
        { psid: ANA, ok: true, messageId: expect.stringMatching(/^m_/) },
        {
          psid: BRUNO,
          ok: false,
          error: expect.objectContaining({
            code: 551,
            subcode: 1545041,
            class: 'permanent',
            reason: 'graph_551_1545041',
          }),
        },
        {
          psid: STRANGER,
          ok: false,
          error: { reason: 'unknown_user', message: expect.stringContaining(STRANGER) },
        },
        { psid: CHLOE, ok: true, messageId: expect.stringMatching(/^m_/) },
      ],
    });

    const expected = (psid: string, text: string) => ({
      recipient: { id: psid },
      messaging_type: 'UPDATE',
      message: { text },
    });
    expect(messagesTo(ANA)).toEqual([expected(ANA, 'Hi Ana, the Lyon store is open')]);
    expect(messagesTo(BRUNO)).toEqual([expected(BRUNO, 'Hi Bruno, the Lyon store is open')]);
    expect(messagesTo(CHLOE)).toEqual([expected(CHLOE, 'Hi Chloé, the Nice store is open')]);
    // Not a user of the Page: no Graph call.
    expect(messagesTo(STRANGER)).toEqual([]);
    expect(t.sandbox!.sandbox.requests({ endpoint: 'messages' })).toHaveLength(3);

    const recorded = await t.db
      .collection('campaign_test_sends')
      .find({ campaignId: id }, { projection: { _id: 0, psid: 1, ok: 1, messageVersion: 1 } })
      .sort({ psid: 1 })
      .toArray();
    expect(recorded).toEqual([
      { psid: ANA, ok: true, messageVersion: 1 },
      { psid: BRUNO, ok: false, messageVersion: 1 },
      { psid: CHLOE, ok: true, messageVersion: 1 },
    ]);
  });

  it('unlocks publish when one tester succeeds among failures, and not when none does', async () => {
    t.sandbox!.sandbox.setScenario({
      errorsByPsid: { [BRUNO]: { code: 551, subcode: 1545041 } },
      outsideWindowPsids: [CHLOE],
    });
    await putTesters([BRUNO, STRANGER, CHLOE]).expect(200);
    const untested = await createCampaign({ name: 'All fail' });
    const failed = (await post(`/campaigns/${untested}/test-send`, { testers: true }).expect(200))
      .body.results;
    expect(failed.map((result: { ok: boolean }) => result.ok)).toEqual([false, false, false]);
    expect(failed[2].error).toMatchObject({ code: 10, subcode: 2018278, reason: 'window_closed' });
    expect((await post(`/campaigns/${untested}/publish`).expect(409)).body.error).toBe(
      'test_send_required',
    );

    await putTesters([BRUNO, STRANGER, CHLOE, ANA]).expect(200);
    const id = await createCampaign({ name: 'One succeeds' });
    const results = (await post(`/campaigns/${id}/test-send`, { testers: true }).expect(200)).body
      .results;
    expect(results.map((result: { ok: boolean }) => result.ok)).toEqual([
      false,
      false,
      false,
      true,
    ]);
    expect((await post(`/campaigns/${id}/publish`).expect(200)).body.status).toBe('scheduled');
  });

  it('answers 409 no_testers for a Page without testers, before any call', async () => {
    const otherSegment = (
      await post(`/pages/${OTHER_PAGE}/segments`, {
        name: 'Everyone',
        rules: { attribute: 'psid', op: 'exists', value: true },
      }).expect(201)
    ).body.id;
    const id = (
      await post(`/pages/${OTHER_PAGE}/campaigns`, {
        name: 'No testers',
        segmentId: otherSegment,
        message: { kind: 'text', text: 'Hi' },
      }).expect(201)
    ).body.id;
    const { body } = await post(`/campaigns/${id}/test-send`, { testers: true }).expect(409);
    expect(body).toMatchObject({ statusCode: 409, error: 'no_testers' });
    expect(t.sandbox!.sandbox.requests()).toHaveLength(0);
  });

  it('answers no_token for each tester of an OTN campaign asked to spend a token', async () => {
    await putTesters([ANA, BRUNO]).expect(200);
    const id = await createCampaign({ name: 'OTN', delivery: { policy: 'otn', topic: 'restock' } });
    const { body } = await post(`/campaigns/${id}/test-send`, {
      testers: true,
      useToken: true,
    }).expect(200);
    expect(body.results).toEqual([
      { psid: ANA, ok: false, error: { reason: 'no_token', message: expect.any(String) } },
      { psid: BRUNO, ok: false, error: { reason: 'no_token', message: expect.any(String) } },
    ]);
    expect(t.sandbox!.sandbox.requests()).toHaveLength(0);
  });

  it.each([
    [{}, 'testers', 'must be true when psid is left out'],
    [{ testers: false }, 'testers', 'must be true when psid is left out'],
    [{ psid: ANA, testers: true }, 'testers', 'must be left out when psid is given'],
    [{ testers: 'yes' }, 'testers', 'must be a boolean value'],
    [{ psid: '0123' }, 'psid', 'must be a PSID: digits without a leading zero'],
    [{ psid: 123 }, 'psid', 'must be a PSID: digits without a leading zero'],
  ])('refuses the test-send body %j, naming %s', async (input, field, reason) => {
    const id = await createCampaign({ name: 'Bad body' });
    const { body } = await post(`/campaigns/${id}/test-send`, input).expect(400);
    expect(body.details).toEqual([{ field, reason }]);
    expect(t.sandbox!.sandbox.requests()).toHaveLength(0);
  });

  it('still sends to one PSID, with testers: false beside it', async () => {
    const id = await createCampaign({ name: 'Single' });
    const { body } = await post(`/campaigns/${id}/test-send`, {
      psid: ANA,
      testers: false,
    }).expect(200);
    expect(body).toMatchObject({
      ok: true,
      messageVersion: 1,
      request: { recipient: { id: ANA } },
    });
    const unknown = await post(`/campaigns/${id}/test-send`, { psid: STRANGER }).expect(404);
    expect(unknown.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });
});
