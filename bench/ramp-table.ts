/** The ramp benchmark's table: the controller's and the baseline's figures side by side, against the goals. */
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
}

export const ROWS: readonly Row[] = [
  { label: 'time to ±5 % of target', goal: 'early', show: (f) => mmss(f.reachSeconds) },
  {
    label: 'error at end of ramp-up',
    goal: '±3 %',
    show: (f) => pct(f.endOfRampError, true),
    ok: (f) => Math.abs(f.endOfRampError) <= 0.03,
  },
  { label: 'overshoot', goal: '≤ 5 %', show: (f) => pct(f.overshoot), ok: (f) => f.overshoot <= 0.05 },
  {
    label: 'plateau mean abs. error',
    goal: '≤ 2 %',
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
];

/**
 * Prints one system's table: the controller and the baseline side by side, the median of each figure over the
 * runs and, with more than one run, on how many runs each side meets the goal.
 */
export function printTable(
  title: string,
  description: string,
  ours: readonly Figures[],
  seed: readonly Figures[],
  saturationNote: string | null,
  out: (line: string) => void = console.log,
): void {
  out(`\n${title} — ${description}`);
  const counted = ours.length > 1;
  const passes = (runs: readonly Figures[], row: Row) =>
    counted && row.ok && runs.length ? `${runs.filter(row.ok).length}/${runs.length}` : '';
  const median = combine(ours);
  const seedMedian = seed.length ? combine(seed) : null;
  const w = [28, 14, 7, 16, 7];
  const head = [
    'figure',
    'controller',
    counted ? 'goal ok' : '',
    'seed (baseline)',
    counted ? 'goal ok' : '',
  ];
  const line = (cells: readonly string[]) =>
    `  ${cells.map((c, i) => (i === 0 ? c.padEnd(w[0] as number) : c.padStart(w[i] as number))).join(' ')}`;
  out(`${line(head)}   goal`);
  for (const row of ROWS) {
    const mark = row.ok ? (row.ok(median) ? ' ' : '!') : ' ';
    out(
      `${line([
        row.label,
        row.show(median) + mark,
        passes(ours, row),
        seedMedian ? row.show(seedMedian) : '',
        passes(seed, row),
      ])}   ${row.goal}`,
    );
  }
  if (saturationNote) out(`  controller said: ${saturationNote}`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] as number;
}

/** Median figures over several runs (saturation ticks: the worst). */
function combine(f: readonly Figures[]): Figures {
  const med = (g: (x: Figures) => number) => median(f.map(g));
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
  };
}
