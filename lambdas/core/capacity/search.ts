/**
 * Capacity mode's search: the highest orders per minute the system under test sustains while every SLO holds.
 * A small state machine, advanced once per ramp tick; pure (no I/O, no clock) and small JSON (it travels in
 * the execution state as `RampState.capacity`). docs/capacity-mode.md states the model and its assumptions.
 *
 *   climb ──(SLO breach | saturation | load generators capped | plan at the ceiling)──▶ hold
 *   hold  ──(level judged: met or not; next level by bisection)──▶ hold | done
 *
 * - **climb**: the ramp controller follows the plan from zero to `maxOrdersPerMinute` over the ramp-up (the
 *   ordinary ramp, `controllerConfig(run)`), until an SLO breach counts, the controller finds the system
 *   saturated, or the load generators cap the users ({@link GENERATOR_LIMIT_TICKS} ticks in a row). The rate it
 *   stopped at bounds the capacity from above; the first level held is {@link BACKOFF} below it.
 * - **hold**: the search holds one level (orders/min) with the users it reads off the measured curve
 *   ({@link levelUsers}). The first {@link SETTLE_SECONDS} after a change of level are not judged (users move,
 *   orders lag, queued requests go through); then `holdTicks` ticks are. A level is **met** when no
 *   SLO breaches `breachTicks` judged ticks in a row and the window's orders per minute reach the level (within
 *   {@link DELIVERY_TOLERANCE} and the counting noise); a shortfall while orders still followed the users is held
 *   once more with more users ({@link FOLLOWS_ELASTICITY}). Then bisection: the next level is halfway between the
 *   highest level met and the lowest bound not met, until they are `resolutionOrdersPerMinute` apart.
 * - **done**: the result: the orders per minute delivered at the highest level met, the range the true capacity
 *   lies in, the users and workers it took, and which limit bounds it from above.
 */
import { round } from '../numbers';
import type { ControllerConfig, Saturation } from '../ramp-controller';

/** What a run in capacity mode asks of the search (the execution input's `capacity`, defaults filled in). */
export interface CapacityParameters {
  /** The highest orders per minute the search drives: the climb's end (orders/min). */
  readonly maxOrdersPerMinute: number;
  /** Ticks a level is judged, after settling: the sustained window (ticks). */
  readonly holdTicks: number;
  /**
   * The search stops once the highest level met and the lowest bound not met are this close (orders/min);
   * null: {@link DEFAULT_RESOLUTION_SHARE} of the rate the climb stopped at.
   */
  readonly resolutionOrdersPerMinute: number | null;
}

/** The run's timing the search plans in. */
export interface CapacityPlan {
  readonly parameters: CapacityParameters;
  /** The SLO policy's persistence: consecutive breaching ticks that make a breach count (`slos.breachTicks`). */
  readonly breachTicks: number;
  readonly rampUpSeconds: number;
  /** Ramp-up and plateau: the longest the search may run (s). */
  readonly totalSeconds: number;
  readonly tickSeconds: number;
}

export const DEFAULT_HOLD_TICKS = 3;
/**
 * Seconds after a change of level that are not judged, at least one tick: the users move, the orders lag, and
 * the requests queued at the level before — an overload's, seconds each — go through (s).
 */
export const SETTLE_SECONDS = 30;

