/**
 * SLO evaluation on every ramp tick. Pure: the watch handler gathers what was measured (Locust's master
 * figures, the teams' CloudWatch alarms) into checks, and this module decides what each SLO's state is,
 * which breaches count and whether the abort policy stops the test.
 *
 * Rules:
 * - During the first `graceTicks` ticks after the load starts a breach is shown (`grace`) but never counts.
 * - A breach counts once it persists `breachTicks` consecutive ticks (`breaching` until then, `breached` from
 *   that tick on). One tick without a breach ends the episode; a tick without data neither ends nor extends it.
 * - When a breach counts and `abortOnBreach` is set, the test is aborted with the first SLO that counted.
 */
import { type AlarmSelector, DEFAULT_KPI, type SloConfig } from './config';
import { round } from './numbers';

export type SloKind = 'alarm' | 'failure-ratio' | 'latency' | 'kpi';

/**
 * `ok`: measured and within; `grace`: in the grace period (breach or not); `breaching`: breached for fewer
 * than `breachTicks` ticks; `breached`: a breach that counts; `no-data`: nothing to judge this tick.
 */
export type SloStatus = 'ok' | 'grace' | 'breaching' | 'breached' | 'no-data';

/** What one SLO measured at one tick. */
export interface SloCheck {
  /** Stable id, e.g. `alarm:checkout-5xx`, `request:checkout: place order:p95`, `failure-ratio`. */
  readonly id: string;
  readonly kind: SloKind;
  /** What a person reads, e.g. `p95 of "checkout: place order"`. */
  readonly label: string;
  /** The measured value (ms, ratio 0..1, attainment 0..1, or 1/0 for an alarm in ALARM/OK); null = no data. */
  readonly observed: number | null;
  /** e.g. `≤ 800 ms`, `OK`. */
  readonly threshold: string;
  /** null when there was nothing to judge (no requests, alarm INSUFFICIENT_DATA). */
  readonly breach: boolean | null;
  /** Extra words for the report and the notification (an alarm's state reason). */
  readonly detail?: string;
}

/** A moment of the run: tick number and time. */
export interface TickTime {
  readonly tick: number;
  readonly at: string;
}

/** One SLO's running state, carried from tick to tick in `RampState.slo`. */
export interface SloTrack {
  readonly id: string;
  readonly kind: SloKind;
  readonly label: string;
  readonly threshold: string;
  readonly status: SloStatus;
  readonly observed: number | null;
  /** Consecutive breaching ticks (after the grace period) up to now. */
  readonly consecutive: number;
  /** The first tick of the current breach episode. */
  readonly since: TickTime | null;
  /** Most consecutive breaching ticks seen in this run. */
  readonly longest: number;
  /** The worst value measured after the grace period (highest; lowest for the KPI). */
  readonly worst: number | null;
}

/** A breach episode: transient (shorter than `breachTicks`) or one that counted. */
export interface BreachEpisode {
  readonly id: string;
  readonly kind: SloKind;
  readonly label: string;
  readonly threshold: string;
  readonly from: TickTime;
  /** The tick at which it counted (persisted `breachTicks` ticks); null for a transient one. */
  readonly countedAt: TickTime | null;
  /** The first tick without a breach again; null while it lasts. */
  readonly until: TickTime | null;
  readonly ticks: number;
  /** The worst value seen during the episode. */
  readonly worst: number | null;
}

/** Why a test was stopped early. */
export interface RunAbort {
  readonly sloId: string;
  readonly label: string;
  readonly tick: number;
  readonly at: string;
  /** When the breach began (its first tick). */
  readonly since: TickTime;
  readonly reason: string;
}

/** Everything the watch carries between ticks. Small: it travels in the execution state. */
export interface SloWatchState {
  /** Ticks watched so far (1 at the first tick after the load started). */
  readonly ticks: number;
  readonly tracks: readonly SloTrack[];
  /** Breach episodes, oldest first; at most MAX_EPISODES are kept (the ones that counted first). */
  readonly episodes: readonly BreachEpisode[];
  readonly abort: RunAbort | null;
}

