import { SendRateLimiter } from './rate-limiter';

/** mulberry32: repeatable timer lateness. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Lateness = (random: () => number) => number;
const LATENESS: Record<string, Lateness> = {
  'on time': () => 0,
  'up to 4 ms late': (random) => random() * 4,
  '30 ms stalls': (random) => (random() < 0.02 ? 30 : random() * 2),
};

/**
 * One sender with endless demand on a fake clock: asks, and when told to wait,
 * sleeps that long plus the timer's lateness. `at` changes the limiter at given times.
 */
function simulate(options: {
  rate: number;
  durationMs: number;
  lateness?: Lateness;
  at?: [number, (limiter: SendRateLimiter) => void][];
}): number[] {
  let t = 0;
  const limiter = new SendRateLimiter(options.rate, () => t);
  const random = seeded(7);
  const lateness = options.lateness ?? LATENESS['on time'];
  const pending = [...(options.at ?? [])];
  const starts: number[] = [];
  while (t < options.durationMs) {
    while (pending.length > 0 && pending[0][0] <= t) pending.shift()![1](limiter);
    const wait = limiter.reserve();
    if (wait === 0) starts.push(t);
    else t = Math.min(t + wait + lateness(random), pending[0]?.[0] ?? Infinity);
  }
  return starts.filter((start) => start < options.durationMs);
}

/** The most starts in any half-open window [a, a + 1000) whose last start is at or after `from`. */
function maxInAnyWindow(starts: number[], from = 0): number {
  let most = 0;
  let first = 0;
  for (let last = 0; last < starts.length; last += 1) {
    while (starts[first] <= starts[last] - 1000) first += 1;
    if (starts[last] >= from) most = Math.max(most, last - first + 1);
  }
  return most;
}

const between = (starts: number[], from: number, to: number) =>
  starts.filter((start) => start >= from && start < to).length;