/** Ticks a level settles before it is judged: {@link SETTLE_SECONDS}, at least one tick (ticks). */
export function settleTicks(tickSeconds: number): number {
  return Math.max(1, Math.ceil(SETTLE_SECONDS / tickSeconds));
}
/** The first level after the climb stops is this share below the rate it stopped at (dimensionless). */
export const BACKOFF = 0.2;
/** A level is delivered when its window's rate is at least `level × (1 − this)`, less the noise (dimensionless). */
export const DELIVERY_TOLERANCE = 0.05;
/** Standard deviations of the counting noise in every bound (≈ 95 % two-sided per bound). */
export const NOISE_Z = 2;
/** Default resolution: this share of the rate the climb stopped at (dimensionless). */
export const DEFAULT_RESOLUTION_SHARE = 0.05;
/** Consecutive climb ticks with the users capped by the load generators that stop the climb (ticks). */
export const GENERATOR_LIMIT_TICKS = 2;
/** Levels kept in the state's trace (bisection needs about log₂(range / resolution) of them). */
const MAX_LEVELS = 30;
/** Climb ticks kept for {@link levelUsers}. */
const MAX_CLIMB_POINTS = 60;
/** The measured points a level's users are fitted on: those at or above this share of the best rate (dimensionless). */
export const LEVEL_FIT_SHARE = 0.5;
/**
 * Elasticity of orders to users (d ln X / d ln U) from which a level that fell short is taken as given too few
 * users, not as the system's limit: an added user still brought at least half its orders (dimensionless).
 */
export const FOLLOWS_ELASTICITY = 0.5;
/** The curve's point an elasticity is measured from has at least this share fewer users (dimensionless). */
const RETRY_USERS_GAP = 0.05;
/**
 * A level takes at most this many times the knee's users: the fewest measured that delivered the best rate
 * within {@link DELIVERY_TOLERANCE} (dimensionless). More only adds queueing where the curve is flat.
 */
export const LEVEL_USERS_GROWTH = 2;

/** A measured point of the system's curve: mean users and the orders per minute they delivered. */
export interface CurvePoint {
  readonly users: number;
  readonly ordersPerMinute: number;
  /** Orders counted (the rate's counting noise); absent: a point stored before it was kept. */
  readonly orders?: number;
}

/**
 * The users a held level takes, from the system's measured curve (the climb's ticks and the levels held, each
 * its mean users and the orders per minute they delivered). Within what was delivered: interpolated between the
 * two points of the curve's rising envelope around the level. Above it: the tangent line of Little's law,
 * U/X = a + k·U (the ramp controller's model), fitted by least squares on the points at or above
 * {@link LEVEL_FIT_SHARE} of the best rate and solved for X = level, U = a·X / (1 − k·X); beyond the line's
 * capacity (k·X ≥ 1), and at most, {@link LEVEL_USERS_GROWTH} times the knee's users.
 *
 * The controller cannot be left to find them: it follows its model only while an added user still adds half an
 * order's worth (elasticity ½) and, once it found a saturation, holds the knee — so near a queueing system's
 * capacity a level would go undelivered for want of users; and after an overload its fit (the overload's orders
 * per user) keeps a lower level overloaded. Null (the controller decides) while climbing or without a point.
 */
export function levelUsers(state: CapacityState): number | null {
  if (state.phase !== 'hold' || state.level === null) return null;
  const points = curveOf(state).sort((p, q) => p.users - q.users);
  const first = points[0];
  if (!first) return state.retry?.users ?? null;
  const level = state.level;
  const best = Math.max(...points.map((p) => p.ordersPerMinute));
  // The knee: the fewest users that delivered the best rate within the delivery tolerance.
  const knee = Math.min(
    ...points.filter((p) => p.ordersPerMinute >= (1 - DELIVERY_TOLERANCE) * best).map((p) => p.users),
  );
  const most = knee * LEVEL_USERS_GROWTH;
  if (state.retry?.level === level) return Math.max(1, Math.ceil(Math.min(state.retry.users, most)));
  // The rising envelope: each point that delivered more than every point with fewer users.
  const rising: CurvePoint[] = [];
  for (const p of points) if (p.ordersPerMinute > (rising.at(-1)?.ordersPerMinute ?? 0)) rising.push(p);
  const above = rising.findIndex((p) => p.ordersPerMinute >= level);
  let users: number;
  if (above === 0) users = (level * first.users) / first.ordersPerMinute;
  else if (above > 0) {
    const p0 = rising[above - 1] as CurvePoint;
    const p1 = rising[above] as CurvePoint;
    const share = (level - p0.ordersPerMinute) / (p1.ordersPerMinute - p0.ordersPerMinute);
    users = p0.users + share * (p1.users - p0.users);
  } else {
    const { a, k } = fitCycle(points.filter((p) => p.ordersPerMinute >= LEVEL_FIT_SHARE * best));
    users = k * level < 1 && a > 0 ? (a * level) / (1 - k * level) : Number.POSITIVE_INFINITY;
  }
  return Math.max(1, Math.ceil(Math.min(users, most)));
}

