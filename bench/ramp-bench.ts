/**
 * The ramp benchmark's systems, runners and figures: the controller (lambdas/core/ramp/), the previous
 * controller (bench/previous-controller.ts) and the seed's algorithm (bench/baseline.ts) each drive the same
 * simulated systems (bench/sim.ts, same seed), and the same figures are computed from what the system really
 * delivered.
 */
import * as current from '../lambdas/core/ramp-controller';
import { type ControllerConfig, plannedRate } from '../lambdas/core/ramp-controller';
import { SeedAlgorithm } from './baseline';
import * as previous from './previous-controller';
import {
  capacityOrdersPerMinute,
  DT,
  MAX_USERS,
  Simulation,
  type SystemSpec,
  steadyOrdersPerMinute,
} from './sim';
import { type BenchSystem, capacityCrossingSeconds } from './systems';

export { SYSTEMS } from './systems';

export interface Scenario {
  readonly targetOrdersPerMinute: number;
  readonly rampUpSeconds: number;
  readonly plateauSeconds: number;
  readonly tickSeconds: number;
  /** The controller's prior guess of orders per user and minute (the seed starts from one user). */
  readonly initialOrdersPerUserPerMinute: number;
  /** The controller's `orderDelaySeconds` (the system's journey before a new user's first order); default 3. */
  readonly orderDelaySeconds?: number;
}

/** Ten minutes up to 3,000 orders per minute, ten minutes on it, a tick a minute: as in the product. */
export const DEFAULT_SCENARIO: Scenario = {
  targetOrdersPerMinute: 3000,
  rampUpSeconds: 600,
  plateauSeconds: 600,
  tickSeconds: 60,
  initialOrdersPerUserPerMinute: 2,
};

export interface Trace {
  /** Per tick: what was measured and decided. */
  readonly ticks: readonly {
    readonly tick: number;
    readonly at: number;
    readonly measured: number | null;
    readonly users: number;
    readonly spawnRate: number;
    readonly message: string;
  }[];
  /** Tick at which saturation was reported, null if never. */
  readonly saturationTick: number | null;
  readonly saturationMessage: string | null;
  readonly maxGrowth: number;
  /** Whether users ever fell below half of the previous tick's while the plan did not (a collapse). */
  readonly collapsed: boolean;
}

export interface Figures {
  /** Seconds until the delivered rate (30-s windows) first came within ±5 % of the target; null if never. */
  readonly reachSeconds: number | null;
  /**
   * Delivered rate over the 30 s around the end of the ramp-up vs what the plan asks for over the same 30 s
   * (signed, fraction). The plan, not the target: its first half is still on the ramp (the plan averages
   * 99.4 % of the target there), so comparing with the target would charge a controller that follows the
   * plan exactly −0.6 % and credit one that runs ahead of it (the seed's last ramp tick jumps to the target).
   */
  readonly endOfRampError: number;
  /** Highest delivered rate over 30-s windows above the target (fraction, ≥ 0). */
  readonly overshoot: number;
  /** Mean over the plateau's ticks of |delivered − target| / target (without the system's unforeseeable tick). */
  readonly plateauMae: number;
  /** (Plateau mean − target) / target. */
  readonly plateauMeanError: number;
  readonly maxUsers: number;
  readonly plateauUsers: number;
  /** Whether the system's capacity is below the target (saturation must be reported). */
  readonly saturates: boolean;
  /** Ticks from the first tick whose plan exceeds the system's capacity to the saturation report. */
  readonly saturationTicks: number | null;
  /** Saturation reported on a system that can reach the target. */
  readonly falseSaturation: boolean;
  /**
   * Users ran away: at some tick more than {@link RUNAWAY_FACTOR}× the users that deliver what the system can
   * (the target, or its capacity when lower) at that moment.
   */
  readonly runaway: boolean;
}

export const RUNAWAY_FACTOR = 2;

export interface RunResult {
  readonly system: SystemSpec;
  readonly figures: Figures;
  readonly trace: Trace;
}

function controllerConfig(s: Scenario): ControllerConfig {
  return {
    targetOrdersPerMinute: s.targetOrdersPerMinute,
    rampUpSeconds: s.rampUpSeconds,
    plateauSeconds: s.plateauSeconds,
    tickSeconds: s.tickSeconds,
    initialOrdersPerUserPerMinute: s.initialOrdersPerUserPerMinute,
    ...(s.orderDelaySeconds != null ? { orderDelaySeconds: s.orderDelaySeconds } : {}),
    maxUsers: 20_000,
    usersPerWorker: 500,
    // Every simulated user runs the one journey that orders.
    everyUserOrders: true,
  };
}

