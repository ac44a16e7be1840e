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
 *   {@link DELIVERY_TOLERANCE} and the counting noise). Within the level a closed loop corrects the curve's users
 *   on the level's measured rate ({@link holdLoop}). Then bisection: the next level is halfway between the
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

/**
 * Seconds a level may settle at most while an SLO still breaches after {@link SETTLE_SECONDS}: a backlog left by an
 * overload before (the climb's, a level's not met) drains only at the spare rate, capacity − level, which near the
 * capacity takes minutes (s).
 */
export const MAX_SETTLE_SECONDS = 120;

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
 * Elasticity of orders to users (d ln X / d ln U) below which the hold's loop takes a step up as past the knee:
 * an added user brought less than half its orders, so more users would only queue (dimensionless).
 */
export const FOLLOWS_ELASTICITY = 0.5;
/**
 * A level takes at most this many times the knee's users: the fewest measured that delivered the best rate
 * within {@link DELIVERY_TOLERANCE} (dimensionless). More only adds queueing where the curve is flat.
 */
export const LEVEL_USERS_GROWTH = 2;

/** A measured point of the system's curve: mean users and the orders per minute they delivered. */
export interface CurvePoint {
  readonly users: number;
  readonly ordersPerMinute: number;
  /** An SLO breached while it was measured (counted or not): its users include a queue. */
  readonly breaching?: true;
}

/**
 * The users a held level takes: the hold's loop's ({@link holdLoop}), which starts from the system's measured
 * curve (the climb's ticks and the levels held, each its mean users and the orders per minute they delivered).
 * Within what was delivered: interpolated on the curve's monotone least-squares fit ({@link monotoneFit}).
 * Above it: the tangent line of Little's law, U/X = a + k·U (the ramp controller's model), fitted by least squares
 * on the points at or above {@link LEVEL_FIT_SHARE} of the best rate and solved for X = level,
 * U = a·X / (1 − k·X); beyond the line's capacity (k·X ≥ 1), and at most, {@link LEVEL_USERS_GROWTH} times the
 * knee's users.
 *
 * The controller cannot be left to find them: it follows its model only while an added user still adds half an
 * order's worth (elasticity ½) and, once it found a saturation, holds the knee — so near a queueing system's
 * capacity a level would go undelivered for want of users; and after an overload its fit (the overload's orders
 * per user) keeps a lower level overloaded. Null (the controller decides) while climbing or without a point.
 */
export function levelUsers(state: CapacityState): number | null {
  if (state.phase !== 'hold' || state.level === null) return null;
  if (state.loop?.since === state.since) return state.loop.users;
  return feedForwardUsers(state, state.level);
}

/**
 * The users the measured curve reads for `asked` orders per minute ({@link levelUsers}), from the points measured
 * while every SLO held: a level is met only without a breach, and the users of a point measured in one include a
 * queue (Little's law: users = X × cycle, the cycle lengthened by the wait) that a met level does not run.
 */
function feedForwardUsers(state: CapacityState, asked: number): number | null {
  const measured = curveOf(state);
  const held = measured.filter((p) => !p.breaching);
  const points = (held.length > 0 ? held : measured).sort((p, q) => p.users - q.users);
  const first = points[0];
  if (!first) return null;
  const fitted = monotoneFit(points);
  const above = fitted.findIndex((p) => p.ordersPerMinute >= asked);
  let users: number;
  if (above === 0) users = (asked * first.users) / (fitted[0] as CurvePoint).ordersPerMinute;
  else if (above > 0) {
    const p0 = fitted[above - 1] as CurvePoint;
    const p1 = fitted[above] as CurvePoint;
    const share = (asked - p0.ordersPerMinute) / (p1.ordersPerMinute - p0.ordersPerMinute);
    users = p0.users + share * (p1.users - p0.users);
  } else {
    const best = Math.max(...points.map((p) => p.ordersPerMinute));
    const { a, k } = fitCycle(points.filter((p) => p.ordersPerMinute >= LEVEL_FIT_SHARE * best));
    users = k * asked < 1 && a > 0 ? (a * asked) / (1 - k * asked) : Number.POSITIVE_INFINITY;
  }
  return Math.max(1, Math.ceil(Math.min(users, mostUsers(measured))));
}