/** The measured curve: the climb's ticks and every level held (its window's mean users and rate). */
export function curveOf(state: CapacityState): CurvePoint[] {
  const held = state.levels
    .filter((l) => l.level !== null && l.window.minutes > 0)
    .map((l) => ({ users: l.users, ordersPerMinute: l.ordersPerMinute, orders: l.window.orders }));
  return [...(state.climbCurve ?? []), ...held].filter((p) => p.users > 0 && p.ordersPerMinute > 0);
}

/**
 * When a level fell short with `users` that delivered `ordersPerMinute` (`orders` counted, `dispersion`): the
 * users it takes along the elasticity e of orders to users measured from the curve's point with the most users
 * below them, U·(level/X)^(1/e) with e within [{@link FOLLOWS_ELASTICITY}, 1]; or null — the shortfall is the
 * system's — when orders did not follow the users beyond the counting noise (e + {@link NOISE_Z} σₑ below
 * {@link FOLLOWS_ELASTICITY}), or no point lies below.
 */
function retryUsers(
  state: CapacityState,
  window: { users: number; ordersPerMinute: number; orders: number; dispersion: number },
  level: number,
): number | null {
  const { users, ordersPerMinute, orders, dispersion } = window;
  const below = curveOf(state)
    .filter((p) => p.users <= users * (1 - RETRY_USERS_GAP))
    .sort((p, q) => q.users - p.users)[0];
  if (!below || ordersPerMinute <= 0) return null;
  const spread = Math.log(users / below.users);
  const elasticity = Math.log(ordersPerMinute / below.ordersPerMinute) / spread;
  const belowOrders = below.orders ?? Number.POSITIVE_INFINITY;
  const se =
    Math.sqrt(Math.max(1, dispersion) * (1 / Math.max(1, orders) + 1 / Math.max(1, belowOrders))) / spread;
  if (elasticity + NOISE_Z * se < FOLLOWS_ELASTICITY) return null;
  const e = Math.min(1, Math.max(FOLLOWS_ELASTICITY, elasticity));
  return Math.ceil(users * (level / ordersPerMinute) ** (1 / e));
}

/** Least squares of the cycle per order y = U/X on the users, weighted by the rate (orders counted ∝ X). */
function fitCycle(points: readonly CurvePoint[]): { a: number; k: number } {
  let sw = 0;
  let su = 0;
  let sy = 0;
  for (const p of points) {
    sw += p.ordersPerMinute;
    su += p.ordersPerMinute * p.users;
    sy += p.users;
  }
  const meanU = su / sw;
  const meanY = sy / sw;
  let suu = 0;
  let suy = 0;
  for (const p of points) {
    const du = p.users - meanU;
    suu += p.ordersPerMinute * du * du;
    suy += p.ordersPerMinute * du * (p.users / p.ordersPerMinute - meanY);
  }
  // A slope below 0 (orders per user growing with users) is noise on a closed system: the line is flat there.
  const k = suu > 0 ? Math.max(0, suy / suu) : 0;
  return { a: meanY - k * meanU, k };
}

/** What bounds the capacity from above. */
export type CapacityLimit =
  | { readonly kind: 'slo'; readonly slo: string; readonly label: string }
  | { readonly kind: 'system'; readonly evidence: string }
  | { readonly kind: 'load-generators'; readonly evidence: string }
  | { readonly kind: 'ceiling'; readonly evidence: string };