/** What the benchmark needs of a controller: both the current and the previous one have this shape. */
interface Controller<S> {
  initialControllerState(): S;
  decide(
    config: ControllerConfig,
    state: S,
    observation: current.Observation | null,
    elapsedSeconds: number,
  ): {
    users: number;
    spawnRate: number;
    phase: current.Decision['phase'];
    saturation: object | null;
    message: string;
    ordersPerMinute: number | null;
    state: S;
  };
  startTrajectory(state: S, at: number, users: number, spawnRate: number): S;
}

export type ControllerName = 'controller' | 'previous';
const CONTROLLERS: Record<ControllerName, Controller<unknown>> = { controller: current, previous };

/**
 * Runs a controller on a system, as the Start load and Ramp tick handlers do. With `upgradeAtTick`, the
 * controller (lambdas/core/ramp/) takes over at that tick from the state `name` left: a run in flight during an
 * upgrade.
 */
export function runController(
  system: SystemSpec,
  seed: number,
  scenario = DEFAULT_SCENARIO,
  name: ControllerName = 'controller',
  upgradeAtTick: number | null = null,
): RunResult {
  const { initialControllerState, startTrajectory } = CONTROLLERS[name];
  const decide: Controller<unknown>['decide'] = (config, state, observation, elapsed) => {
    const tick = Math.round(elapsed / scenario.tickSeconds);
    const c = upgradeAtTick != null && tick >= upgradeAtTick ? CONTROLLERS.controller : CONTROLLERS[name];
    return c.decide(config, state, observation, elapsed);
  };
  const config = controllerConfig(scenario);
  const sim = new Simulation(system, seed);
  const first = decide(config, initialControllerState(), null, 0);
  sim.swarm(first);
  const baseline = sim.read();
  let state: unknown = {
    ...(startTrajectory(first.state, 0, first.users, first.spawnRate) as object),
    last: { ...baseline, users: 0 },
  };
  const ticks: Trace['ticks'][number][] = [];
  let saturationTick: number | null = null;
  let saturationMessage: string | null = null;
  let previousUsers = first.users;
  let maxGrowth = 0;
  let collapsed = false;
  const total = scenario.rampUpSeconds + scenario.plateauSeconds;
  for (let k = 1; k * scenario.tickSeconds <= total; k++) {
    sim.advance(scenario.tickSeconds);
    const reading = sim.read();
    const d = decide(config, state, reading, sim.t);
    state = d.state;
    if (d.phase === 'done') break;
    if (d.users !== reading.users || !reading.running) sim.swarm(d);
    if (d.saturation && saturationTick == null) {
      saturationTick = k;
      saturationMessage = d.message;
    }
    if (previousUsers > 0) maxGrowth = Math.max(maxGrowth, d.users / previousUsers);
    // Back to the knee's users once saturated is no collapse: more users only added latency there.
    if (d.users < previousUsers / 2 && plannedRate(config, sim.t) > 0 && !d.saturation) collapsed = true;
    previousUsers = d.users;
    ticks.push({
      tick: k,
      at: sim.t,
      measured: d.ordersPerMinute,
      users: d.users,
      spawnRate: d.spawnRate,
      message: d.message,
    });
  }
  sim.advance(Math.max(0, total - sim.t));
  const trace: Trace = { ticks, saturationTick, saturationMessage, maxGrowth, collapsed };
  return { system, trace, figures: figures(sim, scenario, trace) };
}

/** Runs the seed's algorithm on a system. */
export function runBaseline(system: SystemSpec, seed: number, scenario = DEFAULT_SCENARIO): RunResult {
  const sim = new Simulation(system, seed);
  const seedAlgorithm = new SeedAlgorithm(scenario);
  const start = seedAlgorithm.start();
  sim.swarm(start);
  const ticks: Trace['ticks'][number][] = [];
  let previousUsers = start.users;
  let maxGrowth = 0;
  let collapsed = false;
  const total = scenario.rampUpSeconds + scenario.plateauSeconds;
  for (let k = 1; k * scenario.tickSeconds < total; k++) {
    sim.advance(scenario.tickSeconds);
    const reading = sim.read();
    const command = seedAlgorithm.tick(reading, sim.t);
    if (command) sim.swarm(command);
    const users = command?.users ?? previousUsers;
    if (previousUsers > 0) maxGrowth = Math.max(maxGrowth, users / previousUsers);
    if (users < previousUsers / 2) collapsed = true;
    previousUsers = users;
    ticks.push({
      tick: k,
      at: sim.t,
      measured: null,
      users,
      spawnRate: command?.spawnRate ?? 0,
      message: seedAlgorithm.log.at(-1) ?? '',
    });
  }
  sim.advance(Math.max(0, total - sim.t));
  const trace: Trace = { ticks, saturationTick: null, saturationMessage: null, maxGrowth, collapsed };
  return { system, trace, figures: figures(sim, scenario, trace) };
}

