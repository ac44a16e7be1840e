/**
 * The verdict of a run: pass / warn / fail (or error when the run was interrupted), with every SLI explained —
 * its threshold, the observed value, the last passing run's value for the same environment and scenario, and
 * the delta. Pure.
 *
 * - Absolute criteria come from the configuration (`slos`); a miss fails the run.
 * - Relative criteria (`slos.relative`, e.g. p95 at most +10 %) compare the plateau's per-tick values with those
 *   of the last `baselineRuns` passing runs of the same environment and scenario: a regression is flagged only
 *   when it is significant (one-sided Mann-Whitney U, p < `significance`) and the Hodges-Lehmann shift is larger
 *   than the allowed increase of the baseline's median (docs/verdict.md). They warn by default (`severity: fail`
 *   makes them fail). Without a baseline (the first run) they are skipped, and the verdict says so; a baseline
 *   stored without per-tick values is compared value to value.
 * - A breach that counted during the run (persisted `breachTicks` ticks after the grace period) fails the
 *   SLI it belongs to; an abort by policy fails the run and names the SLO and the time.
 * - Latency percentiles are those of every response of the plateau window (the sum of the plateau ticks'
 *   histograms, core/histogram.ts), never an average over workers or ticks.
 */
import type { KpiConfig, RelativeCriteria, SloConfig } from './config';
import type { StepError } from './errors';
import type { LatencyFigures } from './latency-window';
import { round } from './numbers';
import type { PlateauTotals } from './ramp-state';
import { kpiOf } from './scenario';
import { AGGREGATED, type BreachEpisode, latencyId, type RunAbort, type SloWatchState } from './slo';
import { hodgesLehmann, mannWhitneyGreater, median, quantile } from './statistics';

export type Outcome = 'pass' | 'warn' | 'fail' | 'error';
export type SliStatus = 'pass' | 'warn' | 'fail';
export type SliKind = 'kpi' | 'failure-ratio' | 'latency' | 'alarm';

/** One service level indicator as the verdict explains it. */
export interface SliResult {
  /** Stable id: the baseline of the next run is looked up by it. */
  readonly id: string;
  readonly kind: SliKind;
  readonly name: string;
  /** The absolute criterion, e.g. `≤ 800 ms` (`—` when there is only a relative one). */
  readonly threshold: string;
  /** The relative criterion, e.g. `≤ +10 % vs last pass`; null when none applies. */
  readonly relative: string | null;
  readonly observed: number | null;
  readonly unit: string;
  readonly status: SliStatus;
  /** `status !== 'fail'`. */
  readonly passed: boolean;
  /** The last passing run's value; null without a baseline (or when it did not measure this SLI). */
  readonly baseline: number | null;
  /** observed − baseline, in `unit`. */
  readonly delta: number | null;
  /** (observed − baseline) / baseline × 100; null when the baseline is 0 or missing. */
  readonly deltaPercent: number | null;
  /** The comparison of the plateau's per-tick values with the baseline runs'; null when there was none. */
  readonly comparison: BaselineComparison | null;
  /** The first breach of this SLO that counted during the run. */
  readonly breach: BreachEpisode | null;
  /** Why it is not `pass`; null when it is. */
  readonly why: string | null;
}

/** Five numbers of a sample. */
export interface Distribution {
  readonly n: number;
  readonly min: number;
  readonly q1: number;
  readonly median: number;
  readonly q3: number;
  readonly max: number;
}

/** A relative criterion judged against the noise of the baseline runs. */
export interface BaselineComparison {
  readonly test: 'mann-whitney-u';
  /** How many passing runs the baseline's values came from. */
  readonly runs: number;
  /** The baseline runs' per-tick values. */
  readonly baseline: Distribution;
  /** This run's per-tick plateau values. */
  readonly current: Distribution;
  /** Hodges-Lehmann estimate of how much higher this run is, with its 95 % confidence interval (SLI unit). */
  readonly shift: number;
  readonly shiftLow: number;
  readonly shiftHigh: number;
  /** The shift as a percentage of the baseline's median; null when that median is 0. */
  readonly shiftPercent: number | null;
  /** One-sided p-value that this run is higher. */
  readonly pValue: number;
  readonly significance: number;
  readonly significant: boolean;
  /** Significant and larger than the allowed increase. */
  readonly regression: boolean;
}

