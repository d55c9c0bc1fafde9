/**
 * A sending worker in its own process for the send and scale benchmarks: the
 * real service with ROLE=worker, settings from the environment. Prints `ready`
 * once started; answers the first IPC message with its peak memory since it started.
 */
import 'reflect-metadata';
import { createApp } from '../src/app.factory';
import { loadAppConfig } from '../src/config/app-config';
import { trackPeakMemory } from './machine';

void (async () => {
  // Sampled every 250 ms: process.memoryUsage() itself costs about 1 % of a busy worker at 50 ms.
  const peaks = trackPeakMemory(250);
  const app = await createApp(loadAppConfig(process.env));
  await app.init();
  // Asked once, at the end of a run: reading the tracker stops it.
  process.once('message', () => {
    const { rssMiB, heapUsedMiB } = peaks();
    process.send!({ rssMiB, heapUsedMiB });
  });
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
  process.stdout.write('ready\n');
})();