/** A judged window: the counters of the ticks a level was held and judged. */
export interface WindowTotals {
  readonly fromTick: number;
  readonly toTick: number;
  readonly ticks: number;
  readonly orders: number;
  readonly minutes: number;
  readonly requests: number;
  readonly failures: number;
  /** Σ users over the window's ticks (their mean is what the level took). */
  readonly userTicks: number;
  readonly maxWorkers: number;
  /** Why the load generators capped the users during the window, when they did. */
  readonly generatorLimit: string | null;
  /** Per SLO breaching at the window's last tick: its consecutive breaching ticks within the window. */
  readonly streaks?: Readonly<Record<string, number>>;
}

/** One level held and judged (or the climb's stop, `level: null`). */
export interface LevelOutcome {
  /** Orders per minute asked; null for the climb. */
  readonly level: number | null;
  readonly met: boolean;
  /** Orders per minute delivered over the window. */
  readonly ordersPerMinute: number;
  /** One standard deviation of that rate from the counting noise (orders/min). */
  readonly sigma: number;
  readonly users: number;
  readonly workers: number;
  /** Why it was not met; null when it was. */
  readonly limit: CapacityLimit | null;
  /**
   * A level not met: the most the true capacity can be — the level asked when it was not delivered (widened by
   * {@link DELIVERY_TOLERANCE}), the rate at which an SLO broke plus {@link NOISE_Z} σ. Null when met, and for
   * the climb's stop.
   */
  readonly high: number | null;
  readonly window: WindowTotals;
}

export type CapacityEnd = 'converged' | 'ceiling' | 'out-of-time' | 'nothing-met' | 'stopped';

export interface CapacityResult {
  /** Orders per minute delivered at the highest level met with every SLO (null: none was met). */
  readonly ordersPerMinute: number | null;
  /** The level (orders/min asked) that was met. */
  readonly level: number | null;
  /**
   * Where the true capacity lies: from the met level's rate less {@link NOISE_Z} σ to the lowest level not met's
   * bound ({@link LevelOutcome.high}); `high` null when no held level failed (the ceiling was met).
   */
  readonly range: { readonly low: number | null; readonly high: number | null };
  /** Mean users and the most workers of the met level's window. */
  readonly users: number | null;
  readonly workers: number | null;
  /** What bounds the capacity from above (the lowest failure), or the ceiling. */
  readonly limit: CapacityLimit | null;
  readonly end: CapacityEnd;
  readonly message: string;
}

export interface CapacityState {
  readonly phase: 'climb' | 'hold' | 'done';
  /** Orders per minute held now (null while climbing). */
  readonly level: number | null;
  /** The tick at which the current level was set. */
  readonly since: number;
  /** The current level's last settling tick (absent: one tick after `since`). */
  readonly settled?: number;
  /** The judged ticks of the current level so far. */
  readonly window: WindowTotals | null;
  /** Consecutive climb ticks the load generators capped the users. */
  readonly generatorTicks: number;
  /** The climb's last measured rate (orders/min): where it stopped when the stopping tick measured none. */
  readonly climbRate?: number;
  /** The climb's measured ticks: users and the orders per minute they delivered, before any overload. */
  readonly climbCurve?: readonly CurvePoint[];
  /** A level held once more because its users fell short (users that the window's rate asked for). */
  readonly retry?: { readonly level: number; readonly users: number };
  /** Orders per minute of the bisection step (null until the climb stopped). */
  readonly resolution: number | null;
  /** The highest level met. */
  readonly met: LevelOutcome | null;
  /** Where and why the climb stopped (a bound never held); null while climbing or when it reached the ceiling. */
  readonly climb: LevelOutcome | null;
  /** The lowest level not met: the bisection's upper end. */
  readonly failed: LevelOutcome | null;
  /**
   * The tightest bound on the capacity from above over every level not met ({@link LevelOutcome.high}), and
   * the limit of the level that set it; absent until a held level failed.
   */
  readonly upper?: { readonly high: number; readonly limit: CapacityLimit | null };
  /** Every level judged, oldest first (the last {@link MAX_LEVELS}). */
  readonly levels: readonly LevelOutcome[];
  readonly result: CapacityResult | null;
}

