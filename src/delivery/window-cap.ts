/**
 * A hard cap at the wire: at most `limit` requests start in any sliding second
 * (measured with a small margin).
 * The rate limiter paces slots before a delivery is claimed; the claim's batched
 * insert then delays each send by a varying few milliseconds, which could crowd
 * paced sends into one window. This cap, checked right before the request,
 * keeps the rate exact where Facebook counts it.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import { MIN_MARGIN_MS } from './scheduling-delay';

export class WindowCap {
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
  async pass(): Promise<void> {
    for (;;) {
      const now = this.now();
      const window = 1000 + this.marginMs();
      while (this.starts.length > 0 && this.starts[0] <= now - window) this.starts.shift();
      if (this.starts.length < this.limit) {
        this.starts.push(now);
        return;
      }
      await sleep(this.starts[0] + window - now + 0.5);
    }
  }
}
