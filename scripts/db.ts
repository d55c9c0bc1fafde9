/** `npm run db`: prints the connection string first, then serves until interrupted. */
import { startDatabase } from './database';
import { serveUntilInterrupted } from './serve';

serveUntilInterrupted('db', async () => {
  const database = await startDatabase((line) => process.stderr.write(`${line}\n`));
  return { address: database.uri, note: `engine: ${database.engine}`, stop: () => database.stop() };
});
