/**
 * The HTTP surface as an operator meets it: every /api route refuses a missing or
 * wrong bearer token (routes are read from the OpenAPI document, so a new route
 * is covered without editing this file), and health, metrics and docs answer.
 */
import type { Test } from 'supertest';
import { createConnection } from 'mongoose';
import { auth, createTestApp, testDatabaseUri, type TestApp } from './harness/app';

describe('API surface', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ sandbox: false });
  });
  afterAll(() => t.close());

  async function apiRoutes(): Promise<[string, string][]> {
    const { body } = await t.http().get('/docs-json').expect(200);
    const routes: [string, string][] = [];
    for (const [path, operations] of Object.entries(body.paths as Record<string, object>)) {
      if (!path.startsWith('/api/')) continue;
      for (const method of Object.keys(operations)) {
        routes.push([method, path.replace(/\{[^}]+\}/g, '104857600000001')]);
      }
    }
    return routes;
  }

  it('lists the API routes in the OpenAPI document with bearer security', async () => {
    const { body } = await t.http().get('/docs-json').expect(200);
    expect(body.components.securitySchemes.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining(['/api/pages', '/api/pages/{pageId}']),
    );
  });

  it('serves the OpenAPI UI at /docs without a token', async () => {
    const response = await t.http().get('/docs').redirects(1).expect(200);
    expect(response.text).toContain('swagger');
  });

  it('answers 401 on every /api route without a token, with a wrong one, or with another scheme', async () => {
    const routes = await apiRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(5);
    for (const [method, path] of routes) {
      const call = (headers: Record<string, string>) => {
        const agent = t.http() as unknown as Record<string, (p: string) => Test>;
        return agent[method](path).set(headers).send({});
      };
      for (const headers of [
        {} as Record<string, string>,
        { Authorization: 'Bearer wrong-token-0000000000000' },
        { Authorization: `Basic ${auth.Authorization.slice(7)}` },
      ]) {
        const response = await call(headers);
        expect({ method, path, status: response.status }).toEqual({ method, path, status: 401 });
        expect(response.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
      }
    }
  });

  it('accepts any of the configured tokens', async () => {
    const other = await createTestApp({
      sandbox: false,
      env: { API_TOKENS: 'first-token-aaaaaaaaaaaa,second-token-bbbbbbbbbbb' },
    });
    try {
      await other
        .http()
        .get('/api/pages')
        .set('Authorization', 'Bearer second-token-bbbbbbbbbbb')
        .expect(200);
      await other
        .http()
        .get('/api/pages')
        .set('Authorization', 'Bearer first-token-aaaaaaaaaaaa')
        .expect(200);
      await other
        .http()
        .get('/api/pages')
        .set('Authorization', 'Bearer first-token-aaaaaaaaaaa')
        .expect(401);
    } finally {
      await other.close();
    }
  });

  it('reports health with a database round trip', async () => {
    await t.http().get('/health').expect(200, { status: 'ok', database: 'up' });
  });

  it('exposes Prometheus process and HTTP metrics, labelled by route pattern', async () => {
    await t.http().get('/api/pages/104857600000001').set(auth).expect(404);
    const response = await t.http().get('/metrics').expect(200);
    expect(response.headers['content-type']).toContain('text/plain');
    expect(response.text).toContain('process_cpu_user_seconds_total');
    expect(response.text).toContain('nodejs_heap_size_used_bytes');
    expect(response.text).toMatch(
      /http_requests_total\{method="GET",route="\/api\/pages\/:pageId",status="404"\} 1/,
    );
    expect(response.text).toContain('http_request_duration_seconds_bucket');
  });

  it('answers 404 in the error shape for an unknown route', async () => {
    const { body } = await t.http().get('/api/nothing-here').set(auth).expect(404);
    expect(body).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });
});

describe('health when the database is gone', () => {
  it('answers 503', async () => {
    const t = await createTestApp({ sandbox: false });
    await t.db.dropDatabase();
    await t.db.close();
    try {
      await t.http().get('/health').expect(503, { status: 'error', database: 'down' });
    } finally {
      await t.close();
    }
  });
});

describe('boot', () => {
  it('has built every index, unique ones included, before the app is handed over', async () => {
    const t = await createTestApp({ sandbox: false });
    try {
      expect(await t.db.collection('campaign_runs').indexes()).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ key: { campaignId: 1, occurrence: 1 }, unique: true }),
        ]),
      );
      for (const model of Object.values(t.db.models)) {
        const built = (await model.collection.indexes()).map((index) => JSON.stringify(index.key));
        const declared = model.schema.indexes().map(([key]) => JSON.stringify(key));
        expect({ model: model.modelName, built }).toEqual({
          model: model.modelName,
          built: expect.arrayContaining(declared),
        });
      }
    } finally {
      await t.close();
    }
  });

  it('refuses to start when a unique index cannot be built', async () => {
    const uri = testDatabaseUri();
    const seed = await createConnection(uri).asPromise();
    try {
      const run = { campaignId: 'c1', occurrence: new Date(0) };
      await seed.collection('campaign_runs').insertMany([{ ...run }, { ...run }]);
      await expect(createTestApp({ sandbox: false, env: { MONGODB_URI: uri } })).rejects.toThrow(
        /campaign_runs|duplicate|unique|constraint/i,
      );
    } finally {
      await seed.dropDatabase();
      await seed.close();
    }
  });
});

describe('ROLE=worker', () => {
  it('serves health and metrics, and no API', async () => {
    const t = await createTestApp({ sandbox: false, env: { ROLE: 'worker' } });
    try {
      await t.http().get('/health').expect(200, { status: 'ok', database: 'up' });
      await t.http().get('/metrics').expect(200);
      await t.http().get('/api/pages').set(auth).expect(404);
    } finally {
      await t.close();
    }
  });
});
