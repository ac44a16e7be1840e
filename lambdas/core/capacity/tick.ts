/**
 * What one ramp tick hands the capacity search: the controller's decision and the SLO watch's judgement,
 * reduced to {@link CapacityTick}. Pure; shared by the Ramp tick handler and the simulations that test it.
 */
import type { SloConfig } from '../config';
import { round } from '../numbers';
import {
  appliedUsers,
  type ControllerConfig,
  type Decision,
  GENERATORS_CPU_PERCENT,
  PLATEAU_SPREAD_SECONDS,
} from '../ramp-controller';
import type { RunContext } from '../run-context';
import type { RunRequest } from '../run-input';
import type { SloTrack } from '../slo';
import { type CapacityPlan, type CapacityState, type CapacityTick, levelUsers } from './search';

/** The search's plan for a run in mode capacity; null in mode target. */
export function capacityPlanOf(
  request: RunRequest,
  slos: Pick<SloConfig, 'breachTicks'>,
): CapacityPlan | null {
  if (request.mode !== 'capacity' || !request.capacity) return null;
  return {
    parameters: request.capacity,
    breachTicks: Math.max(1, slos.breachTicks),
    rampUpSeconds: request.rampUpMinutes * 60,
    totalSeconds: (request.rampUpMinutes + request.plateauMinutes) * 60,
    tickSeconds: request.tickSeconds,
  };
}

/**
 * The state the SLO watch judges a capacity tick in: without the abort policy, since a breach ends a level of
 * the search, not the run (a dead system still stops it).
 */
export function withoutAbortPolicy<S extends { readonly run: RunContext }>(state: S): S {
  const { environment } = state.run;
  if (!environment.slos.abortOnBreach) return state;
  return {
    ...state,
    run: {
      ...state.run,
      environment: { ...environment, slos: { ...environment.slos, abortOnBreach: false } },
    },
  };
}

export interface TickJudged {
  readonly tick: number;
  readonly elapsedSeconds: number;
  /** The decision whose interval was measured (taken with the search's plan before this tick). */
  readonly decision: Decision;
  readonly workers: number;
  /** The SLO watch's tracks after this tick (core/slo.ts `evaluateTick`). */
  readonly tracks: readonly SloTrack[];
}

export function capacityTick(config: ControllerConfig, judged: TickJudged): CapacityTick {
  const { decision } = judged;
  return {
    tick: judged.tick,
    elapsedSeconds: judged.elapsedSeconds,
    orders: decision.delta.orders,
    minutes: decision.delta.minutes,
    requests: decision.delta.requests,
    failures: decision.delta.failures,
    users: decision.state.last?.users ?? decision.users,
    meanUsers: meanUsersOf(decision),
    workers: judged.workers,
    breaches: countedBreaches(judged.tracks),
    breaching: judged.tracks
      .filter((t) => (t.status === 'breaching' || t.status === 'breached') && t.kind !== 'kpi')
      .map((t) => ({ id: t.id, label: t.label })),
    saturation: decision.saturation,
    generatorLimit: generatorLimit(config, decision),
    generatorCpu: generatorCpuLimit(config, decision, judged.workers),
    dispersion: decision.state.estimate?.dispersion ?? 1,
  };
}

/**
 * The SLOs whose breach counts at this tick. The KPI's attainment is left out: whether a level is delivered is
 * the search's own judgement (a shortfall is the system's or the load generators' limit, not an SLO's).
 */
export function countedBreaches(tracks: readonly SloTrack[]): { id: string; label: string }[] {
  return tracks
    .filter((t) => t.status === 'breached' && t.kind !== 'kpi')
    .map((t) => ({ id: t.id, label: t.label }));
}

/**
 * Why the load generators held the users below what was wanted, or null when they did not: the users decided
 * (the climb's controller) or those that ran the interval (a held level's, set by the search) at their limit.
 */
export function generatorLimit(config: ControllerConfig, decision: Decision): string | null {
  const users = Math.max(decision.users, decision.state.last?.users ?? 0);
  if (users >= config.maxUsers) return `users capped at maxUsers ${config.maxUsers}`;
  const fleet = config.fleet;
  if (fleet && users >= fleet.maxWorkers * config.usersPerWorker)
    return `users capped by the fleet: ${fleet.maxWorkers} workers host ${fleet.maxWorkers * config.usersPerWorker} users`;
  return null;
}

/**
 * The workers at their CPU limit with none left to add, or null. Locust's users slow down there and its own
 * delays count in the response times: what is measured is bounded by the generators, not the system.
 */
export function generatorCpuLimit(
  config: ControllerConfig,
  decision: Decision,
  workers: number,
): string | null {
  const cpu = decision.workerCpuPercent;
  const fleet = config.fleet;
  if (cpu == null || cpu < GENERATORS_CPU_PERCENT || (fleet && workers < fleet.maxWorkers)) return null;
  const more = fleet ? `the fleet's maximum of ${fleet.maxWorkers}` : 'add Locust workers';
  return `workers at ${Math.round(cpu)} % CPU with ${workers} workers (${more})`;
}

/**
 * The decision a held level runs: the controller's, with the users the search fits for the level
 * ({@link levelUsers}) within the load generators' limits (maxUsers, the fleet's workers). While climbing, or
 * without a fit, the controller's decision as it is.
 */
export function levelDecision(
  config: ControllerConfig,
  search: CapacityState,
  decided: Decision,
  currentUsers: number,
): Decision {
  const wanted = levelUsers(search);
  if (wanted === null || decided.phase === 'done') return decided;
  const hosted = config.fleet ? config.fleet.maxWorkers * config.usersPerWorker : Number.POSITIVE_INFINITY;
  const users = Math.max(1, Math.min(wanted, config.maxUsers, hosted));
  // The controller's message names its own model's users; the note says which ran, and why, on every held tick.
  const note = `capacity: ${users} users for ${search.level} orders/min, ${levelUsersSource(search)}`;
  const spawnRate = Math.max(
    decided.spawnRate,
    Math.ceil((Math.abs(users - currentUsers) / PLATEAU_SPREAD_SECONDS) * 100) / 100,
  );
  return {
    ...decided,
    users,
    spawnRate,
    workersNeeded: Math.max(decided.workersNeeded, Math.ceil(users / config.usersPerWorker)),
    message: `${decided.message}; ${note}`,
    notes: [...decided.notes, note],
    state: appliedUsers(decided.state, users),
  };
}

/** Where a held level's users come from: the measured curve, or the curve for the rate the hold's loop asks. */
function levelUsersSource(search: CapacityState): string {
  const loop = search.loop?.since === search.since ? search.loop : undefined;
  const level = search.level ?? 0;
  if (!loop || Math.abs(loop.asked - level) < 0.005 * level) return 'from the measured curve';
  return `the curve's for ${round(loop.asked)} (the level delivers ${round(level / loop.asked, 2)} of the curve's rate)`;
}

/**
 * Mean users over the interval just measured (its exposure ÷ its length, shifted by the orders' delay: the
 * controller's `recent` entry for it); null when the tick measured no interval.
 */
function meanUsersOf(decision: Decision): number | null {
  const entry = decision.state.recent.at(-1);
  const { orders, minutes } = decision.delta;
  return entry && minutes > 0 && entry.orders === orders && entry.minutes === minutes ? entry.users : null;
}
