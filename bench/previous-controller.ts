/**
 * The ramp controller: from what Locust measured since the last tick, decide how many users to run (and how
 * fast to spawn them, and how many workers they need) so that the orders per minute the system under test
 * actually delivers follow the planned trajectory — a straight line from zero to the target over the
 * ramp-up, then the target through the plateau. Pure: no I/O, no clock; everything it needs from one tick to
 * the next is in {@link ControllerState}, which is small JSON (it travels in the Step Functions state).
 *
 * ## Model
 * Locust runs `U(t)` users. A user spawned at `s` starts its journey at once and places its first order
 * about `J` seconds later (`orderDelaySeconds`: the journey before the order); workers report their counters
 * to the master every 3 s, so the order counter we read lags by about `L` (`statsLagSeconds`). Orders
 * counted between two readings at `a` and `b` were therefore placed by the users that were running over
 * `[a − D, b − D]`, `D = J + L`. The controller knows the user trajectory it commanded (Locust spawns and
 * stops users at the spawn rate, linearly), so it can integrate that *exposure* exactly instead of
 * averaging two user counts — this is what removes the ramp's undershoot.
 *
 * Throughput as a function of users is modelled locally as `X(U) = X₀ · (U/U₀)^e`: `e = 1` is linear (each
 * user orders at the same rate), `e < 1` means orders per user fall as the load grows (latency grows in a
 * queueing system), `e ≈ 0` means more users add no orders (saturation). `X₀, U₀, e` come from a weighted
 * least-squares fit of `ln(orders/min)` on `ln(exposure users)` over the recent intervals:
 * - weights decay with age (half-life one tick, at least 30 s) and grow with the information in an interval
 *   (Poisson noise `1/orders` plus the quantisation of 3-s worker reports over the interval's length), so a
 *   noisy interval moves the estimate less than a quiet one — noise smoothing without a fixed window;
 * - the elasticity `e` has a prior of 1 (linear) that the data override only where users varied enough to
 *   tell — on the plateau the fit is simply a weighted mean;
 * - a change of conversion (the latest interval far outside the fit's prediction, > 4 σ and > 10 %) restarts
 *   the fit from that interval, so a step change is followed in one tick instead of a window's length. That
 *   interval mixes orders from before the change with orders after it, so it sets no shape: the elasticity and
 *   curvature come from the intervals after it (and the prior), or, read beside the clean interval that
 *   follows at more users, it would look like orders per user falling with load and ask for too many users.
 *   When the interval after the restart still fits the intervals before it, the change did not last (clumped
 *   orders reach 4 σ now and then): the fit resumes with the earlier intervals instead of from one, and the
 *   outlier is dropped (from the saturation check's intervals too: a burst as the reference makes the next
 *   intervals look flat). Dropping a high outlier of clumped counts biases the level a little low, on the
 *   ~8 % of noisy runs where it happens; keeping it cost more (noisy seeds 1001..1400: plateau 211 vs 215).
 *
 * ## Decision (feed-forward on the planned slope and the pipeline delay)
 * The new users are spread over the coming tick (spawn rate = change / tick) so that the user count moves
 * along a line, as the plan does; the count aimed at for the end of the tick is the one that delivers the plan
 * `J` seconds later: `U(t+T) = X⁻¹(plan(t + T + J))`. On the plateau there is no trajectory to follow, so a
 * correction is applied within {@link PLATEAU_SPREAD_SECONDS} s: spread over 15 s, half of the last ramp tick's
 * error was still delivered over the plateau's first 15 s.
 *
 * On the ramp that inversion extrapolates from the newest interval's users to the next tick's (about +35 % at the
 * end of the ramp), and where latency grows with the load the local power law bends too little: on the queueing
 * system it fell 4 % short at the end of the ramp, a bias of the shape (the median of 40 seeds), not noise. So a
 * second shape is fitted — orders per user falling linearly with users, `p(U) = p̄ − k·(U − Ū)` (`k ≥ 0`, ridge
 * prior `k = 0`), which is what a closed system whose response time grows with its load looks like over a few
 * ticks — and the decision takes the larger of the two user counts. On a linear system `k` stays near 0 and the
 * power law decides. That line is used as one model of its own:
 * - its level at the newest users is the line's own, not the power law's: the power law's level is read from
 *   older intervals corrected by its elasticity, which is too high exactly where the line is needed;
 * - its intervals are weighted by the noise of their *expected* counts (orders per user pooled over the
 *   intervals), not of their own: weights from an interval's own count favour the intervals that came out low;
 * - it is followed only to where it says orders still grow with users at an elasticity of
 *   {@link MIN_DECLINE_ELASTICITY}: nearer the line's top its root swings with small errors of the slope;
 * - it decides on the plateau too: the first plateau tick extrapolates from the last ramp interval's users as
 *   far as the last ramp tick did (later on the plateau users barely move and both shapes ask for about the
 *   same users).
 * On the queueing system the end of the ramp still falls short by about 2 % (mean of seeds 1..40, sd 2 % from
 * seed to seed): the two decisions before it aim ~3 % below the users needed. Orders per user fall faster at the
 * top (−0.71 per 1,000 users) than over the ramp the line is fitted on (−0.63 with exact counts, −0.57 with the
 * real ones, which a slope within 2 σ of zero counts as none on a few seeds), a bend a straight line cannot
 * see coming.
 *
 * ## Guards
 * - Readings that cannot be compared with the previous one (another `bootId`: the master restarted; another
 *   `generation`: counters were reset; Locust not running) only start a new baseline: never read as a collapse
 *   to zero orders. A counter that went down (or a reading not newer than the last) on the same master and
 *   generation is a bad reading, not a reset: it is ignored and the old baseline kept, so the next good reading
 *   measures the whole time since — rebasing on it would count every order since the last good reading into
 *   one tick. Only a second such reading in a row starts a new baseline.
 * - No orders over a whole interval while users ran (a stall): users are held, the estimate is kept; never
 *   back to one user. Orders far below the estimate (a collapse) are held the same way for up to
 *   {@link COLLAPSE_TICKS} ticks, and the baseline is kept: workers starved of CPU report their orders late, all
 *   at once, and measured from the held reading those late orders would look like a jump in conversion (a
 *   restart of the fit on one inflated interval). A collapse that lasts is then measured over all its ticks.
 * - Users never grow by more than ×{@link MAX_GROWTH} (+{@link MIN_STEP}) per tick, never beyond `maxUsers`,
 *   and, when the conductor sizes the worker fleet, never beyond what the connected workers can host
 *   (`usersPerWorker`); the worker count asked for looks one tick ahead, so workers are up before their users.
 * - Saturation: when the user count grew ≥ 10 % between two intervals but orders grew with an elasticity
 *   below 0.3 (adding users no longer adds orders), or the failure ratio is above `saturationFailureRatio` and
 *   climbing, that is a strike; two strikes in a row (or one at elasticity ≤ 0.1 with ≥ 20 % more users, when
 *   even its upper bound is below 0.3, once {@link MAX_HISTORY} intervals are measured) mean saturation. The
 *   noise a shortfall is weighed against comes from the intervals near the newest users: near a knee the older
 *   ones misfit the local shape, and counted as noise that misfit hid the knee for a tick. The newest interval
 *   is compared with each of the last few with fewer users (since the last change of conversion) and the most
 *   telling comparison counts: over two ticks' growth the noise weighs half as much, so the flat top is seen a
 *   tick earlier. Users then stop growing — they are held at the count that reached the highest rate — and every
 *   tick says `target unreachable: saturated at N orders/min with U users`; the controller never aborts (the
 *   SLO policy decides). Every {@link PROBE_TICKS} ticks it probes with 15 % more users (unless failures
 *   caused the saturation) and clears the saturation when orders grow with them again (elasticity ≥ 0.5 by more
 *   than its standard error: one noisy interval must not restart the ramp into a saturated system).
 */

