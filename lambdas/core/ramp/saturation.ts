/**
 * Saturation as a state machine: ramping → suspected → saturated → probing → (saturated | ramping).
 *
 * The criterion: the capacity's upper confidence bound 1/(k − 2σ_k) is below the rate the next users are
 * aimed at, or the failure ratio is above its limit and climbing. It is about k, the growth of the cycle per
 * order with users; a change of conversion moves a (estimator.ts), so on its own it never satisfies it.
 * It must hold on two ticks in a row (suspected, then saturated): one noisy interval never stops a ramp.
 * A surprise with fewer orders than expected while users grew (a change of conversion or a knee: one interval
 * cannot tell) also makes it suspected, so that the next tick's test is armed.
 * Saturated, users are held at the knee; every PROBE_TICKS ticks a probe adds 15 % users, and the saturation
 * clears when the probe's orders follow its users well enough to lift the bound above the plan again.
 */
import { capacityUpperBound } from './model';
import type { Estimate, Sample, Saturation, SaturationPhase } from './types';

/** Ticks between two saturation probes. */
export const PROBE_TICKS = 4;
/** Users a probe adds (fraction). */
export const PROBE_STEP = 0.15;
/** Confidence of the capacity bound (standard deviations). */
export const CAPACITY_Z = 2;
/** Worker CPU (%) from which the load generators, not the system, are the limit. */
export const GENERATORS_CPU_PERCENT = 90;

export interface Recent {
  readonly users: number;
  readonly rate: number;
  readonly failureRatio: number;
}

export interface SaturationInput {
  readonly tick: number;
  readonly phase: SaturationPhase;
  readonly since: number;
  readonly saturation: Saturation | null;
  readonly estimate: Estimate;
  /** This tick's interval (null when none was measured). */
  readonly sample: Sample | null;
  /** Intervals before this one, oldest first, and this one last. */
  readonly recent: readonly Recent[];
  /** Orders per minute the next users are aimed at. */
  readonly aim: number;
  readonly failureLimit: number;
  /** This tick took in a change with fewer orders than expected while users grew. */
  readonly suspicious: boolean;
}

export interface SaturationOutput {
  readonly phase: SaturationPhase;
  readonly since: number;
  readonly saturation: Saturation | null;
  readonly note: string | null;
}

export function nextSaturation(i: SaturationInput): SaturationOutput {
  const stay = { phase: i.phase, since: i.since, saturation: i.saturation, note: null };
  if (!i.sample) return stay;
  const bound = capacityUpperBound(i.estimate, CAPACITY_Z);
  const [previous, now] = i.recent.slice(-2);
  const failuresClimb =
    now != null &&
    previous != null &&
    now.failureRatio >= i.failureLimit &&
    now.failureRatio > previous.failureRatio + 0.01;
  const holds = failuresClimb || bound < i.aim;
  const evidence = failuresClimb
    ? `failures ${pct(previous?.failureRatio ?? 0)} → ${pct(now?.failureRatio ?? 0)}`
    : `capacity ≤ ${Math.round(bound)} orders/min (${CAPACITY_Z} σ), aimed at ${Math.round(i.aim)}`;
  switch (i.phase) {
    case 'ramping':
      return holds || i.suspicious
        ? { phase: 'suspected', since: i.tick, saturation: null, note: `saturation suspected: ${evidence}` }
        : stay;
    case 'suspected':
      if (holds && i.tick > i.since) {
        const knee = kneeOf(i.recent);
        const cpu = i.sample.workerCpuPercent;
        const saturation: Saturation = {
          ordersPerMinute: knee.rate,
          users: knee.users,
          reason: failuresClimb ? 'failures-climb' : 'orders-flat',
          limitedBy: cpu != null && cpu >= GENERATORS_CPU_PERCENT ? 'load-generators' : 'system',
          evidence,
          sinceTick: i.tick,
        };
        return { phase: 'saturated', since: i.tick, saturation, note: null };
      }
      return i.suspicious ? stay : { phase: 'ramping', since: i.tick, saturation: null, note: null };
    case 'saturated':
      return stay;
    case 'probing':
      return holds
        ? {
            phase: 'saturated',
            since: i.tick,
            saturation: i.saturation,
            note: `probe: still saturated (${evidence})`,
          }
        : {
            phase: 'ramping',
            since: i.tick,
            saturation: null,
            note: 'saturation cleared: orders grew with the probe’s users',
          };
  }
}

/** Whether this tick probes a saturation (users +PROBE_STEP), and how many users then. */
export function probeUsers(phase: SaturationPhase, since: number, tick: number, held: number): number | null {
  return phase === 'saturated' && tick > since && (tick - since) % PROBE_TICKS === 0
    ? Math.ceil(held * (1 + PROBE_STEP)) + 1
    : null;
}

/** The knee: the highest recent rate, and the fewest users that reached 97 % of it. */
function kneeOf(recent: readonly Recent[]): { rate: number; users: number } {
  const rate = Math.max(...recent.map((r) => r.rate));
  const users = Math.min(...recent.filter((r) => r.rate >= 0.97 * rate).map((r) => r.users));
  return { rate, users: Math.max(1, Math.ceil(users)) };
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}