export interface TickEvaluation {
  readonly state: SloWatchState;
  /** Breaches that counted at this tick (the watch notifies each once). */
  readonly counted: readonly BreachEpisode[];
  /** Set at the tick the abort policy stops the test. */
  readonly abort: RunAbort | null;
  /** One line for the console, e.g. `SLO: 1 breaching (p95 of "Aggregated")`; null when all is well. */
  readonly message: string | null;
}

export const MAX_EPISODES = 50;

function initialWatchState(): SloWatchState {
  return { ticks: 0, tracks: [], episodes: [], abort: null };
}

/** Judges one tick's checks against the SLO policy. */
export function evaluateTick(
  slos: Pick<SloConfig, 'graceTicks' | 'breachTicks' | 'abortOnBreach'>,
  previous: SloWatchState | null | undefined,
  checks: readonly SloCheck[],
  now: TickTime,
): TickEvaluation {
  const before = previous ?? initialWatchState();
  const ticks = before.ticks + 1;
  const inGrace = ticks <= slos.graceTicks;
  const breachTicks = Math.max(1, slos.breachTicks);
  const oldTracks = new Map(before.tracks.map((t) => [t.id, t]));
  const episodes = [...before.episodes];
  const counted: BreachEpisode[] = [];

  const openEpisode = (id: string): number => {
    for (let i = episodes.length - 1; i >= 0; i--) {
      const e = episodes[i];
      if (e && e.id === id && e.until === null) return i;
    }
    return -1;
  };
  const closeEpisode = (id: string) => {
    const i = openEpisode(id);
    const e = episodes[i];
    if (e) episodes[i] = { ...e, until: now };
  };

  const tracks: SloTrack[] = checks.map((check) => {
    const old = oldTracks.get(check.id);
    oldTracks.delete(check.id);
    const base = {
      id: check.id,
      kind: check.kind,
      label: check.label,
      threshold: check.threshold,
      observed: check.observed,
      longest: old?.longest ?? 0,
      worst: inGrace ? (old?.worst ?? null) : worse(check.kind, old?.worst ?? null, check.observed),
    };
    if (check.breach === null) {
      // No data: the episode neither ends nor grows.
      return { ...base, status: 'no-data', consecutive: old?.consecutive ?? 0, since: old?.since ?? null };
    }
    if (inGrace) {
      return { ...base, status: 'grace', consecutive: 0, since: null };
    }
    if (!check.breach) {
      if (old && old.consecutive > 0) closeEpisode(check.id);
      return { ...base, status: 'ok', consecutive: 0, since: null };
    }
    const consecutive = (old?.consecutive ?? 0) + 1;
    const since = old?.since ?? now;
    const status: SloStatus = consecutive >= breachTicks ? 'breached' : 'breaching';
    const i = openEpisode(check.id);
    const current = episodes[i];
    if (current) {
      const worst = worse(check.kind, current.worst, check.observed);
      const countedNow = current.countedAt === null && status === 'breached';
      const updated: BreachEpisode = {
        ...current,
        ticks: consecutive,
        worst,
        countedAt: countedNow ? now : current.countedAt,
      };
      episodes[i] = updated;
      if (countedNow) counted.push(updated);
    } else {
      const episode: BreachEpisode = {
        id: check.id,
        kind: check.kind,
        label: check.label,
        threshold: check.threshold,
        from: since,
        countedAt: status === 'breached' ? now : null,
        until: null,
        ticks: consecutive,
        worst: check.observed,
      };
      episodes.push(episode);
      if (episode.countedAt) counted.push(episode);
    }
    return { ...base, status, consecutive, since, longest: Math.max(base.longest, consecutive) };
  });
  // An SLO that is no longer checked (e.g. an alarm deleted meanwhile) keeps its last state as no-data.
  for (const old of oldTracks.values()) tracks.push({ ...old, status: 'no-data', observed: null });

  let abort = before.abort;
  let abortNow: RunAbort | null = null;
  const first = counted[0];
  if (!abort && slos.abortOnBreach && first?.countedAt) {
    abortNow = {
      sloId: first.id,
      label: first.label,
      tick: first.countedAt.tick,
      at: first.countedAt.at,
      since: first.from,
      reason: `aborted at tick ${first.countedAt.tick} (${first.countedAt.at}): ${first.label} breached ${first.threshold} for ${first.ticks} consecutive ticks since tick ${first.from.tick} (${first.from.at})`,
    };
    abort = abortNow;
  }

  const state: SloWatchState = { ticks, tracks, episodes: trimEpisodes(episodes), abort };
  return { state, counted, abort: abortNow, message: tickMessage(tracks, abortNow) };
}

