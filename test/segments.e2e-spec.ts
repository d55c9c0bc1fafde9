/** Segments: saved rule trees, preview with reachability, and rule errors with their path. */
import { Types } from 'mongoose';
import { auth, createTestApp, type TestApp } from './harness/app';
import { importCsv, PAGE_ID, PAGE_TOKEN, registerPage } from './harness/audience';
import { createCampaign, createSegment, ENGINE_ENV, forcePublish } from './harness/campaigns';
import { eventually } from './harness/eventually';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('segments', () => {
  let t: TestApp;
  const base = `/api/pages/${PAGE_ID}/segments`;
  beforeAll(async () => {
    t = await createTestApp({ sandbox: false });
    await registerPage(t);
    const now = Date.now();
    const iso = (ms: number) => new Date(now - ms).toISOString();
    // 9 users in Lyon or Paris with orders, VIP flags and windows in every state.
    await importCsv(
      t,
      [
        'psid,first_name,city,orders:number,vip:boolean,last_inbound_at,signed_up:date',
        `1,Ana,Lyon,5,true,${iso(HOUR)},2026-01-10`, // Lyon, window open
        `2,Bo,Lyon,3,false,${iso(2 * DAY)},2026-03-01`, // Lyon, window closed
        `3,Cy,Lyon,1,true,${iso(3 * DAY)},2026-05-01`, // Lyon, few orders, VIP
        `4,Di,Lyon,4,false,,2026-07-01`, // Lyon, never wrote
        `5,Ed,Paris,9,true,${iso(HOUR)},2026-09-01`, // Paris
        `6,Fa,Lyon,6,false,${iso(2 * HOUR)},`, // Lyon, window open, will be suppressed
        `7,Gu,Lyon,3,false,,`, // Lyon, came from an ad 3 days ago
        '8,Hu,Lyon (Part-Dieu),3,false,,',
        '9,[Ivy],Lyon.*,3,false,,',
      ].join('\n'),
    );
    await t.db.collection('users').updateOne({ psid: '6' }, { $set: { suppressed: true } });
    await t.db
      .collection('users')
      .updateOne({ psid: '7' }, { $set: { adReferralAt: new Date(now - 3 * DAY) } });
  });
  afterAll(() => t.close());

  const create = (rules: unknown, name = 'Segment') =>
    t.http().post(base).set(auth).send({ name, rules });
  /** The saved segment's preview, checked equal to the preview of the same rules unsaved. */
  const preview = async (rules: unknown) => {
    const { body } = await create(rules).expect(201);
    const saved = (await t.http().get(`${base}/${body.id}/preview`).set(auth).expect(200)).body;
    const unsaved = await t.http().post(`${base}/preview`).set(auth).send({ rules }).expect(200);
    expect(unsaved.body).toEqual(saved);
    return saved;
  };
  const psids = (sample: { psid: string }[]) => sample.map((user) => user.psid).sort();

  it('saves, gets, lists, updates and deletes a segment', async () => {
    const rules = {
      all: [
        { attribute: 'city', op: 'eq', value: 'Lyon' },
        { attribute: 'orders', op: 'gte', value: 3 },
      ],
    };
    const created = (await create(rules, 'Lyon regulars').expect(201)).body;
    expect(created).toMatchObject({
      id: expect.stringMatching(/^[a-f0-9]{24}$/),
      pageId: PAGE_ID,
      name: 'Lyon regulars',
      rules,
    });
    expect((await t.http().get(`${base}/${created.id}`).set(auth).expect(200)).body).toEqual(
      created,
    );
    expect(
      (await t.http().get(base).set(auth).expect(200)).body.items.map(
        (segment: { id: string }) => segment.id,
      ),
    ).toContain(created.id);
    const renamed = (
      await t
        .http()
        .patch(`${base}/${created.id}`)
        .set(auth)
        .send({ name: 'Lyon fans' })
        .expect(200)
    ).body;
    expect(renamed).toMatchObject({ name: 'Lyon fans', rules });
    await t.http().delete(`${base}/${created.id}`).set(auth).expect(204);
    await t.http().get(`${base}/${created.id}`).set(auth).expect(404);
  });

  it('previews the SPEC example: count, reachable now, and a sample', async () => {
    const result = await preview({
      all: [
        { attribute: 'psid', op: 'exists', value: true },
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
    expect(result.count).toBe(3); // 1 (vip), 2 (wrote 2 days ago), 6 (wrote 2 hours ago)
    expect(psids(result.sample)).toEqual(['1', '2', '6']);
    expect(result.reachable).toBe(1); // 2's window closed, 6 suppressed
    expect(result.sample[0]).toMatchObject({ pageId: PAGE_ID, attributes: expect.any(Object) });
  });

  it('previews unsaved rules without storing anything, and refuses bad ones as a save would', async () => {
    const before = await t.db.collection('segments').countDocuments();
    const { body } = await t
      .http()
      .post(`${base}/preview`)
      .set(auth)
      .send({ rules: { attribute: 'city', op: 'eq', value: 'Lyon' }, sampleSize: 0 })
      .expect(200);
    expect(body).toMatchObject({ count: expect.any(Number), sample: [] });
    const refused = await t
      .http()
      .post(`${base}/preview`)
      .set(auth)
      .send({ rules: { all: [{ attribute: 'orders', op: 'gte', value: 'three' }] } })
      .expect(400);
    expect(refused.body.details[0].field).toBe('rules.all[0].value');
    await t
      .http()
      .post(`${base}/preview`)
      .set(auth)
      .send({ rules: { attribute: 'city', op: 'eq', value: 'x' }, sampleSize: 51 })
      .expect(400);
    await t
      .http()
      .post(`/api/pages/999/segments/preview`)
      .set(auth)
      .send({ rules: {} })
      .expect(404);
    expect(await t.db.collection('segments').countDocuments()).toBe(before);
  });

  it('counts the 7-day ad window as reachable', async () => {
    const result = await preview({ attribute: 'psid', op: 'in', value: ['7', '4'] });
    expect(result).toMatchObject({ count: 2, reachable: 1 });
  });

  it.each([
    [{ attribute: 'city', op: 'ne', value: 'Lyon' }, ['5', '8', '9']],
    [{ attribute: 'city', op: 'nin', value: ['Lyon', 'Paris'] }, ['8', '9']],
    [{ attribute: 'orders', op: 'lt', value: 3 }, ['3']],
    [{ attribute: 'firstName', op: 'startsWith', value: 'a' }, ['1']],
    [{ attribute: 'city', op: 'contains', value: '.*' }, ['9']],
    [{ attribute: 'city', op: 'contains', value: '(part' }, ['8']],
    [{ attribute: 'signed_up', op: 'before', value: '2026-04-01' }, ['1', '2']],
    [{ attribute: 'signed_up', op: 'after', value: '2026-06-01' }, ['4', '5']],
    [{ attribute: 'signed_up', op: 'exists', value: false }, ['6', '7', '8', '9']],
    [{ not: { attribute: 'vip', op: 'eq', value: false } }, ['1', '3', '5']],
    [{ attribute: 'lastInboundAt', op: 'withinLastDays', value: 1 }, ['1', '5', '6']],
  ])('%j selects %j', async (rules, expected) => {
    const result = await preview(rules);
    expect(psids(result.sample)).toEqual(expected);
  });

  it.each([
    [{ all: [{ attribute: 'city', op: 'matches', value: 'x' }] }, 'rules.all[0].op'],
    [{ attribute: 'orders', op: 'gte', value: '3' }, 'rules.value'],
    [{ attribute: 'a.b', op: 'eq', value: 1 }, 'rules.attribute'],
    [{ attribute: '$where', op: 'eq', value: 1 }, 'rules.attribute'],
    [{ $where: 'sleep(100)' }, 'rules'],
    [
      { attribute: 'city', op: 'eq', value: { $function: { body: 'x', args: [], lang: 'js' } } },
      'rules.value',
    ],
    [
      {
        any: [
          {
            all: [
              { any: [{ all: [{ any: [{ all: [{ attribute: 'a', op: 'eq', value: 1 }] }] }] }] },
            ],
          },
        ],
      },
      'rules.any[0].all[0].any[0].all[0].any[0]',
    ],
  ])('refuses %j with 400 naming %s', async (rules, field) => {
    const { body } = await create(rules).expect(400);
    expect(body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  });

  it('refuses __proto__ in rules before anything else sees it', async () => {
    const raw = `{"name": "x", "rules": {"all": [{"attribute": "city", "op": "eq", "value": 1, "__proto__": {"op": "eq"}}]}}`;
    const { body } = await t
      .http()
      .post(base)
      .set(auth)
      .set('Content-Type', 'application/json')
      .send(raw)
      .expect(400);
    expect(body.details).toEqual([
      { field: 'rules.all[0].__proto__', reason: 'is not an allowed key' },
    ]);
  });

  it('refuses invalid rules on update and keeps the stored ones', async () => {
    const created = (await create({ attribute: 'city', op: 'eq', value: 'Lyon' }).expect(201)).body;
    await t
      .http()
      .patch(`${base}/${created.id}`)
      .set(auth)
      .send({ rules: { attribute: 'city', op: 'like', value: 'x' } })
      .expect(400);
    expect((await t.http().get(`${base}/${created.id}`).set(auth).expect(200)).body.rules).toEqual(
      created.rules,
    );
  });

  it('answers 404 for an unknown segment or Page, 400 for a malformed id', async () => {
    await t.http().get(`${base}/0123456789abcdef01234567/preview`).set(auth).expect(404);
    await t.http().get(`${base}/nope`).set(auth).expect(400);
    await t
      .http()
      .post('/api/pages/999/segments')
      .set(auth)
      .send({ name: 'x', rules: { attribute: 'a', op: 'exists', value: true } })
      .expect(404);
  });

  describe('updates and deletion (issue 7, item 4)', () => {
    const segmentRules = { attribute: 'city', op: 'eq', value: 'Lyon' };
    const campaignOf = async (segmentId: string, status: string) =>
      (
        await t.db.collection('campaigns').insertOne({
          pageId: PAGE_ID,
          name: 'Restock',
          segmentId,
          message: { kind: 'text', text: 'Hi' },
          messageVersion: 1,
          delivery: { policy: 'window' },
          schedule: { type: 'now' },
          ratePerSecond: 40,
          maxErrors: 1000,
          status,
        })
      ).insertedId.toString();

    it.each([[{ rules: null }], [{ name: null }]])(
      'refuses %j with 400 and previews as before',
      async (input) => {
        const created = (await create(segmentRules).expect(201)).body;
        const { body } = await t
          .http()
          .patch(`${base}/${created.id}`)
          .set(auth)
          .send(input)
          .expect(400);
        expect(body.details).toEqual([expect.objectContaining({ field: Object.keys(input)[0] })]);
        expect(
          (await t.http().get(`${base}/${created.id}/preview`).set(auth).expect(200)).body.count,
        ).toBe(6);
      },
    );

    it('answers 409, not 500, when stored rules no longer compile', async () => {
      const created = (await create(segmentRules).expect(201)).body;
      await t.db
        .collection('segments')
        .updateOne({ _id: new Types.ObjectId(created.id) }, { $set: { rules: null } });
      const { body } = await t.http().get(`${base}/${created.id}/preview`).set(auth);
      expect(body).toMatchObject({ statusCode: 409, error: 'segment_rules_invalid' });
    });

    it('refuses to delete a segment a live campaign targets, naming the campaigns', async () => {
      const created = (await create(segmentRules).expect(201)).body;
      const draft = await campaignOf(created.id, 'draft');
      const running = await campaignOf(created.id, 'running');
      await campaignOf(created.id, 'completed');
      const { body } = await t.http().delete(`${base}/${created.id}`).set(auth).expect(409);
      expect(body).toMatchObject({ error: 'segment_in_use' });
      expect([...body.campaignIds].sort()).toEqual([draft, running].sort());

      // A run keeps the rules it started with, so the rules may change under a running campaign.
      await t
        .http()
        .patch(`${base}/${created.id}`)
        .set(auth)
        .send({ rules: { attribute: 'city', op: 'eq', value: 'Paris' } })
        .expect(200);

      await t.db
        .collection('campaigns')
        .updateMany({ segmentId: created.id }, { $set: { status: 'cancelled' } });
      await t.http().delete(`${base}/${created.id}`).set(auth).expect(204);
    });
  });
});

describe('a run and the segment it started from (issue 7, item 4)', () => {
  const LYON = ['7100000000000001', '7100000000000002'];
  const PARIS = ['7200000000000001', '7200000000000002'];
  const lyonRules = { attribute: 'city', op: 'eq', value: 'Lyon' };
  const parisRules = { attribute: 'city', op: 'eq', value: 'Paris' };
  // The engine is off here: a published run waits until the worker below starts.
  let api: TestApp;
  let worker: TestApp | undefined;
  const get = async (path: string) =>
    (await api.http().get(`/api${path}`).set(auth).expect(200)).body;

  beforeAll(async () => {
    api = await createTestApp({
      sandbox: { pages: [{ pageId: PAGE_ID, accessToken: PAGE_TOKEN }] },
    });
    await registerPage(api);
    const recent = new Date(Date.now() - HOUR).toISOString();
    await importCsv(
      api,
      [
        'psid,first_name,city,last_inbound_at',
        ...LYON.map((psid) => `${psid},L,Lyon,${recent}`),
        ...PARIS.map((psid) => `${psid},P,Paris,${recent}`),
      ].join('\n'),
    );
  });
  afterAll(async () => {
    // Only the API's close drops the shared database.
    await worker?.app.close();
    await api.close();
  });

  it('sends to the users the rules matched at publish, though the segment was changed to match others before sending', async () => {
    const segmentId = await createSegment(api, lyonRules, 'Lyon');
    const campaignId = await createCampaign(api, segmentId);
    await forcePublish(api, campaignId);
    expect(api.sandbox!.sandbox.requests({ endpoint: 'messages' })).toHaveLength(0);

    await api
      .http()
      .patch(`/api/pages/${PAGE_ID}/segments/${segmentId}`)
      .set(auth)
      .send({ rules: parisRules })
      .expect(200);
    const now = await get(`/pages/${PAGE_ID}/segments/${segmentId}/preview`);
    expect(now.sample.map((user: { psid: string }) => user.psid).sort()).toEqual(PARIS);
    const [run] = (await get(`/campaigns/${campaignId}/runs`)).items;
    expect(run.segmentRules).toEqual(lyonRules);

    // A worker starts only now, after the change: it must send to the run's audience.
    worker = await createTestApp({
      sandbox: false,
      env: { ...ENGINE_ENV, MONGODB_URI: api.config.mongodbUri, GRAPH_API_URL: api.sandbox!.url },
    });
    await eventually(
      () => get(`/campaigns/${campaignId}`),
      (campaign) => campaign.status === 'completed',
    );
    const deliveries = (await get(`/campaigns/${campaignId}/deliveries`)).items;
    expect(deliveries.map((item: { psid: string }) => item.psid).sort()).toEqual(LYON);
    expect(await get(`/campaigns/${campaignId}/stats`)).toMatchObject({ audience: 2, sent: 2 });
    const recipients = api
      .sandbox!.sandbox.requests({ endpoint: 'messages' })
      .map((request) => (request.body as { recipient: { id: string } }).recipient.id);
    expect(recipients.sort()).toEqual(LYON);
  });
});
