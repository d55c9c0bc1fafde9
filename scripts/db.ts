/** `npm run db`: prints the connection string first, then serves until interrupted. */
import { startDatabase } from './database';

async function main(): Promise<void> {
  const database = await startDatabase((line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`${database.uri}\n`);
  process.stderr.write(`engine: ${database.engine}; Ctrl-C stops it\n`);
  const stop = (): void => {
    void database.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`db: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
