/**
 * A worker as its own process (ROLE=worker, settings from the environment), for
 * tests that kill one with SIGKILL mid-run. Prints `ready` once it is sending.
 */
import 'reflect-metadata';
import { createApp } from '../../src/app.factory';
import { loadAppConfig } from '../../src/config/app-config';

void (async () => {
  const app = await createApp(loadAppConfig(process.env));
  await app.init();
  process.stdout.write('ready\n');
})();
