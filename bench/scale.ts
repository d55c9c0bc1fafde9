/**
 * Past one process (issue 8, item 12; docs/scaling.md): 4 worker processes on one
 * database share 40 Pages through Page leases. Checks against the sandbox's
 * record that no PSID received two messages and that no Page passed its rate in
 * any sliding second, and reports how the leases spread the Pages.
 */
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import { startDatabase, withDatabaseName } from '../scripts/database';
import {
  busiestSecond,
  fmt,
  LATENCY_MS,
  preparePage,
  startApi,
  startSandbox,
  startWorker,
  tokenOf,
  type WorkerProcess,
} from './send-setup';

const PAGES = 40;
const WORKERS = 4;

export async function benchScale(perPage = 400, rate = 40): Promise<string> {
  const database = await startDatabase();
  const sandbox = await startSandbox(PAGES, 10_000_000);
  await sandbox.warmUp(5000);
  const uri = withDatabaseName(database.uri, `bench_scale_${Date.now()}`);
  const api = await startApi(uri, sandbox.url);
  const workers: WorkerProcess[] = [];
  const client = await MongoClient.connect(uri);
  const loadAtStart = loadavg()[0];
  try {
    const campaigns: string[] = [];
    for (let index = 0; index < PAGES; index += 1)
      campaigns.push(await preparePage(api, uri, index, perPage, rate));
    for (let index = 0; index < WORKERS; index += 1)
      workers.push(await startWorker(uri, sandbox.url));
    const workerOf = (holder: string) => workers.findIndex((w) => holder.includes(`:${w.pid}:`));

    const started = performance.now();
    for (const id of campaigns) await api.call('POST', `/campaigns/${id}/publish`, { force: true });
    // How many Pages each worker holds at once, sampled while the run goes.
    const mostAtOnce = workers.map(() => 0);
    const db = client.db();
    const leases = db.collection<{
      pageId: string;
      epoch: number;
      holder: string;
      expiresAt: Date;
    }>('page_leases');
    for (let samples = 1; ; samples += 1) {
      const live = await leases.find({ expiresAt: { $gt: new Date() } }).toArray();
      const now = workers.map(() => 0);
      for (const lease of live) now[workerOf(lease.holder)] += 1;
      now.forEach((count, worker) => (mostAtOnce[worker] = Math.max(mostAtOnce[worker], count)));
      const completed = await db.collection('campaigns').countDocuments({ status: 'completed' });
      if (completed === PAGES) break;
      // A long run shows it is alive.
      if (samples % 20 === 0)
        process.stderr.write(
          `scale: ${completed}/${PAGES} completed, ${live.length} leases live, ${fmt((performance.now() - started) / 1000)} s\n`,
        );
      await sleep(500);
    }
    const seconds = (performance.now() - started) / 1000;
    // Lease records keep a Page's last two epochs: the newest epoch counts the takings, and
    // their holders are the workers that sent for the Page ($max is not on FerretDB v1).
    const epochByPage = new Map<string, number>();
    const pagesOf = workers.map(() => new Set<string>());
    for (const lease of await leases.find({}).toArray()) {
      epochByPage.set(lease.pageId, Math.max(epochByPage.get(lease.pageId) ?? 0, lease.epoch));
      pagesOf[workerOf(lease.holder)]?.add(lease.pageId);
    }
    const epochs = [...epochByPage.values()];
    const sends = await sandbox.sends();
    const perPsid = new Map<string, number>();
    for (const send of sends) perPsid.set(send.psid, (perPsid.get(send.psid) ?? 0) + 1);
    const twice = [...perPsid.values()].filter((count) => count > 1).length;
    const busiest = Array.from({ length: PAGES }, (_, index) =>
      busiestSecond(sends.filter((send) => send.token === tokenOf(index)).map((s) => s.at)),
    );
    let sent = 0;
    let unknown = 0;
    let failed = 0;
    let finished = 0;
    for (const id of campaigns) {
      const stats = await api.call<{
        sent: number;
        unknown: number;
        failed: number;
        pending: number;
        audience: number;
      }>('GET', `/campaigns/${id}/stats`);
      sent += stats.sent;
      unknown += stats.unknown;
      failed += stats.failed;
      if (stats.pending === 0 && stats.audience === perPage) finished += 1;
    }
    const held = pagesOf.map((pages) => pages.size);
    return [
      `### ${WORKERS} worker processes, ${PAGES} Pages × ${fmt(perPage)} users at ${rate}/s each (${database.engine}; sandbox latency ${LATENCY_MS} ms, its own process)`,
      '',
      '| check | result |',
      '|---|---|',
      `| messages the sandbox received | ${fmt(sends.length)} for ${fmt(PAGES * perPage)} recipients; ${fmt(sent)} recorded sent, ${fmt(unknown)} unknown, ${fmt(failed)} failed |`,
      `| PSIDs that received two messages | **${twice}** |`,
      `| campaigns completed with nothing pending | ${finished} of ${PAGES} |`,
      `| busiest 1-s window per Page (sliding, at the sandbox) | max **${Math.max(...busiest)}**, min ${Math.min(...busiest)}, limit ${rate}; Pages over: ${busiest.filter((b) => b > rate).length} |`,
      `| Pages each worker sent for (lease records) | ${held.join(', ')} (most at once, sampled every 0.5 s: ${mostAtOnce.join(', ')}) |`,
      `| leases taken per Page | max ${Math.max(...epochs)}, total ${epochs.reduce((sum, e) => sum + e, 0)} for ${PAGES} Pages |`,
      `| publish to the last Page completed | ${fmt(seconds, 1)} s (${fmt(sends.length / seconds)} msgs/s overall; ${fmt(PAGES * rate)}/s is the cap) |`,
      '',
      `Load average (1 min) at the start: ${loadAtStart.toFixed(2)}, at the end: ${loadavg()[0].toFixed(2)}.`,
    ].join('\n');
  } finally {
    for (const worker of workers) await worker.stop();
    await client.close();
    await api.app.close();
    sandbox.stop();
    await database.stop();
  }
}