/**
 * The curve's rates fitted non-decreasing in the users by least squares (pool adjacent violators: a run of points
 * whose rates fall as users grow takes their mean), at each point's users, sorted. Not the points' upper envelope:
 * at short ticks a point's rate is off by a worker report (±3 s of orders), and an envelope reads that noise's top
 * as the curve: every level then gets too few users.
 */
export function monotoneFit(sorted: readonly CurvePoint[]): CurvePoint[] {
  const blocks: { rate: number; count: number }[] = [];
  for (const p of sorted) {
    let block = { rate: p.ordersPerMinute, count: 1 };
    for (let last = blocks.at(-1); last && last.rate >= block.rate; last = blocks.at(-1)) {
      blocks.pop();
      block = {
        rate: (last.rate * last.count + block.rate * block.count) / (last.count + block.count),
        count: last.count + block.count,
      };
    }
    blocks.push(block);
  }
  const rates = blocks.flatMap((b) => Array.from({ length: b.count }, () => b.rate));
  return sorted.map((p, i) => ({ users: p.users, ordersPerMinute: rates[i] as number }));
}

/**
 * The most users a level takes: {@link LEVEL_USERS_GROWTH} times the knee's, the fewest measured that delivered
 * the best rate within {@link DELIVERY_TOLERANCE}. Beyond, a flat curve only adds queueing.
 */
function mostUsers(points: readonly CurvePoint[]): number {
  const best = Math.max(...points.map((p) => p.ordersPerMinute));
  const knee = Math.min(
    ...points.filter((p) => p.ordersPerMinute >= (1 - DELIVERY_TOLERANCE) * best).map((p) => p.users),
  );
  return knee * LEVEL_USERS_GROWTH;
}

/**
 * The hold's closed loop after this tick, and whether it moved the users by more than the delivery tolerance.
 *
 * Model: during a level the system delivers the measured curve's rate scaled by an unknown factor,
 * X = c·X_curve(U) — a conversion that drifted, a machine that slows every request alike. The users the curve
 * reads for `asked` orders per minute deliver c·asked, so the level takes the curve's users for level ÷ c. The
 * loop estimates c over the level's ticks, ĉ = Σ orders ÷ Σ asked·minutes, leaving out each tick a change of
 * users began in (orders lag the users), and asks the curve for level ÷ ĉ when that differs from what it asks by
 * more than {@link NOISE_Z} σ of ĉ's counting noise (σ/ĉ = √(d / orders)); the users move at least in
 * proportion to what it asks (a closed system below its knee delivers in proportion to its users; the curve's
 * few points near its top may read fewer). The curve carries the system's non-linearity (queueing), so one step
 * closes a constant factor; the pooled estimate steadies as orders add up (it does not chase a tick's noise).
 * Never up while an SLO breaches (latency rising is queueing: more users only lengthen the queue), while the load
 * generators cap the users, or when orders did not follow the last step up ({@link pastKnee}); never beyond
 * {@link mostUsers}. A step beyond {@link DELIVERY_TOLERANCE} restarts the level's window: the ticks before it did
 * not run the level.
 */
