/**
 * Send API throughput: the MessengerClient against the sandbox (run as its own
 * process, recording nothing) versus the physical limit, a bare keep-alive
 * http.request loop sending the same bodies with the same concurrency and sockets.
 */
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { loadAppConfig } from '../src/config/app-config';
import { AppConfigModule } from '../src/config/app-config.module';
import { MessengerModule } from '../src/messenger/messenger.module';
import { MessengerClient } from '../src/messenger/messenger-client.service';
import { sendMessageBody, textMessage } from '../src/messenger/payloads';
import { MetricsModule } from '../src/metrics/metrics.module';
import { trackPeakMemory } from './machine';

const TOKEN = `EAAB${'x'.repeat(60)}`;
const PAGE = { pageId: '104857600000001', accessToken: TOKEN };

async function startSandboxProcess(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [join(__dirname, '..', 'scripts', 'sandbox.js')], {
    env: { ...process.env, SANDBOX_RECORD_LIMIT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`sandbox exited with ${code}`)));
  });
  await fetch(`${url}/_sandbox/pages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(PAGE),
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

async function runPool(
  total: number,
  concurrency: number,
  send: (index: number) => Promise<boolean>,
): Promise<{ seconds: number; ok: number }> {
  let next = 0;
  let ok = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const index = next++;
        if (await send(index)) ok += 1;
      }
    }),
  );
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, ok };
}

const body = (index: number) =>
  sendMessageBody({
    recipient: { id: String(6543210000000000 + index) },
    messagingType: 'UPDATE',
    message: textMessage(`Hello #${index}`),
  });

export async function benchGraphSend(total = 20_000, concurrency = 64): Promise<string> {
  const sandbox = await startSandboxProcess();
  try {
    const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
    const target = new URL(`${sandbox.url}/v25.0/me/messages`);
    const bare = (index: number) =>
      new Promise<boolean>((resolve, reject) => {
        const payload = JSON.stringify(body(index));
        const req = request(
          {
            agent,
            method: 'POST',
            hostname: target.hostname,
            port: target.port,
            path: target.pathname,
            headers: {
              authorization: `Bearer ${TOKEN}`,
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(payload),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () =>
              resolve(
                typeof (JSON.parse(Buffer.concat(chunks).toString()) as { message_id?: string })
                  .message_id === 'string',
              ),
            );
          },
        );
        req.on('error', reject);
        req.end(payload);
      });

    @Module({
      imports: [
        AppConfigModule.forRoot(
          loadAppConfig({
            ENCRYPTION_KEY: Buffer.alloc(32).toString('base64'),
            API_TOKENS: 'bench-token-0000000000',
            GRAPH_API_URL: sandbox.url,
            GRAPH_MAX_SOCKETS: String(concurrency),
          }),
        ),
        MessengerModule,
        MetricsModule,
      ],
    })
    class BenchModule {}
    const context = await NestFactory.createApplicationContext(BenchModule, {
      logger: false,
      abortOnError: false,
    });
    const client = context.get(MessengerClient);
    const viaClient = async (index: number) => (await client.sendMessage(PAGE, body(index))).ok;

    // Warm both paths (JIT, sockets) before measuring.
    await runPool(2000, concurrency, bare);
    await runPool(2000, concurrency, viaClient);

    const stopMemory = trackPeakMemory();
    const bareRun = await runPool(total, concurrency, bare);
    const clientRun = await runPool(total, concurrency, viaClient);
    const peakRss = stopMemory().rssMiB;
    await context.close();
    agent.destroy();

    const rate = (run: { seconds: number }) => Math.round(total / run.seconds);
    return [
      `### Send API throughput (${total.toLocaleString('en')} text messages, concurrency ${concurrency}, keep-alive)`,
      '',
      '| path | messages/s | ok | time |',
      '|---|---:|---:|---:|',
      `| bare http.request loop (the limit) | ${rate(bareRun)} | ${bareRun.ok} | ${bareRun.seconds.toFixed(2)} s |`,
      `| MessengerClient (node:http transport, metrics, classification) | ${rate(clientRun)} | ${clientRun.ok} | ${clientRun.seconds.toFixed(2)} s |`,
      '',
      `Ratio client ÷ bare: **${(rate(clientRun) / rate(bareRun)).toFixed(2)}**; peak RSS of the benchmark process: ${peakRss.toFixed(0)} MiB.`,
    ].join('\n');
  } finally {
    sandbox.stop();
  }
}