export interface ControllerConfig {
  readonly targetOrdersPerMinute: number;
  readonly rampUpSeconds: number;
  readonly plateauSeconds: number;
  readonly tickSeconds: number;
  /** Prior guess of one user's order rate, used until the first measurement. */
  readonly initialOrdersPerUserPerMinute: number;
  readonly maxUsers: number;
  readonly usersPerWorker: number;
  /**
   * Set when the conductor sizes the Locust worker fleet (`locust.workers` in the configuration): users are
   * then capped by what the connected workers host, and the worker count asked for stays within these bounds.
   */
  readonly fleet?: { readonly minWorkers: number; readonly maxWorkers: number } | null;
  /** Seconds from a user's spawn to its first order (its journey). Default {@link DEFAULT_ORDER_DELAY_SECONDS}. */
  readonly orderDelaySeconds?: number;
  /** How far the master's counters lag the orders (worker reports every 3 s). Default 2. */
  readonly statsLagSeconds?: number;
  /** Failure ratio of an interval from which climbing failures count as saturation. Default 0.05. */
  readonly saturationFailureRatio?: number;
}

/** One reading of Locust, taken at a tick. */
export interface Observation {
  /** Epoch milliseconds of the reading. */
  readonly at: number;
  /** Orders placed since the counters' generation began. */
  readonly orders: number;
  /** Requests and failures (all request names) since the generation began. */
  readonly requests: number;
  readonly failures: number;
  readonly users: number;
  /** Workers connected to the master. */
  readonly workers: number;
  /** Changes when the Locust master restarts. */
  readonly bootId: string;
  /** Changes when Locust's counters are reset. */
  readonly generation: number;
  readonly running: boolean;
}

/** A piece of the user trajectory the controller commanded: from `from` users at `at` towards `to` at `rate`/s. */
export interface Segment {
  readonly at: number;
  readonly from: number;
  readonly to: number;
  readonly rate: number;
}

/** One measured interval between two comparable readings. */
export interface Sample {
  /** End of the interval (epoch ms). */
  readonly at: number;
  readonly minutes: number;
  readonly orders: number;
  /** User-minutes that placed these orders (the commanded trajectory, shifted by the order delay). */
  readonly userMinutes: number;
  readonly requests: number;
  readonly failures: number;
  /** Users the trajectory reached at the end of the interval. */
  readonly users: number;
}

/** What the controller found out about the system's saturation. */
export interface Saturation {
  /** Orders per minute the system delivered at most. */
  readonly ordersPerMinute: number;
  /** Users held (those that reached that rate). */
  readonly users: number;
  readonly reason: 'orders-flat' | 'failures-climb';
  /** What was seen, e.g. "users +24 %, orders +2 %". */
  readonly evidence: string;
  /** Tick at which it was detected. */
  readonly sinceTick: number;
}

/** What the controller carries from one tick to the next. */
export interface ControllerState {
  readonly version: 2;
  /** Ticks decided so far (0 before the first decision). */
  readonly tick: number;
  /** The last reading: the baseline of the next interval. */
  readonly last: Pick<
    Observation,
    'at' | 'orders' | 'requests' | 'failures' | 'users' | 'bootId' | 'generation'
  > | null;
  /** The commanded user trajectory of the last few ticks (for exposure integrals). */
  readonly segments: readonly Segment[];
  /** Intervals the throughput fit uses (restarted on a change of conversion). */
  readonly samples: readonly Sample[];
  /** Intervals the saturation check compares (never restarted). */
  readonly history: readonly Sample[];
  /** The fit at the last decision: orders per user and minute at `referenceUsers`, and the elasticity. */
  readonly ordersPerUserPerMinute: number | null;
  readonly referenceUsers: number | null;
  readonly elasticity: number;
  /**
   * Noise of the order counts relative to Poisson (≥ 1), as last estimated. It survives a restart of the fit:
   * orders coming in bursts is a property of the shop, not of its conversion, and a fit restarted from one
   * interval could not tell. Absent in states written before it existed (then 1).
   */
  readonly dispersion?: number;
  /** {@link Model.localDispersion} as last estimated (absent in older states: then `dispersion`). */
  readonly localDispersion?: number;
  readonly usersSet: number;
  readonly stalledTicks: number;
  readonly strikes: number;
  readonly saturation: Saturation | null;
  /** Users of the current saturation probe, when one runs. */
  readonly probeUsers: number | null;
  /** The last reading was a bad one (a counter went down) and was ignored; another in a row rebases. */
  readonly ignoredReading?: boolean;
}