/** What one tick measured and judged, as the search needs it. */
export interface CapacityTick {
  readonly tick: number;
  /** Seconds since the load started. */
  readonly elapsedSeconds: number;
  /** Counter deltas over the tick's interval (the controller's `decision.delta`). */
  readonly orders: number;
  readonly minutes: number;
  readonly requests: number;
  readonly failures: number;
  readonly users: number;
  /** Mean users over the tick's interval, which delivered its orders (null: none measured). */
  readonly meanUsers?: number | null;
  readonly workers: number;
  /** The SLOs whose breach counts at this tick (core/slo.ts `evaluateTick`: status `breached`). */
  readonly breaches: readonly { readonly id: string; readonly label: string }[];
  /** The SLOs breached at this tick, counted or not yet (status `breaching` or `breached`). */
  readonly breaching: readonly { readonly id: string; readonly label: string }[];
  /** The controller's saturation finding. */
  readonly saturation: Saturation | null;
  /** Why the load generators capped the users this tick (maxUsers, the fleet), or null. */
  readonly generatorLimit: string | null;
  /** Noise of the order counts relative to Poisson (≥ 1; the controller's estimate). */
  readonly dispersion: number;
}

export function initialCapacityState(): CapacityState {
  return {
    phase: 'climb',
    level: null,
    since: 0,
    window: null,
    generatorTicks: 0,
    resolution: null,
    met: null,
    climb: null,
    failed: null,
    levels: [],
    result: null,
  };
}

/** The controller's plan for the search's state: the climb is the ordinary ramp; a level is a flat plan. */
export function capacityControllerConfig(base: ControllerConfig, state: CapacityState): ControllerConfig {
  const total = base.rampUpSeconds + base.plateauSeconds;
  if (state.phase === 'climb') return base;
  if (state.phase === 'done') return { ...base, rampUpSeconds: 0, plateauSeconds: 0 };
  return {
    ...base,
    targetOrdersPerMinute: state.level ?? base.targetOrdersPerMinute,
    rampUpSeconds: 0,
    plateauSeconds: total,
  };
}

/**
 * The first tick a held level is judged on (after its settling), or null outside a hold: the SLO watch's sliding
 * window starts there, so the previous level's overload never reaches the level's judged ticks.
 */
export function levelWindowStart(state: CapacityState | null | undefined): number | null {
  return state?.phase === 'hold' ? settledTick(state) + 1 : null;
}

function settledTick(state: CapacityState): number {
  return state.settled ?? state.since + 1;
}

/** Advances the search by one tick. */
export function advance(plan: CapacityPlan, state: CapacityState, tick: CapacityTick): CapacityState {
  if (state.phase === 'done') return state;
  if (state.phase === 'climb') return climb(plan, state, tick);
  return hold(plan, state, tick);
}