/** Which run the relative criteria compared with. */
export interface BaselineRef {
  readonly executionId: string;
  readonly executionName: string;
  readonly endedAt: string;
  readonly targetOrdersPerMinute: number;
}

/** The last passing run of an environment and scenario, as stored when it passed. */
export interface Baseline {
  readonly ref: BaselineRef;
  /** Observed value by SLI id. */
  readonly values: Readonly<Record<string, number>>;
  /** The plateau's per-tick values by SLI id (runs stored before windowed percentiles have none). */
  readonly samples?: Readonly<Record<string, readonly number[]>>;
}

export interface Verdict {
  readonly outcome: Outcome;
  readonly environment: string;
  readonly scenario: string;
  readonly executionName: string;
  readonly targetOrdersPerMinute: number;
  readonly achievedOrdersPerMinute: number | null;
  readonly slis: readonly SliResult[];
  readonly reasons: readonly string[];
  readonly summary: string;
  /** Where the run's report is stored, once it is. */
  readonly report?: string;
  /** The run compared with, or null: the first run of this environment and scenario has no baseline. */
  readonly baseline: BaselineRef | null;
  /** One sentence about the baseline (`no baseline: …` on the first run). */
  readonly baselineNote: string;
  /** Set when the abort policy stopped the test: which SLO, when. */
  readonly abort: RunAbort | null;
  /** Breaches that counted. */
  readonly breaches: readonly BreachEpisode[];
  /** Breaches shorter than `breachTicks` ticks: shown, not counted. */
  readonly transientBreaches: readonly BreachEpisode[];
  readonly latency: LatencyFigures | null;
  readonly notes: readonly string[];
}

export interface VerdictInput {
  readonly environment: string;
  readonly scenario: string;
  readonly executionName: string;
  readonly targetOrdersPerMinute: number;
  readonly slos: SloConfig;
  readonly plateau: PlateauTotals | null;
  readonly failure: StepError | null;
  /** The watch's state at the last tick (null when no tick ran). */
  readonly watch?: SloWatchState | null;
  readonly abort?: RunAbort | null;
  readonly latency?: LatencyFigures | null;
  /** The last passing runs of the same environment and scenario, newest first; empty when there is none. */
  readonly baselines?: readonly Baseline[];
  /** What the target counts (the environment's `kpi`); absent: orders. */
  readonly kpi?: Pick<KpiConfig, 'name' | 'unit'>;
}

