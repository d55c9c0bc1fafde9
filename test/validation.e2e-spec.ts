/** Bad input gets the SPEC §9 error shape, with the field and the reason. */
import { auth, createTestApp, type TestApp } from './harness/app';

describe('input validation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ sandbox: false, env: { JSON_BODY_LIMIT_BYTES: '4096' } });
  });
  afterAll(() => t.close());

  const page = { pageId: '104857600000001', name: 'Acme', accessToken: 'EAAB'.padEnd(40, 'x') };

  it('names each bad field with its reason', async () => {
    const { body } = await t
      .http()
      .post('/api/pages')
      .set(auth)
      .send({ ...page, pageId: 'acme', name: '' })
      .expect(400);
    expect(body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(body.details).toEqual(
      expect.arrayContaining([
        { field: 'pageId', reason: 'must be the numeric Facebook Page id' },
        { field: 'name', reason: expect.stringContaining('longer than or equal to 1') },
      ]),
    );
    expect(body.message).toContain('pageId must be the numeric Facebook Page id');
  });

  it('refuses unknown fields rather than ignoring them', async () => {
    const { body } = await t
      .http()
      .post('/api/pages')
      .set(auth)
      .send({ ...page, pageToken: 'x' })
      .expect(400);
    expect(body.details).toEqual([{ field: 'pageToken', reason: 'is not an allowed field' }]);
  });

  it('refuses a missing required field', async () => {
    const { body } = await t.http().post('/api/pages').set(auth).send({ name: 'Acme' }).expect(400);
    expect(body.details.map((detail: { field: string }) => detail.field)).toEqual(
      expect.arrayContaining(['pageId', 'accessToken']),
    );
  });

  it('validates path parameters', async () => {
    const { body } = await t.http().get('/api/pages/not-a-page').set(auth).expect(400);
    expect(body.details).toEqual([
      { field: 'pageId', reason: 'must be the numeric Facebook Page id' },
    ]);
  });

  it('answers 400 for malformed JSON', async () => {
    const { body } = await t
      .http()
      .post('/api/pages')
      .set(auth)
      .set('Content-Type', 'application/json')
      .send('{"pageId": ')
      .expect(400);
    expect(body).toMatchObject({
      statusCode: 400,
      error: 'Bad Request',
      message: expect.stringContaining('JSON'),
    });
  });

  it('answers 415 for a charset it cannot read', async () => {
    const { body } = await t
      .http()
      .post('/api/pages')
      .set(auth)
      .set('Content-Type', 'application/json; charset=klingon')
      .send('{}')
      .expect(415);
    expect(body).toMatchObject({ statusCode: 415, error: 'Unsupported Media Type' });
  });

  it('answers 413 above the body size limit, and stores nothing', async () => {
    const { body } = await t
      .http()
      .post('/api/pages')
      .set(auth)
      .send({ ...page, name: 'x'.repeat(5000) })
      .expect(413);
    expect(body).toEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      message: 'request body is too large',
    });
    await t.http().get(`/api/pages/${page.pageId}`).set(auth).expect(404);
  });

  it('refuses null in a Page field, naming it, and keeps what is stored', async () => {
    const other = { ...page, pageId: '104857600000009' };
    for (const field of ['accessToken', 'name', 'appSecret']) {
      const { body } = await t
        .http()
        .post('/api/pages')
        .set(auth)
        .send({ ...other, [field]: null })
        .expect(400);
      expect(body.details).toEqual([expect.objectContaining({ field })]);
    }
    await t.http().post('/api/pages').set(auth).send(other).expect(201);
    for (const field of ['accessToken', 'name']) {
      const { body } = await t
        .http()
        .patch(`/api/pages/${other.pageId}`)
        .set(auth)
        .send({ [field]: null })
        .expect(400);
      expect(body.details).toEqual([expect.objectContaining({ field })]);
    }
    const stored = await t.db.collection('pages').findOne({ pageId: other.pageId });
    expect(stored).toMatchObject({ name: 'Acme', accessTokenSealed: expect.any(String) });
  });
});
