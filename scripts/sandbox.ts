/**
 * `npm run sandbox`: the Messenger sandbox alone, for manual runs and benchmarks.
 * Prints its base URL first. SANDBOX_PORT, SANDBOX_APP_ID, SANDBOX_APP_SECRET (to
 * sign webhooks) and SANDBOX_RECORD_LIMIT (0 for benchmarks: record nothing) are
 * optional; Pages are added with POST /_sandbox/pages.
 */
import { startSandbox } from '../src/sandbox/sandbox.server';
import { serveUntilInterrupted } from './serve';

serveUntilInterrupted('sandbox', async () => {
  const recordLimit = process.env.SANDBOX_RECORD_LIMIT;
  const running = await startSandbox(
    {
      appId: process.env.SANDBOX_APP_ID,
      appSecret: process.env.SANDBOX_APP_SECRET,
      recordLimit: recordLimit === undefined ? undefined : Number(recordLimit),
    },
    Number(process.env.SANDBOX_PORT ?? 0),
  );
  return {
    address: running.url,
    note: 'Messenger sandbox ready; scripting under /_sandbox (pages, scenario, requests, webhooks)',
    stop: () => running.close(),
  };
});
