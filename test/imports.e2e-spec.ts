/** CSV import through the real HTTP API and database (SPEC §7, issue 3). */
import { auth, createTestApp, type TestApp } from './harness/app';
import { importCsv, PAGE_ID, registerPage } from './harness/audience';

describe('CSV import', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ sandbox: false, env: { IMPORT_MAX_BYTES: '4096' } });
    await registerPage(t);
  });
  afterAll(() => t.close());
  beforeEach(() => t.db.collection('users').deleteMany({}));

  const user = (psid: string) => t.http().get(`/api/pages/${PAGE_ID}/users/${psid}`).set(auth);

  it('imports typed columns and built-ins, reporting counts', async () => {
    const csv =
      'psid,first_name,last_name,locale,timezone,last_inbound_at,city,age:number,vip:boolean,signed_up:date\n' +
      '1001,Ana,Martin,fr_FR,Europe/Paris,2026-11-20T10:00:00Z,Lyon,42,true,2026-01-15\n' +
      '1002,Bo,,en_US,,,Paris,7,no,\n';
    const { body } = await importCsv(t, csv);
    expect(body).toMatchObject({
      status: 'completed',
      rowsProcessed: 2,
      counts: { rows: 2, inserted: 2, updated: 0, unchanged: 0, invalid: 0 },
      errors: [],
    });
    const ana = (await user('1001').expect(200)).body;
    expect(ana).toMatchObject({
      psid: '1001',
      firstName: 'Ana',
      lastName: 'Martin',
      locale: 'fr_FR',
      timezone: 'Europe/Paris',
      lastInboundAt: '2026-11-20T10:00:00.000Z',
      source: 'csv',
      suppressed: false,
      attributes: { city: 'Lyon', age: 42, vip: true, signed_up: '2026-01-15T00:00:00.000Z' },
    });
    const bo = (await user('1002').expect(200)).body;
    expect(bo.attributes).toEqual({ city: 'Paris', age: 7, vip: false });
    expect(bo).not.toHaveProperty('lastName');
    const stored = await t.db.collection('users').findOne({ psid: '1001' });
    expect(stored!.attributes.signed_up).toBeInstanceOf(Date);
    expect(stored!.lastInboundAt).toBeInstanceOf(Date);
  });

  it('reads a UTF-8 BOM, ; separators, CRLF, quoted fields and empty lines', async () => {
    const csv =
      '\uFEFFPSID;city;note;spend:number\r\n2001;"Lyon; Part-Dieu";"He said ""hi"", then left";12,5\r\n\r\n2002;Paris;"two\r\nlines";3\r\n';
    const { body } = await importCsv(t, csv);
    expect(body).toMatchObject({
      status: 'completed',
      counts: { rows: 2, inserted: 2, invalid: 0 },
    });
    expect((await user('2001').expect(200)).body.attributes).toEqual({
      city: 'Lyon; Part-Dieu',
      note: 'He said "hi", then left',
      spend: 12.5,
    });
    expect((await user('2002').expect(200)).body.attributes).toEqual({
      city: 'Paris',
      note: 'two\r\nlines',
      spend: 3,
    });
  });

  it('reads quoted commas in a ,-separated file with ps_id as the PSID column', async () => {
    const { body } = await importCsv(t, 'ps_id,city\n3001,"Lyon, France"\n');
    expect(body.counts).toMatchObject({ inserted: 1 });
    expect((await user('3001').expect(200)).body.attributes).toEqual({ city: 'Lyon, France' });
  });

  it('reports each bad row with its line number and reason, and imports the rest', async () => {
    const csv = [
      'psid,age:number,vip:boolean', // line 1
      '4001,30,yes', // 2
      'abc,31,yes', // 3
      ',32,no', // 4
      '4004,old,yes', // 5
      '4005,33,maybe', // 6
      '4006,34,yes,extra', // 7
      '4007,35,no', // 8
      '4008,3"6,no', // 9: refused by the CSV parser itself
      '4009,37,no', // 10
    ].join('\n');
    const { body } = await importCsv(t, csv);
    expect(body.counts).toEqual({
      rows: 9,
      inserted: 3,
      updated: 0,
      unchanged: 0,
      invalid: 6,
      duplicates: 0,
    });
    // The first pass counted every row, the refused ones too: a progress bar's end.
    expect(body.rowsTotal).toBe(9);
    expect(body.errorCount).toBe(6);
    const byLine = (a: { line: number }, b: { line: number }) => a.line - b.line;
    expect(body.errors.sort(byLine)).toEqual([
      { line: 3, reason: 'psid must be digits' },
      { line: 4, reason: 'psid is missing' },
      { line: 5, reason: 'age:number: "old" is not a number' },
      { line: 6, reason: 'vip:boolean: "maybe" is not a boolean (true/false, yes/no, 1/0)' },
      { line: 7, reason: 'the row has 4 fields, the header has 3' },
      { line: 9, reason: expect.stringContaining('quote') },
    ]);
    await user('4001').expect(200);
    await user('4007').expect(200);
    await user('4009').expect(200);
  });

  it('counts line numbers across CRLF and blank lines', async () => {
    const { body } = await importCsv(t, 'psid,n:number\r\n5001,1\r\n\r\n5002,x\r\n', {
      as: 'body',
    });
    expect(body.errors).toEqual([{ line: 4, reason: 'n:number: "x" is not a number' }]);
  });

  it('lets the last row of a repeated PSID win, counted once', async () => {
    const { body } = await importCsv(
      t,
      'psid,city\n6001,Lyon\n6002,Nice\n6001,Paris\n6001,Lille\n',
    );
    expect(body.counts).toEqual({
      rows: 4,
      inserted: 2,
      updated: 0,
      unchanged: 0,
      invalid: 0,
      duplicates: 2,
    });
    expect((await user('6001').expect(200)).body.attributes).toEqual({ city: 'Lille' });
  });

  it('changes nothing when the same file is imported again', async () => {
    const csv =
      'psid,city,orders:number,signed_up:date\n7001,Lyon,3,2026-01-01\n7002,Nice,1,2026-02-01\n7001,Lille,4,2026-03-01\n';
    expect((await importCsv(t, csv)).body.counts).toMatchObject({ inserted: 2, duplicates: 1 });
    const before = await t.db
      .collection('users')
      .find({}, { sort: { psid: 1 } })
      .toArray();
    const { body } = await importCsv(t, csv);
    expect(body.counts).toEqual({
      rows: 3,
      inserted: 0,
      updated: 0,
      unchanged: 2,
      invalid: 0,
      duplicates: 1,
    });
    expect(
      await t.db
        .collection('users')
        .find({}, { sort: { psid: 1 } })
        .toArray(),
    ).toEqual(before);
  });

  it('updates only what differs, merging attributes and keeping webhook facts', async () => {
    await importCsv(t, 'psid,city,orders:number\n8001,Lyon,3\n');
    await t.db
      .collection('users')
      .updateOne({ psid: '8001' }, { $set: { lastInboundAt: new Date('2026-11-22T08:00:00Z') } });
    const { body } = await importCsv(t, 'psid,orders:number,tier\n8001,4,gold\n');
    expect(body.counts).toMatchObject({ updated: 1, inserted: 0 });
    const updated = (await user('8001').expect(200)).body;
    expect(updated.attributes).toEqual({ city: 'Lyon', orders: 4, tier: 'gold' });
    expect(updated.lastInboundAt).toBe('2026-11-22T08:00:00.000Z');
  });

  it('accepts a text/csv body', async () => {
    const { body } = await importCsv(t, 'psid\n9001\n', { as: 'body' });
    expect(body).toMatchObject({ status: 'completed', counts: { inserted: 1 } });
  });

  it('refuses a file without a PSID column, naming the header', async () => {
    const response = await importCsv(t, 'email,city\na@b.c,Lyon\n');
    expect(response.status).toBe(400);
    expect(response.body.details).toEqual([
      { field: 'header', reason: 'the file has no PSID column (psid, ps_id or PSID)' },
    ]);
  });

  it('refuses a header with a bad attribute name or type', async () => {
    const response = await importCsv(t, 'psid,home.city,age:int\n1,Lyon,3\n');
    expect(response.status).toBe(400);
    expect(response.body.details).toEqual([
      {
        field: 'header.2',
        reason: expect.stringContaining('home.city: "home.city" is not a valid attribute name'),
      },
      {
        field: 'header.3',
        reason: 'age:int: unknown type "int" (string, number, boolean or date)',
      },
    ]);
  });

  it('refuses a file that is not CSV text', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
    const response = await importCsv(t, png);
    expect(response.status).toBe(400);
    expect(response.body.details).toEqual([{ field: 'file', reason: 'is binary, not CSV text' }]);
    const latin1 = await importCsv(t, Buffer.from('psid,city\n1,Besan\xe7on\n', 'latin1'));
    expect(latin1.body.details).toEqual([{ field: 'file', reason: 'is not UTF-8 text (line 2)' }]);
  });

  it('refuses an upload that is neither multipart nor CSV', async () => {
    const response = await t
      .http()
      .post(`/api/pages/${PAGE_ID}/imports`)
      .set(auth)
      .set('Content-Type', 'application/pdf')
      .send(Buffer.from('%PDF-1.7'));
    expect(response.status).toBe(415);
  });

  it('answers 413 above IMPORT_MAX_BYTES, for multipart and raw bodies, and imports nothing', async () => {
    const big = `psid,note\n${Array.from({ length: 200 }, (_, index) => `${10000 + index},${'x'.repeat(30)}`).join('\n')}\n`;
    expect((await importCsv(t, big)).status).toBe(413);
    const raw = await importCsv(t, big, { as: 'body' });
    expect(raw.status).toBe(413);
    expect(raw.body).toMatchObject({
      statusCode: 413,
      message: expect.stringContaining('IMPORT_MAX_BYTES'),
    });
    expect(await t.db.collection('users').countDocuments()).toBe(0);
  });

  it('answers 404 for an unknown Page or import', async () => {
    expect((await importCsv(t, 'psid\n1\n', { pageId: '999' })).status).toBe(404);
    await t.http().get('/api/imports/0123456789abcdef01234567').set(auth).expect(404);
    await t.http().get('/api/imports/nope').set(auth).expect(400);
  });

  it('keeps the first 1,000 errors and counts them all', async () => {
    const rows = Array.from({ length: 1105 }, () => 'x').join('\n');
    const { body } = await importCsv(t, `psid\n${rows}\n`, { as: 'body' });
    expect(body.counts.invalid).toBe(1105);
    expect(body.errorCount).toBe(1105);
    expect(body.errors).toHaveLength(1000);
    expect(body.errors[999]).toEqual({ line: 1001, reason: 'psid must be digits' });
  });

  it("lists a Page's imports, newest first", async () => {
    const { body } = await t.http().get(`/api/pages/${PAGE_ID}/imports`).set(auth).expect(200);
    expect(body.items.length).toBeGreaterThan(3);
    expect(new Date(body.items[0].createdAt).getTime()).toBeGreaterThanOrEqual(
      new Date(body.items[1].createdAt).getTime(),
    );
  });
});

describe('an import cut off by a crash', () => {
  it('is marked failed with a reason when the service starts again', async () => {
    const first = await createTestApp({ sandbox: false });
    await registerPage(first);
    const { insertedId } = await first.db.collection('imports').insertOne({
      pageId: PAGE_ID,
      status: 'running',
      bytes: 10,
      delimiter: ',',
      counts: { rows: 5, inserted: 5, updated: 0, unchanged: 0, invalid: 0, duplicates: 0 },
      rowsProcessed: 5,
      rowErrors: [],
      errorCount: 0,
      heartbeatAt: new Date(Date.now() - 10 * 60_000),
      createdAt: new Date(),
    });
    const restarted = await createTestApp({
      sandbox: false,
      env: { MONGODB_URI: first.config.mongodbUri },
    });
    try {
      const { body } = await restarted
        .http()
        .get(`/api/imports/${String(insertedId)}`)
        .set(auth)
        .expect(200);
      expect(body).toMatchObject({
        status: 'failed',
        failureReason: expect.stringContaining('interrupted'),
        counts: { inserted: 5 },
      });
    } finally {
      await restarted.close();
      await first.close();
    }
  });
});
