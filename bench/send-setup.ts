/**
 * What the send and scale benchmarks share: the sandbox and the workers as
 * processes of their own (as in production, and so each one's memory is its
 * own), the API in the benchmark's process, users written straight through the
 * driver (the import is benchmarked elsewhere), and the sandbox's record read
 * back as arrival times.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../src/app.factory';
import { loadAppConfig } from '../src/config/app-config';
import { sendMessageBody, textMessage } from '../src/messenger/payloads';

export const API_TOKEN = 'bench-token-0123456789';
export const ENCRYPTION_KEY = randomBytes(32).toString('base64');
export const LATENCY_MS = 20;
const BASE_PAGE_ID = 104_857_600_000_000;

export const pageIdOf = (index: number) => String(BASE_PAGE_ID + index + 1);
export const tokenOf = (index: number) => `EAAB${String(index).padStart(4, '0')}${'s'.repeat(40)}`;
export const secondsSince = (started: number) => (performance.now() - started) / 1000;

export interface SandboxProcess {
  url: string;
  /** Every Send API call the sandbox answered: PSID, Page token, arrival time (epoch ms). */
  sends(): Promise<{ psid: string; token: string; at: number }[]>;
  /**
   * Sends `count` messages for the first Page and forgets them: the sandbox's compiler and
   * collector settle first (a fresh process's first major collections pause it for 15–20 ms,
   * which moves the arrival stamps of a measured run by as much).
   */
  warmUp(count: number): Promise<void>;
  stop(): void;
}

/** The sandbox in its own process, answering after LATENCY_MS; `recordLimit` 0 records nothing. */
export async function startSandbox(pages: number, recordLimit: number): Promise<SandboxProcess> {
  const child = spawn(process.execPath, [join(__dirname, '..', 'scripts', 'sandbox.js')], {
    env: { ...process.env, SANDBOX_RECORD_LIMIT: String(recordLimit) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`sandbox exited with ${code}`)));
  });
  const call = (path: string, method: string, body: unknown) =>
    fetch(`${url}/_sandbox/${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  for (let index = 0; index < pages; index += 1)
    await call('pages', 'POST', { pageId: pageIdOf(index), accessToken: tokenOf(index) });
  await call('scenario', 'PUT', { latencyMs: LATENCY_MS });
  const send = (psid: string) =>
    fetch(`${url}/v25.0/me/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokenOf(0)}`, 'content-type': 'application/json' },
      body: JSON.stringify(
        sendMessageBody({
          recipient: { id: psid },
          messagingType: 'UPDATE',
          message: textMessage('warm-up'),
        }),
      ),
    }).then((response) => response.arrayBuffer());
  return {
    url,
    warmUp: async (count) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: 32 }, async () => {
          while (next < count) await send(String(7_000_000_000_000_000 + next++));
        }),
      );
      await call('reset', 'POST', {});
      await call('scenario', 'PUT', { latencyMs: LATENCY_MS });
    },
    sends: async () => {
      const { items } = (await (
        await fetch(`${url}/_sandbox/requests?endpoint=messages`)
      ).json()) as {
        items: { body: { recipient: { id: string } }; authorization: string; at: string }[];
      };
      return items.map((item) => ({
        psid: item.body.recipient.id,
        token: item.authorization.replace(/^Bearer /, ''),
        at: Date.parse(item.at),
      }));
    },
    stop: () => void child.kill('SIGTERM'),
  };
}

export interface WorkerProcess {
  pid: number;
  /** Peak memory of the worker since it started, in MiB. */
  peaks(): Promise<{ rssMiB: number; heapUsedMiB: number }>;
  stop(): Promise<void>;
}

/**
 * The worker's heap cap, as the Dockerfile sets it (NODE_OPTIONS): without one, V8 on a
 * large machine lets garbage grow the heap to 250 MiB before collecting, whatever the run.
 */
export const WORKER_HEAP_MIB = 192;

/** A worker (ROLE=worker, production defaults unless `env` says otherwise) in its own process. */
export async function startWorker(
  uri: string,
  graphUrl: string,
  env: Record<string, string> = {},
  nodeFlags: string[] = [`--max-old-space-size=${WORKER_HEAP_MIB}`],
): Promise<WorkerProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [...nodeFlags, join(__dirname, 'send-worker.js')],
    {
      env: {
        ...process.env,
        ROLE: 'worker',
        MONGODB_URI: uri,
        GRAPH_API_URL: graphUrl,
        API_TOKENS: API_TOKEN,
        ENCRYPTION_KEY,
        LOG_LEVEL: 'error',
        PORT: '0',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    },
  );
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  if (line !== 'ready') throw new Error(`worker said ${line}`);
  return {
    pid: child.pid!,
    peaks: async () => {
      child.send('peaks');
      const [message] = (await once(child, 'message')) as [{ rssMiB: number; heapUsedMiB: number }];
      return message;
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

export interface Api {
  app: NestExpressApplication;
  call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T>;
}

/** The service's API (ROLE=api: it sends nothing) in this process. */
export async function startApi(uri: string, graphUrl: string): Promise<Api> {
  const app = await createApp(
    loadAppConfig({
      ROLE: 'api',
      MONGODB_URI: uri,
      GRAPH_API_URL: graphUrl,
      API_TOKENS: API_TOKEN,
      ENCRYPTION_KEY,
      LOG_LEVEL: 'error',
    }),
  );
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/api`;
  return {
    app,
    call: async <T>(method: string, path: string, body?: unknown) => {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!response.ok)
        throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    },
  };
}

