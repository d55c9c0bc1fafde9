/**
 * A hard cap at the wire: at most `limit` requests start in any sliding second
 * (measured with a small margin).
 * The rate limiter paces slots before a delivery is claimed; the claim's batched
 * insert then delays each send by a varying few milliseconds, which could crowd
 * paced sends into one window. This cap, checked right before the request,
 * keeps the rate exact where Facebook counts it.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import { MAX_MARGIN_MS, MIN_MARGIN_MS } from './scheduling-delay';

export class WindowCap {
  /** Start times, oldest first, kept for the widest window the margin can make. */
  private readonly starts: number[] = [];

  /**
   * The window is a second plus `marginMs()`, for what happens between this check and
   * Facebook receiving the request (a socket write, a busy event loop): without it,
   * sends admitted exactly a second apart can arrive less than a second apart. The
   * worker's scheduling delay sets it (scheduling-delay.ts).
   */
  constructor(
    private limit: number,
    private readonly marginMs: () => number = () => MIN_MARGIN_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  setLimit(limit: number): void {
    this.limit = Math.max(1, Math.floor(limit));
  }

  /** Resolves when a request may start now, and counts it. */
  pass(): Promise<void> {
    return WindowCap.passAll([this]);
  }

  /**
   * Resolves when a request may start under every cap at once (a Page's and its
   * campaign's), and counts it in each at the same instant: passing one and then
   * waiting for the other would count it in the first earlier than it starts.
   */
  static async passAll(caps: readonly WindowCap[]): Promise<void> {
    for (;;) {
      const now = caps[0].now();
      const wait = Math.max(...caps.map((cap) => cap.waitMs(now)));
      if (wait === 0) {
        for (const cap of caps) cap.starts.push(now);
        return;
      }
      await sleep(wait);
    }
  }

  /** Milliseconds until a request may start (0: now). */
  private waitMs(now: number): number {
    while (this.starts.length > 0 && this.starts[0] <= now - 1000 - MAX_MARGIN_MS)
      this.starts.shift();
    const window = 1000 + this.marginMs();
    let first = 0;
    while (first < this.starts.length && this.starts[first] <= now - window) first += 1;
    if (this.starts.length - first < this.limit) return 0;
    // Enough of the window's starts must leave it that `limit - 1` remain.
    return this.starts[this.starts.length - this.limit] + window - now + 0.5;
  }
}
