/**
 * A database outage (SPEC §10): the API answers 503 in the error shape at once
 * instead of a 500 after the driver's timeouts, and serves again when the database
 * is back, with no restart.
 */
import { auth, createTestApp, testDatabaseUri, type TestApp } from './harness/app';
import { PAGE_ID, PAGE_TOKEN, registerPage } from './harness/audience';
import { startDatabaseProxy, type DatabaseProxy } from './harness/database-proxy';

/** Polls `check` until it holds; fails the test after `timeoutMs`. */
async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a database outage', () => {
  let proxy: DatabaseProxy;
  let t: TestApp;
  beforeAll(async () => {
    proxy = await startDatabaseProxy(testDatabaseUri());
    t = await createTestApp({ sandbox: false, env: { MONGODB_URI: proxy.uri } });
    await registerPage(t);
  });
  afterAll(async () => {
    proxy.restore();
    await t.close();
    await proxy.close();
  });

  const healthIs = (status: number) => async () =>
    (await t.http().get('/health')).status === status;

  const calls = [
    () => t.http().get('/api/pages').set(auth),
    () => t.http().get(`/api/pages/${PAGE_ID}`).set(auth),
    () => t.http().patch(`/api/pages/${PAGE_ID}`).set(auth).send({ name: 'Acme Lyon' }),
    () =>
      t
        .http()
        .post('/api/pages')
        .set(auth)
        .send({ pageId: '104857600000002', name: 'Other', accessToken: PAGE_TOKEN }),
    () => t.http().get(`/api/pages/${PAGE_ID}/users`).set(auth),
  ];

  it('answers 503 quickly while the database is unreachable, then serves again', async () => {
    proxy.cut();
    await until(healthIs(503));
    for (const call of calls) {
      const started = Date.now();
      const { body } = await call().expect(503);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(body).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message: expect.stringContaining('database unavailable'),
      });
    }

    proxy.restore();
    await until(healthIs(200));
    for (const call of calls) {
      expect([200, 201]).toContain((await call()).status);
    }
    const { body } = await t.http().get(`/api/pages/${PAGE_ID}`).set(auth).expect(200);
    expect(body.name).toBe('Acme Lyon');
  });

  it('still needs a token during an outage', async () => {
    proxy.cut();
    await until(healthIs(503));
    await t.http().get('/api/pages').expect(401);
    proxy.restore();
    await until(healthIs(200));
  });
});
