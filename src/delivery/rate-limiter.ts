/**
 * The per-Page send rate (SPEC §4): never more than `rate` sends start in any
 * 1-second window, and over a run the average is the rate itself. Two mechanisms
 * together give both: starts are paced on ideal slot times (a late timer does not
 * push later slots back, so lateness never drifts the rate down), and a log of
 * the last second's starts is a hard cap (slots taken late and then on time
 * would otherwise crowd one window).
 *
 * `acquire` serves its callers first come, first served; `reserve` is for a
 * caller that sleeps on its own and does not queue behind them.
 */

/**
 * How far behind its ideal slot the pacer may catch up: absorbs timer and
 * event-loop lateness without letting an idle spell turn into a burst.
 */
const MAX_LAG_MS = 100;
const WINDOW_MS = 1000;

interface Slowdown {
  factor: number;
  until: number;
}

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export class SendRateLimiter {
  private setRatePerSecond: number;
  private slowdowns: Slowdown[] = [];
  /** Ideal time of the last slot taken; the next slot is one interval after it. */
  private lastSlot: number | undefined;
  /** Start times within the last second, oldest first. */
  private readonly starts: number[] = [];
  private readonly waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    ratePerSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.setRatePerSecond = checkedRate(ratePerSecond);
  }

  setRate(ratePerSecond: number): void {
    this.setRatePerSecond = checkedRate(ratePerSecond);
    this.reschedule();
  }

  /** The rate in force now (the set rate times any slowdown). */
  get rate(): number {
    const now = this.now();
    this.slowdowns = this.slowdowns.filter((slowdown) => slowdown.until > now);
    const factor = Math.min(1, ...this.slowdowns.map((slowdown) => slowdown.factor));
    return this.setRatePerSecond * factor;
  }

  /** Lowers the rate to factor × rate for forMs (throttling, usage above 80 %); the strongest active slowdown wins. */
  slowDown(factor: number, forMs: number): void {
    if (!(factor > 0 && factor <= 1))
      throw new RangeError(`slowdown factor ${factor} is not in (0, 1]`);
    if (!(forMs > 0)) throw new RangeError(`slowdown duration ${forMs} ms is not positive`);
    this.slowdowns.push({ factor, until: this.now() + forMs });
    this.reschedule();
  }

  /** 0 when a send may start now (and reserves it); otherwise the milliseconds to wait, reserving nothing. */
  reserve(): number {
    const now = this.now();
    const rate = this.rate;
    // No window may hold more than `rate` starts, so a fractional rate above 1 paces at its floor.
    const cap = Math.max(1, Math.floor(rate));
    const pace = rate >= 1 ? cap : rate;
    const slot =
      this.lastSlot === undefined
        ? now
        : Math.max(this.lastSlot + WINDOW_MS / pace, now - MAX_LAG_MS);
    if (slot > now) return Math.ceil(slot - now);
    while (this.starts.length > 0 && this.starts[0] <= now - WINDOW_MS) this.starts.shift();
    if (this.starts.length >= cap) {
      // Wait until enough of the last second's starts leave the window.
      return Math.max(1, Math.ceil(this.starts[this.starts.length - cap] + WINDOW_MS - now));
    }
    this.lastSlot = slot;
    this.starts.push(now);
    return 0;
  }

  /** Waits until a send may start and reserves it; rejects with the signal's reason when aborted. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    // Only an empty queue may start at once: otherwise a newcomer would overtake the waiters.
    if (this.waiters.length === 0 && this.reserve() === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => this.abandon(waiter);
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.waiters.push(waiter);
      this.serve();
    });
  }

  /** Starts every waiter that may start now, then sleeps until the next may. */
  private serve(): void {
    if (this.timer !== undefined) return;
    while (this.waiters.length > 0) {
      const wait = this.reserve();
      if (wait > 0) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.serve();
        }, wait);
        return;
      }
      const waiter = this.waiters.shift()!;
      if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve();
    }
  }

  /** A new rate or slowdown changes when the next slot is due: recompute the sleep. */
  private reschedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.serve();
  }

  private abandon(waiter: Waiter): void {
    const index = this.waiters.indexOf(waiter);
    if (index === -1) return;
    this.waiters.splice(index, 1);
    waiter.reject(waiter.signal?.reason);
    // Nobody left to wake: do not keep the process alive for nothing.
    if (this.waiters.length === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}

function checkedRate(ratePerSecond: number): number {
  if (!(ratePerSecond > 0 && Number.isFinite(ratePerSecond)))
    throw new RangeError(`rate ${ratePerSecond}/s is not a positive number`);
  return ratePerSecond;
}