/** A Page with `users` users inside the messaging window, and a campaign to all of them (not published). */
export async function preparePage(
  api: Api,
  uri: string,
  index: number,
  users: number,
  ratePerSecond: number,
): Promise<string> {
  const pageId = pageIdOf(index);
  await api.call('POST', '/pages', { pageId, name: `Bench ${index}`, accessToken: tokenOf(index) });
  await insertUsers(uri, pageId, users);
  const segment = await api.call<{ id: string }>('POST', `/pages/${pageId}/segments`, {
    name: 'All',
    rules: { attribute: 'psid', op: 'exists', value: true },
  });
  const campaign = await api.call<{ id: string }>('POST', `/pages/${pageId}/campaigns`, {
    name: `Bench ${index}`,
    segmentId: segment.id,
    message: { kind: 'text', text: 'Hello {{ user.firstName }}, our spring sale starts today.' },
    ratePerSecond,
  });
  return campaign.id;
}

/** Users as the import stores them, in batches of 1,000 (the import's own speed is another benchmark). */
async function insertUsers(uri: string, pageId: string, count: number): Promise<void> {
  const client = await MongoClient.connect(uri);
  const users = client.db().collection('users');
  const now = new Date();
  const lastInboundAt = new Date(now.getTime() - 3_600_000);
  const pageIndex = Number(pageId) % 1000;
  for (let start = 0; start < count; start += 1000) {
    const batch = Array.from({ length: Math.min(1000, count - start) }, (_, offset) => ({
      pageId,
      psid: String(6_000_000_000_000_000 + pageIndex * 10_000_000 + start + offset),
      firstName: `User${start + offset}`,
      locale: 'fr_FR',
      lastInboundAt,
      source: 'csv',
      suppressed: false,
      attributes: {},
      createdAt: now,
      updatedAt: now,
    }));
    await users.insertMany(batch, { ordered: false });
  }
  await client.close();
}

/** Polls until every campaign's status is `status`. */
export async function waitForStatus(
  api: Api,
  campaignIds: string[],
  status: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (const id of campaignIds) {
    while ((await api.call<{ status: string }>('GET', `/campaigns/${id}`)).status !== status) {
      if (performance.now() > deadline) throw new Error(`campaign ${id} not ${status} in time`);
      await sleep(100);
    }
  }
}

/** The most sends any sliding 1-second window holds (times in ms, any order). */
export function busiestSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let busiest = 0;
  for (let start = 0, end = 0; start < sorted.length; start += 1) {
    while (end < sorted.length && sorted[end] - sorted[start] < 1000) end += 1;
    busiest = Math.max(busiest, end - start);
  }
  return busiest;
}

export const fmt = (value: number, digits = 0) =>
  value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