describe('SendRateLimiter', () => {
  describe('over 60 s of endless demand', () => {
    const cases = [1, 7, 40, 300].flatMap((rate) =>
      Object.keys(LATENESS).map((lateness) => [rate, lateness] as const),
    );
    it.each(cases)(
      '%p/s, timers %s: never over in any 1-s window, average within 1 %',
      (rate, lateness) => {
        const starts = simulate({ rate, durationMs: 60_000, lateness: LATENESS[lateness] });
        expect(maxInAnyWindow(starts)).toBeLessThanOrEqual(rate);
        expect(Math.abs(starts.length - rate * 60)).toBeLessThanOrEqual(rate * 60 * 0.01);
      },
    );
  });

  it.each([
    [1, [0, 1000, 2000, 3000]],
    [4, [0, 250, 500, 750, 1000]],
    [40, [0, 25, 50, 75, 100]],
  ])('%p/s starts paced from the first send, without a burst: %p', (rate, expected) => {
    const starts = simulate({ rate, durationMs: expected.at(-1)! + 1 });
    expect(starts).toEqual(expected);
  });

  it('paces a fractional rate at its floor, since no window may hold more', () => {
    const starts = simulate({ rate: 22.5, durationMs: 10_000 });
    expect(maxInAnyWindow(starts)).toBe(22);
    expect(starts).toHaveLength(220);
  });

  it('paces a rate below 1/s by its interval', () => {
    expect(simulate({ rate: 0.5, durationMs: 6001 })).toEqual([0, 2000, 4000, 6000]);
  });

  it('does not turn an idle spell into a burst', () => {
    let t = 0;
    const limiter = new SendRateLimiter(40, () => t);
    expect(limiter.reserve()).toBe(0);
    t = 60_000;
    const burst = [limiter.reserve(), limiter.reserve(), limiter.reserve(), limiter.reserve()];
    // 100 ms of catch-up at most: the slots at -100, -75, …, 0 ms.
    expect(burst).toEqual([0, 0, 0, 0]);
    expect([0, 0, 0, 0, 0].map(() => limiter.reserve()).filter((wait) => wait === 0)).toHaveLength(
      1,
    );
    expect(limiter.reserve()).toBe(25);
  });

  it('reserves nothing when it answers a wait', () => {
    let t = 0;
    const limiter = new SendRateLimiter(4, () => t);
    expect(limiter.reserve()).toBe(0);
    expect(limiter.reserve()).toBe(250);
    t = 100;
    expect(limiter.reserve()).toBe(150);
    t = 250;
    expect(limiter.reserve()).toBe(0);
  });

  describe('rate changes', () => {
    it('a higher rate applies from the next slot', () => {
      let t = 0;
      const limiter = new SendRateLimiter(4, () => t);
      expect(limiter.reserve()).toBe(0);
      limiter.setRate(10);
      expect(limiter.reserve()).toBe(100);
      t = 100;
      expect(limiter.reserve()).toBe(0);
    });

    it('a lower rate holds in every window that ends with a start after the change', () => {
      const starts = simulate({
        rate: 40,
        durationMs: 20_000,
        lateness: LATENESS['up to 4 ms late'],
        at: [[10_000, (limiter) => limiter.setRate(10)]],
      });
      const changed = starts.findIndex((start) => start >= 10_000);
      expect(maxInAnyWindow(starts.slice(0, changed))).toBeLessThanOrEqual(40);
      expect(maxInAnyWindow(starts, 10_000)).toBeLessThanOrEqual(10);
      expect(between(starts, 11_000, 20_000)).toBeGreaterThanOrEqual(89);
      expect(between(starts, 11_000, 20_000)).toBeLessThanOrEqual(91);
    });

    it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses the rate %p', (rate) => {
      expect(() => new SendRateLimiter(rate)).toThrow(RangeError);
      expect(() => new SendRateLimiter(1).setRate(rate)).toThrow(RangeError);
    });
  });

  describe('slowdowns', () => {
    it.each<[string, [number, number][], [number, number][]]>([
      ['none', [], [[0, 40]]],
      [
        'one, then it expires',
        [[0.5, 10_000]],
        [
          [0, 20],
          [9_999, 20],
          [10_000, 40],
        ],
      ],
      [
        'the strongest active one wins, then the next',
        [
          [0.8, 20_000],
          [0.5, 10_000],
        ],
        [
          [0, 20],
          [10_000, 32],
          [20_000, 40],
        ],
      ],
      [
        'a weaker one does not undo a stronger one',
        [
          [0.25, 10_000],
          [0.9, 5_000],
        ],
        [
          [0, 10],
          [5_000, 10],
          [10_000, 40],
        ],
      ],
    ])('%s', (_, slowdowns, expected) => {
      let t = 0;
      const limiter = new SendRateLimiter(40, () => t);
      for (const [factor, forMs] of slowdowns) limiter.slowDown(factor, forMs);
      for (const [time, rate] of expected) {
        t = time;
        expect(limiter.rate).toBeCloseTo(rate, 10);
      }
    });

    it('applies to the set rate, also after setRate', () => {
      let t = 0;
      const limiter = new SendRateLimiter(40, () => t);
      limiter.slowDown(0.5, 1000);
      limiter.setRate(100);
      expect(limiter.rate).toBe(50);
      t = 1000;
      expect(limiter.rate).toBe(100);
    });

    it('slows the sends while active and restores the rate after', () => {
      const starts = simulate({
        rate: 40,
        durationMs: 30_000,
        lateness: LATENESS['up to 4 ms late'],
        at: [[10_000, (limiter) => limiter.slowDown(0.5, 10_000)]],
      });
      expect(
        maxInAnyWindow(
          starts.filter((start) => start < 20_000),
          10_000,
        ),
      ).toBeLessThanOrEqual(20);
      expect(Math.abs(between(starts, 11_000, 20_000) - 180)).toBeLessThanOrEqual(1);
      expect(Math.abs(between(starts, 21_000, 30_000) - 360)).toBeLessThanOrEqual(1);
    });

    it.each([
      [0, 1000],
      [1.5, 1000],
      [Number.NaN, 1000],
      [0.5, 0],
    ])('refuses factor %p for %p ms', (factor, forMs) => {
      expect(() => new SendRateLimiter(10).slowDown(factor, forMs)).toThrow(RangeError);
    });
  });

  describe('acquire', () => {
    beforeEach(() => jest.useFakeTimers({ now: 0 }));
    afterEach(() => jest.useRealTimers());

    /** Resolves the promises timers released so far. */
    const settle = () => jest.advanceTimersByTimeAsync(0);

    it('serves concurrent callers in order, one timer at a time, at the rate', async () => {
      const limiter = new SendRateLimiter(2, () => Date.now());
      const started: [number, number][] = [];
      const callers = [0, 1, 2, 3, 4].map((caller) =>
        limiter.acquire().then(() => started.push([caller, Date.now()])),
      );
      await settle();
      expect(jest.getTimerCount()).toBe(1);
      await jest.advanceTimersByTimeAsync(2000);
      await Promise.all(callers);
      expect(started).toEqual([
        [0, 0],
        [1, 500],
        [2, 1000],
        [3, 1500],
        [4, 2000],
      ]);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('a newcomer queues behind the waiters even when a slot is free', async () => {
      // The clock reaches the slot before the waiter's timer fires: the newcomer must not take it.
      let t = 0;
      const limiter = new SendRateLimiter(1, () => t);
      const order: string[] = [];
      await limiter.acquire();
      const first = limiter.acquire().then(() => order.push(`first at ${t}`));
      t = 1000;
      const second = limiter.acquire().then(() => order.push(`second at ${t}`));
      await jest.advanceTimersByTimeAsync(1000);
      expect(order).toEqual(['first at 1000']);
      t = 2000;
      await jest.advanceTimersByTimeAsync(1000);
      await Promise.all([first, second]);
      expect(order).toEqual(['first at 1000', 'second at 2000']);
    });

    it('rejects with the reason when aborted, and the others keep their turn', async () => {
      const limiter = new SendRateLimiter(1, () => Date.now());
      await limiter.acquire();
      const controller = new AbortController();
      const aborted = limiter.acquire(controller.signal);
      const next = limiter.acquire();
      controller.abort(new Error('paused'));
      await expect(aborted).rejects.toThrow('paused');
      await jest.advanceTimersByTimeAsync(1000);
      await expect(next).resolves.toBeUndefined();
    });

    it('rejects at once on an already aborted signal, reserving nothing', async () => {
      const limiter = new SendRateLimiter(1, () => Date.now());
      const controller = new AbortController();
      controller.abort(new Error('cancelled'));
      await expect(limiter.acquire(controller.signal)).rejects.toThrow('cancelled');
      expect(limiter.reserve()).toBe(0);
    });

    it('leaves no timer behind when the last waiter aborts', async () => {
      const limiter = new SendRateLimiter(1, () => Date.now());
      await limiter.acquire();
      const controller = new AbortController();
      const waiting = limiter.acquire(controller.signal);
      expect(jest.getTimerCount()).toBe(1);
      controller.abort(new Error('stop'));
      await expect(waiting).rejects.toThrow('stop');
      expect(jest.getTimerCount()).toBe(0);
    });

    it('a higher rate wakes waiters sooner', async () => {
      const limiter = new SendRateLimiter(1, () => Date.now());
      await limiter.acquire();
      let startedAt: number | undefined;
      const waiting = limiter.acquire().then(() => (startedAt = Date.now()));
      await jest.advanceTimersByTimeAsync(50);
      limiter.setRate(10);
      await jest.advanceTimersByTimeAsync(100);
      await waiting;
      expect(startedAt).toBe(100);
    });

    it('a slowdown delays waiters already queued', async () => {
      const limiter = new SendRateLimiter(10, () => Date.now());
      await limiter.acquire();
      let startedAt: number | undefined;
      const waiting = limiter.acquire().then(() => (startedAt = Date.now()));
      limiter.slowDown(0.5, 60_000);
      await jest.advanceTimersByTimeAsync(300);
      await waiting;
      expect(startedAt).toBe(200);
    });
  });
});
