/**
 * When to try a retryable send again (SPEC §4): exponential backoff with equal
 * jitter, so retries after a shared failure (a 5xx burst, throttling) spread out
 * instead of returning together, yet never come back sooner than half the step.
 */

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** The step after the first failure; each further failure doubles it. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
};

/**
 * The wait before the next attempt after `attempt` (1-based) failed retryably:
 * half of the capped exponential step fixed, half random; undefined when no attempt is left.
 */
export function retryDelay(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number | undefined {
  if (!Number.isInteger(attempt) || attempt < 1)
    throw new RangeError(`attempt ${attempt} is not a positive integer`);
  if (attempt >= policy.maxAttempts) return undefined;
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(step / 2 + (random() * step) / 2);
}
