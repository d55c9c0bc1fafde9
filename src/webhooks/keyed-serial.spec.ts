import { setTimeout as sleep } from 'node:timers/promises';
import { KeyedSerial } from './keyed-serial';

describe('KeyedSerial', () => {
  it('runs one key in order, other keys alongside, and goes on after a failure', async () => {
    const serial = new KeyedSerial();
    const log: string[] = [];
    const task =
      (name: string, ms: number, fail = false) =>
      async () => {
        log.push(`start ${name}`);
        await sleep(ms);
        log.push(`end ${name}`);
        if (fail) throw new Error(name);
        return name;
      };
    const results = await Promise.allSettled([
      serial.run('a', task('a1', 30, true)),
      serial.run('a', task('a2', 1)),
      serial.run('b', task('b1', 1)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect(log.indexOf('end a1')).toBeLessThan(log.indexOf('start a2'));
    expect(log.indexOf('end b1')).toBeLessThan(log.indexOf('end a1'));
    await sleep(0);
    expect(serial.size).toBe(0);
  });
});