function holdLoop(state: CapacityState, tick: CapacityTick): { loop?: HoldLoop; moved: boolean } {
  const level = state.level as number;
  const current = state.loop?.since === state.since ? state.loop : undefined;
  const users = current?.users ?? feedForwardUsers(state, level);
  if (users === null) return { moved: false };
  const loop: HoldLoop = current ?? {
    since: state.since,
    asked: level,
    users,
    changedAt: state.since,
    orders: 0,
    askedMinutes: 0,
    here: { users: 0, orders: 0, minutes: 0 },
  };
  if (tick.tick <= loop.changedAt + 1 || tick.minutes <= 0) return { loop, moved: false };
  const ran = tick.meanUsers ?? tick.users;
  const minutes = loop.here.minutes + tick.minutes;
  const here = {
    users: (loop.here.users * loop.here.minutes + ran * tick.minutes) / minutes,
    orders: loop.here.orders + tick.orders,
    minutes,
  };
  const measured: HoldLoop = {
    ...loop,
    orders: loop.orders + tick.orders,
    askedMinutes: loop.askedMinutes + loop.asked * tick.minutes,
    here,
  };
  if (measured.orders <= 0) return { loop: measured, moved: false };
  const asked = (level * measured.askedMinutes) / measured.orders;
  const step = Math.log(asked / loop.asked);
  const dispersion = Math.max(1, tick.dispersion);
  if (Math.abs(step) <= NOISE_Z * Math.sqrt(dispersion / measured.orders))
    return { loop: measured, moved: false };
  if (
    step > 0 &&
    (tick.breaching.length > 0 || tick.generatorLimit || tick.generatorCpu || pastKnee(measured))
  )
    return { loop: measured, moved: false };
  const curve = feedForwardUsers(state, asked);
  if (curve === null) return { loop: measured, moved: false };
  // At least in proportion: the curve's points near its top are few and noisy, and may read fewer users.
  const proportional = Math.ceil((loop.users * asked) / loop.asked);
  const next = step > 0 ? Math.max(curve, proportional) : Math.min(curve, proportional);
  if (next === loop.users) return { loop: measured, moved: false };
  return {
    loop: {
      ...measured,
      asked,
      users: next,
      changedAt: tick.tick,
      here: { users: 0, orders: 0, minutes: 0 },
      before: here,
    },
    moved: Math.abs(step) > -Math.log(1 - DELIVERY_TOLERANCE),
  };
}

/**
 * Whether orders did not follow the loop's last step up: the elasticity of orders to the users that ran, from
 * before the step to now, measured below {@link FOLLOWS_ELASTICITY}. A step up stops at the first sign of the
 * knee: past it, more users only queue (and a breach of latency fails a level the system could hold).
 */
function pastKnee(loop: HoldLoop): boolean {
  const { before, here } = loop;
  if (!before || before.users >= here.users || before.orders <= 0 || here.orders <= 0) return false;
  const spread = Math.log(here.users / before.users);
  return (
    Math.log(here.orders / here.minutes / (before.orders / before.minutes)) / spread < FOLLOWS_ELASTICITY
  );
}