export function judge(input: VerdictInput): Verdict {
  const baselines = input.baselines ?? [];
  const baseline = baselines[0] ?? null;
  const watch = input.watch ?? null;
  const abort = input.abort ?? watch?.abort ?? null;
  const episodes = watch?.episodes ?? [];
  const breaches = episodes.filter((e) => e.countedAt !== null);
  const transientBreaches = episodes.filter((e) => e.countedAt === null && e.until !== null);
  const base = {
    environment: input.environment,
    scenario: input.scenario,
    executionName: input.executionName,
    targetOrdersPerMinute: input.targetOrdersPerMinute,
    baseline: baseline?.ref ?? null,
    baselineNote: baselineNote(input, baselines),
    abort,
    breaches,
    transientBreaches,
    latency: input.latency ?? null,
  };
  if (input.failure) {
    const reason = `run interrupted by ${input.failure.Error}: ${input.failure.Cause ?? 'no cause given'}`;
    return {
      ...base,
      outcome: 'error',
      achievedOrdersPerMinute: null,
      slis: [],
      reasons: [reason],
      summary: `ERROR — ${reason}`,
      notes: [],
    };
  }

  const notes: string[] = [];
  const plateau = input.plateau && input.plateau.minutes > 0 ? input.plateau : null;
  const achieved = plateau ? plateau.orders / plateau.minutes : null;
  const against: Against = { baselines, samples: sliSamples(input.latency ?? null) };
  const slis = [
    kpiSli(input, achieved, against),
    failureRatioSli(input, plateau, against, breaches),
    ...kpiTickSli(input, watch, breaches),
    ...requestSlis(input, against, breaches, notes),
    ...alarmSlis(input, watch, breaches, notes),
  ];
  for (const t of transientBreaches) {
    notes.push(
      `${t.label} breached ${t.threshold} for ${t.ticks} tick(s) from tick ${t.from.tick} (${t.from.at}): shorter than ${input.slos.breachTicks}, not counted`,
    );
  }
  if (baseline && baseline.ref.targetOrdersPerMinute !== input.targetOrdersPerMinute) {
    notes.push(
      `the baseline ran at ${baseline.ref.targetOrdersPerMinute} ${kpiRate(input)}, this run at ${input.targetOrdersPerMinute}`,
    );
  }

  const reasons: string[] = [];
  if (abort) reasons.push(abort.reason);
  for (const s of slis) if (s.status === 'fail' && s.why) reasons.push(`${s.name}: ${s.why}`);
  const warnings = slis.filter((s) => s.status === 'warn' && s.why).map((s) => `${s.name}: ${s.why}`);
  const failed = abort !== null || slis.some((s) => s.status === 'fail');
  const outcome: Outcome = failed ? 'fail' : warnings.length > 0 ? 'warn' : 'pass';
  // A failed verdict still says what it warns of: a regression beside a broken SLO is the lead to follow.
  reasons.push(...warnings);

  const achievedRounded = achieved === null ? null : round(achieved, 1);
  let summary: string;
  if (outcome === 'pass') {
    const failureRatio = plateau && plateau.requests > 0 ? plateau.failures / plateau.requests : 0;
    summary = `PASS — held ${achievedRounded} ${kpiRate(input)} (target ${input.targetOrdersPerMinute}) with ${round(failureRatio * 100, 2)} % failures; ${base.baselineNote}`;
  } else {
    summary = `${outcome.toUpperCase()} — ${reasons.join('; ')}`;
  }
  return { ...base, outcome, achievedOrdersPerMinute: achievedRounded, slis, reasons, summary, notes };
}

/** The SLI values a passing run leaves as the next runs' baseline. */
export function baselineValues(verdict: Verdict): Record<string, number> {
  const values: Record<string, number> = {};
  for (const s of verdict.slis) if (s.observed !== null && s.kind !== 'alarm') values[s.id] = s.observed;
  return values;
}

/** The plateau's per-tick values by SLI id that a passing run leaves for the next runs' comparisons. */
export function sliSamples(latency: LatencyFigures | null): Record<string, number[]> {
  const samples: Record<string, number[]> = {};
  const add = (id: string, value: number | null) => {
    if (value !== null) samples[id] = [...(samples[id] ?? []), value];
  };
  if (!latency) return samples;
  for (const tick of latency.perTick) {
    if (latency.source === 'plateau' && !tick.plateau) continue;
    for (const r of tick.requests) {
      if (r.requests === 0) continue;
      for (const p of ['p50', 'p95', 'p99'] as const) add(latencyId(r.name, p), r[p]);
      const ratio = round((r.failures / r.requests) * 100, 3);
      add(r.name === AGGREGATED ? 'failure-ratio' : `request:${r.name}:failure-ratio`, ratio);
    }
  }
  return samples;
}

function baselineNote(input: VerdictInput, baselines: readonly Baseline[]): string {
  const last = baselines[0];
  if (!last) {
    return `no baseline: no earlier passing run of ${input.environment}/${input.scenario}, so relative criteria were not applied`;
  }
  if (baselines.length === 1) {
    return `compared with the last passing run ${last.ref.executionName} (${last.ref.endedAt})`;
  }
  return `compared with the last ${baselines.length} passing runs, the latest ${last.ref.executionName} (${last.ref.endedAt})`;
}

/** What the relative criteria compare with: the baseline runs, and this run's per-tick values by SLI id. */
interface Against {
  readonly baselines: readonly Baseline[];
  readonly samples: Readonly<Record<string, readonly number[]>>;
}

/** Fewer per-tick values than this on either side and the comparison is value to value. */
const MIN_COMPARISON_SAMPLES = 3;