export interface Decision {
  readonly users: number;
  /** Users per second, cluster-wide (> 0, as Locust requires). */
  readonly spawnRate: number;
  /** Workers to ask for now: enough for this tick's users and the next tick's. */
  readonly workersNeeded: number;
  /** Orders per minute the plan asks for at this moment. */
  readonly targetNow: number;
  /** What the model says the chosen users deliver at the end of the coming tick (orders/min). */
  readonly expectedOrdersPerMinute: number;
  /** Measured since the previous tick; null when it could not be measured. */
  readonly ordersPerMinute: number | null;
  /** Counter deltas since the previous tick (zero when not comparable). */
  readonly delta: {
    readonly orders: number;
    readonly requests: number;
    readonly failures: number;
    readonly minutes: number;
  };
  readonly phase: 'ramp-up' | 'plateau' | 'done';
  /** One line for the console. */
  readonly message: string;
  /** What limited or explained this decision, e.g. `capped at maxUsers 400`, `stalled`. */
  readonly notes: readonly string[];
  readonly saturation: Saturation | null;
  readonly state: ControllerState;
}

/** Never multiply users by more than this in one tick: a bad early estimate must not explode the load. */
export const MAX_GROWTH = 3;
/** …plus this many users, so that a ramp from very few users is not throttled by the factor. */
export const MIN_STEP = 5;
/** Ticks between two saturation probes. */
export const PROBE_TICKS = 4;
/** Seconds over which a correction on the plateau is spawned (or stopped). */
export const PLATEAU_SPREAD_SECONDS = 5;
export const DEFAULT_ORDER_DELAY_SECONDS = 3;
export const DEFAULT_STATS_LAG_SECONDS = 2;
export const DEFAULT_SATURATION_FAILURE_RATIO = 0.05;
/** Worker report interval of Locust (s): the quantisation of the master's counters. */
const REPORT_SECONDS = 3;
/** Ticks an order collapse (< 50 % of expected) is held as an outage before it counts as the new rate. */
const COLLAPSE_TICKS = 3;
/** Samples kept for the fit and the saturation check. */
const MAX_SAMPLES = 12;
const MAX_HISTORY = 6;
/** Prior precision of the elasticity (1/σ² with σ = 0.3 around 1). */
const ELASTICITY_PRIOR_WEIGHT = 1 / 0.09;
/** Prior precision of the curvature (σ = 0.3 around 0). */
const CURVATURE_PRIOR_WEIGHT = 1 / 0.09;
/** Prior precision of the level from `initialOrdersPerUserPerMinute` (σ = 50 %). */
const LEVEL_PRIOR_WEIGHT = 4;
/** Half-life (ticks) of the intervals in the fit of orders per user falling with users. */
const DECLINE_HALF_LIFE = 3;
/**
 * Prior σ of that decline's slope, relative to orders per user / users: 0.5 is a fall of half of the orders per
 * user between no users and the mean users — the data must show it before it counts.
 */
const DECLINE_PRIOR = 0.5;
/** Lowest elasticity the decline line is followed to: nearer its top it asks for users on the slope's noise. */
const MIN_DECLINE_ELASTICITY = 0.4;
/** Elasticity below which more users do not bring more orders. */
const FLAT_ELASTICITY = 0.3;
/** Smallest elasticity used to invert the model (beyond it the growth cap and saturation rule). */
const MIN_INVERSION_ELASTICITY = 0.25;

export function initialControllerState(): ControllerState {
  return {
    version: 2,
    tick: 0,
    last: null,
    segments: [],
    samples: [],
    history: [],
    ordersPerUserPerMinute: null,
    referenceUsers: null,
    elasticity: 1,
    dispersion: 1,
    usersSet: 0,
    stalledTicks: 0,
    strikes: 0,
    saturation: null,
    probeUsers: null,
  };
}

/** Orders per minute the plan wants `elapsedSeconds` after the load started. */
export function plannedRate(config: ControllerConfig, elapsedSeconds: number): number {
  if (config.rampUpSeconds <= 0 || elapsedSeconds >= config.rampUpSeconds)
    return config.targetOrdersPerMinute;
  return (config.targetOrdersPerMinute * Math.max(0, elapsedSeconds)) / config.rampUpSeconds;
}

/** Users on the commanded trajectory at `at` (epoch ms). */
export function usersAt(segments: readonly Segment[], at: number): number {
  let users = 0;
  for (const s of segments) {
    if (s.at > at) break;
    users = segmentUsers(s, at);
  }
  return users;
}

/** ∫ users dt over [from, to] (epoch ms) along the trajectory, in user-minutes. */
export function userMinutes(segments: readonly Segment[], from: number, to: number): number {
  if (to <= from) return 0;
  let total = 0;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i] as Segment;
    const end = segments[i + 1]?.at ?? Number.POSITIVE_INFINITY;
    const a = Math.max(from, s.at);
    const b = Math.min(to, end);
    if (b <= a) continue;
    // Linear until the segment reaches its target, flat after.
    const reach = s.rate > 0 ? s.at + (Math.abs(s.to - s.from) / s.rate) * 1000 : s.at;
    const mid = Math.min(Math.max(reach, a), b);
    total += ((segmentUsers(s, a) + segmentUsers(s, mid)) / 2) * (mid - a);
    total += s.to * (b - mid);
  }
  return total / 60_000;
}

function segmentUsers(s: Segment, at: number): number {
  const moved = (s.rate * Math.max(0, at - s.at)) / 1000;
  return s.to >= s.from ? Math.min(s.to, s.from + moved) : Math.max(s.to, s.from - moved);
}

/**
 * Decides users and spawn rate for the interval that starts now. `elapsedSeconds` is measured from the start
 * of the load on the tick schedule; `observation` is null only for the very first decision (before Locust runs).
 */
