/**
 * The sending engine (issue 8, item 11), side by side in one run with its two
 * physical limits: (a) a bare keep-alive POST loop to the sandbox at the
 * engine's concurrency, and (c) the database's own capacity for the least any
 * engine must write (a delivery and an outcome per recipient, bulk inserted).
 * (b) is the real service: an API in this process, one worker process, 20 Pages
 * at 300/s each, sandbox latency 20 ms, outcomes persisted. Then the rate's
 * precision over 60 s for one Page, the latencies of publish and pause, and the
 * worker's peak memory on a large run.
 */
import { Agent, request } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import { startDatabase, withDatabaseName, type RunningDatabase } from '../scripts/database';
import { sendMessageBody, textMessage } from '../src/messenger/payloads';
import { DeliveryOutcomeSchema, DeliverySchema } from '../src/delivery/delivery.schema';
import { loadAppConfig } from '../src/config/app-config';
import { cpuSecondsByGroup, type ProcessGroups } from './machine';
import {
  API_TOKEN,
  busiestSecond,
  ENCRYPTION_KEY,
  fmt,
  LATENCY_MS,
  pageIdOf,
  preparePage,
  secondsSince,
  startApi,
  startSandbox,
  startWorker,
  tokenOf,
  waitForStatus,
  type SandboxProcess,
} from './send-setup';

const PAGES = 20;
const RATE = 300;
/**
 * Graph calls one worker has in flight at most: its agent's sockets (GRAPH_MAX_SOCKETS,
 * default 256; 20 Pages × SEND_CONCURRENCY_PER_PAGE 32 would allow more).
 */
const ENGINE_SOCKETS = loadAppConfig({ API_TOKENS: API_TOKEN, ENCRYPTION_KEY }).graph.maxSockets;
/** What 20 Pages at 300/s may send at most: Facebook's cap, whatever the machine. */
const RATE_CAP = PAGES * RATE;
const TEXT = 'Hello User1, our spring sale starts today.';

const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