function climb(plan: CapacityPlan, before: CapacityState, tick: CapacityTick): CapacityState {
  let state = before;
  const generatorTicks = tick.generatorLimit ? state.generatorTicks + 1 : 0;
  const climbRate = tick.minutes > 0 ? rateOf(tick) : (state.climbRate ?? 0);
  const climbCurve =
    tick.minutes > 0
      ? [
          ...(state.climbCurve ?? []),
          { users: tick.meanUsers ?? tick.users, ordersPerMinute: climbRate, orders: tick.orders },
        ].slice(-MAX_CLIMB_POINTS)
      : state.climbCurve;
  state = { ...state, ...(climbCurve ? { climbCurve } : {}) };
  const breach = tick.breaches[0];
  let limit: CapacityLimit | null = null;
  let stopRate = climbRate;
  if (breach) {
    limit = { kind: 'slo', slo: breach.id, label: breach.label };
  } else if (tick.saturation) {
    limit = { kind: 'system', evidence: `saturated: ${tick.saturation.evidence}` };
    stopRate = tick.saturation.ordersPerMinute;
  } else if (generatorTicks >= GENERATOR_LIMIT_TICKS && tick.generatorLimit) {
    limit = { kind: 'load-generators', evidence: tick.generatorLimit };
  }
  if (!limit) {
    if (tick.elapsedSeconds < plan.rampUpSeconds) return { ...state, generatorTicks, climbRate };
    // The plan reached the ceiling without a limit: hold the ceiling.
    return startLevel(
      plan,
      { ...state, generatorTicks, climbRate },
      plan.parameters.maxOrdersPerMinute,
      tick,
    );
  }
  const stop: LevelOutcome = {
    level: null,
    met: false,
    ordersPerMinute: stopRate,
    sigma: sigmaOf(tick.orders, tick.minutes, tick.dispersion),
    users: tick.users,
    workers: tick.workers,
    limit,
    // One tick's rate, measured while users were still moving: a guess where to search, not a bound.
    high: null,
    window: addTick(null, tick),
  };
  const resolution =
    plan.parameters.resolutionOrdersPerMinute ?? Math.max(1, DEFAULT_RESOLUTION_SHARE * stopRate);
  const next = { ...state, generatorTicks, climbRate, resolution, climb: stop, levels: [stop] };
  const first = Math.min(plan.parameters.maxOrdersPerMinute, stopRate * (1 - BACKOFF));
  if (first < resolution) return finish(next, 'nothing-met');
  return startLevel(plan, next, first, tick);
}

function hold(plan: CapacityPlan, state: CapacityState, tick: CapacityTick): CapacityState {
  const level = state.level as number;
  if (tick.tick <= settledTick(state)) return state;
  const window = addTick(state.window, tick);
  // A breach counts for a level when it persists the policy's breachTicks within the level's judged ticks: one
  // carried over from the level before (its queued requests) must not end this one.
  const persisting = tick.breaching.find((b) => (window.streaks?.[b.id] ?? 0) >= plan.breachTicks);
  if (!persisting && window.ticks < plan.parameters.holdTicks) return { ...state, window };
  // At the window's end, an SLO breaching at its last tick fails the level, persisting or not: that tick judges
  // the last `slos.windowTicks` ticks' responses (by default as many as the window holds), and the verdict judges
  // the met level on its window's responses.
  const breach = persisting ?? tick.breaching[0];

  const ordersPerMinute = window.minutes > 0 ? window.orders / window.minutes : 0;
  const sigma = sigmaOf(window.orders, window.minutes, tick.dispersion);
  const users = window.ticks > 0 ? window.userTicks / window.ticks : tick.users;
  let limit: CapacityLimit | null = null;
  let high: number | null = null;
  if (breach) {
    limit = { kind: 'slo', slo: breach.id, label: breach.label };
    high = window.minutes > 0 ? ordersPerMinute + NOISE_Z * sigma : level;
  } else if (ordersPerMinute < level * (1 - DELIVERY_TOLERANCE) - NOISE_Z * sigma) {
    // Too few users, not the system's limit, when orders still followed the users: held once more, with the
    // users this window's rate asks for along the elasticity measured.
    const retry =
      window.generatorLimit || state.retry?.level === level
        ? null
        : retryUsers(
            state,
            { users, ordersPerMinute, orders: window.orders, dispersion: tick.dispersion },
            level,
          );
    if (retry !== null)
      return startLevel(plan, { ...state, window, retry: { level, users: retry } }, level, tick);
    // Near a queueing system's peak the last few per cent take many more users than the fit foresees: a level
    // within the tolerance above the capacity may go undelivered, so the bound is the level widened by it.
    high = level / (1 - DELIVERY_TOLERANCE);
    const evidence = `${round(ordersPerMinute)} of ${round(level)} orders/min delivered with ${Math.round(users)} users`;
    limit = window.generatorLimit
      ? { kind: 'load-generators', evidence: `${evidence}; ${window.generatorLimit}` }
      : { kind: 'system', evidence };
  }
  const outcome: LevelOutcome = {
    level,
    met: limit === null,
    ordersPerMinute,
    sigma,
    users,
    workers: window.maxWorkers,
    limit,
    high,
    window,
  };
  const levels = [...state.levels, outcome].slice(-MAX_LEVELS);
  const judged: CapacityState = {
    ...state,
    window,
    levels,
    met: outcome.met && (state.met?.level ?? 0) <= level ? outcome : state.met,
    failed:
      !outcome.met && (!state.failed || bisectionEnd(outcome) < bisectionEnd(state.failed))
        ? outcome
        : state.failed,
    ...(outcome.high !== null && outcome.high < (state.upper?.high ?? Number.POSITIVE_INFINITY)
      ? { upper: { high: outcome.high, limit: outcome.limit } }
      : {}),
  };
  return nextLevel(plan, judged, tick);
}

