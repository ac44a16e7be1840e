/**
 * The guards between what the model asks for and what Locust is told, in order; each names itself when it
 * binds, so a tick says which limit was hit.
 */
import { GENERATORS_CPU_PERCENT } from './saturation';
import type { ControllerConfig } from './types';

/** Never multiply users by more than this in one tick: a bad early estimate must not explode the load. */
export const MAX_GROWTH = 3;
/** …plus this many users, so that a ramp from very few users is not throttled by the factor. */
export const MIN_STEP = 5;

export interface LimitInput {
  readonly config: ControllerConfig;
  /** Users the model (or the saturation's hold) asks for. */
  readonly users: number;
  /** Users Locust runs now, and those set at the last tick. */
  readonly current: number;
  readonly usersSet: number;
  readonly firstTick: boolean;
  readonly workers: number | null;
  /** Highest CPU (%) of the connected workers (null: not reported). */
  readonly workerCpuPercent: number | null;
}

export interface Limited {
  readonly users: number;
  readonly notes: readonly string[];
  /** The load generators are at their CPU limit: more users would not bring more load. */
  readonly generatorsBusy: boolean;
}

type Guard = (users: number, i: LimitInput) => { users: number; note: string } | null;

/** The most users a tick may ask for after `users`. */
export function growthCap(users: number): number {
  return Math.ceil(users * MAX_GROWTH) + MIN_STEP;
}

const GUARDS: readonly Guard[] = [
  function growthPerTick(users, i) {
    const cap = growthCap(Math.max(i.current, i.usersSet));
    return !i.firstTick && users > cap
      ? { users: cap, note: `growth capped at ×${MAX_GROWTH} (+${MIN_STEP}): ${users} → ${cap} users` }
      : null;
  },
  function generatorsCpu(users, i) {
    const cpu = i.workerCpuPercent;
    const held = Math.max(1, Math.min(i.current, i.usersSet));
    if (cpu == null || cpu < GENERATORS_CPU_PERCENT || users <= held) return null;
    const ask = i.config.fleet ? 'asking for more workers' : 'add Locust workers';
    return {
      users: held,
      note: `load generators at ${Math.round(cpu)} % CPU: they are the limit, not the system; users held at ${held} (${ask})`,
    };
  },
  function maxUsers(users, i) {
    return users > i.config.maxUsers
      ? { users: i.config.maxUsers, note: `capped at maxUsers ${i.config.maxUsers}` }
      : null;
  },
  function connectedWorkers(users, i) {
    if (!i.config.fleet || i.workers == null) return null;
    const hosted = i.workers * i.config.usersPerWorker;
    return users > hosted
      ? {
          users: Math.max(hosted, Math.min(i.current, users)),
          note: `waiting for workers: ${i.workers} connected host ${hosted} users`,
        }
      : null;
  },
];

export function applyLimits(i: LimitInput): Limited {
  let users = i.users;
  const notes: string[] = [];
  for (const guard of GUARDS) {
    const hit = guard(users, i);
    if (hit) {
      users = hit.users;
      notes.push(hit.note);
    }
  }
  const generatorsBusy = (i.workerCpuPercent ?? 0) >= GENERATORS_CPU_PERCENT;
  return { users: Math.max(1, users), notes, generatorsBusy };
}

/** Workers for this tick's users and the next tick's (so they are up first); one more when the CPU is the limit. */
export function workersNeeded(
  config: ControllerConfig,
  users: number,
  nextUsers: number,
  workers: number | null,
  generatorsBusy: boolean,
): { workers: number; note: string | null } {
  let needed = Math.max(1, Math.ceil(Math.max(users, nextUsers) / config.usersPerWorker));
  if (generatorsBusy && workers != null) needed = Math.max(needed, workers + 1);
  if (!config.fleet) return { workers: needed, note: null };
  const { minWorkers, maxWorkers } = config.fleet;
  const note =
    needed > maxWorkers
      ? `fleet limit: ${maxWorkers} workers host ${maxWorkers * config.usersPerWorker} users`
      : null;
  return { workers: Math.min(maxWorkers, Math.max(minWorkers, needed)), note };
}
