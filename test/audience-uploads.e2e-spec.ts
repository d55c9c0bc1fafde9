/**
 * Uploaded CSV files (SPEC §10, issue 7 item 5): written 0600, removed on every
 * path, success or failure, and leftovers swept when the service starts.
 */
import { existsSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { uploadDir } from '../src/audience/csv-upload';
import { ImportsService } from '../src/audience/imports.service';
import { auth, createTestApp, type TestApp } from './harness/app';
import { importCsv, PAGE_ID, registerPage } from './harness/audience';

const uploadsLeft = () => readdir(uploadDir()).catch(() => [] as string[]);
const importsPath = (pageId = PAGE_ID) => `/api/pages/${pageId}/imports`;

describe('uploaded files', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ sandbox: false, env: { IMPORT_MAX_BYTES: '4096' } });
    await registerPage(t);
  });
  afterAll(() => t.close());
  afterEach(async () => expect(await uploadsLeft()).toEqual([]));

  it('are written readable by the owner only, multipart or raw', async () => {
    const modes: number[] = [];
    const start = ImportsService.prototype.start;
    const spy = jest.spyOn(ImportsService.prototype, 'start').mockImplementation(async function (
      this: ImportsService,
      pageId,
      upload,
    ) {
      modes.push((await stat(upload.path)).mode & 0o777);
      return start.call(this, pageId, upload);
    });
    try {
      expect((await importCsv(t, 'psid\n1\n')).body.status).toBe('completed');
      expect((await importCsv(t, 'psid\n2\n', { as: 'body' })).body.status).toBe('completed');
    } finally {
      spy.mockRestore();
    }
    expect(modes).toEqual([0o600, 0o600]);
  });

  it('are removed when the import fails its checks', async () => {
    expect((await importCsv(t, 'email\nx\n')).status).toBe(400);
    expect((await importCsv(t, 'email\nx\n', { as: 'body' })).status).toBe(400);
  });

  it('are removed when the pageId is malformed (the request fails before the handler)', async () => {
    const response = await t
      .http()
      .post(importsPath('not-a-page'))
      .set(auth)
      .attach('file', Buffer.from('psid\n1\n'), 'users.csv');
    expect(response.status).toBe(400);
  });

  it('are removed for an unknown Page', async () => {
    expect((await importCsv(t, 'psid\n1\n', { pageId: '999' })).status).toBe(404);
    expect((await importCsv(t, 'psid\n1\n', { pageId: '999', as: 'body' })).status).toBe(404);
  });

  it('are removed when the multipart body is truncated', async () => {
    const boundary = 'cut-here';
    const response = await t
      .http()
      .post(importsPath())
      .set(auth)
      .set('Content-Type', `multipart/form-data; boundary=${boundary}`)
      .send(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="users.csv"\r\n` +
          'Content-Type: text/csv\r\n\r\npsid,city\n1,Lyon\n',
      );
    expect(response.status).toBe(400);
  });

  it('are removed when too large', async () => {
    const big = `psid,note\n${Array.from({ length: 200 }, (_, index) => `${10_000 + index},${'x'.repeat(30)}`).join('\n')}\n`;
    expect((await importCsv(t, big)).status).toBe(413);
    expect((await importCsv(t, big, { as: 'body' })).status).toBe(413);
  });

  it('left behind by a crash are swept when the service starts', async () => {
    const root = join(uploadDir(), '..');
    const write = (folder: string, name: string, ageMs: number) => {
      mkdirSync(join(root, folder), { recursive: true });
      const file = join(root, folder, name);
      writeFileSync(file, 'psid\n1\n');
      const at = new Date(Date.now() - ageMs);
      utimesSync(file, at, at);
      return file;
    };
    write(basename(uploadDir()), 'ours-left-by-a-crash.csv', 0);
    const crashed = write('crashed-process', 'old.csv', 60 * 60_000);
    const busy = write('busy-process', 'in-flight.csv', 0);
    try {
      const restarted = await createTestApp({
        sandbox: false,
        env: { MONGODB_URI: t.config.mongodbUri },
      });
      await restarted.app.close();
      expect(existsSync(crashed)).toBe(false);
      expect(existsSync(join(root, 'crashed-process'))).toBe(false);
      // Another live process's fresh upload stays.
      expect(existsSync(busy)).toBe(true);
    } finally {
      rmSync(join(root, 'busy-process'), { recursive: true, force: true });
    }
  });
});