/**
 * Where the next level goes once one was judged, or the end of the search: bisection between the highest level
 * met and the lowest level not met. Before a held level failed, the climb's stop (never held) is held next;
 * above it levels go up by {@link BACKOFF} until one fails.
 */
function nextLevel(plan: CapacityPlan, state: CapacityState, tick: CapacityTick): CapacityState {
  const { met, failed, climb } = state;
  const ceiling = plan.parameters.maxOrdersPerMinute;
  const resolution = state.resolution ?? Math.max(1, DEFAULT_RESOLUTION_SHARE * ceiling);
  const below = failed ?? climb;
  let next: number;
  if (!met) {
    if (!below) return finish(state, 'nothing-met');
    next = bisectionEnd(below) * (1 - BACKOFF);
    if (next < resolution) return finish(state, 'nothing-met');
  } else if ((met.level as number) >= ceiling) {
    return finish(state, 'ceiling');
  } else {
    const metLevel = met.level as number;
    if (failed) {
      const upper = bisectionEnd(failed);
      if (upper - metLevel <= resolution || met.ordersPerMinute >= upper) return finish(state, 'converged');
      next = (metLevel + upper) / 2;
    } else if (climb && climb.ordersPerMinute - metLevel > resolution) {
      next = climb.ordersPerMinute;
    } else {
      next = Math.min(ceiling, Math.max(metLevel + resolution, metLevel * (1 + BACKOFF)));
    }
  }
  return startLevel(plan, state, next, tick);
}

/** The bisection's upper end from a failure: the level asked, or the rate the climb stopped at. */
function bisectionEnd(failed: LevelOutcome): number {
  return Math.min(failed.level ?? failed.ordersPerMinute, failed.high ?? Number.POSITIVE_INFINITY);
}

function startLevel(
  plan: CapacityPlan,
  state: CapacityState,
  level: number,
  tick: CapacityTick,
): CapacityState {
  const ticksLeft = Math.floor((plan.totalSeconds - tick.elapsedSeconds) / plan.tickSeconds);
  const settle = settleTicks(plan.tickSeconds);
  const moved = {
    ...state,
    phase: 'hold' as const,
    level: round(level),
    since: tick.tick,
    settled: tick.tick + settle,
    window: null,
  };
  if (ticksLeft < settle + plan.parameters.holdTicks) return finish(moved, 'out-of-time');
  return moved;
}

function finish(state: CapacityState, end: CapacityEnd): CapacityState {
  return { ...state, phase: 'done', result: capacityResult(state, end) };
}

