/**
 * Waits for a condition that the service reaches on its own (a run finishing,
 * a lease taken over), checking it again as soon as the event loop is free
 * after short pauses; fails with the last value seen when time runs out.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 20_000, everyMs = 25 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`still not there after ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await sleep(everyMs);
  }
}
