import { cpus, totalmem } from 'node:os';

/** One line naming the machine a benchmark ran on, for docs/benchmarks.md. */
export function describeMachine(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
}

export interface MemoryPeaks {
  rssMiB: number;
  heapUsedMiB: number;
  externalMiB: number;
}

/** Samples memory until stopped; returns the peaks of RSS, used heap and external memory in MiB. */
export function trackPeakMemory(intervalMs = 50): () => MemoryPeaks {
  const peak = { rss: 0, heapUsed: 0, external: 0 };
  const sample = () => {
    const usage = process.memoryUsage();
    peak.rss = Math.max(peak.rss, usage.rss);
    peak.heapUsed = Math.max(peak.heapUsed, usage.heapUsed);
    peak.external = Math.max(peak.external, usage.external);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return () => {
    clearInterval(timer);
    sample();
    return {
      rssMiB: peak.rss / 2 ** 20,
      heapUsedMiB: peak.heapUsed / 2 ** 20,
      externalMiB: peak.external / 2 ** 20,
    };
  };
}