/** The search's result now: final once it is done, `stopped` when the run ended it early. */
export function capacityResult(state: CapacityState, end: CapacityEnd = 'stopped'): CapacityResult {
  if (state.result) return state.result;
  const { met } = state;
  const low = met ? Math.max(0, met.ordersPerMinute - NOISE_Z * met.sigma) : null;
  // Only a level held and not met bounds the capacity from above; the climb's stop names the limit until one is.
  const high = state.upper?.high ?? null;
  const limit: CapacityLimit | null =
    state.upper?.limit ??
    state.climb?.limit ??
    (met && end === 'ceiling'
      ? {
          kind: 'ceiling',
          evidence: `capacity.maxOrdersPerMinute ${met.level} met: the search went no higher`,
        }
      : null);
  const range = high === null || low === null || high >= low ? { low, high } : { low: high, high: low };
  const why = limit ? ` (limit: ${describeLimit(limit)})` : '';
  const message = met
    ? `capacity ${round(met.ordersPerMinute)} orders/min (${round(range.low ?? 0)}–${range.high === null ? '?' : round(range.high)}) with ${Math.round(met.users)} users and ${met.workers} workers${why}; ${END_WORDS[end]}`
    : `no level met every SLO${why}; ${END_WORDS[end]}`;
  return {
    ordersPerMinute: met ? round(met.ordersPerMinute) : null,
    level: met?.level ?? null,
    range: { low: nullableRound(range.low), high: nullableRound(range.high) },
    users: met ? Math.round(met.users) : null,
    workers: met ? met.workers : null,
    limit,
    end,
    message,
  };
}

const END_WORDS: Record<CapacityEnd, string> = {
  converged: 'the search converged',
  ceiling: 'the ceiling was met',
  'out-of-time': 'the plateau ended before the search converged',
  'nothing-met': 'the search found no level to hold',
  stopped: 'the run stopped before the search ended',
};

export function describeLimit(limit: CapacityLimit): string {
  switch (limit.kind) {
    case 'slo':
      return `SLO ${limit.label}`;
    case 'system':
      return `the system under test, ${limit.evidence}`;
    case 'load-generators':
      return `the load generators, ${limit.evidence}`;
    case 'ceiling':
      return limit.evidence;
  }
}

/** One line for the console about where the search stands. */
export function describeCapacity(state: CapacityState, holdTicks: number): string {
  if (state.phase === 'done') return `capacity: ${state.result?.message ?? 'done'}`;
  if (state.phase === 'climb') return 'capacity: climbing';
  const judged = state.window?.ticks ?? 0;
  const upper = state.failed ?? state.climb;
  const bracket = `met ${state.met ? round(state.met.ordersPerMinute) : '—'}, not met ${upper ? round(bisectionEnd(upper)) : '—'}`;
  return `capacity: holding ${state.level} orders/min (${judged}/${holdTicks} ticks judged; ${bracket})`;
}

function addTick(window: WindowTotals | null, tick: CapacityTick): WindowTotals {
  return {
    fromTick: window?.fromTick ?? tick.tick,
    toTick: tick.tick,
    ticks: (window?.ticks ?? 0) + 1,
    orders: (window?.orders ?? 0) + tick.orders,
    minutes: (window?.minutes ?? 0) + tick.minutes,
    requests: (window?.requests ?? 0) + tick.requests,
    failures: (window?.failures ?? 0) + tick.failures,
    userTicks: (window?.userTicks ?? 0) + tick.users,
    maxWorkers: Math.max(window?.maxWorkers ?? 0, tick.workers),
    generatorLimit: tick.generatorLimit ?? window?.generatorLimit ?? null,
    streaks: Object.fromEntries(tick.breaching.map((b) => [b.id, (window?.streaks?.[b.id] ?? 0) + 1])),
  };
}

function rateOf(tick: CapacityTick): number {
  return tick.minutes > 0 ? tick.orders / tick.minutes : 0;
}

/** σ of a rate counted over `minutes`: Poisson counts, widened by their dispersion. */
function sigmaOf(orders: number, minutes: number, dispersion: number): number {
  return minutes > 0 ? Math.sqrt(Math.max(1, dispersion) * Math.max(1, orders)) / minutes : 0;
}

function nullableRound(value: number | null): number | null {
  return value === null ? null : round(value);
}
