/**
 * `npm run sandbox`: the Messenger sandbox alone, for manual runs and benchmarks.
 * Prints its base URL first. SANDBOX_PORT, SANDBOX_APP_ID and SANDBOX_APP_SECRET
 * (to sign webhooks) are optional; Pages are added with POST /_sandbox/pages.
 */
import { startSandbox } from '../src/sandbox/sandbox.server';

async function main(): Promise<void> {
  const running = await startSandbox(
    {
      appId: process.env.SANDBOX_APP_ID,
      appSecret: process.env.SANDBOX_APP_SECRET,
      recordLimit:
        process.env.SANDBOX_RECORD_LIMIT === undefined
          ? undefined
          : Number(process.env.SANDBOX_RECORD_LIMIT),
    },
    Number(process.env.SANDBOX_PORT ?? 0),
  );
  process.stdout.write(`${running.url}\n`);
  process.stderr.write(
    'Messenger sandbox ready; scripting under /_sandbox (pages, scenario, requests, webhooks); Ctrl-C stops it\n',
  );
  const stop = (): void => {
    void running.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`sandbox: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
