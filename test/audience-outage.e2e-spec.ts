/**
 * A database outage during a CSV import (issue 7, item 3): the process stays
 * up, the import ends with a status, and the API works once the database is back.
 */
import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { ConnectionStates } from 'mongoose';
import { readdir } from 'node:fs/promises';
import { uploadDir } from '../src/audience/csv-upload';
import { ImportsService, ORPHAN_SWEEP } from '../src/audience/imports.service';
import { auth, createTestApp, testDatabaseUri, type TestApp } from './harness/app';
import { PAGE_ID, registerPage } from './harness/audience';
import { startDatabaseProxy, type DatabaseProxy } from './harness/database-proxy';

/** Resolves with the first error the service logs that mentions `text`. */
function loggedError(text: string): Promise<string> {
  return new Promise((resolve) => {
    const spy = jest.spyOn(Logger.prototype, 'error').mockImplementation((message: unknown) => {
      if (typeof message === 'string' && message.includes(text)) {
        spy.mockRestore();
        resolve(message);
      }
    });
  });
}

function connected(t: TestApp): Promise<void> {
  return new Promise((resolve) => {
    if (t.db.readyState === ConnectionStates.connected) resolve();
    else t.db.once('connected', () => resolve());
  });
}

describe('a database outage during an import', () => {
  let proxy: DatabaseProxy;
  let t: TestApp;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    proxy = await startDatabaseProxy(testDatabaseUri());
    t = await createTestApp({ sandbox: false, env: { MONGODB_URI: proxy.uri } });
    await registerPage(t);
  });
  afterAll(async () => {
    proxy.restore();
    await t.close();
    await proxy.close();
    process.off('unhandledRejection', onUnhandled);
  });

  it('keeps the process up, ends the import failed, and serves again after', async () => {
    const rows = Array.from({ length: 100_000 }, (_, index) => `${1_000_000 + index},Lyon`);
    const started = await t
      .http()
      .post(`/api/pages/${PAGE_ID}/imports`)
      .set(auth)
      .set('Content-Type', 'text/csv')
      .send(`psid,city\n${rows.join('\n')}\n`)
      .expect(202);
    const importId: string = started.body.importId;
    const failed = loggedError(`import ${importId} failed`);
    proxy.cut();
    await failed;
    // The periodic sweep meets the outage too and must only log it.
    await t.app.get(ImportsService).sweepOrphans();
    expect(unhandled).toEqual([]);

    proxy.restore();
    // Requests answer 503 until mongoose sees the database again.
    await connected(t);
    const { body } = await t
      .http()
      .get(`/api/imports/${importId}?waitSeconds=30`)
      .set(auth)
      .expect(200);
    expect(body).toMatchObject({ status: 'failed', failureReason: expect.any(String) });
    expect(await readdir(uploadDir()).catch(() => [])).toEqual([]);
    await t.http().get(`/api/pages/${PAGE_ID}/users?limit=1`).set(auth).expect(200);
    expect(unhandled).toEqual([]);
  }, 90_000);

  it('sweeps imports no live process owns on an interval, not only at start', async () => {
    expect(t.app.get(SchedulerRegistry).doesExist('interval', ORPHAN_SWEEP)).toBe(true);
    const { insertedId } = await t.db.collection('imports').insertOne({
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
    await t.app.get(ImportsService).sweepOrphans();
    const { body } = await t
      .http()
      .get(`/api/imports/${String(insertedId)}`)
      .set(auth)
      .expect(200);
    expect(body).toMatchObject({
      status: 'failed',
      failureReason: expect.stringContaining('interrupted'),
    });
  });
});
