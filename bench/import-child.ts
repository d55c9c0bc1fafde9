/**
 * One import measurement in a fresh process, so its peak RSS is its own.
 * `import`: the real service, uploading over HTTP and waiting for completion.
 * `bare`: the limit, the same documents written with the driver's insertMany.
 * Runs from compiled JavaScript, as production does. Prints one JSON line
 * {rows, seconds, rssMiB, heapUsedMiB, externalMiB}.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { MongoClient } from 'mongodb';
import { createApp } from '../src/app.factory';
import { loadAppConfig } from '../src/config/app-config';
import { trackPeakMemory } from './machine';

const [mode, file, uri] = process.argv.slice(2);
const PAGE_ID = '104857600000001';
const secondsSince = (started: bigint): number => Number(process.hrtime.bigint() - started) / 1e9;
const TOKEN = 'bench-token-0123456789';

/** Streams the file as a text/csv body, as a CRM export job would. */
function uploadFile(url: string, headers: Record<string, string>): Promise<{ importId: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { ...headers, 'content-type': 'text/csv' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve(JSON.parse(Buffer.concat(chunks).toString()) as { importId: string }),
        );
      },
    );
    req.on('error', reject);
    createReadStream(file).pipe(req);
  });
}

/** Timed from the upload to the end of the import (the service's boot is not counted). */
async function viaService(): Promise<{ rows: number; seconds: number }> {
  const app = await createApp(
    loadAppConfig({
      MONGODB_URI: uri,
      API_TOKENS: TOKEN,
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'error',
      IMPORT_MAX_BYTES: String(2 ** 33),
    }),
  );
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  const headers = { Authorization: `Bearer ${TOKEN}` };
  await fetch(`${base}/api/pages`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ pageId: PAGE_ID, name: 'Bench', accessToken: `EAAB${'b'.repeat(40)}` }),
  });
  const started = process.hrtime.bigint();
  const { importId } = await uploadFile(`${base}/api/pages/${PAGE_ID}/imports`, headers);
  let result: { status: string; counts: { inserted: number } };
  do {
    result = (await (
      await fetch(`${base}/api/imports/${importId}?waitSeconds=60`, { headers })
    ).json()) as typeof result;
  } while (result.status === 'running');
  const seconds = secondsSince(started);
  await app.close();
  if (result.status !== 'completed') throw new Error(`import ${result.status}`);
  return { rows: result.counts.inserted, seconds };
}

/** Timed from the first line read to the last insert (connecting is not counted). */
async function bare(): Promise<{ rows: number; seconds: number }> {
  const client = await MongoClient.connect(uri);
  const users = client.db().collection('users');
  await users.createIndex({ pageId: 1, psid: 1 }, { unique: true });
  const started = process.hrtime.bigint();
  const lines = createInterface({ input: createReadStream(file) });
  let batch: Record<string, unknown>[] = [];
  let rows = 0;
  let header = true;
  const now = new Date();
  for await (const line of lines) {
    if (header) {
      header = false;
      continue;
    }
    const [
      psid,
      firstName,
      lastName,
      locale,
      timezone,
      lastInbound,
      city,
      orders,
      vip,
      signedUp,
      email,
    ] = line.split(',');
    batch.push({
      pageId: PAGE_ID,
      psid,
      firstName,
      lastName,
      locale,
      timezone,
      ...(lastInbound ? { lastInboundAt: new Date(lastInbound) } : {}),
      source: 'csv',
      suppressed: false,
      attributes: {
        city,
        orders: Number(orders),
        vip: vip === 'true',
        signed_up: new Date(signedUp),
        email,
      },
      createdAt: now,
      updatedAt: now,
    });
    if (batch.length === 1000) {
      rows += (await users.insertMany(batch, { ordered: false })).insertedCount;
      batch = [];
    }
  }
  if (batch.length > 0) rows += (await users.insertMany(batch, { ordered: false })).insertedCount;
  const seconds = secondsSince(started);
  await client.close();
  return { rows, seconds };
}

async function main(): Promise<void> {
  const stopMemory = trackPeakMemory();
  const { rows, seconds } = mode === 'bare' ? await bare() : await viaService();
  process.stdout.write(`${JSON.stringify({ rows, seconds, ...stopMemory() })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
