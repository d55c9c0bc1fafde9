/**
 * Webhook ingest: signed bodies acknowledged per second and the p99 time to the
 * 200, the service (verify, one insert, answer; processing after) against the
 * limit, a bare Node HTTP server reading the body, checking its HMAC and
 * answering. Each receiver runs in a process of its own; this process only sends.
 * Then how long the service takes to process what it acknowledged.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { MongoClient } from 'mongodb';
import { startDatabase, withDatabaseName } from '../scripts/database';
import { hubSignature } from '../src/common/hub-signature';
import { facebookJson, inboundMessageEvent, pageWebhook } from '../src/sandbox/webhook-events';
import { BENCH_APP_SECRET, BENCH_PAGE_ID } from './webhooks-server';

interface Run {
  seconds: number;
  ok: number;
  /** Answers other than 200, by status. */
  others: Record<number, number>;
  p50Ms: number;
  p99Ms: number;
}

async function startReceiver(
  mode: 'service' | 'bare',
  uri = '',
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(__dirname, 'webhooks-server.js'), mode, uri], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${mode} receiver exited with ${code}`)));
  });
  return { url, child };
}

/**
 * Signed bodies as Facebook sends them: one message event each (the worst case;
 * Facebook batches when it can), from `users` PSIDs in turn, with non-ASCII text
 * and a URL, so they are escaped as Facebook escapes them.
 */
function bodies(count: number, users: number, tag: string): { raw: string; signature: string }[] {
  const start = Date.now() - 3_600_000;
  return Array.from({ length: count }, (_, index) => {
    const psid = String(7_400_000_000_000_000 + (index % users));
    const event = inboundMessageEvent(
      BENCH_PAGE_ID,
      psid,
      `Bonjour n°${index} ${tag} — https://example.com/été/${index}`,
      start + index,
    );
    const raw = facebookJson(pageWebhook(BENCH_PAGE_ID, [event]));
    return { raw, signature: hubSignature(raw, BENCH_APP_SECRET) };
  });
}

async function load(
  url: string,
  items: { raw: string; signature: string }[],
  concurrency: number,
): Promise<Run> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(`${url}/webhooks/messenger`);
  const latencies: number[] = [];
  let ok = 0;
  const others: Record<number, number> = {};
  let next = 0;
  const post = (item: { raw: string; signature: string }) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        {
          agent,
          method: 'POST',
          hostname: target.hostname,
          port: target.port,
          path: target.pathname,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(item.raw),
            'x-hub-signature-256': item.signature,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(item.raw);
    });
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next++];
        const sent = process.hrtime.bigint();
        const status = await post(item);
        if (status === 200) ok += 1;
        else others[status] = (others[status] ?? 0) + 1;
        latencies.push(Number(process.hrtime.bigint() - sent) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { seconds, ok, others, p50Ms: at(0.5), p99Ms: at(0.99) };
}

/** Seconds until every acknowledged body is processed (null: not within `limitSeconds`), and how many were. */
async function drain(
  uri: string,
  expected: number,
  limitSeconds: number,
): Promise<{ seconds: number | null; processed: number }> {
  const client = await MongoClient.connect(uri);
  try {
    const events = client.db().collection('webhook_events');
    const started = Date.now();
    for (;;) {
      const processed = await events.countDocuments({ status: 'processed' });
      if (processed >= expected) return { seconds: (Date.now() - started) / 1000, processed };
      if (Date.now() - started > limitSeconds * 1000) return { seconds: null, processed };
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await client.close();
  }
}

export async function benchWebhooks(total = 5000, concurrency = 64, users = 1000): Promise<string> {
  const database = await startDatabase();
  const uri = withDatabaseName(database.uri, `bench_webhooks_${randomBytes(4).toString('hex')}`);
  const receivers: ChildProcess[] = [];
  try {
    const bareReceiver = await startReceiver('bare');
    const serviceReceiver = await startReceiver('service', uri);
    receivers.push(bareReceiver.child, serviceReceiver.child);
    const warmup = Math.min(1000, total);
    // Warm both (JIT, sockets, the service's first writes) on bodies of their own.
    await load(bareReceiver.url, bodies(warmup, users, 'warm'), concurrency);
    const warm = await load(serviceReceiver.url, bodies(warmup, users, 'warm'), concurrency);
    await drain(uri, warm.ok, 120);

    const measured = bodies(total, users, 'run');
    const bareRun = await load(bareReceiver.url, measured, concurrency);
    const serviceRun = await load(serviceReceiver.url, measured, concurrency);
    const drained = await drain(uri, warm.ok + serviceRun.ok, 240);

    const rate = (run: Run) => Math.round(run.ok / run.seconds);
    const row = (name: string, run: Run) =>
      `| ${name} | ${rate(run)} | ${run.p50Ms.toFixed(1)} ms | ${run.p99Ms.toFixed(1)} ms | ${run.ok} | ${JSON.stringify(run.others)} | ${run.seconds.toFixed(2)} s |`;
    return [
      `### Webhook ingest (${total.toLocaleString('en')} signed bodies of one message event, ${users.toLocaleString('en')} PSIDs, concurrency ${concurrency}, keep-alive; ${database.engine})`,
      '',
      '| receiver | acknowledged/s | p50 | p99 | 200s | other answers | time |',
      '|---|---:|---:|---:|---:|---|---:|',
      row('bare Node HTTP server: read, HMAC, answer (the limit)', bareRun),
      row(
        'service: verify, store (inserts batched with the bodies arriving together), answer; process after',
        serviceRun,
      ),
      '',
      `Ratio service ÷ bare: **${(rate(serviceRun) / rate(bareRun)).toFixed(2)}**. ` +
        (drained.seconds === null
          ? `Processing had not caught up 240 s after the last answer: ${drained.processed - warm.ok} of ${serviceRun.ok} processed.`
          : `Every acknowledged body was processed ${drained.seconds.toFixed(1)} s after the last answer.`),
    ].join('\n');
  } finally {
    for (const child of receivers) child.kill('SIGTERM');
    await database.stop();
  }
}
