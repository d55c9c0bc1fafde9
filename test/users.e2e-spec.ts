/** The users API and the webhook capture hook (issue 3, items 2 and 3). */
import { UsersService } from '../src/audience/users.service';
import { auth, createTestApp, type TestApp } from './harness/app';
import { importCsv, PAGE_ID, registerPage } from './harness/audience';

describe('users API', () => {
  let t: TestApp;
  const path = (psid: string) => `/api/pages/${PAGE_ID}/users/${psid}`;
  beforeAll(async () => {
    t = await createTestApp({ sandbox: false });
    await registerPage(t);
  });
  afterAll(() => t.close());

  it('creates a user with PUT (source api) and reads it back', async () => {
    const { body } = await t
      .http()
      .put(path('111'))
      .set(auth)
      .send({
        firstName: 'Ana',
        attributes: { city: 'Lyon', orders: 3, vip: true, signed_up: '2026-01-15' },
      })
      .expect(200);
    expect(body).toMatchObject({
      pageId: PAGE_ID,
      psid: '111',
      firstName: 'Ana',
      source: 'api',
      suppressed: false,
      attributes: { city: 'Lyon', orders: 3, vip: true, signed_up: '2026-01-15T00:00:00.000Z' },
    });
    expect((await t.http().get(path('111')).set(auth).expect(200)).body).toEqual(body);
    expect(
      (await t.db.collection('users').findOne({ psid: '111' }))!.attributes.signed_up,
    ).toBeInstanceOf(Date);
  });

  it('replaces fields and attributes on PUT, merges on PATCH, and null removes', async () => {
    await t
      .http()
      .put(path('111'))
      .set(auth)
      .send({ lastName: 'Martin', attributes: { city: 'Paris' } })
      .expect(200);
    let user = (await t.http().get(path('111')).set(auth)).body;
    expect(user).not.toHaveProperty('firstName');
    expect(user).toMatchObject({ lastName: 'Martin', attributes: { city: 'Paris' } });
    expect(user.attributes).not.toHaveProperty('orders');
    user = (
      await t
        .http()
        .patch(path('111'))
        .set(auth)
        .send({ firstName: 'Ana', attributes: { orders: 5, city: null } })
        .expect(200)
    ).body;
    expect(user).toMatchObject({ firstName: 'Ana', lastName: 'Martin', attributes: { orders: 5 } });
    expect(user.attributes).not.toHaveProperty('city');
  });

  it('keeps the original source and webhook facts when the API or a later import writes', async () => {
    const users = t.app.get(UsersService);
    await users.recordInbound(PAGE_ID, '222', new Date('2026-11-22T09:00:00Z'));
    await t
      .http()
      .put(path('222'))
      .set(auth)
      .send({ attributes: { city: 'Nice' } })
      .expect(200);
    await importCsv(t, 'psid,city\n222,Lille\n');
    const user = (await t.http().get(path('222')).set(auth).expect(200)).body;
    expect(user).toMatchObject({
      source: 'webhook',
      lastInboundAt: '2026-11-22T09:00:00.000Z',
      attributes: { city: 'Lille' },
    });
  });

  it('suppresses a user through the API', async () => {
    expect(
      (await t.http().patch(path('111')).set(auth).send({ suppressed: true }).expect(200)).body
        .suppressed,
    ).toBe(true);
  });

  it.each([
    [{ attributes: { 'home.city': 'Lyon' } }, 'attributes.home.city', /not a valid attribute name/],
    [{ attributes: { $where: 'x' } }, 'attributes.$where', /not a valid attribute name/],
    [{ attributes: { constructor: 1 } }, 'attributes.constructor', /not an allowed key/],
    [{ attributes: { tags: ['a'] } }, 'attributes.tags', /must be a string/],
    [{ attributes: { nested: { a: 1 } } }, 'attributes.nested', /must be a string/],
    [{ locale: 'French' }, 'locale', /locale like fr_FR/],
    [{ psid: '999' }, 'psid', /not an allowed field/],
  ])('refuses %j with the field and reason', async (input, field, reason) => {
    const { body } = await t.http().put(path('333')).set(auth).send(input).expect(400);
    expect(body.details).toEqual(
      expect.arrayContaining([{ field, reason: expect.stringMatching(reason) }]),
    );
    await t.http().get(path('333')).set(auth).expect(404);
  });

  it('refuses a prototype-polluting body without storing anything', async () => {
    const raw = '{"attributes": {"__proto__": {"polluted": true}}}';
    const { body } = await t
      .http()
      .put(path('334'))
      .set(auth)
      .set('Content-Type', 'application/json')
      .send(raw)
      .expect(400);
    expect(body.details[0]).toMatchObject({ field: 'attributes.__proto__' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('validates the PSID and answers 404 for an unknown user or Page', async () => {
    expect((await t.http().get(path('12ab')).set(auth).expect(400)).body.details).toEqual([
      { field: 'psid', reason: 'must be a PSID: digits without a leading zero' },
    ]);
    await t.http().get(path('999999')).set(auth).expect(404);
    await t.http().patch(path('999999')).set(auth).send({ firstName: 'x' }).expect(404);
    await t.http().put('/api/pages/999/users/1').set(auth).send({}).expect(404);
  });

  it('deletes a user', async () => {
    await t.http().delete(path('111')).set(auth).expect(204);
    await t.http().get(path('111')).set(auth).expect(404);
    await t.http().delete(path('111')).set(auth).expect(404);
  });

  it('pages through users by cursor and filters by segment', async () => {
    await t.db.collection('users').deleteMany({});
    await importCsv(
      t,
      `psid,city\n${Array.from({ length: 25 }, (_, index) => `${5000 + index},${index % 2 ? 'Lyon' : 'Nice'}`).join('\n')}\n`,
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const { body }: { body: { items: { psid: string }[]; nextCursor: string | null } } = await t
        .http()
        .get(`/api/pages/${PAGE_ID}/users`)
        .query({ limit: 10, ...(cursor ? { cursor } : {}) })
        .set(auth)
        .expect(200);
      seen.push(...body.items.map((item) => item.psid));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(Array.from({ length: 25 }, (_, index) => String(5000 + index)));

    const segment = await t
      .http()
      .post(`/api/pages/${PAGE_ID}/segments`)
      .set(auth)
      .send({ name: 'Lyon', rules: { attribute: 'city', op: 'eq', value: 'Lyon' } })
      .expect(201);
    const { body } = await t
      .http()
      .get(`/api/pages/${PAGE_ID}/users`)
      .query({ segmentId: segment.body.id, limit: 100 })
      .set(auth)
      .expect(200);
    expect(body.items).toHaveLength(12);
    expect(
      body.items.every((item: { attributes: { city: string } }) => item.attributes.city === 'Lyon'),
    ).toBe(true);
    await t.http().get(`/api/pages/${PAGE_ID}/users`).query({ limit: 501 }).set(auth).expect(400);
  });

  it("lists the attributes of the Page's users with their type and examples", async () => {
    await t.db.collection('users').deleteMany({});
    await importCsv(
      t,
      'psid,locale,timezone,city,orders:number,vip:boolean,signed_up:date\n' +
        '8100,fr_FR,Europe/Paris,Lyon,3,yes,2026-01-15\n8101,en_GB,,Nice,5,no,\n' +
        '8102,fr_FR,Europe/Paris,Lyon,,,\n',
    );
    const { body } = await t.http().get(`/api/pages/${PAGE_ID}/attributes`).set(auth).expect(200);
    expect(body).toEqual({
      sampled: 3,
      items: [
        { name: 'city', type: 'string', users: 3, examples: ['Lyon', 'Nice'] },
        { name: 'orders', type: 'number', users: 2, examples: [5, 3] },
        { name: 'signed_up', type: 'date', users: 1, examples: ['2026-01-15T00:00:00.000Z'] },
        { name: 'vip', type: 'boolean', users: 2, examples: [false, true] },
      ],
      builtIns: { locale: ['en_GB', 'fr_FR'], timezone: ['Europe/Paris'] },
    });
    await t.http().get('/api/pages/999/attributes').set(auth).expect(404);
  });

  it('searches users by the first digits of their PSID or by name, ignoring case and accents', async () => {
    await t.db.collection('users').deleteMany({});
    await importCsv(
      t,
      'psid,first_name,last_name,city\n' +
        '7100,Léa,Dupont,Lyon\n7101,LEA,Martin,Nice\n7102,Hugo,Léandri,Lyon\n' +
        '7200,Camille,Dupont,Nice\n7201,Chloé,Petit,Lyon\n',
    );
    const search = async (q: string, more: Record<string, string> = {}) =>
      (
        await t
          .http()
          .get(`/api/pages/${PAGE_ID}/users`)
          .query({ q, ...more })
          .set(auth)
          .expect(200)
      ).body.items
        .map((item: { psid: string }) => item.psid)
        .sort();
    expect(await search('71')).toEqual(['7100', '7101', '7102']);
    expect(await search('7201')).toEqual(['7201']);
    // A first or last name containing the word: Léa, LEA and Léandri.
    expect(await search('lea')).toEqual(['7100', '7101', '7102']);
    expect(await search('léa dupont')).toEqual(['7100']);
    expect(await search('CHLOE')).toEqual(['7201']);
    expect(await search('.*')).toEqual([]);
    const segment = await t
      .http()
      .post(`/api/pages/${PAGE_ID}/segments`)
      .set(auth)
      .send({ name: 'Lyon only', rules: { attribute: 'city', op: 'eq', value: 'Lyon' } })
      .expect(201);
    expect(await search('lea', { segmentId: segment.body.id })).toEqual(['7100', '7102']);
    const tooLong = await t
      .http()
      .get(`/api/pages/${PAGE_ID}/users`)
      .query({ q: 'x'.repeat(101) })
      .set(auth)
      .expect(400);
    expect(tooLong.body.details[0].field).toBe('q');
  });
});

describe('recordInbound: the webhook capture hook', () => {
  let t: TestApp;
  let users: UsersService;
  beforeAll(async () => {
    t = await createTestApp({ sandbox: false });
    await registerPage(t);
    users = t.app.get(UsersService);
  });
  afterAll(() => t.close());

  const stored = (psid: string) => t.db.collection('users').findOne({ pageId: PAGE_ID, psid });

  it('creates a new user with source webhook and the inbound time', async () => {
    await users.recordInbound(PAGE_ID, '700', new Date('2026-11-23T10:00:00Z'));
    expect(await stored('700')).toMatchObject({
      source: 'webhook',
      suppressed: false,
      attributes: {},
      lastInboundAt: new Date('2026-11-23T10:00:00Z'),
    });
  });

  it('moves lastInboundAt forward, never back', async () => {
    await users.recordInbound(PAGE_ID, '700', new Date('2026-11-23T09:00:00Z'));
    expect((await stored('700'))!.lastInboundAt).toEqual(new Date('2026-11-23T10:00:00Z'));
    await users.recordInbound(PAGE_ID, '700', new Date('2026-11-23T11:00:00Z'));
    expect((await stored('700'))!.lastInboundAt).toEqual(new Date('2026-11-23T11:00:00Z'));
  });

  it('opens the 7-day window for a message from an ad', async () => {
    await users.recordInbound(PAGE_ID, '701', new Date('2026-11-23T10:00:00Z'), { fromAd: true });
    expect(await stored('701')).toMatchObject({ adReferralAt: new Date('2026-11-23T10:00:00Z') });
  });

  it("keeps an imported user's attributes and source", async () => {
    await importCsv(t, 'psid,city\n702,Lyon\n');
    await users.recordInbound(PAGE_ID, '702', new Date('2026-11-23T10:00:00Z'));
    expect(await stored('702')).toMatchObject({
      source: 'csv',
      attributes: { city: 'Lyon' },
      lastInboundAt: new Date('2026-11-23T10:00:00Z'),
    });
  });

  // Only the creation is guaranteed under concurrency: SPEC §8 has one writer per document,
  // and FerretDB's updates are read-modify-write, so the webhook feeds one PSID's events in order.
  it('creates one user when the first messages of a PSID arrive at once', async () => {
    await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        users.recordInbound(PAGE_ID, '703', new Date(Date.UTC(2026, 10, 23, 10, index))),
      ),
    );
    expect(await t.db.collection('users').countDocuments({ pageId: PAGE_ID, psid: '703' })).toBe(1);
    expect(await stored('703')).toMatchObject({
      source: 'webhook',
      lastInboundAt: expect.any(Date),
    });
  });
});
