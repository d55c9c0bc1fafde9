/**
 * A worker killed with SIGKILL in the middle of a run, and another started: no
 * PSID receives two messages, every delivery ends in a final state, and the
 * deliveries recorded `unknown` are at most those in flight at the kill.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  API_TOKEN,
  APP_ID,
  APP_SECRET,
  auth,
  createTestApp,
  ENCRYPTION_KEY,
  type TestApp,
} from './harness/app';
import { importCsv, PAGE_ID, PAGE_TOKEN, registerPage } from './harness/audience';
import { createCampaign, createSegment, forcePublish } from './harness/campaigns';
import { eventually } from './harness/eventually';

const RECIPIENTS = 300;
const psid = (n: number) => String(8_000_000_000_000_000 + n);

describe('a worker killed mid-run', () => {
  let t: TestApp;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    // The API alone: sending is left to the worker processes.
    t = await createTestApp({
      env: { ROLE: 'api' },
      sandbox: { pages: [{ pageId: PAGE_ID, accessToken: PAGE_TOKEN }] },
    });
    await registerPage(t);
  });
  afterAll(async () => {
    for (const worker of workers) worker.kill('SIGKILL');
    await t.close();
  });

  async function startWorker(): Promise<ChildProcess> {
    const worker = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', join(__dirname, 'harness', 'worker-process.ts')],
      {
        env: {
          ...process.env,
          API_TOKENS: API_TOKEN,
          ENCRYPTION_KEY,
          APP_SECRET,
          APP_ID,
          WEBHOOK_VERIFY_TOKEN: 'verify-me',
          MONGODB_URI: t.config.mongodbUri,
          GRAPH_API_URL: t.sandbox!.url,
          ROLE: 'worker',
          PORT: '0',
          ENGINE_TICK_MS: '50',
          ENGINE_REFRESH_MS: '100',
          PAGE_LEASE_TTL_MS: '1500',
          LOG_LEVEL: 'silent',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    workers.push(worker);
    const lines = createInterface({ input: worker.stdout });
    const [line] = (await once(lines, 'line')) as [string];
    expect(line).toBe('ready');
    return worker;
  }

  it('loses nothing and sends nobody twice', async () => {
    t.sandbox!.sandbox.setScenario({ latencyMs: 30 });
    const recent = new Date(Date.now() - 3_600_000).toISOString();
    const rows = Array.from({ length: RECIPIENTS }, (_, i) => `${psid(i)},P${i},${recent}`);
    await importCsv(t, ['psid,first_name,last_inbound_at', ...rows].join('\n'));
    const id = await createCampaign(t, await createSegment(t), { ratePerSecond: 100 });
    await forcePublish(t, id);

    const first = await startWorker();
    const received = () => t.sandbox!.sandbox.requests({ endpoint: 'messages' });
    await eventually(
      () => Promise.resolve(received().length),
      (count) => count >= 100,
    );
    first.kill('SIGKILL');
    await once(first, 'exit');
    // Killed in the middle: part of the run was sent, part was not.
    expect(received().length).toBeLessThan(RECIPIENTS);
    const claimed = await t.db
      .collection('deliveries')
      .countDocuments({ skipReason: { $exists: false } });
    const recorded = await t.db.collection('delivery_outcomes').countDocuments({});
    const inFlightAtKill = claimed - recorded;

    await startWorker();
    const stats = await eventually(
      async () => (await t.http().get(`/api/campaigns/${id}/stats`).set(auth).expect(200)).body,
      (s) => s.status === 'completed',
      { timeoutMs: 30_000 },
    );
    const perPsid = new Map<string, number>();
    for (const request of received()) {
      const to = (request.body as { recipient: { id: string } }).recipient.id;
      perPsid.set(to, (perPsid.get(to) ?? 0) + 1);
    }
    expect(Math.max(...perPsid.values())).toBe(1);
    expect(stats).toMatchObject({ audience: RECIPIENTS, pending: 0 });
    expect(stats.sent + stats.unknown).toBe(RECIPIENTS);
    expect(stats.unknown).toBeLessThanOrEqual(inFlightAtKill);
    // Every PSID that did not get a message is recorded unknown: none was silently lost.
    expect(perPsid.size).toBeGreaterThanOrEqual(stats.sent);
  });
});
