/**
 * The input rules of SPEC §10, the same on every path that stores a user: the
 * CSV import, the users API and the webhook's capture hook (issue 7, item 4).
 */
import { UsersService } from '../src/audience/users.service';
import { auth, createTestApp, type TestApp } from './harness/app';
import { importCsv, PAGE_ID, registerPage } from './harness/audience';

const columns = (count: number, prefix = 'a') =>
  Array.from({ length: count }, (_, index) => `${prefix}${index}`);

describe('input rules', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ sandbox: false });
    await registerPage(t);
  });
  afterAll(() => t.close());
  beforeEach(() => t.db.collection('users').deleteMany({}));

  const path = (psid: string) => `/api/pages/${PAGE_ID}/users/${psid}`;
  const stored = (psid: string) => t.db.collection('users').findOne({ pageId: PAGE_ID, psid });
  const attributeCount = async (psid: string) =>
    Object.keys((await stored(psid))?.attributes ?? {}).length;

  describe('the 100-attribute cap', () => {
    it('refuses a CSV row with more than 100 attributes on its line and imports the rest', async () => {
      const header = ['psid', ...columns(150)].join(',');
      const full = ['1001', ...columns(150).map(() => 'v')].join(',');
      const sparse = ['1002', 'x', 'y', 'z', ...columns(147).map(() => '')].join(',');
      const { body } = await importCsv(t, `${header}\n${full}\n${sparse}\n`);
      expect(body).toMatchObject({ status: 'completed', counts: { inserted: 1, invalid: 1 } });
      expect(body.errors).toEqual([{ line: 2, reason: 'the row has 150 attributes, at most 100' }]);
      expect(await stored('1001')).toBeNull();
      expect(await attributeCount('1002')).toBe(3);
    });

    it('refuses a re-import that would merge a user past the cap, on its line', async () => {
      const file = (names: string[], psid: string) =>
        `psid,${names.join(',')}\n${psid},${names.map(() => 'v').join(',')}\n`;
      await importCsv(t, file(columns(60), '1003'));
      const { body } = await importCsv(t, `${file(columns(60, 'b'), '1003')}1004,\n`);
      expect(body.counts).toMatchObject({ inserted: 1, updated: 0, invalid: 1 });
      expect(body.errors).toEqual([
        { line: 2, reason: 'attributes: at most 100 attributes (the merge would make 120)' },
      ]);
      expect(await attributeCount('1003')).toBe(60);
    });

    it('refuses a PATCH that would merge a user past the cap, and keeps the user', async () => {
      const attributes = (names: string[]) => Object.fromEntries(names.map((name) => [name, 1]));
      await t
        .http()
        .put(path('1005'))
        .set(auth)
        .send({ attributes: attributes(columns(90)) })
        .expect(200);
      const { body } = await t
        .http()
        .patch(path('1005'))
        .set(auth)
        .send({ attributes: attributes(columns(20, 'b')) })
        .expect(400);
      expect(body.details).toEqual([
        { field: 'attributes', reason: 'at most 100 attributes (the merge would make 110)' },
      ]);
      expect(await attributeCount('1005')).toBe(90);
      // Removing as many as it adds keeps the user within the cap.
      const removeTen = Object.fromEntries(columns(10).map((name) => [name, null]));
      await t
        .http()
        .patch(path('1005'))
        .set(auth)
        .send({ attributes: { ...removeTen, ...attributes(columns(20, 'b')) } })
        .expect(200);
      expect(await attributeCount('1005')).toBe(100);
    });
  });

  describe('CSV files', () => {
    it('reports a row larger than the document limit on its line and imports the good rows', async () => {
      const names = columns(10_000);
      const empty = names.map(() => '').join(',');
      const huge = names.map(() => 'x'.repeat(1700)).join(','); // 17 MB, over the 16 MB document limit
      const csv = `psid,${names.join(',')}\n2001,${empty}\n2002,${huge}\n2003,${empty}\n`;
      const { body } = await importCsv(t, csv);
      expect(body).toMatchObject({ status: 'completed', counts: { inserted: 2, invalid: 1 } });
      expect(body.errors).toEqual([{ line: 3, reason: 'the row is larger than 1 MiB' }]);
      expect(await stored('2001')).not.toBeNull();
      expect(await stored('2003')).not.toBeNull();
    });

    const goodRows = (count: number) =>
      Array.from({ length: count }, (_, index) => `${3000 + index},Lyon`).join('\n');

    it('refuses invalid UTF-8 far past the first 64 KB, naming the line, and stores nothing', async () => {
      const csv = Buffer.concat([
        Buffer.from(`psid,city\n${goodRows(10_000)}\n`), // about 100 KB
        Buffer.from('4001,Caf\xe9\n', 'latin1'),
      ]);
      const response = await importCsv(t, csv);
      expect(response.status).toBe(400);
      expect(response.body.details).toEqual([
        { field: 'file', reason: 'is not UTF-8 text (line 10002)' },
      ]);
      expect(await t.db.collection('users').countDocuments()).toBe(0);
    });

    it('refuses a NUL byte far past the first 64 KB, naming the line', async () => {
      const response = await importCsv(t, `psid,city\n${goodRows(10_000)}\n4001,Ca\0fe\n`);
      expect(response.status).toBe(400);
      expect(response.body.details).toEqual([
        { field: 'file', reason: 'has a NUL byte on line 10002' },
      ]);
    });

    it('refuses a header longer than 64 KiB instead of cutting it', async () => {
      const header = ['psid', ...columns(12_000, 'column_')].join(',');
      const response = await importCsv(t, `${header}\n1,x\n`);
      expect(response.status).toBe(400);
      expect(response.body.details).toEqual([{ field: 'header', reason: 'is longer than 64 KiB' }]);
    });

    it('reports an unclosed quote on the line where it opened', async () => {
      const { body } = await importCsv(
        t,
        'psid,city\n5001,Lyon\n5002,"Paris\n5003,Nice\n5004,Lille\n',
      );
      expect(body.errors).toEqual([
        { line: 3, reason: 'not valid CSV: a quote opened on this line is never closed' },
      ]);
      expect(await stored('5001')).not.toBeNull();
    });

    it('refuses a future last_inbound_at, a PSID with a leading zero and a non-IANA time zone', async () => {
      const soon = new Date(Date.now() + 60_000).toISOString();
      const { body } = await importCsv(
        t,
        [
          'psid,timezone,last_inbound_at',
          `6001,Europe/Paris,${soon}`, // within the clock skew
          '6002,,2099-01-01T00:00:00Z',
          '06003,,',
          '6004,Mars/Olympus,',
        ].join('\n'),
      );
      expect(body.errors).toEqual([
        {
          line: 3,
          reason:
            'last_inbound_at: must not be in the future (5 minutes of clock skew are tolerated)',
        },
        { line: 4, reason: 'psid must be digits without a leading zero' },
        { line: 5, reason: 'timezone: must be an IANA time zone such as Europe/Paris' },
      ]);
      expect(body.counts).toMatchObject({ inserted: 1, invalid: 3 });
    });
  });

  describe('the users API', () => {
    it('refuses a PSID with a leading zero', async () => {
      const { body } = await t.http().put(path('0123')).set(auth).send({}).expect(400);
      expect(body.details).toEqual([
        { field: 'psid', reason: 'must be a PSID: digits without a leading zero' },
      ]);
      expect(await stored('0123')).toBeNull();
    });

    it('refuses a time zone that is not IANA on PUT and PATCH', async () => {
      const refused = {
        field: 'timezone',
        reason: 'must be an IANA time zone such as Europe/Paris',
      };
      expect(
        (await t.http().put(path('7001')).set(auth).send({ timezone: 'Paris' }).expect(400)).body
          .details,
      ).toEqual([refused]);
      await t.http().put(path('7001')).set(auth).send({ timezone: 'Europe/Paris' }).expect(200);
      expect(
        (await t.http().patch(path('7001')).set(auth).send({ timezone: '+01:00' }).expect(400)).body
          .details,
      ).toEqual([refused]);
      expect(await stored('7001')).toMatchObject({ timezone: 'Europe/Paris' });
    });

    it('refuses null for suppressed on PATCH', async () => {
      await t.http().put(path('7002')).set(auth).send({}).expect(200);
      const { body } = await t
        .http()
        .patch(path('7002'))
        .set(auth)
        .send({ suppressed: null })
        .expect(400);
      expect(body.details).toEqual([{ field: 'suppressed', reason: 'must be a boolean value' }]);
      expect(await stored('7002')).toMatchObject({ suppressed: false });
    });
  });

  describe("the webhook's capture hook", () => {
    it('refuses a future inbound time and a PSID with a leading zero', async () => {
      const users = t.app.get(UsersService);
      await expect(
        users.recordInbound(PAGE_ID, '8001', new Date('2099-01-01T00:00:00Z')),
      ).rejects.toMatchObject({ status: 400 });
      await expect(users.recordInbound(PAGE_ID, '08002', new Date())).rejects.toMatchObject({
        status: 400,
      });
      expect(await t.db.collection('users').countDocuments()).toBe(0);
    });
  });
});