/** (a) The HTTP limit: the engine's bodies over keep-alive sockets, as many in flight as the engine may have. */
async function bareLoop(sandbox: SandboxProcess, total: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: ENGINE_SOCKETS });
  const target = new URL(`${sandbox.url}/v25.0/me/messages`);
  const send = (index: number) =>
    new Promise<void>((resolve, reject) => {
      const payload = JSON.stringify(
        sendMessageBody({
          recipient: { id: String(6_000_000_000_000_000 + index) },
          messagingType: 'UPDATE',
          message: textMessage(TEXT),
        }),
      );
      const req = request(
        {
          agent,
          method: 'POST',
          hostname: target.hostname,
          port: target.port,
          path: target.pathname,
          headers: {
            authorization: `Bearer ${tokenOf(index % PAGES)}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            res.statusCode === 200
              ? resolve()
              : reject(new Error(`${res.statusCode}: ${Buffer.concat(chunks).toString()}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  const pool = async (count: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: ENGINE_SOCKETS }, async () => {
        while (next < count) await send(next++);
      }),
    );
  };
  await pool(2000); // JIT and sockets warm
  const started = performance.now();
  await pool(total);
  const rate = total / secondsSince(started);
  agent.destroy();
  return rate;
}

/** (c) The database's capacity: a delivery and an outcome per recipient, shaped and indexed as the engine's, 1,000 per insert. */
async function bareInserts(uri: string, total: number): Promise<number> {
  const client = await MongoClient.connect(uri);
  const db = client.db();
  const deliveries = db.collection('deliveries');
  const outcomes = db.collection('delivery_outcomes');
  for (const [fields, options] of DeliverySchema.indexes())
    await deliveries.createIndex(fields as never, options as never);
  for (const [fields, options] of DeliveryOutcomeSchema.indexes())
    await outcomes.createIndex(fields as never, options as never);
  const runId = '0123456789abcdef01234567';
  const key = (seq: number) => `${runId}:${6_000_000_000_000_000 + seq}:000`;
  const common = (seq: number) => ({
    _id: key(seq),
    runId,
    campaignId: 'fedcba9876543210fedcba98',
    pageId: pageIdOf(seq % PAGES),
    psid: String(6_000_000_000_000_000 + seq),
    round: 0,
    seq,
  });
  const now = new Date();
  const stream = async (
    make: (seq: number) => Record<string, unknown>,
    target: typeof outcomes,
  ) => {
    for (let start = 0; start < total; start += 1000) {
      const batch = Array.from({ length: Math.min(1000, total - start) }, (_, i) =>
        make(start + i),
      );
      await target.insertMany(batch as never[], { ordered: false });
    }
  };
  const started = performance.now();
  // The engine has a claim batch and an outcome batch in flight at once; so does this.
  await Promise.all([
    stream(
      (seq) => ({
        ...common(seq),
        chunk: Math.floor(seq / 1000),
        userId: '65f000000000000000000000',
        claimedAt: now,
      }),
      deliveries,
    ),
    stream(
      (seq) => ({
        ...common(seq),
        status: 'sent',
        retryable: false,
        attempts: 1,
        messageId: `m_${seq}`,
        sentAt: now,
        recordedAt: now,
      }),
      outcomes,
    ),
  ]);
  const rate = total / secondsSince(started);
  await client.close();
  return rate;
}

interface EngineRun {
  recipients: number;
  completed: boolean;
  /** Publish of the first campaign to the last outcome recorded (or to the deadline). */
  seconds: number;
  outcomes: number;
  /** Publish to the first claim (the claim is written right before its call); undefined if none. */
  firstSendSeconds?: number;
  sent: number;
  /** Times a worker took a Page's lease, over all Pages: one each when nothing lapses. */
  leasesTaken: number;
  rssMiB: number;
  heapUsedMiB: number;
  /** CPU milliseconds per recipient, by process, from publish to completion (Linux only). */
  cpuMsPerRecipient?: Record<string, number>;
}

/** (b) The engine: 20 Pages × `perPage` users, every campaign at 300/s, one worker process. */
async function engineRun(
  database: RunningDatabase,
  sandbox: SandboxProcess,
  perPage: number,
  name: string,
  deadlineMs: number,
): Promise<EngineRun> {
  const uri = withDatabaseName(database.uri, `bench_send_${name}_${Date.now()}`);
  const api = await startApi(uri, sandbox.url);
  const campaigns: string[] = [];
  for (let index = 0; index < PAGES; index += 1)
    campaigns.push(await preparePage(api, uri, index, perPage, RATE));
  const worker = await startWorker(uri, sandbox.url);
  const client = await MongoClient.connect(uri);
  const processes: ProcessGroups = {
    worker: (_commandLine, pid) => pid === worker.pid,
    FerretDB: (commandLine) => commandLine.includes('ferretdb-embedded'),
    PostgreSQL: (commandLine) => commandLine.startsWith('postgres:'),
    sandbox: (commandLine) => commandLine.includes('scripts/sandbox.js'),
    'API and benchmark': (_commandLine, pid) => pid === process.pid,
  };
  try {
    const cpuBefore = cpuSecondsByGroup(processes);
    const publishedAt = Date.now();
    // All at once, as the figures say: in turn, the last publish would start seconds after the first.
    await Promise.all(
      campaigns.map((id) => api.call('POST', `/campaigns/${id}/publish`, { force: true })),
    );
    const completed = await waitForStatus(api, campaigns, 'completed', deadlineMs).then(
      () => true,
      () => false,
    );
    const cpuAfter = cpuSecondsByGroup(processes);
    const db = client.db();
    const [last] = await db
      .collection('delivery_outcomes')
      .find({}, { projection: { recordedAt: 1 } })
      .sort({ recordedAt: -1 })
      .limit(1)
      .toArray();
    const [first] = await db
      .collection('deliveries')
      .find({}, { projection: { claimedAt: 1 } })
      .sort({ claimedAt: 1 })
      .limit(1)
      .toArray();
    // A Page's lease records keep its last two epochs; the newest counts its takings.
    const epochs = new Map<string, number>();
    for (const lease of await db.collection('page_leases').find({}).toArray())
      epochs.set(
        lease.pageId as string,
        Math.max(epochs.get(lease.pageId as string) ?? 0, lease.epoch as number),
      );
    let sent = 0;
    if (completed)
      for (const id of campaigns)
        sent += (await api.call<{ sent: number }>('GET', `/campaigns/${id}/stats`)).sent;
    return {
      recipients: PAGES * perPage,
      completed,
      seconds: completed
        ? ((last.recordedAt as Date).getTime() - publishedAt) / 1000
        : (Date.now() - publishedAt) / 1000,
      outcomes: await db.collection('delivery_outcomes').estimatedDocumentCount(),
      firstSendSeconds: first && ((first.claimedAt as Date).getTime() - publishedAt) / 1000,
      sent,
      leasesTaken: [...epochs.values()].reduce((sum, epoch) => sum + epoch, 0),
      ...(await worker.peaks()),
      cpuMsPerRecipient:
        cpuBefore &&
        cpuAfter &&
        Object.fromEntries(
          Object.keys(processes).map((name) => [
            name,
            ((cpuAfter[name] - cpuBefore[name]) * 1000) / (PAGES * perPage),
          ]),
        ),
    };
  } finally {
    await client.close();
    await worker.stop();
    await api.app.close();
  }
}

interface Precision {
  rate: number;
  inFirstMinute: number;
  busiest: number;
  firstSendSeconds: number;
  pauseToLastSendSeconds: number;
  sentAfterPause: number;
}

/** One Page at `rate`/s: sends in the first 60 s and the busiest second, then a pause and its last send. */
async function precisionRun(database: RunningDatabase, rate: number): Promise<Precision> {
  const sandbox = await startSandbox(1, 1_000_000);
  await sandbox.warmUp(5000);
  const uri = withDatabaseName(database.uri, `bench_send_rate_${Date.now()}`);
  const api = await startApi(uri, sandbox.url);
  const id = await preparePage(api, uri, 0, rate * 75, rate);
  const worker = await startWorker(uri, sandbox.url);
  try {
    const publishedAt = Date.now();
    await api.call('POST', `/campaigns/${id}/publish`, { force: true });
    await sleep(62_000);
    const pausedAt = Date.now();
    await api.call('POST', `/campaigns/${id}/pause`);
    // Settled once no send arrived for three seconds.
    let count = -1;
    for (let sends = await sandbox.sends(); sends.length !== count; sends = await sandbox.sends()) {
      count = sends.length;
      await sleep(3000);
    }
    const times = (await sandbox.sends()).map((send) => send.at).sort((a, b) => a - b);
    const first = times[0];
    return {
      rate,
      inFirstMinute: times.filter((at) => at < first + 60_000).length,
      busiest: busiestSecond(times),
      // The sandbox stamps a call when it arrives, before its scripted latency.
      firstSendSeconds: (first - publishedAt) / 1000,
      pauseToLastSendSeconds: (times[times.length - 1] - pausedAt) / 1000,
      sentAfterPause: times.filter((at) => at > pausedAt).length,
    };
  } finally {
    await worker.stop();
    await api.app.close();
    sandbox.stop();
  }
}

/** Where (b)'s CPU went, per recipient, and what the machine's cores allow at that cost. */
function cpuLine(msPerRecipient: Record<string, number>): string {
  const total = Object.values(msPerRecipient).reduce((sum, ms) => sum + ms, 0);
  const parts = Object.entries(msPerRecipient).map(([name, ms]) => `${name} ${fmt(ms, 3)}`);
  return `CPU per recipient in (b), in ms: ${parts.join(', ')}; total ${fmt(total, 3)} ms, so ${cpus().length} cores allow at most ${fmt((cpus().length * 1000) / total)} msgs/s at that cost.`;
}

export async function benchSend(
  perPage = 2000,
  largeRecipients = 200_000,
  deadlineMs = 1_200_000,
  precisionRate = 100,
): Promise<string> {
  const database = await startDatabase();
  const loads: string[] = [`start ${load()}`];
  try {
    const total = PAGES * perPage;
    const sandbox = await startSandbox(PAGES, 0);
    const http = await bareLoop(sandbox, total);
    loads.push(`after (a) ${load()}`);
    const db = await bareInserts(
      withDatabaseName(database.uri, `bench_send_bare_${Date.now()}`),
      total,
    );
    loads.push(`after (c) ${load()}`);
    const engine = await engineRun(database, sandbox, perPage, 'b', deadlineMs);
    loads.push(`after (b) ${load()}`);
    if (engine.completed && engine.sent !== total)
      throw new Error(`engine sent ${engine.sent} of ${total}`);
    const precision = await precisionRun(database, precisionRate);
    loads.push(`after the precision run ${load()}`);
    const large = await engineRun(
      database,
      sandbox,
      Math.ceil(largeRecipients / PAGES),
      'large',
      deadlineMs,
    );
    loads.push(`after the large run ${load()}`);
    sandbox.stop();

    // An unfinished run counts what it recorded by its deadline.
    const engineRate = engine.outcomes / engine.seconds;
    const largeRate = large.outcomes / large.seconds;
    const verdict = (run: EngineRun) =>
      run.completed
        ? `${fmt(run.sent)} sent`
        : `**not completed**: ${fmt(run.outcomes)} outcomes by the deadline`;
    const limit = Math.min(http, db, RATE_CAP);
    const httpLimit = Math.min(http, RATE_CAP);
    const deviation = (precision.inFirstMinute / 60 / precision.rate - 1) * 100;
    return [
      `### Sending engine (${database.engine}; ${PAGES} Pages × ${fmt(perPage)} users at ${RATE}/s each; sandbox latency ${LATENCY_MS} ms, its own process; one worker process)`,
      '',
      '| path | msgs/s | recipients | time |',
      '|---|---:|---:|---:|',
      `| (a) bare keep-alive POST loop, ${ENGINE_SOCKETS} in flight (HTTP limit) | ${fmt(http)} | ${fmt(total)} | ${fmt(total / http, 1)} s |`,
      `| (c) bare insertMany, a delivery and an outcome per recipient (database limit) | ${fmt(db)} | ${fmt(total)} | ${fmt(total / db, 1)} s |`,
      `| Facebook's cap: ${PAGES} Pages × ${RATE}/s | ${fmt(RATE_CAP)} | | |`,
      `| (b) the engine, publish to last outcome | ${fmt(engineRate)} | ${verdict(engine)} | ${fmt(engine.seconds, 1)} s |`,
      '',
      `Ratio b ÷ min(a, c, ${fmt(RATE_CAP)}/s): **${(engineRate / limit).toFixed(2)}** (goal ≥ 0.5, later 0.8); b ÷ min(a, ${fmt(RATE_CAP)}/s): **${(engineRate / httpLimit).toFixed(2)}**. Publish to first claim (20 Pages): ${engine.firstSendSeconds === undefined ? 'none' : `${fmt(engine.firstSendSeconds, 2)} s`}. Page leases taken: ${engine.leasesTaken} for ${PAGES} Pages. Worker peak RSS ${fmt(engine.rssMiB)} MiB, heap ${fmt(engine.heapUsedMiB)} MiB.`,
      ...(engine.cpuMsPerRecipient ? ['', cpuLine(engine.cpuMsPerRecipient)] : []),
      '',
      `| measure | result | goal |`,
      '|---|---:|---|',
      `| one Page at ${precision.rate}/s: sends in the first 60 s | ${fmt(precision.inFirstMinute)} (${fmt(precision.inFirstMinute / 60, 2)}/s, ${deviation >= 0 ? '+' : ''}${deviation.toFixed(2)} %) | ±2 % |`,
      `| busiest 1-s window (sliding, at the sandbox) | ${precision.busiest} | ≤ ${precision.rate} |`,
      `| publish to first send (one Page) | ${fmt(precision.firstSendSeconds, 2)} s | < 1 s |`,
      `| pause to last send | ${fmt(precision.pauseToLastSendSeconds, 2)} s (${precision.sentAfterPause} sends after the pause) | < 1 s |`,
      `| large run: ${fmt(large.recipients)} recipients, 20 Pages | ${fmt(largeRate)} msgs/s, ${fmt(large.seconds, 0)} s, ${verdict(large)}, ${large.leasesTaken} leases taken | |`,
      `| worker peak RSS, large run | ${fmt(large.rssMiB)} MiB (heap ${fmt(large.heapUsedMiB)} MiB) | < 250 MB at 1M |`,
      '',
      `Load averages (1, 5, 15 min): ${loads.join('; ')}.`,
    ].join('\n');
  } finally {
    await database.stop();
  }
}
