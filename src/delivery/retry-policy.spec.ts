import { DEFAULT_RETRY_POLICY, retryDelay, type RetryPolicy } from './retry-policy';

const fixed = (value: number) => () => value;

describe('retryDelay', () => {
  describe('with the default policy (5 attempts, 500 ms base, 30 s cap)', () => {
    it.each<[number, number, number | undefined]>([
      [1, 0, 250],
      [1, 0.5, 375],
      [1, 0.999, 500],
      [2, 0, 500],
      [2, 1 - 1e-9, 1000],
      [3, 0, 1000],
      [3, 0.5, 1500],
      [4, 0, 2000],
      [4, 0.25, 2500],
      [5, 0, undefined],
      [6, 0.5, undefined],
    ])('after attempt %p with random %p: %p ms', (attempt, random, expected) => {
      expect(retryDelay(DEFAULT_RETRY_POLICY, attempt, fixed(random))).toBe(expected);
    });
  });

  describe('capped at maxDelayMs', () => {
    const policy: RetryPolicy = { maxAttempts: 20, baseDelayMs: 500, maxDelayMs: 30_000 };
    it.each<[number, number, number]>([
      [7, 0, 15_000], // 500 × 64 = 32 s, over the cap
      [7, 0.5, 22_500],
      [19, 0, 15_000],
      [19, 0.999_999, 30_000],
    ])('after attempt %p with random %p: %p ms', (attempt, random, expected) => {
      expect(retryDelay(policy, attempt, fixed(random))).toBe(expected);
    });
  });

  it('retries nothing when a single attempt is allowed', () => {
    expect(retryDelay({ maxAttempts: 1, baseDelayMs: 500, maxDelayMs: 30_000 }, 1)).toBeUndefined();
  });

  it('keeps every delay within half a step and a step, using Math.random by default', () => {
    for (let i = 0; i < 1000; i += 1) {
      const delay = retryDelay(DEFAULT_RETRY_POLICY, 3)!;
      expect(delay).toBeGreaterThanOrEqual(1000);
      expect(delay).toBeLessThanOrEqual(2000);
    }
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses attempt %p', (attempt) => {
    expect(() => retryDelay(DEFAULT_RETRY_POLICY, attempt)).toThrow(RangeError);
  });
});
