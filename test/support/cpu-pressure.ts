import { readFileSync } from 'node:fs';

/** The kernel's CPU pressure over an interval: how much of the wall time some runnable task waited for a CPU. */
export interface CpuPressure {
  /** Share of the interval (0–1) in which at least one runnable task waited for a CPU. */
  readonly stalledShare: number;
  readonly seconds: number;
}

const PSI_FILE = '/proc/pressure/cpu';

/** `some … total=<µs>` of a PSI file's text: the cumulative stall time since boot. */
export function parseStalledMicros(text: string): number {
  const total = /^some\b.*\btotal=(\d+)/m.exec(text)?.[1];
  if (total === undefined) throw new Error(`${PSI_FILE}: no "some … total=" line in ${JSON.stringify(text)}`);
  return Number(total);
}

/**
 * Starts measuring the machine's CPU pressure (PSI); the returned function reads it since the start. Null where the
 * kernel has no PSI. A latency comparison between two runs assumes both met the same contention: on a shared
 * runner a neighbour's job can double a CPU-bound service's tail latency, which no statistic on the runs can tell
 * from a slower build.
 */
export function startCpuPressure(): (() => CpuPressure) | null {
  const read = (): number => parseStalledMicros(readFileSync(PSI_FILE, 'utf8'));
  let stalledAtStart: number;
  try {
    stalledAtStart = read();
  } catch {
    return null; // no /proc/pressure, or PSI disabled at boot (the file is there but cannot be read)
  }
  const startedAt = process.hrtime.bigint();
  return () => {
    const micros = Number((process.hrtime.bigint() - startedAt) / 1000n);
    const stalled = read() - stalledAtStart;
    return { stalledShare: micros > 0 ? Math.min(1, stalled / micros) : 0, seconds: micros / 1e6 };
  };
}
