/** Pages: registration, secrets encrypted at rest and never shown, the connection check. */
import { SecretBox } from '../src/common/secret-box';
import { appsecretProof } from '../src/messenger/payloads';
import { auth, createTestApp, type TestApp } from './harness/app';

const TOKEN = 'EAABsandboxPageToken'.padEnd(60, 'Z');
const SECRET = 'abcdefabcdefabcdefabcdefabcdef12';
const page = { pageId: '104857600000001', name: 'Acme', accessToken: TOKEN, appSecret: SECRET };

describe('pages', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      sandbox: { pages: [{ pageId: page.pageId, accessToken: TOKEN, appSecret: SECRET }] },
    });
  });
  afterAll(() => t.close());

  const storedPage = () => t.db.collection('pages').findOne({ pageId: page.pageId });

  it('registers a Page and answers without secrets', async () => {
    const { body } = await t.http().post('/api/pages').set(auth).send(page).expect(201);
    expect(Object.keys(body).sort()).toEqual([
      'createdAt',
      'hasAppSecret',
      'name',
      'pageId',
      'updatedAt',
    ]);
    expect(body).toMatchObject({ pageId: page.pageId, name: 'Acme', hasAppSecret: true });
  });

  it('stores the token and the app secret encrypted, bound to the Page', async () => {
    const stored = await storedPage();
    const raw = JSON.stringify(stored);
    expect(raw).not.toContain(TOKEN);
    expect(raw).not.toContain(SECRET);
    const box = t.app.get(SecretBox);
    expect(box.open(stored!.accessTokenSealed, `page:${page.pageId}:accessToken`)).toBe(TOKEN);
    expect(box.open(stored!.appSecretSealed, `page:${page.pageId}:appSecret`)).toBe(SECRET);
    expect(() => box.open(stored!.accessTokenSealed, 'page:999:accessToken')).toThrow();
  });

  it('lists and gets Pages without secrets', async () => {
    const list = await t.http().get('/api/pages').set(auth).expect(200);
    expect(list.body.items).toHaveLength(1);
    const one = await t.http().get(`/api/pages/${page.pageId}`).set(auth).expect(200);
    for (const text of [list.text, one.text]) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('Sealed');
    }
  });

  it('refuses a second registration of the same Page with 409 and keeps the first token', async () => {
    const { body } = await t
      .http()
      .post('/api/pages')
      .set(auth)
      .send({ ...page, accessToken: 'EAABother'.padEnd(40, 'Q') })
      .expect(409);
    expect(body).toMatchObject({ statusCode: 409, error: 'page_exists' });
    const stored = await storedPage();
    expect(
      t.app.get(SecretBox).open(stored!.accessTokenSealed, `page:${page.pageId}:accessToken`),
    ).toBe(TOKEN);
  });

  it('answers 404 for an unknown Page', async () => {
    const { body } = await t.http().get('/api/pages/999').set(auth).expect(404);
    expect(body).toMatchObject({ statusCode: 404, message: 'Page 999 not found' });
    await t.http().patch('/api/pages/999').set(auth).send({ name: 'x' }).expect(404);
  });

  it('sends a connection check with the token in the header and appsecret_proof', async () => {
    t.sandbox!.sandbox.reset();
    const { body } = await t
      .http()
      .post(`/api/pages/${page.pageId}/test-message`)
      .set(auth)
      .send({ psid: '6543210987654321', text: 'Hello' })
      .expect(200);
    expect(body).toMatchObject({
      ok: true,
      recipientId: '6543210987654321',
      messageId: expect.stringMatching(/^m_[\w-]{86}$/),
    });
    expect(body.request).toEqual({
      recipient: { id: '6543210987654321' },
      messaging_type: 'UPDATE',
      message: { text: 'Hello' },
    });
    const [sent] = t.sandbox!.sandbox.requests({ endpoint: 'messages' });
    expect(sent.authorization).toBe(`Bearer ${TOKEN}`);
    expect(sent.query).toEqual({ appsecret_proof: appsecretProof(TOKEN, SECRET) });
    expect(JSON.stringify(body)).not.toContain(TOKEN);
  });

  it('answers 422 with the classified Graph error when Facebook refuses', async () => {
    t.sandbox!.sandbox.setScenario({
      errorsByPsid: { '6543210987654322': { code: 551, subcode: 1545041 } },
    });
    const { body } = await t
      .http()
      .post(`/api/pages/${page.pageId}/test-message`)
      .set(auth)
      .send({ psid: '6543210987654322', text: 'Hello' })
      .expect(422);
    expect(body).toMatchObject({
      statusCode: 422,
      ok: false,
      error: {
        code: 551,
        subcode: 1545041,
        class: 'permanent',
        reason: 'graph_551_1545041',
        message: expect.stringContaining('available'),
      },
    });
  });

  it('refuses a connection check to a PSID with a leading zero, before any call', async () => {
    t.sandbox!.sandbox.reset();
    const { body } = await t
      .http()
      .post(`/api/pages/${page.pageId}/test-message`)
      .set(auth)
      .send({ psid: '06543210987654321', text: 'Hello' })
      .expect(400);
    expect(body.details).toEqual([
      { field: 'psid', reason: 'must be a PSID: digits without a leading zero' },
    ]);
    expect(t.sandbox!.sandbox.requests()).toHaveLength(0);
  });

  it('rotates the token and drops the app secret on PATCH', async () => {
    const rotated = 'EAABrotatedToken'.padEnd(60, 'R');
    t.sandbox!.sandbox.addPage({ pageId: page.pageId, accessToken: rotated });
    const { body } = await t
      .http()
      .patch(`/api/pages/${page.pageId}`)
      .set(auth)
      .send({ accessToken: rotated, appSecret: null })
      .expect(200);
    expect(body).toMatchObject({ hasAppSecret: false });
    t.sandbox!.sandbox.reset();
    await t
      .http()
      .post(`/api/pages/${page.pageId}/test-message`)
      .set(auth)
      .send({ psid: '6543210987654321', text: 'Hi' })
      .expect(200);
    const [sent] = t.sandbox!.sandbox.requests({ endpoint: 'messages' });
    expect(sent.authorization).toBe(`Bearer ${rotated}`);
    expect(sent.query).toEqual({});
  });

  it('answers 190 from Facebook as a 422 for a token it does not know', async () => {
    await t
      .http()
      .patch(`/api/pages/${page.pageId}`)
      .set(auth)
      .send({ accessToken: 'EAABunknownToken'.padEnd(50, 'U') })
      .expect(200);
    const { body } = await t
      .http()
      .post(`/api/pages/${page.pageId}/test-message`)
      .set(auth)
      .send({ psid: '6543210987654321', text: 'Hi' })
      .expect(422);
    expect(body.error).toMatchObject({ code: 190, class: 'page_fatal' });
    expect(body.error.message).not.toContain('EAABunknownToken');
    // The check recorded the Page's health; nothing was paused by it, and the answer says so.
    const health = await t.http().get(`/api/pages/${page.pageId}/health`).set(auth).expect(200);
    expect(health.body).toMatchObject({ status: 'token_invalid', pausedCampaigns: [] });
  });
});

describe('pages when the Graph API is unreachable', () => {
  it('answers 502 with a retryable transport error', async () => {
    const t = await createTestApp({ sandbox: false });
    try {
      await t.http().post('/api/pages').set(auth).send(page).expect(201);
      const { body } = await t
        .http()
        .post(`/api/pages/${page.pageId}/test-message`)
        .set(auth)
        .send({ psid: '1', text: 'Hi' })
        .expect(502);
      expect(body).toMatchObject({
        statusCode: 502,
        ok: false,
        error: { class: 'retryable', reason: 'connection_refused' },
      });
    } finally {
      await t.close();
    }
  });
});
