/** Starts (or finds) the MongoDB-wire server once for the whole run (workers inherit its URI), and builds the console. */
import { ensureConsoleBuilt } from '../../scripts/console-build';
import { locateChromium } from './chromium';
import { startDatabase, type RunningDatabase } from '../../scripts/database';

declare global {
  var __TEST_DATABASE__: RunningDatabase | undefined;
}

export default async function globalSetup(): Promise<void> {
  // The browser tests drive the console as the service serves it.
  ensureConsoleBuilt((line) => process.stderr.write(`\n${line}\n`));
  locateChromium();
  const database = await startDatabase((line) => process.stderr.write(`\n${line}\n`));
  globalThis.__TEST_DATABASE__ = database;
  process.env.TEST_MONGODB_URI = database.uri;
  process.env.TEST_DATABASE_ENGINE = database.engine;
  process.stderr.write(`\ntests run on ${database.engine} at ${database.uri}\n`);
}