export function decide(
  config: ControllerConfig,
  state: ControllerState,
  observation: Observation | null,
  elapsedSeconds: number,
): Decision {
  const tick = state.tick + 1;
  const T = config.tickSeconds;
  const J = config.orderDelaySeconds ?? DEFAULT_ORDER_DELAY_SECONDS;
  const D = J + (config.statsLagSeconds ?? DEFAULT_STATS_LAG_SECONDS);
  const failureLimit = config.saturationFailureRatio ?? DEFAULT_SATURATION_FAILURE_RATIO;
  const totalSeconds = config.rampUpSeconds + config.plateauSeconds;
  const phase: Decision['phase'] =
    elapsedSeconds >= totalSeconds ? 'done' : elapsedSeconds < config.rampUpSeconds ? 'ramp-up' : 'plateau';
  const notes: string[] = [];
  const now = observation?.at ?? 0;

  // ---- 1. Measure the interval since the last reading.
  const measured = observation ? measure(state, observation, D) : null;
  const priorDispersion = state.dispersion ?? 1;
  const priorNoise = {
    dispersion: priorDispersion,
    localDispersion: state.localDispersion ?? priorDispersion,
  };
  let samples = state.samples;
  let history = state.history;
  let stalledTicks = state.stalledTicks;
  let strikes = state.strikes;
  let saturation = state.saturation;
  let probeUsers = state.probeUsers;
  const ignoreReading =
    observation != null && !measured && isBadReading(state, observation) && !state.ignoredReading;
  if (observation && !measured && state.last) {
    notes.push(
      ignoreReading
        ? `reading ignored (${whyNotComparable(state, observation)}): baseline kept until the next reading`
        : `counters not comparable with the last reading (${whyNotComparable(state, observation)}): new baseline`,
    );
  }
  let hold = false;
  /** A held partial collapse keeps its baseline: the orders may only be late (workers starved of CPU). */
  let keepBaseline = false;
  if (measured && measured.userMinutes > 0) {
    const before =
      samples.length >= 2
        ? fitModel(
            samples,
            measured.at,
            T,
            config.initialOrdersPerUserPerMinute,
            priorNoise,
            startsAfterRestart(samples, history),
          )
        : null;
    const { ratio, z } = before ? surprise(before, measured) : { ratio: null, z: 0 };
    const collapsed = measured.orders === 0 || (ratio != null && ratio < 0.5 && z < -4);
    if (collapsed && (measured.orders === 0 || stalledTicks + 1 < COLLAPSE_TICKS)) {
      // An outage, not a change of conversion: adding users into it would only overshoot after it.
      stalledTicks += 1;
      hold = true;
      keepBaseline = measured.orders > 0;
      notes.push(
        measured.orders === 0
          ? `stalled: no orders this tick (${stalledTicks} in a row), holding users`
          : `orders collapsed to ${pct(ratio ?? 0)} of expected (${stalledTicks} in a row): holding users`,
      );
    } else if (state.stalledTicks > 0 && !collapsed && z < -4) {
      // The interval straddles the end of a stall: neither the old nor the new rate.
      stalledTicks = 0;
      hold = true;
      notes.push('recovering from a stall: holding users, interval not used for the estimate');
    } else {
      if (collapsed) {
        notes.push(
          `orders per user fell to ${pct(ratio ?? 0)} for ${COLLAPSE_TICKS} ticks: estimate restarted`,
        );
        samples = [];
      } else if (ratio != null && isChangeOfConversion({ ratio, z })) {
        // A change of conversion: restart the fit from this interval.
        notes.push(`orders per user changed by ${pct(ratio - 1)}: estimate restarted`);
        samples = [];
      }
      stalledTicks = 0;
      if (samples.length === 1 && startsAfterRestart(samples, history)) {
        // The tick after a restart: when this interval still fits the intervals before the restart, the restart
        // was noise (clumped orders reach 4 σ now and then) — the fit resumes with them instead of one interval,
        // without the outlier: kept, it would pull the level and be the saturation check's reference, against
        // which the next intervals look flat.
        const restartedAt = (samples[0] as Sample).at;
        const earlier = fitModel(
          history.filter((h) => h.at < restartedAt),
          measured.at,
          T,
          config.initialOrdersPerUserPerMinute,
          priorNoise,
          false,
        );
        if (earlier && !isChangeOfConversion(surprise(earlier, measured))) {
          notes.push('the change of orders per user did not last: estimate from before it resumed');
          history = history.filter((h) => h.at !== restartedAt);
          samples = history;
        }
      }
      samples = [...samples, measured].slice(-MAX_SAMPLES);
      const check = saturationCheck(
        history,
        measured,
        failureLimit,
        before?.localDispersion ?? priorNoise.localDispersion,
        samples[0]?.at ?? measured.at,
      );
      history = [...history, measured].slice(-MAX_HISTORY);
      if (probeUsers != null && saturation) {
        // The probe added users: did orders follow?
        // …beyond the noise of a +15 % step (one standard error), else the next probe will tell.
        if (check.elasticity != null && check.elasticity - check.se >= 0.5) {
          notes.push(`saturation cleared: orders grew with users (${check.evidence})`);
          saturation = null;
          strikes = 0;
        }
        probeUsers = null;
      } else if (!saturation) {
        if (check.strike) {
          strikes += 1;
          // One strong strike alone only once the counts' noise is known from a full history: early in the ramp
          // one clumped interval, weighed against a noise still guessed, looks like a flat top (noisy system).
          if (strikes >= 2 || (check.strong && history.length >= MAX_HISTORY)) {
            const best = bestRate(history);
            saturation = {
              ordersPerMinute: best.rate,
              users: Math.max(1, Math.round(best.users)),
              reason: check.strike,
              evidence: check.evidence,
              sinceTick: tick,
            };
          }
        } else if (check.elasticity != null) {
          strikes = 0;
        }
      }
    }
  }

  // ---- 2. Estimate throughput as a function of users.
  const model = fitModel(
    samples,
    now,
    T,
    config.initialOrdersPerUserPerMinute,
    priorNoise,
    startsAfterRestart(samples, history),
  );
  const prior: Model = {
    meanLogUsers: 0,
    meanLogRate: Math.log(config.initialOrdersPerUserPerMinute),
    elasticity: 1,
    curvature: 0,
    variance: 1,
    ...priorNoise,
  };
  const m = model ?? prior;

  // ---- 3. Choose users for the end of the coming tick.
  const targetNow = plannedRate(config, elapsedSeconds);
  const inRamp = elapsedSeconds < config.rampUpSeconds;
  const wanted = plannedRate(config, elapsedSeconds + T + J);
  const current = observation?.users ?? 0;
  let users = phase === 'done' ? 0 : Math.ceil(invert(m, wanted) - 1e-9);
  const decline = phase !== 'done' ? fitDecline(samples, now, T, m.dispersion) : null;
  if (decline && decline.slope > 0) {
    // Orders per user fall linearly as users are added (latency grows with the load): p(U) = p̄ − k·(U − Ū);
    // U·p(U) = aim is a quadratic in U (its smaller root, below the curve's top).
    const k = decline.slope;
    const P = decline.meanPerUser + k * decline.meanUsers;
    const disc = P * P - 4 * k * wanted;
    if (disc > 0) {
      // Not beyond where the line says orders grow with users at an elasticity below MIN_DECLINE_ELASTICITY,
      // (P − 2kU)/(P − kU) = E: near the line's top its root swings with small errors of the slope (queueing
      // seeds asked for 22 % more users than the plateau needed, and overshot by 6–8 %).
      const E = MIN_DECLINE_ELASTICITY;
      const byDecline = Math.ceil(
        Math.min((P - Math.sqrt(disc)) / (2 * k), ((1 - E) * P) / ((2 - E) * k)) - 1e-9,
      );
      if (byDecline > users) {
        notes.push(
          `orders per user fall with load (−${(k * 1000).toFixed(2)} orders/user/min per 1,000 users): ${byDecline} users, not ${users}`,
        );
        users = byDecline;
      }
    }
  }
  const raw = users;
  if (phase !== 'done') {
    if (hold) users = Math.max(1, state.usersSet);
    const base = Math.max(current, state.usersSet);
    const growthCap = Math.ceil(base * MAX_GROWTH) + MIN_STEP;
    // Near saturation (low elasticity) the model's inversion asks for many users for little: go carefully.
    const careful = m.elasticity < 0.6 ? Math.ceil(base * (1 + m.elasticity)) + 1 : growthCap;
    if (state.tick > 0 && users > careful && careful < growthCap) {
      notes.push(
        `elasticity ${m.elasticity.toFixed(2)}: users grow at most ×${(1 + m.elasticity).toFixed(2)}`,
      );
      users = careful;
    }
    if (state.tick > 0 && users > growthCap) {
      notes.push(`growth capped at ×${MAX_GROWTH} (+${MIN_STEP}): ${users} → ${growthCap} users`);
      users = growthCap;
    }
    if (saturation) {
      const probeDue =
        saturation.reason === 'orders-flat' &&
        (tick - saturation.sinceTick) % PROBE_TICKS === 0 &&
        tick > saturation.sinceTick;
      const hold = saturation.users;
      if (probeDue && users > hold) {
        probeUsers = Math.min(users, Math.ceil(hold * 1.15) + 1);
        users = probeUsers;
        notes.push(`probing saturation with ${users} users`);
      } else {
        users = Math.min(users, hold);
      }
    }
    if (users > config.maxUsers) {
      notes.push(`capped at maxUsers ${config.maxUsers}`);
      users = config.maxUsers;
    }
    if (config.fleet && observation) {
      const hosted = observation.workers * config.usersPerWorker;
      if (users > hosted) {
        notes.push(`waiting for workers: ${observation.workers} connected host ${hosted} users`);
        users = Math.max(Math.min(users, hosted), Math.min(current, users));
      }
    }
    users = Math.max(users, 1);
  }

  // Spread the change over the tick while the plan moves; apply corrections at once on the plateau.
  const change = Math.abs(users - current);
  const spread = inRamp ? T : Math.min(T, PLATEAU_SPREAD_SECONDS);
  const spawnRate = Math.max(0.1, Math.ceil((change / Math.max(1, spread)) * 100) / 100);

  // Workers for this tick's users and what the next tick is likely to ask for.
  const ahead =
    phase === 'done'
      ? 0
      : Math.min(config.maxUsers, Math.ceil(invert(m, plannedRate(config, elapsedSeconds + 2 * T + J))));
  const heldAhead = saturation ? Math.min(ahead, users) : ahead;
  let workersNeeded = Math.max(1, Math.ceil(Math.max(users, heldAhead) / config.usersPerWorker));
  if (config.fleet) {
    const { minWorkers, maxWorkers } = config.fleet;
    if (workersNeeded > maxWorkers)
      notes.push(`fleet limit: ${maxWorkers} workers host ${maxWorkers * config.usersPerWorker} users`);
    workersNeeded = Math.min(maxWorkers, Math.max(minWorkers, workersNeeded));
  }

  const segmentStart = observation?.at ?? 0;
  const segments = observation
    ? [
        ...state.segments,
        { at: segmentStart, from: current, to: phase === 'done' ? 0 : users, rate: spawnRate },
      ].filter(
        (_s, i, all) =>
          i === all.length - 1 ||
          (all[i + 1] as Segment).at >= segmentStart - (MAX_SAMPLES * T + D + 60) * 1000,
      )
    : state.segments;
  const expected = phase === 'done' ? 0 : predict(m, users);

  const ordersPerMinute = measured ? measured.orders / measured.minutes : null;
  const rateText = ordersPerMinute == null ? 'n/a' : ordersPerMinute.toFixed(1);
  const perUser = Math.exp(m.meanLogRate - m.meanLogUsers);
  const head =
    phase === 'done'
      ? `done: ${rateText} orders/min in the last tick`
      : `${phase}: ${rateText} of ${targetNow.toFixed(1)} orders/min planned; ${users} users (${perUser.toFixed(2)} orders/user/min${model ? '' : ' assumed'}${Math.abs(m.elasticity - 1) > 0.05 ? `, elasticity ${m.elasticity.toFixed(2)}` : ''})`;
  const satText = saturation
    ? `target unreachable: saturated at ${Math.round(saturation.ordersPerMinute)} orders/min with ${saturation.users} users (${saturation.evidence})`
    : null;
  if (raw !== users && !notes.length && phase !== 'done' && !saturation)
    notes.push(`model asked for ${raw} users`);
  const message = [satText, head, ...notes].filter(Boolean).join('; ');

  return {
    users: phase === 'done' ? 0 : users,
    spawnRate,
    workersNeeded,
    targetNow,
    expectedOrdersPerMinute: expected,
    ordersPerMinute,
    delta: measured
      ? {
          orders: measured.orders,
          requests: measured.requests,
          failures: measured.failures,
          minutes: measured.minutes,
        }
      : { orders: 0, requests: 0, failures: 0, minutes: 0 },
    phase,
    message,
    notes,
    saturation,
    state: {
      version: 2,
      tick,
      last:
        observation && !ignoreReading && !keepBaseline
          ? {
              at: observation.at,
              orders: observation.orders,
              requests: observation.requests,
              failures: observation.failures,
              users: observation.users,
              bootId: observation.bootId,
              generation: observation.generation,
            }
          : state.last,
      ...(ignoreReading ? { ignoredReading: true } : {}),
      segments,
      samples,
      history,
      ordersPerUserPerMinute: model ? perUser : null,
      referenceUsers: model ? Math.exp(m.meanLogUsers) : null,
      elasticity: m.elasticity,
      dispersion: m.dispersion,
      localDispersion: m.localDispersion,
      usersSet: phase === 'done' ? 0 : users,
      stalledTicks,
      strikes,
      saturation,
      probeUsers,
    },
  };
}

