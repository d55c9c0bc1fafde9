/** Helpers for tests that need a Page with users. */
import { auth, type TestApp } from './app';

export const PAGE_ID = '104857600000001';
/** The Page token tests register; give it to the sandbox so it accepts the Page's calls. */
export const PAGE_TOKEN = `EAAB${'t'.repeat(40)}`;

export async function registerPage(
  t: TestApp,
  pageId = PAGE_ID,
  accessToken = PAGE_TOKEN,
): Promise<void> {
  await t
    .http()
    .post('/api/pages')
    .set(auth)
    .send({ pageId, name: 'Acme', accessToken })
    .expect(201);
}

/** Uploads `csv` (multipart by default, or as a text/csv body) and waits for the import to finish. */
export async function importCsv(
  t: TestApp,
  csv: string | Buffer,
  options: { as?: 'multipart' | 'body'; pageId?: string } = {},
) {
  const path = `/api/pages/${options.pageId ?? PAGE_ID}/imports`;
  const request = t.http().post(path).set(auth);
  const started =
    options.as === 'body'
      ? await request.set('Content-Type', 'text/csv').send(csv)
      : await request.attach(
          'file',
          Buffer.isBuffer(csv) ? csv : Buffer.from(csv, 'utf8'),
          'users.csv',
        );
  if (started.status !== 202) return started;
  return t.http().get(`/api/imports/${started.body.importId}?waitSeconds=30`).set(auth).expect(200);
}
