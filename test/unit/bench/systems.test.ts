import { describe, expect, it } from 'vitest';
import { DEFAULT_SCENARIO } from '../../../bench/ramp-bench';
import {
  capacityOrdersPerMinute,
  DT,
  MAX_USERS,
  peakOrdersPerMinute,
  Simulation,
  type SystemSpec,
  steadyOrdersPerMinute,
} from '../../../bench/sim';
import { capacityCrossingSeconds, plannedOrdersPerMinute, SYSTEMS } from '../../../bench/systems';

const SEEDS = [1, 2, 3];
const plan = DEFAULT_SCENARIO;
const end = plan.rampUpSeconds + plan.plateauSeconds;

/** The fewest users that deliver `rate` at `t` in the model, or the users that deliver the most if none do. */
function usersFor(spec: SystemSpec, rate: number, t: number): number {
  const peak = peakOrdersPerMinute(spec, t);
  if (peak.ordersPerMinute <= rate) return peak.users;
  // Below its peak every system's rate grows with the users.
  let lo = 0;
  let hi = peak.users;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (steadyOrdersPerMinute(spec, mid, t) >= rate) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * A controller that knows the system: every 10 s it asks for the users the model says deliver the plan 10 s
 * ahead. What it delivers on the plateau is what the system allows.
 */
function oracle(spec: SystemSpec, seed: number): Simulation {
  const sim = new Simulation(spec, seed);
  for (let t = 0; t < end; t += 10) {
    sim.swarm({ users: usersFor(spec, plannedOrdersPerMinute(plan, t + 10), t + 10), spawnRate: 100 });
    sim.advance(10);
  }
  return sim;
}

/** Mean delivered orders per minute on the plateau, without the system's unforeseeable tick. */
function plateauRate(sim: Simulation): number {
  const skip = sim.spec.unforeseeable;
  let sum = 0;
  let n = 0;
  for (let i = Math.round(plan.rampUpSeconds / DT); i < sim.delivered.length; i++) {
    const t = i * DT;
    if (skip && t >= skip[0] && t < skip[1]) continue;
    sum += sim.delivered[i] as number;
    n++;
  }
  return (sum / (n * DT)) * 60;
}

describe('the benchmark’s systems', () => {
  it('have distinct names and say what they simulate', () => {
    expect(new Set(SYSTEMS.map((s) => s.name)).size).toBe(SYSTEMS.length);
    for (const s of SYSTEMS) expect(s.description.length, s.name).toBeGreaterThan(20);
    expect(SYSTEMS.filter((s) => !s.reachable).length).toBeGreaterThanOrEqual(4);
  });

  it.each(SYSTEMS.map((s) => [s.name, s] as const))(
    '%s: marked reachable exactly when the plan never crosses its capacity',
    (_name, system) => {
      const crossing = capacityCrossingSeconds(system, plan);
      expect(crossing === null, `crossing at ${crossing} s`).toBe(system.reachable);
      if (crossing !== null) {
        // The plan crosses the capacity there: just below it a second before, above it at that second.
        expect(plannedOrdersPerMinute(plan, crossing)).toBeGreaterThan(
          capacityOrdersPerMinute(system, crossing),
        );
        expect(plannedOrdersPerMinute(plan, crossing - 1)).toBeLessThanOrEqual(
          capacityOrdersPerMinute(system, crossing - 1),
        );
      }
    },
  );

  it('cross the plan where their limit says: hard limit at 5:00, knee ~6:40, soft knee ~7:20, CPU ~8:00', () => {
    const crossing = (name: string) => {
      const system = SYSTEMS.find((s) => s.name === name);
      if (!system) throw new Error(name);
      return capacityCrossingSeconds(system, plan);
    };
    expect(crossing('hard limit 50 %')).toBe(301);
    expect(crossing('capacity < target')).toBe(400);
    expect(crossing('soft knee')).toBeGreaterThan(430);
    expect(crossing('soft knee')).toBeLessThan(450);
    expect(crossing('generators’ CPU')).toBeGreaterThan(470);
    expect(crossing('generators’ CPU')).toBeLessThan(490);
  });

  it.each(SYSTEMS.map((s) => [s.name, s] as const))(
    '%s: a controller that knows the system delivers the target on the plateau if and only if it is reachable',
    (_name, system) => {
      for (const seed of SEEDS) {
        const sim = oracle(system, seed);
        const rate = plateauRate(sim);
        if (system.reachable) {
          // The model knows the mean rate, not the slow drift of a drifting system.
          const tolerance = 0.02 + 2 * (system.drift ?? 0);
          expect(Math.abs(rate / plan.targetOrdersPerMinute - 1), `seed ${seed}`).toBeLessThan(tolerance);
          expect(Math.max(...sim.userTrace), `seed ${seed}`).toBeLessThan(MAX_USERS / 4);
        } else {
          expect(rate / plan.targetOrdersPerMinute, `seed ${seed}`).toBeLessThan(0.85);
          expect(rate / capacityOrdersPerMinute(system, end), `seed ${seed}`).toBeGreaterThan(0.95);
        }
      }
    },
  );
});