/** Keeps at most MAX_EPISODES: every episode that counted first, then the latest transient ones. */
function trimEpisodes(episodes: BreachEpisode[]): BreachEpisode[] {
  if (episodes.length <= MAX_EPISODES) return episodes;
  const keep = new Set<BreachEpisode>();
  for (const e of episodes) if (e.countedAt && keep.size < MAX_EPISODES) keep.add(e);
  for (let i = episodes.length - 1; i >= 0 && keep.size < MAX_EPISODES; i--) {
    const e = episodes[i];
    if (e) keep.add(e);
  }
  return episodes.filter((e) => keep.has(e));
}

/** For KPI attainment lower is worse; for everything else higher is worse. */
function worse(kind: SloKind, a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return kind === 'kpi' ? Math.min(a, b) : Math.max(a, b);
}

function tickMessage(tracks: readonly SloTrack[], abort: RunAbort | null): string | null {
  if (abort) return `SLO ${abort.reason}`;
  const breached = tracks.filter((t) => t.status === 'breached');
  const breaching = tracks.filter((t) => t.status === 'breaching');
  if (breached.length === 0 && breaching.length === 0) return null;
  const parts: string[] = [];
  if (breached.length > 0)
    parts.push(`${breached.length} breached (${breached.map((t) => t.label).join(', ')})`);
  if (breaching.length > 0)
    parts.push(`${breaching.length} breaching (${breaching.map((t) => t.label).join(', ')})`);
  return `SLO: ${parts.join('; ')}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Building the checks of one tick

/** One request name's figures over some window of responses (a tick, the SLO window, the plateau). */
export interface RequestFigures {
  readonly name: string;
  readonly requests: number;
  readonly failures: number;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
}

/** A watched alarm's state at this tick. */
export interface AlarmReading {
  readonly name: string;
  readonly state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  readonly reason?: string;
}

export interface TickMeasurements {
  readonly phase: 'ramp-up' | 'plateau' | 'done';
  /** Orders per minute measured over the tick's interval; null when it could not be measured. */
  readonly ordersPerMinute: number | null;
  /** Orders per minute the plan asked for. */
  readonly targetNow: number;
  /** Requests and failures over the tick's interval (all request names). */
  readonly interval: { readonly requests: number; readonly failures: number };
  /**
   * Per request name (the `Aggregated` row included), the figures of every response of the sliding window: the
   * last `windowTicks` ticks (core/latency-window.ts).
   */
  readonly requests: readonly RequestFigures[];
  /** How many ticks the window spans (said in the latency checks' detail). */
  readonly windowTicks?: number;
  /** The alarms the selectors matched; null when CloudWatch could not be asked this tick. */
  readonly alarms: readonly AlarmReading[] | null;
  /** How the KPI's rate reads ("bookings per minute"); absent: orders per minute. */
  readonly kpiUnit?: string;
}

export const AGGREGATED = 'Aggregated';

/** At most this many request names are judged, charted and stored per tick (Locust reports up to 500). */
const MAX_REQUESTS = 50;

/**
 * Names Locust's entries (one per method and name) by request name: when a name has several methods, the busiest
 * keeps the plain name and the others are `METHOD name`. Sorted by name, at most {@link MAX_REQUESTS}.
 */
export function byRequestName<T extends { readonly name: string; readonly method: string | null }>(
  entries: readonly T[],
  requests: (entry: T) => number,
): { readonly name: string; readonly entry: T }[] {
  const seen = new Set<string>();
  const named = [...entries]
    .sort((a, b) => requests(b) - requests(a))
    .map((entry) => {
      const name = seen.has(entry.name) ? `${entry.method ?? ''} ${entry.name}`.trim() : entry.name;
      seen.add(entry.name);
      return { name, entry };
    });
  return named.sort((a, b) => a.name.localeCompare(b.name)).slice(0, MAX_REQUESTS);
}

/** The checks of one tick, one per SLO the configuration defines. */
export function buildChecks(
  slos: SloConfig,
  m: TickMeasurements,
  previous?: SloWatchState | null,
): SloCheck[] {
  const checks: SloCheck[] = [];
  const pct = (r: number) => `${round(r * 100, 2)} %`;

  const ratio = m.interval.requests > 0 ? m.interval.failures / m.interval.requests : null;
  checks.push({
    id: 'failure-ratio',
    kind: 'failure-ratio',
    label: 'failure ratio (tick)',
    observed: ratio,
    threshold: `≤ ${pct(slos.maxFailureRatio)}`,
    breach: ratio === null ? null : ratio > slos.maxFailureRatio,
  });

  if (slos.kpi) {
    const min = slos.kpi.minAttainment;
    const measurable = m.phase === 'plateau' && m.ordersPerMinute !== null && m.targetNow > 0;
    const attainment = measurable ? (m.ordersPerMinute as number) / m.targetNow : null;
    checks.push({
      id: 'kpi-attainment',
      kind: 'kpi',
      label: `${m.kpiUnit ?? DEFAULT_KPI.unit} vs plan (plateau tick)`,
      observed: attainment,
      threshold: `≥ ${pct(min)} of plan`,
      breach: attainment === null ? null : attainment < min,
    });
  }

  for (const r of slos.requests) {
    const figures = m.requests.find((f) => f.name === r.name);
    for (const p of ['p95', 'p99'] as const) {
      const limit = r[`${p}Ms`];
      if (limit === undefined) continue;
      const observed = figures && figures.requests > 0 ? figures[p] : null;
      checks.push({
        id: latencyId(r.name, p),
        kind: 'latency',
        label: `${p} of "${r.name}"`,
        observed,
        threshold: `≤ ${limit} ms`,
        breach: observed === null ? null : observed > limit,
        ...(m.windowTicks ? { detail: `every response of the last ${m.windowTicks} tick(s)` } : {}),
      });
    }
    if (r.maxFailureRatio !== undefined) {
      const observed = figures && figures.requests > 0 ? figures.failures / figures.requests : null;
      checks.push({
        id: `request:${r.name}:failure-ratio`,
        kind: 'failure-ratio',
        label: `failure ratio of "${r.name}"`,
        observed,
        threshold: `≤ ${pct(r.maxFailureRatio)}`,
        breach: observed === null ? null : observed > r.maxFailureRatio,
      });
    }
  }

  if (m.alarms) {
    for (const a of m.alarms) {
      checks.push({
        id: alarmId(a.name),
        kind: 'alarm',
        label: `alarm ${a.name}`,
        observed: a.state === 'ALARM' ? 1 : a.state === 'OK' ? 0 : null,
        threshold: 'not in ALARM',
        breach: a.state === 'INSUFFICIENT_DATA' ? null : a.state === 'ALARM',
        ...(a.reason ? { detail: a.reason } : {}),
      });
    }
  } else {
    // CloudWatch did not answer: the alarms watched so far have no data this tick.
    for (const t of previous?.tracks ?? []) {
      if (t.kind === 'alarm') {
        checks.push({
          id: t.id,
          kind: 'alarm',
          label: t.label,
          observed: null,
          threshold: t.threshold,
          breach: null,
          detail: 'CloudWatch could not be asked',
        });
      }
    }
  }
  return checks;
}

export function latencyId(request: string, percentile: 'p50' | 'p95' | 'p99'): string {
  return `request:${request}:${percentile}`;
}

function alarmId(name: string): string {
  return `alarm:${name}`;
}

/** Whether an alarm name is selected by any of the selectors. */
export function selects(selectors: readonly AlarmSelector[], alarmName: string): boolean {
  return selectors.some((s) => ('name' in s ? s.name === alarmName : alarmName.startsWith(s.prefix)));
}