/** The measured curve: the climb's ticks and every level held (its window's mean users and rate). */
export function curveOf(state: CapacityState): CurvePoint[] {
  const held = state.levels
    .filter((l) => l.level !== null && l.window.minutes > 0)
    .map((l) => ({
      users: l.users,
      ordersPerMinute: l.ordersPerMinute,
      ...(l.limit?.kind === 'slo' ? { breaching: true as const } : {}),
    }));
  return [...(state.climbCurve ?? []), ...held].filter((p) => p.users > 0 && p.ordersPerMinute > 0);
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

/** Users and what they delivered, over whole ticks. */
export interface LoopMeasure {
  /** Mean users that ran. */
  readonly users: number;
  readonly orders: number;
  readonly minutes: number;
}

/** The hold's closed loop on a level's measured rate ({@link holdLoop}). */
export interface HoldLoop {
  /** The level it holds: the tick the level was set at (`CapacityState.since`). */
  readonly since: number;
  /** Orders per minute it asks of the measured curve: the level ÷ the factor the level measured (orders/min). */
  readonly asked: number;
  /** The users the curve reads for `asked`: the users it sets. */
  readonly users: number;
  /** The tick the users last changed (the level's `since` first). */
  readonly changedAt: number;
  /** Orders counted over the level's measured ticks, and Σ asked × minutes over them (orders). */
  readonly orders: number;
  readonly askedMinutes: number;
  /** What the current users measured; `before`: what the users before the last step measured. */
  readonly here: LoopMeasure;
  readonly before?: LoopMeasure;
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
  /** The workers at their CPU limit during the window, when they were (absent in a state written before). */
  readonly generatorCpu?: string | null;
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
  /** The climb's measured ticks: users and the orders per minute they delivered, and whether an SLO breached. */
  readonly climbCurve?: readonly CurvePoint[];
  /** The current level's closed loop. */
  readonly loop?: HoldLoop;
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
  /** The workers at their CPU limit this tick, or null: their own delays count in the response times. */
  readonly generatorCpu: string | null;
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
          {
            users: tick.meanUsers ?? tick.users,
            ordersPerMinute: climbRate,
            ...(tick.breaching.length > 0 ? { breaching: true as const } : {}),
          },
        ].slice(-MAX_CLIMB_POINTS)
      : state.climbCurve;
  state = { ...state, ...(climbCurve ? { climbCurve } : {}) };
  const breach = tick.breaches[0];
  let limit: CapacityLimit | null = null;
  let stopRate = climbRate;
  if (breach) {
    limit = breachLimit(breach, tick.generatorCpu);
  } else if (tick.saturation) {
    const evidence = `saturated: ${tick.saturation.evidence}`;
    limit =
      tick.saturation.limitedBy === 'load-generators'
        ? { kind: 'load-generators', evidence }
        : { kind: 'system', evidence };
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

function hold(plan: CapacityPlan, before: CapacityState, tick: CapacityTick): CapacityState {
  const level = before.level as number;
  const { loop, moved } = holdLoop(before, tick);
  let state = loop ? { ...before, loop } : before;
  // Ticks that ran users the loop found short of (or beyond) the level are not the level's: they settle, and the
  // window starts again after the tick the new users spawn in.
  if (moved) {
    state = { ...state, settled: Math.max(settledTick(state), tick.tick + 1), window: null };
    if (ticksLeft(plan, tick) < 1 + plan.parameters.holdTicks) return finish(state, 'out-of-time');
  }
  if (tick.tick <= settledTick(state)) return state;
  // Judged from steady state: the first tick after the settling on which no SLO breaches, or the one the longest
  // settling allows — a breach that outlasts it is the level's.
  const settling = Math.ceil(MAX_SETTLE_SECONDS / plan.tickSeconds);
  if (state.window === null && tick.breaching.length > 0 && tick.tick <= state.since + settling) {
    if (ticksLeft(plan, tick) < plan.parameters.holdTicks) return finish(state, 'out-of-time');
    return { ...state, settled: tick.tick };
  }
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
  // The workers' CPU bounds a level only when the climb met it first: past a system's knee the users a level
  // piles up can load the generators themselves.
  const generatorCpu = state.climb?.limit?.kind === 'load-generators' ? (window.generatorCpu ?? null) : null;
  const generatorsCapped = window.generatorLimit ?? generatorCpu;
  if (breach) {
    limit = breachLimit(breach, generatorCpu);
    high = window.minutes > 0 ? ordersPerMinute + NOISE_Z * sigma : level;
  } else if (ordersPerMinute < level * (1 - DELIVERY_TOLERANCE) - NOISE_Z * sigma) {
    // Near a queueing system's peak the last few per cent take many more users than the fit foresees: a level
    // within the tolerance above the capacity may go undelivered, so the bound is the level widened by it.
    high = level / (1 - DELIVERY_TOLERANCE);
    const evidence = `${round(ordersPerMinute)} of ${round(level)} orders/min delivered with ${Math.round(users)} users`;
    limit = generatorsCapped
      ? { kind: 'load-generators', evidence: `${evidence}; ${generatorsCapped}` }
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
  const settle = settleTicks(plan.tickSeconds);
  const moved = {
    ...state,
    phase: 'hold' as const,
    level: round(level),
    since: tick.tick,
    settled: tick.tick + settle,
    window: null,
  };
  if (ticksLeft(plan, tick) < settle + plan.parameters.holdTicks) return finish(moved, 'out-of-time');
  return moved;
}

function ticksLeft(plan: CapacityPlan, tick: CapacityTick): number {
  return Math.floor((plan.totalSeconds - tick.elapsedSeconds) / plan.tickSeconds);
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

/** An SLO breached: the SLO's limit, or the load generators' when their CPU was at its limit meanwhile. */
function breachLimit(breach: { id: string; label: string }, generatorCpu: string | null): CapacityLimit {
  return generatorCpu
    ? { kind: 'load-generators', evidence: `SLO ${breach.label} breached while the ${generatorCpu}` }
    : { kind: 'slo', slo: breach.id, label: breach.label };
}

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
    generatorCpu: tick.generatorCpu ?? window?.generatorCpu ?? null,
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
