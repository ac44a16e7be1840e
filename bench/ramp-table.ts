/** The ramp benchmark's tables: the rows it judges and how it prints them (shared with bench/live.ts). */
import type { Figures } from './ramp-bench';

export function pct(x: number | null, signed = false): string {
  if (x == null) return '—';
  const s = (x * 100).toFixed(1);
  return `${signed && x > 0 ? '+' : ''}${s} %`;
}

function mmss(seconds: number | null): string {
  if (seconds == null) return 'never';
  return `${Math.floor(seconds / 60)}:${String(Math.round(seconds % 60)).padStart(2, '0')}`;
}

interface Row {
  readonly label: string;
  readonly goal: string;
  readonly show: (f: Figures) => string;
  readonly ok?: (f: Figures) => boolean;
  /** Column title in the pass counts. */
  readonly short?: string;
}

export const ROWS: readonly Row[] = [
  { label: 'time to ±5 % of target', goal: 'early', show: (f) => mmss(f.reachSeconds) },
  {
    label: 'error at end of ramp-up',
    goal: '±3 %',
    short: 'end of ramp ±3 %',
    show: (f) => pct(f.endOfRampError, true),
    ok: (f) => Math.abs(f.endOfRampError) <= 0.03,
  },
  {
    label: 'overshoot',
    goal: '≤ 5 %',
    short: 'overshoot ≤ 5 %',
    show: (f) => pct(f.overshoot),
    ok: (f) => f.overshoot <= 0.05,
  },
  {
    label: 'plateau mean abs. error',
    goal: '≤ 2 %',
    short: 'plateau ≤ 2 %',
    show: (f) => pct(f.plateauMae),
    ok: (f) => f.plateauMae <= 0.02,
  },
  { label: 'plateau mean vs target', goal: '', show: (f) => pct(f.plateauMeanError, true) },
  {
    label: 'users (max / plateau mean)',
    goal: '',
    show: (f) => `${f.maxUsers} / ${Math.round(f.plateauUsers)}`,
  },
  {
    label: 'ticks to detect saturation',
    short: 'saturation right',
    goal: '≤ 3',
    show: (f) =>
      f.saturationTicks != null
        ? String(f.saturationTicks)
        : f.falseSaturation
          ? 'FALSE ALARM'
          : f.saturates
            ? 'never'
            : 'n/a',
    // Where the target is reachable, the goal is not to cry saturation.
    ok: (f) => (f.saturates ? f.saturationTicks != null && f.saturationTicks <= 3 : !f.falseSaturation),
  },
  {
    label: 'users run away',
    short: 'no runaway',
    goal: 'never',
    show: (f) => (f.runaway ? 'RUN AWAY' : 'no'),
    ok: (f) => !f.runaway,
  },
];

/** One column of a system's table: a controller's figures over the runs. */
export interface Column {
  readonly name: string;
  readonly runs: readonly Figures[];
}

/**
 * Prints one system's table: the median of each figure over the runs, side by side, and, with more than one
 * run, on how many runs each meets its goal.
 */
export function printTable(
  title: string,
  description: string,
  columns: readonly Column[],
  saturationNote: string | null,
  out: (line: string) => void = console.log,
): void {
  out(`\n${title} — ${description}`);
  const counted = (columns[0]?.runs.length ?? 0) > 1;
  const passes = (runs: readonly Figures[], row: Row) =>
    counted && row.ok && runs.length ? `${runs.filter(row.ok).length}/${runs.length}` : '';
  const withRuns = columns.filter((c) => c.runs.length > 0);
  const line = (cells: readonly string[]) =>
    `  ${cells.map((c, i) => (i === 0 ? c.padEnd(28) : c.padStart(i % 2 ? 16 : 8))).join(' ')}`;
  out(`${line(['figure', ...withRuns.flatMap((c) => [c.name, counted ? 'goal ok' : ''])])}   goal`);
  for (const row of ROWS) {
    const cells = withRuns.flatMap((c) => {
      const median = combine(c.runs);
      const mark = row.ok && !row.ok(median) ? '!' : ' ';
      return [row.show(median) + mark, passes(c.runs, row)];
    });
    out(`${line([row.label, ...cells])}   ${row.goal}`);
  }
  if (saturationNote) out(`  ${withRuns[0]?.name} said: ${saturationNote}`);
}

/** The middle value, the lower of the two for an even count (not their mean, as core/statistics.ts's median). */
function lowerMedian(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] as number;
}

/** Median figures over several runs (saturation ticks: the worst). */
function combine(f: readonly Figures[]): Figures {
  const med = (g: (x: Figures) => number) => lowerMedian(f.map(g));
  const reach = f.map((x) => x.reachSeconds);
  const sat = f.map((x) => x.saturationTicks);
  return {
    reachSeconds: reach.includes(null) ? null : med((x) => x.reachSeconds as number),
    endOfRampError: med((x) => x.endOfRampError),
    overshoot: med((x) => x.overshoot),
    plateauMae: med((x) => x.plateauMae),
    plateauMeanError: med((x) => x.plateauMeanError),
    maxUsers: Math.round(med((x) => x.maxUsers)),
    plateauUsers: med((x) => x.plateauUsers),
    saturates: f.some((x) => x.saturates),
    saturationTicks: sat.includes(null) ? null : Math.max(...(sat as number[])),
    falseSaturation: f.some((x) => x.falseSaturation),
    runaway: f.some((x) => x.runaway),
  };
}