/**
 * Records the trajectory of the very first command (start of the load), which has no observation yet: the
 * users spawn from zero at `at`.
 */
export function startTrajectory(
  state: ControllerState,
  at: number,
  users: number,
  spawnRate: number,
): ControllerState {
  return { ...state, segments: [{ at, from: 0, to: users, rate: spawnRate }] };
}

/**
 * Replaces the last commanded segment's target when the tick could not apply the decision as decided (e.g.
 * fewer workers than asked): the exposure integrals must follow what Locust was really told.
 */
export function appliedUsers(state: ControllerState, users: number): ControllerState {
  const last = state.segments.at(-1);
  if (!last || last.to === users) return { ...state, usersSet: users };
  return { ...state, usersSet: users, segments: [...state.segments.slice(0, -1), { ...last, to: users }] };
}

// ---------------------------------------------------------------------------------------------------------------

interface Model {
  /** Weighted means of ln(users) and ln(orders/min). */
  readonly meanLogUsers: number;
  readonly meanLogRate: number;
  readonly elasticity: number;
  /** d²(ln X)/d(ln U)² (≤ 0). */
  readonly curvature: number;
  /** Variance of the fit's prediction near its centre (ln units). */
  readonly variance: number;
  /** Noise of the intervals relative to Poisson counting (≥ 1). */
  readonly dispersion: number;
  /**
   * The same, from the residuals of the intervals near the newest users only (±20 %): what the saturation
   * check weighs a shortfall against. Near a knee the residuals of the older intervals, at far fewer users,
   * hold the local shape's misfit (3× the counting noise on the capacity system), which would hide the knee.
   * Measured against a level fitted to those same few intervals it reads low on a ramp (~1 on the noisy
   * system, whose counts are 5.8× Poisson): the guard against noise is then the two strikes in a row (noisy
   * seeds 3001..4000: 1 false alarm in 1,000, 6 with the whole fit's noise capped at 3).
   */
  readonly localDispersion: number;
}

