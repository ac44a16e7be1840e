/**
 * The verdict of a run: pass / warn / fail (or error when the run was interrupted), with every SLI explained —
 * its threshold, the observed value, the last passing run's value for the same environment and scenario, and
 * the delta. Pure.
 *
 * - Absolute criteria come from the configuration (`slos`); a miss fails the run.
 * - Relative criteria (`slos.relative`, e.g. p95 at most +10 % over the last passing run) warn by default
 *   (`severity: fail` makes them fail). Without a baseline (the first run) they are skipped, and the verdict
 *   says so.
 * - A breach that counted during the run (persisted `breachTicks` ticks after the grace period) fails the
 *   SLI it belongs to; an abort by policy fails the run and names the SLO and the time.
 * - Latency percentiles are Locust master's own figures (computed from its merged histogram), never an
 *   average over workers; the verdict says which reading it used.
 */
import type { RelativeCriteria, SloConfig } from './config';
import { round } from './numbers';
import {
  AGGREGATED,
  type BreachEpisode,
  latencyId,
  type RequestFigures,
  type RunAbort,
  type SloWatchState,
} from './slo';
import type { PlateauTotals, StepError } from './state';

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
  /** The first breach of this SLO that counted during the run. */
  readonly breach: BreachEpisode | null;
  /** Why it is not `pass`; null when it is. */
  readonly why: string | null;
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
}

/** Locust master's per-request figures the latency SLIs were judged on. */
export interface LatencyFigures {
  /** `final`: read once the load had stopped; `last-tick`: the last tick's reading. */
  readonly source: 'final' | 'last-tick';
  readonly at: string;
  readonly requests: readonly RequestFigures[];
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
  /** The last passing run of the same environment and scenario; null when there is none. */
  readonly baseline?: Baseline | null;
}

export function judge(input: VerdictInput): Verdict {
  const baseline = input.baseline ?? null;
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
    baselineNote: baselineNote(input, baseline),
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
  const slis = [
    kpiSli(input, achieved, baseline),
    failureRatioSli(input, plateau, baseline, breaches),
    ...kpiTickSli(input, watch, breaches),
    ...requestSlis(input, baseline, breaches, notes),
    ...alarmSlis(input, watch, breaches, notes),
  ];
  for (const t of transientBreaches) {
    notes.push(
      `${t.label} breached ${t.threshold} for ${t.ticks} tick(s) from tick ${t.from.tick} (${t.from.at}): shorter than ${input.slos.breachTicks}, not counted`,
    );
  }
  if (baseline && baseline.ref.targetOrdersPerMinute !== input.targetOrdersPerMinute) {
    notes.push(
      `the baseline ran at ${baseline.ref.targetOrdersPerMinute} orders/min, this run at ${input.targetOrdersPerMinute}`,
    );
  }

  const reasons: string[] = [];
  if (abort) reasons.push(abort.reason);
  for (const s of slis) if (s.status === 'fail' && s.why) reasons.push(`${s.name}: ${s.why}`);
  const warnings = slis.filter((s) => s.status === 'warn' && s.why).map((s) => `${s.name}: ${s.why}`);
  const failed = abort !== null || slis.some((s) => s.status === 'fail');
  const outcome: Outcome = failed ? 'fail' : warnings.length > 0 ? 'warn' : 'pass';
  if (outcome === 'warn') reasons.push(...warnings);

  const achievedRounded = achieved === null ? null : round(achieved, 1);
  let summary: string;
  if (outcome === 'pass') {
    const failureRatio = plateau && plateau.requests > 0 ? plateau.failures / plateau.requests : 0;
    summary = `PASS — held ${achievedRounded} orders/min (target ${input.targetOrdersPerMinute}) with ${round(failureRatio * 100, 2)} % failures; ${base.baselineNote}`;
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

function baselineNote(input: VerdictInput, baseline: Baseline | null): string {
  if (!baseline) {
    return `no baseline: no earlier passing run of ${input.environment}/${input.scenario}, so relative criteria were not applied`;
  }
  return `compared with the last passing run ${baseline.ref.executionName} (${baseline.ref.endedAt})`;
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

function finish(
  draft: SliDraft,
  baseline: Baseline | null,
  severity: RelativeCriteria['severity'],
): SliResult {
  const baseValue = baseline?.values[draft.id] ?? null;
  const delta = baseValue !== null && draft.observed !== null ? draft.observed - baseValue : null;
  const deltaPercent = delta !== null && baseValue ? round((delta / baseValue) * 100, 1) : null;
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
    relative = `≤ +${round(draft.relativeLimit * 100, 1)} % vs last pass`;
    if (baseValue !== null && draft.observed !== null && baseValue > 0) {
      const limit = baseValue * (1 + draft.relativeLimit);
      if (draft.observed > limit) {
        const level: SliStatus = severity === 'fail' ? 'fail' : 'warn';
        if (status !== 'fail') status = level;
        why.push(
          `${fmt(draft.observed)} ${draft.unit} is ${deltaPercent === null ? '' : `+${deltaPercent} % `}over the last passing run's ${fmt(baseValue)} ${draft.unit} (allowed +${round(draft.relativeLimit * 100, 1)} %)`,
        );
      }
    } else if (baseValue === null) {
      relative = `${relative} (no baseline)`;
    } else if (baseValue === 0) {
      relative = `${relative} (baseline 0: not applicable)`;
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
    breach: draft.breach ?? null,
    why: why.length > 0 ? why.join('; ') : null,
  };
}

function kpiSli(input: VerdictInput, achieved: number | null, baseline: Baseline | null): SliResult {
  const tolerance = input.slos.targetTolerance;
  const target = input.targetOrdersPerMinute;
  const ok = achieved === null ? null : Math.abs(achieved - target) / target <= tolerance;
  return finish(
    {
      id: 'orders-per-minute',
      kind: 'kpi',
      name: 'orders per minute (plateau mean)',
      threshold: `${target} ± ${round(tolerance * 100, 1)} %`,
      observed: achieved === null ? null : round(achieved, 1),
      unit: 'orders/min',
      absoluteOk: ok,
      missing: 'warn',
    },
    baseline,
    input.slos.relative.severity,
  );
}

function failureRatioSli(
  input: VerdictInput,
  plateau: PlateauTotals | null,
  baseline: Baseline | null,
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
    baseline,
    input.slos.relative.severity,
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
        name: 'orders per minute vs plan (worst plateau tick)',
        threshold: `≥ ${round(kpi.minAttainment * 100, 1)} % of plan for ${input.slos.breachTicks} ticks`,
        observed: worst === null ? null : round(worst * 100, 1),
        unit: '%',
        absoluteOk: null,
        breach: breaches.find((b) => b.id === 'kpi-attainment') ?? null,
      },
      null,
      input.slos.relative.severity,
    ),
  ];
}

function requestSlis(
  input: VerdictInput,
  baseline: Baseline | null,
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
          baseline,
          slos.relative.severity,
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
          baseline,
          slos.relative.severity,
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
      input.slos.relative.severity,
    ),
  );
}

function fmt(value: number | null): string {
  return value === null ? 'n/a' : String(round(value, 3));
}
