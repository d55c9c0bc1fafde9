import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

/** The processes whose CPU a benchmark reports: a name, and which command lines are theirs. */
export type ProcessGroups = Record<string, (commandLine: string, pid: number) => boolean>;

/**
 * CPU seconds (user + system) used so far by each group of processes, read from
 * /proc; undefined where there is none (not Linux). A process that exits between
 * two readings takes its seconds with it, so groups should be long-lived.
 */
export function cpuSecondsByGroup(groups: ProcessGroups): Record<string, number> | undefined {
  if (!existsSync('/proc/self/stat')) return undefined;
  const seconds: Record<string, number> = Object.fromEntries(
    Object.keys(groups).map((name) => [name, 0]),
  );
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const name = Object.keys(groups).find((group) => groups[group](commandLine, pid));
      if (!name) continue;
      // Fields 14 and 15 (utime, stime) in clock ticks of 1/100 s, after the parenthesised name.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      seconds[name] += (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // The process ended while being read.
    }
  }
  return seconds;
}