/** Compares this run's per-tick values of an SLI with the baseline runs' (null when either side has too few). */
export function compareWithBaseline(
  current: readonly number[],
  baselines: readonly Baseline[],
  id: string,
  allowedIncrease: number,
  significance: number,
  minShift = 0,
): BaselineComparison | null {
  const runs = baselines.filter((b) => (b.samples?.[id]?.length ?? 0) > 0);
  const pooled = runs.flatMap((b) => b.samples?.[id] ?? []);
  if (current.length < MIN_COMPARISON_SAMPLES || pooled.length < MIN_COMPARISON_SAMPLES) return null;
  const { pValue } = mannWhitneyGreater(current, pooled);
  const hl = hodgesLehmann(current, pooled);
  const baseMedian = median(pooled);
  const shiftPercent = baseMedian > 0 ? (hl.shift / baseMedian) * 100 : null;
  const significant = pValue < significance;
  // Larger than allowed with the interval's confidence, not by the point estimate alone: a shift within the
  // run-to-run noise keeps its interval's low end below it. `minShift` is the smallest shift that matters at all.
  const tooLarge = hl.low > Math.max(minShift, baseMedian > 0 ? baseMedian * allowedIncrease : 0);
  return {
    test: 'mann-whitney-u',
    runs: runs.length,
    baseline: distribution(pooled),
    current: distribution(current),
    shift: round(hl.shift, 3),
    shiftLow: round(hl.low, 3),
    shiftHigh: round(hl.high, 3),
    shiftPercent: shiftPercent === null ? null : round(shiftPercent, 1),
    pValue: Number(pValue.toPrecision(4)),
    significance,
    significant,
    regression: significant && tooLarge,
  };
}

function distribution(values: readonly number[]): Distribution {
  return {
    n: values.length,
    min: round(quantile(values, 0), 3),
    q1: round(quantile(values, 0.25), 3),
    median: round(quantile(values, 0.5), 3),
    q3: round(quantile(values, 0.75), 3),
    max: round(quantile(values, 1), 3),
  };
}

// ---------------------------------------------------------------------------------------------------------------

interface SliDraft {
  readonly id: string;
  readonly kind: SliKind;
  readonly name: string;
  readonly threshold: string;
  readonly observed: number | null;
  readonly unit: string;
  /** Result of the absolute criterion: null when there is none, or nothing was measured. */
  readonly absoluteOk: boolean | null;
  readonly absoluteWhy?: string;
  /** The largest allowed relative increase (fraction) and what it is called in the config. */
  readonly relativeLimit?: number;
  readonly breach?: BreachEpisode | null;
  readonly missing?: SliStatus;
}

/** The smallest increase that can be a regression: latencies below `minLatencyShiftMs` are noise. */
function minShiftOf(draft: SliDraft, criteria: RelativeCriteria): number {
  return draft.unit === 'ms' ? criteria.minLatencyShiftMs : 0;
}

