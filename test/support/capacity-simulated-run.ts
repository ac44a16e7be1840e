/**
 * A capacity-mode run on a simulated system under test and Locust (bench/sim.ts), tick by tick as Start load
 * and Ramp tick run it: the controller decides with the search's plan, the SLOs are judged by core/slo.ts
 * (`buildChecks` + `evaluateTick`) on what the simulated master reports, and the search advances. The
 * simulation has no latency, so the Ramp tick's statistics reset at a level's settling is left out: every
 * judged tick measures its rate here.
 */
import { Simulation, type SystemSpec } from '../../bench/sim';
import {
  advance,
  type CapacityParameters,
  type CapacityPlan,
  type CapacityResult,
  type CapacityState,
  capacityControllerConfig,
  capacityResult,
  initialCapacityState,
} from '../../lambdas/core/capacity/search';
import { capacityTick, levelDecision } from '../../lambdas/core/capacity/tick';
import { withSloDefaults } from '../../lambdas/core/config';
import {
  type ControllerConfig,
  type ControllerState,
  decide,
  initialControllerState,
  startTrajectory,
} from '../../lambdas/core/ramp-controller';
import { buildChecks, evaluateTick, type SloWatchState } from '../../lambdas/core/slo';

export interface SimulatedScenario {
  readonly ceiling: number;
  readonly rampUpSeconds: number;
  readonly plateauSeconds: number;
  readonly tickSeconds: number;
  readonly capacity: Omit<CapacityParameters, 'maxOrdersPerMinute'>;
  readonly maxUsers: number;
  readonly fleet?: {
    readonly minWorkers: number;
    readonly maxWorkers: number;
    readonly usersPerWorker: number;
  };
}

export const SCENARIO: SimulatedScenario = {
  ceiling: 3000,
  rampUpSeconds: 600,
  plateauSeconds: 1800,
  tickSeconds: 60,
  capacity: { holdTicks: 3, resolutionOrdersPerMinute: null },
  maxUsers: 20_000,
};

const SLOS = withSloDefaults({ maxFailureRatio: 0.01, graceTicks: 2, breachTicks: 2 });

export interface SimulatedRun {
  readonly result: CapacityResult;
  readonly state: CapacityState;
  /** Simulated seconds at the end of the search. */
  readonly seconds: number;
  readonly ticks: number;
  /** What each tick would store: the rate measured, the users commanded. */
  readonly records: readonly { tick: number; ordersPerMinute: number | null; users: number }[];
  /** The SLO watch after the last tick. */
  readonly watch: SloWatchState | null;
}

export function runCapacitySearch(spec: SystemSpec, seed: number, scenario = SCENARIO): SimulatedRun {
  const base: ControllerConfig = {
    targetOrdersPerMinute: scenario.ceiling,
    rampUpSeconds: scenario.rampUpSeconds,
    plateauSeconds: scenario.plateauSeconds,
    tickSeconds: scenario.tickSeconds,
    initialOrdersPerUserPerMinute: 2,
    maxUsers: scenario.maxUsers,
    usersPerWorker: scenario.fleet?.usersPerWorker ?? 500,
    fleet: scenario.fleet ?? null,
    // As the Ramp tick sets it for a scenario whose users all order: the simulated ones do.
    everyUserOrders: true,
  };
  const plan: CapacityPlan = {
    parameters: { maxOrdersPerMinute: scenario.ceiling, ...scenario.capacity },
    breachTicks: SLOS.breachTicks,
    rampUpSeconds: scenario.rampUpSeconds,
    totalSeconds: scenario.rampUpSeconds + scenario.plateauSeconds,
    tickSeconds: scenario.tickSeconds,
  };
  const sim = new Simulation(spec, seed);
  const first = decide(base, initialControllerState(), null, 0);
  sim.swarm(first);
  let controller: ControllerState = {
    ...startTrajectory(first.state, 0, first.users, first.spawnRate),
    last: { ...sim.read(), users: 0 },
  };
  let search = initialCapacityState();
  let watch: SloWatchState | null = null;
  let tick = 0;
  const records: { tick: number; ordersPerMinute: number | null; users: number }[] = [];
  while (search.phase !== 'done' && sim.t < plan.totalSeconds) {
    tick += 1;
    sim.advance(scenario.tickSeconds);
    const reading = sim.read();
    const measured = decide(capacityControllerConfig(base, search), controller, reading, sim.t);
    const checks = buildChecks(SLOS, {
      phase: measured.phase,
      ordersPerMinute: measured.ordersPerMinute,
      targetNow: measured.targetNow,
      interval: measured.delta,
      requests: [],
      alarms: [],
    });
    watch = evaluateTick(SLOS, watch, checks, { tick, at: new Date(sim.t * 1000).toISOString() }).state;
    const next = advance(
      plan,
      search,
      capacityTick(base, {
        tick,
        elapsedSeconds: sim.t,
        decision: measured,
        workers: reading.workers,
        tracks: watch.tracks,
      }),
    );
    const decided =
      next.phase === search.phase && next.level === search.level
        ? measured
        : decide(capacityControllerConfig(base, next), controller, reading, sim.t);
    const decision = levelDecision(base, next, decided, reading.users);
    search = next;
    controller = decision.state;
    records.push({ tick, ordersPerMinute: measured.ordersPerMinute, users: decision.users });
    if (decision.phase === 'done') break;
    if (decision.users !== reading.users || !reading.running) sim.swarm(decision);
  }
  return { result: capacityResult(search), state: search, seconds: sim.t, ticks: tick, records, watch };
}
