/**
 * HTTP hygiene (SPEC §10): malformed URLs are a logged 400, bodies that are not
 * JSON a 415, bodies nested past any real request a 400, and every answer carries
 * the headers that keep browsers and caches from misusing it.
 */
import { auth, createTestApp, type TestApp } from './harness/app';
import { importCsv, PAGE_ID, registerPage } from './harness/audience';

interface LogLine {
  level: number;
  msg: string;
  req?: { url: string };
  res?: { statusCode: number };
  err?: unknown;
}

describe('HTTP hygiene', () => {
  let t: TestApp;
  const logLines: LogLine[] = [];
  beforeAll(async () => {
    t = await createTestApp({
      sandbox: false,
      env: { LOG_LEVEL: 'info' },
      logDestination: { write: (line: string) => void logLines.push(JSON.parse(line)) },
    });
    await registerPage(t);
  });
  afterAll(() => t.close());

  describe('a URL that is not valid percent-encoding', () => {
    const malformed = [
      '/health?%ZZ=1',
      '/metrics?name=%E0%A4%A',
      '/api/pages?%ZZ=1',
      `/api/pages/${PAGE_ID}?view=%`,
      '/api/pages/%E0%A4%A',
      '/docs-json?%ZZ',
      '/nowhere/%ZZ',
    ];

    it.each(malformed)('answers 400 for %s, with or without a token', async (url) => {
      for (const headers of [auth, {}]) {
        const { body } = await t.http().get(url).set(headers).expect(400);
        expect(body).toEqual({
          statusCode: 400,
          error: 'Bad Request',
          message: 'the URL is not valid percent-encoding',
        });
      }
    });

    it('logs one access-log line for each and no error or stack trace', async () => {
      logLines.length = 0;
      for (const url of malformed) await t.http().get(url).expect(400);
      for (const url of malformed) {
        const lines = logLines.filter((line) => line.req?.url === url);
        expect({ url, lines: lines.map((line) => [line.msg, line.res?.statusCode]) }).toEqual({
          url,
          lines: [['request completed', 400]],
        });
      }
      expect(logLines.filter((line) => line.level >= 50 || line.err)).toEqual([]);
      expect(JSON.stringify(logLines)).not.toContain('    at ');
    });
  });

  describe('a body that is not JSON', () => {
    const refusedTypes: [string, string][] = [
      ['text/plain', 'pageId=104857600000002'],
      ['application/x-www-form-urlencoded', 'pageId=104857600000002&name=Acme'],
      ['application/xml', '<page><pageId>104857600000002</pageId></page>'],
      ['text/csv', 'pageId,name\n104857600000002,Acme\n'],
    ];

    it.each(refusedTypes)('answers 415 for %s on POST, PUT and PATCH', async (type, text) => {
      const calls = [
        () => t.http().post('/api/pages'),
        () => t.http().patch(`/api/pages/${PAGE_ID}`),
        () => t.http().put(`/api/pages/${PAGE_ID}/users/1234567`),
      ];
      for (const call of calls) {
        const { body } = await call().set(auth).set('Content-Type', type).send(text).expect(415);
        expect(body).toMatchObject({
          statusCode: 415,
          error: 'Unsupported Media Type',
          details: [{ field: 'Content-Type', reason: 'must be application/json' }],
        });
      }
      await t.http().get('/api/pages/104857600000002').set(auth).expect(404);
      await t.http().get(`/api/pages/${PAGE_ID}/users/1234567`).set(auth).expect(404);
    });

    it('answers 415 for a body without a Content-Type', async () => {
      await t
        .http()
        .post('/api/pages')
        .set(auth)
        .serialize((body: string) => body)
        .unset('Content-Type')
        .send('{"pageId": "104857600000002"}')
        .expect(415);
    });

    it('accepts JSON with a charset, and a POST without a body', async () => {
      await t
        .http()
        .patch(`/api/pages/${PAGE_ID}`)
        .set(auth)
        .set('Content-Type', 'application/json; charset=utf-8')
        .send(JSON.stringify({ name: 'Acme Lyon' }))
        .expect(200);
      // No body at all, and an empty one: the handler answers (404: no such campaign), not the 415 rule.
      await t.http().post('/api/campaigns/0123456789abcdef01234567/pause').set(auth).expect(404);
      await t
        .http()
        .post('/api/campaigns/0123456789abcdef01234567/pause')
        .set(auth)
        .set('Content-Length', '0')
        .expect(404);
    });

    it('leaves the CSV import its multipart and text/csv uploads', async () => {
      const csv = 'psid,city\n1234567,Lyon\n';
      const multipart = await importCsv(t, csv);
      expect(multipart.status).toBe(200);
      const body = await importCsv(t, csv, { as: 'body' });
      expect(body.status).toBe(200);
    });
  });

  describe('a body nested too deeply', () => {
    const nested = (depth: number, open: string, close: string) =>
      `${open.repeat(depth)}1${close.repeat(depth)}`;

    it.each([
      ['objects 3,000 deep', nested(3000, '{"a":', '}')],
      ['arrays 3,000 deep', nested(3000, '[', ']')],
      ['33 levels', `{"pageId": "104857600000002", "name": ${nested(32, '[', ']')}}`],
    ])('answers 400 for %s, and stores nothing', async (_label, text) => {
      const { body } = await t
        .http()
        .post('/api/pages')
        .set(auth)
        .set('Content-Type', 'application/json')
        .send(text)
        .expect(400);
      expect(body).toMatchObject({ statusCode: 400, message: 'body is nested too deeply' });
      await t.http().get('/api/pages/104857600000002').set(auth).expect(404);
    });

    it('still validates a body within the limit', async () => {
      const { body } = await t
        .http()
        .post('/api/pages')
        .set(auth)
        .set('Content-Type', 'application/json')
        .send(`{"pageId": "104857600000002", "name": ${nested(31, '[', ']')}}`)
        .expect(400);
      expect(body.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: 'name' })]),
      );
    });
  });

  describe('every answer', () => {
    it('carries X-Content-Type-Options: nosniff and Cache-Control: no-store', async () => {
      const responses = [
        await t.http().get('/health').expect(200),
        await t.http().get('/metrics').expect(200),
        await t.http().get('/docs-json').expect(200),
        await t.http().get('/api/pages').set(auth).expect(200),
        await t.http().get('/api/pages').expect(401),
        await t.http().get('/api/pages/999').set(auth).expect(404),
        await t.http().get('/nowhere').expect(404),
        await t.http().get('/health?%ZZ=1').expect(400),
        await t
          .http()
          .post('/api/pages')
          .set(auth)
          .set('Content-Type', 'application/json')
          .send('{"pageId": ')
          .expect(400),
        await t
          .http()
          .post('/api/pages')
          .set(auth)
          .set('Content-Type', 'text/plain')
          .send('x')
          .expect(415),
      ];
      for (const response of responses) {
        expect(response.headers).toMatchObject({
          'x-content-type-options': 'nosniff',
          'cache-control': 'no-store',
        });
      }
    });
  });
});
