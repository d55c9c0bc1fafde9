/**
 * Shared by `npm run db` and `npm run sandbox`: print the address first on stdout
 * (so scripts can read it), then run until Ctrl-C or SIGTERM and stop cleanly.
 */
export function serveUntilInterrupted(
  name: string,
  start: () => Promise<{ address: string; note: string; stop: () => Promise<void> }>,
): void {
  start()
    .then(({ address, note, stop }) => {
      process.stdout.write(`${address}\n`);
      process.stderr.write(`${note}; Ctrl-C stops it\n`);
      const shutdown = (): void => {
        void stop().then(() => process.exit(0));
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    })
    .catch((error: unknown) => {
      process.stderr.write(`${name}: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
}