/** Delivered orders per minute over [from, to) seconds. */
function rateOver(sim: Simulation, from: number, to: number): number {
  const a = Math.max(0, Math.round(from / DT));
  const b = Math.min(sim.delivered.length, Math.round(to / DT));
  let sum = 0;
  for (let i = a; i < b; i++) sum += sim.delivered[i] as number;
  return b > a ? (sum / ((b - a) * DT)) * 60 : 0;
}

/** What the plan asks for `t` seconds after the load started (orders per minute). */
function planAt(s: Scenario, t: number): number {
  return plannedRate({ ...s, maxUsers: 1, usersPerWorker: 1 }, t);
}

/** Mean planned orders per minute over [from, to) seconds, on the simulation's time step. */
function plannedOver(s: Scenario, from: number, to: number): number {
  let sum = 0;
  let n = 0;
  for (let t = from + DT / 2; t < to; t += DT, n++) sum += planAt(s, t);
  return sum / Math.max(1, n);
}

export function figures(sim: Simulation, s: Scenario, trace: Trace): Figures {
  const target = s.targetOrdersPerMinute;
  const total = s.rampUpSeconds + s.plateauSeconds;
  const W = 30;
  let reachSeconds: number | null = null;
  let overshoot = 0;
  for (let t = W; t <= total; t += 5) {
    const r = rateOver(sim, t - W, t);
    if (reachSeconds == null && Math.abs(r / target - 1) <= 0.05) reachSeconds = t;
    overshoot = Math.max(overshoot, r / target - 1);
  }
  const plateau: number[] = [];
  const skip = sim.spec.unforeseeable;
  for (let t = s.rampUpSeconds; t + s.tickSeconds <= total + 1e-9; t += s.tickSeconds) {
    if (skip && t < skip[1] && t + s.tickSeconds > skip[0]) continue;
    plateau.push(rateOver(sim, t, t + s.tickSeconds));
  }
  const plateauMae =
    plateau.reduce((acc, r) => acc + Math.abs(r / target - 1), 0) / Math.max(1, plateau.length);
  const plateauMeanError = plateau.reduce((a, b) => a + b, 0) / Math.max(1, plateau.length) / target - 1;
  const users = sim.userTrace;
  const plateauFrom = Math.round(s.rampUpSeconds / DT);
  const plateauUsers =
    users.slice(plateauFrom).reduce((a, b) => a + b, 0) / Math.max(1, users.length - plateauFrom);
  const system = sim.spec as BenchSystem;
  let saturationTicks: number | null = null;
  const saturates = !system.reachable;
  const crossing = capacityCrossingSeconds(system, s);
  if (saturates && crossing != null && trace.saturationTick != null) {
    // The first tick whose plan is beyond the capacity.
    saturationTicks = trace.saturationTick - (Math.floor(crossing / s.tickSeconds) + 1);
  }
  const runaway = trace.ticks.some((t) => t.users > RUNAWAY_FACTOR * usefulUsers(system, target, t.at));
  return {
    reachSeconds,
    endOfRampError:
      rateOver(sim, s.rampUpSeconds - W / 2, s.rampUpSeconds + W / 2) /
        plannedOver(s, s.rampUpSeconds - W / 2, s.rampUpSeconds + W / 2) -
      1,
    overshoot: Math.max(0, overshoot),
    plateauMae,
    plateauMeanError,
    maxUsers: Math.max(0, ...users),
    plateauUsers,
    saturates,
    saturationTicks,
    falseSaturation: system.reachable && trace.saturationTick != null,
    runaway,
  };
}

const usefulCache = new Map<string, number>();

/**
 * The fewest users that deliver the target at `t` in the steady state, or 97 % of the capacity when that is
 * lower. The systems are deterministic, so it is cached across seeds.
 */
function usefulUsers(system: SystemSpec, target: number, t: number): number {
  const key = `${system.name}@${t}/${target}`;
  let users = usefulCache.get(key);
  if (users == null) {
    users = usersDelivering(system, Math.min(target, 0.97 * capacityOrdersPerMinute(system, t)), t);
    usefulCache.set(key, users);
  }
  return users;
}

/** The fewest users that deliver `rate` orders per minute at `t` in the steady state. */
function usersDelivering(system: SystemSpec, rate: number, t: number): number {
  let low = 1;
  let high = 1;
  while (high < MAX_USERS && steadyOrdersPerMinute(system, high, t) < rate) {
    low = high;
    high = Math.min(MAX_USERS, Math.ceil(high * 1.1));
  }
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (steadyOrdersPerMinute(system, mid, t) >= rate) high = mid;
    else low = mid;
  }
  return high;
}