/**
 * ln-space noise of one interval: Poisson counting (of its own count, or of the count expected) plus 3-s report
 * quantisation at both ends.
 */
function noiseVariance(s: Sample, orders = Math.max(1, s.orders)): number {
  const q = REPORT_SECONDS / (s.minutes * 60);
  return 1 / orders + (q * q) / 6;
}

const gauss = (d: number, width: number) => Math.exp(-0.5 * (d / width) ** 2);

/**
 * Fits `ln X = level + e·d + c·d²`, `d = ln U − ln U_ref`, around the newest sample's users `U_ref`:
 * - slope `e` (the elasticity at `U_ref`) and curvature `c ≤ 0` from a wide neighbourhood (half-life 3 ticks,
 *   users within ~±50 %; not the first interval after a restart, `firstIsMixed`), with priors `e = 1 ± 0.3`,
 *   `c = 0 ± 0.3`: as the load nears capacity orders per user fall ever faster, and a straight line through the
 *   last few intervals would overestimate what the next, larger user count delivers;
 * - the level from a narrow neighbourhood (half-life 2 ticks × √overdispersion, users within ~±12 %): on the
 *   plateau every recent interval counts, on the ramp mostly the newest;
 * - the overdispersion (noise beyond Poisson, e.g. orders in bursts) from the residuals, which lengthens the
 *   averaging and widens what counts as a change of conversion or saturation.
 */
function fitModel(
  samples: readonly Sample[],
  now: number,
  tickSeconds: number,
  priorPerUser: number,
  prior: Pick<Model, 'dispersion' | 'localDispersion'>,
  firstIsMixed: boolean,
): Model | null {
  const usable = samples.filter((s) => s.orders > 0 && s.userMinutes > 0);
  const mixed = firstIsMixed ? samples[0] : null;
  const newest = usable.at(-1);
  if (!newest) return null;
  const tick = Math.max(tickSeconds, 30) * 1000;
  const xRef = Math.log(newest.userMinutes / newest.minutes);
  const pts = usable.map((s) => ({
    age: Math.max(0, now - s.at) / tick,
    d: Math.log(s.userMinutes / s.minutes) - xRef,
    y: Math.log(s.orders / s.minutes),
    v: noiseVariance(s),
    shape: s !== mixed,
  }));
  const once = (
    dispersion: number,
    levelPriorWeight: number,
  ): Omit<Model, 'localDispersion'> & { residual: number; local: { residual: number; n: number } } => {
    // Weighted least squares for (a, e, c) with ridge priors on e and c.
    const A = [
      [0, 0, 0],
      [0, ELASTICITY_PRIOR_WEIGHT, 0],
      [0, 0, CURVATURE_PRIOR_WEIGHT],
    ];
    const b = [0, ELASTICITY_PRIOR_WEIGHT, 0];
    for (const p of pts) {
      const w = p.shape ? (0.5 ** (p.age / 3) * gauss(p.d, 0.5)) / (p.v * dispersion) : 0;
      const f = [1, p.d, p.d * p.d];
      for (let i = 0; i < 3; i++) {
        (b as number[])[i] = (b[i] as number) + w * (f[i] as number) * p.y;
        for (let j = 0; j < 3; j++) {
          const row = A[i] as number[];
          row[j] = (row[j] as number) + w * (f[i] as number) * (f[j] as number);
        }
      }
    }
    const solved = solve3(A, b);
    let elasticity = Math.min(1.3, Math.max(0, solved?.[1] ?? 1));
    let curvature = Math.min(0, Math.max(-2, solved?.[2] ?? 0));
    if (!Number.isFinite(elasticity) || !Number.isFinite(curvature)) {
      elasticity = 1;
      curvature = 0;
    }
    // Level at the newest users.
    const halfLife = Math.min(6, 2 * Math.sqrt(dispersion));
    // The configured guess counts as a weak sample (±50 %): it steadies the first, sparse intervals only.
    let V = levelPriorWeight;
    let sl = levelPriorWeight * (Math.log(priorPerUser) + xRef);
    for (const p of pts) {
      const v = (0.5 ** (p.age / halfLife) * gauss(p.d, 0.12)) / (p.v * dispersion);
      V += v;
      sl += v * (p.y - elasticity * p.d - curvature * p.d * p.d);
    }
    const level = sl / V;
    // Overdispersion: mean squared standardised residual (recent samples count more), over all the intervals
    // and over those near the newest users (with their effective number).
    let R = 0;
    let U = 0;
    let localR = 0;
    let localU = 0;
    let localUU = 0;
    for (const p of pts) {
      const u = 0.5 ** (p.age / 4);
      const squared = (p.y - level - elasticity * p.d - curvature * p.d * p.d) ** 2 / p.v;
      R += u * squared;
      U += u;
      const near = u * gauss(p.d, 0.2);
      localR += near * squared;
      localU += near;
      localUU += near * near;
    }
    return {
      meanLogUsers: xRef,
      meanLogRate: level,
      elasticity,
      curvature,
      variance: 1 / V,
      dispersion,
      residual: R / U,
      local: { residual: localR / localU, n: (localU * localU) / localUU },
    };
  };
  // Without the configured guess: how far the data lie from a wrong guess is no noise of the counts (and, carried
  // to the next tick, it would weigh the data down against that guess ever more).
  const first = once(1, 0);
  // The last estimate counts as two samples: a short history must not look perfectly quiet or wildly noisy.
  const shrunk = (priorDispersion: number, residual: number, n: number) =>
    Math.min(25, Math.max(1, (2 * priorDispersion + n * residual) / (2 + n)));
  const dispersion = shrunk(prior.dispersion, first.residual, pts.length);
  const { residual: _r, local: _l, ...model } = once(dispersion, LEVEL_PRIOR_WEIGHT);
  return { ...model, localDispersion: shrunk(prior.localDispersion, first.local.residual, first.local.n) };
}