function finish(draft: SliDraft, against: Against | null, criteria: RelativeCriteria): SliResult {
  const comparison =
    against && draft.relativeLimit !== undefined
      ? compareWithBaseline(
          against.samples[draft.id] ?? [],
          against.baselines,
          draft.id,
          draft.relativeLimit,
          criteria.significance,
          minShiftOf(draft, criteria),
        )
      : null;
  const lastValue = against?.baselines[0]?.values[draft.id] ?? null;
  const baseValue = comparison ? comparison.baseline.median : lastValue;
  const delta = comparison
    ? comparison.shift
    : baseValue !== null && draft.observed !== null
      ? draft.observed - baseValue
      : null;
  const deltaPercent = comparison
    ? comparison.shiftPercent
    : delta !== null && baseValue
      ? round((delta / baseValue) * 100, 1)
      : null;
  let status: SliStatus = 'pass';
  const why: string[] = [];
  if (draft.breach) {
    status = 'fail';
    const b = draft.breach;
    why.push(
      `breached ${b.threshold} for ${b.ticks} consecutive ticks from tick ${b.from.tick} (${b.from.at})${b.countedAt ? `, counted at tick ${b.countedAt.tick}` : ''}`,
    );
  }
  if (draft.absoluteOk === false) {
    status = 'fail';
    why.push(draft.absoluteWhy ?? `${fmt(draft.observed)} ${draft.unit}, wanted ${draft.threshold}`);
  }
  if (draft.observed === null && draft.missing && status === 'pass') {
    status = draft.missing;
    why.push('not measured');
  }
  let relative: string | null = null;
  if (draft.relativeLimit !== undefined) {
    const allowed = `+${round(draft.relativeLimit * 100, 1)} %`;
    const level: SliStatus = criteria.severity === 'fail' ? 'fail' : 'warn';
    if (comparison) {
      relative = `≤ ${allowed} vs ${comparison.runs} passing run(s) (Mann-Whitney U, p < ${criteria.significance})`;
      if (comparison.regression) {
        if (status !== 'fail') status = level;
        why.push(
          `per-tick values are ${fmt(comparison.shift)} ${draft.unit} higher (95 % CI ${fmt(comparison.shiftLow)} to ${fmt(comparison.shiftHigh)}${comparison.shiftPercent === null ? '' : `, +${comparison.shiftPercent} %`}) than the baseline's median ${fmt(comparison.baseline.median)} ${draft.unit} (p = ${comparison.pValue}; allowed ${allowed})`,
        );
      }
    } else {
      relative = `≤ ${allowed} vs last pass`;
      if (baseValue !== null && draft.observed !== null && baseValue > 0) {
        const increase = draft.observed - baseValue;
        if (increase > Math.max(baseValue * draft.relativeLimit, minShiftOf(draft, criteria))) {
          if (status !== 'fail') status = level;
          why.push(
            `${fmt(draft.observed)} ${draft.unit} is ${deltaPercent === null ? '' : `+${deltaPercent} % `}over the last passing run's ${fmt(baseValue)} ${draft.unit} (allowed ${allowed})`,
          );
        }
      } else if (baseValue === null) {
        relative = `${relative} (no baseline)`;
      } else if (baseValue === 0) {
        relative = `${relative} (baseline 0: not applicable)`;
      }
    }
  }
  return {
    id: draft.id,
    kind: draft.kind,
    name: draft.name,
    threshold: draft.threshold,
    relative,
    observed: draft.observed,
    unit: draft.unit,
    status,
    passed: status !== 'fail',
    baseline: baseValue,
    delta: delta === null ? null : round(delta, 3),
    deltaPercent,
    comparison,
    breach: draft.breach ?? null,
    why: why.length > 0 ? why.join('; ') : null,
  };
}

/** The KPI's rate, short: "orders/min", "bookings/min". */
function kpiRate(input: Pick<VerdictInput, 'kpi'>): string {
  return `${kpiOf(input).name}/min`;
}

function kpiSli(input: VerdictInput, achieved: number | null, against: Against): SliResult {
  const tolerance = input.slos.targetTolerance;
  const target = input.targetOrdersPerMinute;
  const ok = achieved === null ? null : Math.abs(achieved - target) / target <= tolerance;
  return finish(
    {
      id: 'orders-per-minute',
      kind: 'kpi',
      name: `${kpiOf(input).unit} (plateau mean)`,
      threshold: `${target} ± ${round(tolerance * 100, 1)} %`,
      observed: achieved === null ? null : round(achieved, 1),
      unit: kpiRate(input),
      absoluteOk: ok,
      missing: 'warn',
    },
    against,
    input.slos.relative,
  );
}

function failureRatioSli(
  input: VerdictInput,
  plateau: PlateauTotals | null,
  against: Against,
  breaches: readonly BreachEpisode[],
): SliResult {
  const ratio = plateau ? (plateau.requests > 0 ? plateau.failures / plateau.requests : 0) : null;
  return finish(
    {
      id: 'failure-ratio',
      kind: 'failure-ratio',
      name: 'failure ratio (plateau)',
      threshold: `≤ ${round(input.slos.maxFailureRatio * 100, 2)} %`,
      observed: ratio === null ? null : round(ratio * 100, 3),
      unit: '%',
      absoluteOk: ratio === null ? null : ratio <= input.slos.maxFailureRatio,
      ...(input.slos.relative.failureRatio !== undefined
        ? { relativeLimit: input.slos.relative.failureRatio }
        : {}),
      breach: breaches.find((b) => b.id === 'failure-ratio') ?? null,
    },
    against,
    input.slos.relative,
  );
}

