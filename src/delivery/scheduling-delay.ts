/**
 * How late this process runs what it scheduled, as the window cap's margin. A send
 * the cap admits is written to the socket a little later, and Facebook counts it
 * when it arrives: on a busy machine (a worker sharing its cores with others) a
 * send can arrive tens of milliseconds late while the one a second after it does
 * not, and the two land in one second. The margin is twice the worst lateness of
 * the last few seconds: the sender's own, and as much again on the way (on one
 * host the receiving process is as late as the sender; four workers, FerretDB and
 * the sandbox on two cores went from 28 Pages over their rate in a second to none,
 * docs/scaling.md). On a quiet machine it is the minimum, which costs the average
 * rate 1.5 %.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export const MIN_MARGIN_MS = 15;
export const MAX_MARGIN_MS = 250;
/** Seconds of lateness the margin remembers: it widens at once and narrows slowly. */
const MEMORY = 5;

/** The margin for a window cap, given the worst lateness (ms) seen in each of the last seconds. */
export function windowMargin(latenessMs: readonly number[]): number {
  const worst = latenessMs.length > 0 ? Math.max(...latenessMs) : 0;
  return Math.min(MAX_MARGIN_MS, Math.max(MIN_MARGIN_MS, Math.ceil(2 * worst)));
}

export class SchedulingDelay {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private readonly seconds: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private margin = MIN_MARGIN_MS;

  start(): void {
    this.histogram.enable();
    this.timer = setInterval(() => this.sample(), 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }

  /** The current margin in ms: a function the caps call, so they follow the machine's load. */
  readonly marginMs = (): number => this.margin;

  private sample(): void {
    // The histogram measures how late a 10 ms timer fired; its own period is not lateness.
    this.seconds.push(Math.max(0, this.histogram.max / 1e6 - 10));
    this.histogram.reset();
    if (this.seconds.length > MEMORY) this.seconds.shift();
    this.margin = windowMargin(this.seconds);
  }
}