/**
 * Fits orders per user and minute as a straight line in users, `p(U) = p̄ − k·(U − Ū)` (latency, and with it each
 * user's cycle, growing with the load), over the recent intervals, with `k ≥ 0` and a ridge prior `k = 0`;
 * `Ū, p̄` are the weighted means of users and orders per user, through which the line passes.
 */
function fitDecline(
  samples: readonly Sample[],
  now: number,
  tickSeconds: number,
  dispersion: number,
): { slope: number; meanUsers: number; meanPerUser: number } | null {
  const usable = samples.filter((s) => s.orders >= 20 && s.userMinutes > 0);
  if (usable.length < 3) return null;
  const tick = Math.max(tickSeconds, 30) * 1000;
  // An interval's noise from its expected count (Poisson p/userMinutes, plus the 3-s quantisation), p pooled over
  // the intervals: from its own count, an interval whose count came out low would weigh more.
  const pooled =
    usable.reduce((sum, s) => sum + s.orders, 0) / usable.reduce((sum, s) => sum + s.userMinutes, 0);
  let W = 0;
  let Sx = 0;
  let Sy = 0;
  let Sxx = 0;
  let Sxy = 0;
  for (const s of usable) {
    const x = s.userMinutes / s.minutes;
    const y = s.orders / s.userMinutes;
    const variance = pooled * pooled * noiseVariance(s, pooled * s.userMinutes);
    const w = 0.5 ** (Math.max(0, now - s.at) / tick / DECLINE_HALF_LIFE) / (variance * dispersion);
    W += w;
    Sx += w * x;
    Sy += w * y;
    Sxx += w * x * x;
    Sxy += w * x * y;
  }
  const mx = Sx / W;
  const my = Sy / W;
  const vxx = Sxx - W * mx * mx;
  const vxy = Sxy - W * mx * my;
  // Ridge: k = 0 ± DECLINE_PRIOR · p̄/Ū.
  const priorSd = (my / mx) * DECLINE_PRIOR;
  const precision = vxx + 1 / (priorSd * priorSd);
  const slope = -vxy / precision;
  if (!Number.isFinite(slope)) return null;
  // Within two standard errors of no decline it is noise: the decision takes the larger of two user counts,
  // and taking the larger of two noisy estimates would add users on every system, not only where latency grows.
  if (slope < 2 / Math.sqrt(precision)) return { slope: 0, meanUsers: mx, meanPerUser: my };
  return { slope, meanUsers: mx, meanPerUser: my };
}

/** Solves a 3×3 linear system (Gaussian elimination with partial pivoting); null when singular. */
function solve3(A: number[][], b: number[]): number[] | null {
  const m = A.map((row, i) => [...row, b[i] as number]);
  for (let col = 0; col < 3; col++) {
    let pivot = col;
    for (let r = col + 1; r < 3; r++) {
      if (Math.abs((m[r] as number[])[col] as number) > Math.abs((m[pivot] as number[])[col] as number))
        pivot = r;
    }
    [m[col], m[pivot]] = [m[pivot] as number[], m[col] as number[]];
    const p = (m[col] as number[])[col] as number;
    if (Math.abs(p) < 1e-12) return null;
    for (let r = 0; r < 3; r++) {
      if (r === col) continue;
      const row = m[r] as number[];
      const factor = (row[col] as number) / p;
      for (let c = col; c < 4; c++)
        row[c] = (row[c] as number) - factor * ((m[col] as number[])[c] as number);
    }
  }
  return m.map((row, i) => (row[3] as number) / (row[i] as number));
}

/** The model's ln-rate at offset d = ln U − ln U_ref; flat beyond the curve's top (never decreasing). */
function logRateAt(m: Model, d: number): number {
  const top = m.curvature < 0 ? -m.elasticity / (2 * m.curvature) : Number.POSITIVE_INFINITY;
  const dd = Math.min(d, top);
  return m.meanLogRate + m.elasticity * dd + m.curvature * dd * dd;
}

function predict(m: Model, users: number): number {
  if (users <= 0) return 0;
  return Math.exp(logRateAt(m, Math.log(users) - m.meanLogUsers));
}

/** Users the model says deliver `rate`; where the curve flattens, the slope is floored so this stays finite. */
function invert(m: Model, rate: number): number {
  if (rate <= 0) return 0;
  const gap = Math.log(rate) - m.meanLogRate;
  const e = Math.max(MIN_INVERSION_ELASTICITY, m.elasticity);
  let d: number;
  if (m.curvature > -1e-6) {
    d = gap / e;
  } else {
    const disc = e * e + 4 * m.curvature * gap;
    // Beyond the curve's top: aim where the slope falls to the floor (the growth rules cap the step).
    d =
      disc > 0
        ? (-e + Math.sqrt(disc)) / (2 * m.curvature)
        : (MIN_INVERSION_ELASTICITY - e) / (2 * m.curvature);
    const slopeThere = e + 2 * m.curvature * d;
    if (slopeThere < MIN_INVERSION_ELASTICITY) {
      // Continue past that point with the floor slope.
      const dFloor = (MIN_INVERSION_ELASTICITY - e) / (2 * m.curvature);
      const reached = e * dFloor + m.curvature * dFloor * dFloor;
      d = dFloor + (gap - reached) / MIN_INVERSION_ELASTICITY;
    }
  }
  return Math.exp(m.meanLogUsers + d);
}