function kpiTickSli(
  input: VerdictInput,
  watch: SloWatchState | null,
  breaches: readonly BreachEpisode[],
): SliResult[] {
  const kpi = input.slos.kpi;
  if (!kpi) return [];
  const track = watch?.tracks.find((t) => t.id === 'kpi-attainment');
  const worst = track?.worst ?? null;
  return [
    finish(
      {
        id: 'kpi-attainment',
        kind: 'kpi',
        name: `${kpiOf(input).unit} vs plan (worst plateau tick)`,
        threshold: `≥ ${round(kpi.minAttainment * 100, 1)} % of plan for ${input.slos.breachTicks} ticks`,
        observed: worst === null ? null : round(worst * 100, 1),
        unit: '%',
        absoluteOk: null,
        breach: breaches.find((b) => b.id === 'kpi-attainment') ?? null,
      },
      null,
      input.slos.relative,
    ),
  ];
}

function requestSlis(
  input: VerdictInput,
  against: Against,
  breaches: readonly BreachEpisode[],
  notes: string[],
): SliResult[] {
  const { slos } = input;
  const out: SliResult[] = [];
  const figures = input.latency?.requests ?? [];
  for (const r of slos.requests) {
    const f = figures.find((x) => x.name === r.name);
    if (input.latency && !f) {
      notes.push(
        `Locust reported no request named "${r.name}"${r.name === AGGREGATED ? '' : ' (check the SLO name)'}`,
      );
    }
    for (const p of ['p50', 'p95', 'p99'] as const) {
      const absolute = p === 'p50' ? undefined : r[`${p}Ms`];
      const relativeLimit = slos.relative[p];
      if (absolute === undefined && relativeLimit === undefined) continue;
      const observed = f && f.requests > 0 ? f[p] : null;
      out.push(
        finish(
          {
            id: latencyId(r.name, p),
            kind: 'latency',
            name: `${p} of "${r.name}"`,
            threshold: absolute === undefined ? '—' : `≤ ${absolute} ms`,
            observed,
            unit: 'ms',
            absoluteOk: absolute === undefined || observed === null ? null : observed <= absolute,
            ...(relativeLimit !== undefined ? { relativeLimit } : {}),
            breach: breaches.find((b) => b.id === latencyId(r.name, p)) ?? null,
            missing: 'warn',
          },
          against,
          slos.relative,
        ),
      );
    }
    if (r.maxFailureRatio !== undefined) {
      const id = `request:${r.name}:failure-ratio`;
      const ratio = f && f.requests > 0 ? f.failures / f.requests : null;
      out.push(
        finish(
          {
            id,
            kind: 'failure-ratio',
            name: `failure ratio of "${r.name}"`,
            threshold: `≤ ${round(r.maxFailureRatio * 100, 2)} %`,
            observed: ratio === null ? null : round(ratio * 100, 3),
            unit: '%',
            absoluteOk: ratio === null ? null : ratio <= r.maxFailureRatio,
            ...(slos.relative.failureRatio !== undefined
              ? { relativeLimit: slos.relative.failureRatio }
              : {}),
            breach: breaches.find((b) => b.id === id) ?? null,
            missing: 'warn',
          },
          against,
          slos.relative,
        ),
      );
    }
  }
  return out;
}

function alarmSlis(
  input: VerdictInput,
  watch: SloWatchState | null,
  breaches: readonly BreachEpisode[],
  notes: string[],
): SliResult[] {
  if (input.slos.alarms.length === 0) return [];
  const tracks = (watch?.tracks ?? []).filter((t) => t.kind === 'alarm');
  if (tracks.length === 0 && watch) {
    const wanted = input.slos.alarms.map((s) => ('name' in s ? s.name : `${s.prefix}*`)).join(', ');
    notes.push(`no CloudWatch alarm matched ${wanted}: nothing was watched`);
  }
  return tracks.map((t) =>
    finish(
      {
        id: t.id,
        kind: 'alarm',
        name: t.label,
        threshold: `not in ALARM for ${input.slos.breachTicks} ticks`,
        observed: t.longest,
        unit: 'ticks in ALARM',
        absoluteOk: null,
        breach: breaches.find((b) => b.id === t.id) ?? null,
      },
      null,
      input.slos.relative,
    ),
  );
}

function fmt(value: number | null): string {
  return value === null ? 'n/a' : String(round(value, 3));
}
