/**
 * One webhook receiver in a process of its own, for `bench/webhooks.ts`. `service`:
 * the real application (ROLE api) on the given database, with the benchmark's
 * Page registered; `bare`: the limit, a plain Node HTTP server that reads the
 * body, checks its HMAC and answers. Prints its base URL, then serves until killed.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../src/app.factory';
import { loadAppConfig } from '../src/config/app-config';

export const BENCH_APP_SECRET = '0123456789abcdef0123456789abcdef';
export const BENCH_PAGE_ID = '104857600000001';
const TOKEN = 'bench-token-0123456789';

async function service(uri: string): Promise<string> {
  const app = await createApp(
    loadAppConfig({
      MONGODB_URI: uri,
      API_TOKENS: TOKEN,
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      APP_SECRET: BENCH_APP_SECRET,
      WEBHOOK_VERIFY_TOKEN: 'bench',
      ROLE: 'api',
      LOG_LEVEL: 'error',
    }),
  );
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  const registered = await fetch(`${base}/api/pages`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      pageId: BENCH_PAGE_ID,
      name: 'Bench',
      accessToken: `EAAB${'b'.repeat(40)}`,
    }),
  });
  if (registered.status !== 201) throw new Error(`Page registration answered ${registered.status}`);
  return base;
}

async function bare(): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const expected = createHmac('sha256', BENCH_APP_SECRET)
        .update(Buffer.concat(chunks))
        .digest();
      const header = /^sha256=([0-9a-f]{64})$/.exec(String(req.headers['x-hub-signature-256']));
      const valid = header !== null && timingSafeEqual(Buffer.from(header[1], 'hex'), expected);
      res.writeHead(valid ? 200 : 401, { 'content-type': 'text/plain' });
      res.end(valid ? 'EVENT_RECEIVED' : 'bad signature');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

if (require.main === module) {
  const [mode, uri] = process.argv.slice(2);
  (mode === 'service' ? service(uri) : bare()).then(
    (url) => process.stdout.write(`${url}\n`),
    (error: unknown) => {
      process.stderr.write(
        `webhooks-server: ${error instanceof Error ? error.stack : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