function measure(state: ControllerState, now: Observation, delaySeconds: number): Sample | null {
  const last = state.last;
  if (!last || !now.running) return null;
  if (last.bootId !== now.bootId || last.generation !== now.generation) return null;
  if (now.orders < last.orders || now.requests < last.requests || now.at <= last.at) return null;
  const minutes = (now.at - last.at) / 60_000;
  const shift = delaySeconds * 1000;
  let exposure = userMinutes(state.segments, last.at - shift, now.at - shift);
  if (state.segments.length === 0) exposure = ((last.users + now.users) / 2) * minutes;
  return {
    at: now.at,
    minutes,
    orders: now.orders - last.orders,
    userMinutes: exposure,
    requests: now.requests - last.requests,
    failures: now.failures - last.failures,
    users: usersAt(state.segments, now.at) || now.users,
  };
}

/**
 * Whether the fit was restarted (a change of conversion or a collapse) rather than begun with the run: earlier
 * intervals exist, so its first interval mixes orders from before the change with orders from after it.
 */
function startsAfterRestart(samples: readonly Sample[], history: readonly Sample[]): boolean {
  const first = samples[0];
  return first != null && history.some((h) => h.at < first.at);
}

/** How the interval `s` compares with what the model predicted for its users: ratio and z-score (ln units). */
function surprise(m: Model, s: Sample): { ratio: number; z: number } {
  const ratio = s.orders / s.minutes / predict(m, s.userMinutes / s.minutes);
  const z = Math.log(Math.max(ratio, 1e-6)) / Math.sqrt(m.dispersion * noiseVariance(s) + m.variance);
  return { ratio, z };
}

/** Beyond 4 σ and 10 %: orders per user changed (the conversion), not noise. */
function isChangeOfConversion({ ratio, z }: { ratio: number; z: number }): boolean {
  return Math.abs(z) > 4 && Math.abs(ratio - 1) > 0.1;
}

/** A reading of the same running master and counter generation that went backwards or is not newer. */
function isBadReading(state: ControllerState, now: Observation): boolean {
  const last = state.last;
  return (
    last != null &&
    now.running &&
    last.bootId === now.bootId &&
    last.generation === now.generation &&
    (now.orders < last.orders || now.requests < last.requests || now.at <= last.at)
  );
}

function whyNotComparable(state: ControllerState, now: Observation): string {
  const last = state.last;
  if (!last) return 'no baseline';
  if (last.bootId !== now.bootId) return 'the Locust master restarted';
  if (last.generation !== now.generation) return 'the counters were reset';
  if (!now.running) return 'Locust is not running';
  return 'a counter went down';
}

interface Check {
  readonly strike: Saturation['reason'] | null;
  readonly strong: boolean;
  readonly elasticity: number | null;
  /** Standard error of `elasticity` (from the noise of both intervals). */
  readonly se: number;
  readonly evidence: string;
}

/**
 * Compares the newest interval with the recent earlier ones that had ≥ 10 % fewer users. Failures and the
 * elasticity reported are judged against the latest of them; flat orders against the one that tells most
 * (the lowest upper bound of the elasticity): over two ticks' growth of users the same noise weighs half as
 * much, so a flat top is recognised a tick earlier than from consecutive intervals alone. Earlier ones only
 * count from `regimeStart` on (the fit's last restart): across a change of conversion they would compare
 * different systems.
 */
function saturationCheck(
  history: readonly Sample[],
  s: Sample,
  failureLimit: number,
  dispersion: number,
  regimeStart: number,
): Check {
  const usersNow = s.userMinutes / s.minutes;
  const rateNow = s.orders / s.minutes;
  const failNow = s.requests > 0 ? s.failures / s.requests : 0;
  let latest: { elasticity: number; se: number; evidence: string } | null = null;
  let best: { elasticity: number; bound: number; growth: number; evidence: string } | null = null;
  for (let i = history.length - 1; i >= Math.max(0, history.length - 4); i--) {
    const r = history[i] as Sample;
    const usersRef = r.userMinutes / r.minutes;
    if (r.orders < 20 || s.orders < 20 || usersRef <= 0 || usersNow < usersRef * 1.1) continue;
    const rateRef = r.orders / r.minutes;
    const growth = usersNow / usersRef;
    const elasticity = Math.log(rateNow / rateRef) / Math.log(growth);
    const evidence = `users +${pct(growth - 1)}, orders ${rateNow >= rateRef ? '+' : ''}${pct(rateNow / rateRef - 1)}, failures ${pct(failNow, 1)}`;
    // Only when the shortfall is beyond the noise: the elasticity's standard error from both intervals.
    const se = Math.sqrt(dispersion * (noiseVariance(s) + noiseVariance(r))) / Math.log(growth);
    if (!latest) {
      const failRef = r.requests > 0 ? r.failures / r.requests : 0;
      if (failNow >= failureLimit && failNow > failRef + 0.01) {
        return { strike: 'failures-climb', strong: false, elasticity, se, evidence };
      }
      latest = { elasticity, se, evidence };
    } else if (r.at < regimeStart) {
      break;
    }
    const bound = elasticity + 2 * se;
    if (!best || bound < best.bound) best = { elasticity, bound, growth, evidence };
  }
  if (!latest || !best) return { strike: null, strong: false, elasticity: null, se: 0, evidence: '' };
  if (best.elasticity < FLAT_ELASTICITY && best.bound < 0.5) {
    return {
      strike: 'orders-flat',
      // Alone only when even its upper bound is flat: one noisy interval must not stop the ramp early.
      strong: best.elasticity <= 0.1 && best.growth >= 1.2 && best.bound < FLAT_ELASTICITY,
      elasticity: latest.elasticity,
      se: latest.se,
      evidence: best.evidence,
    };
  }
  return { strike: null, strong: false, ...latest };
}

/**
 * The knee: the highest recent rate, and the fewest users that reached (97 % of) it — more users than that
 * only add latency and failures.
 */
function bestRate(history: readonly Sample[]): { rate: number; users: number } {
  const recent = history.slice(-MAX_HISTORY);
  const rate = Math.max(...recent.map((s) => s.orders / s.minutes));
  const users = Math.min(
    ...recent.filter((s) => s.orders / s.minutes >= 0.97 * rate).map((s) => s.userMinutes / s.minutes),
  );
  return { rate, users: Math.ceil(users) };
}

function pct(x: number, digits = 0): string {
  return `${(x * 100).toFixed(digits)} %`;
}
