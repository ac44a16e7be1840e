/**
 * The ramp controller: from what Locust measured since the last tick, decide how many users to run (how fast to
 * spawn them, how many workers they need) so that the orders per minute follow the plan — a line from zero to
 * the target over the ramp-up, then the target. Pure; its state is small JSON. One tick:
 * measure (measurement.ts) → estimate (estimator.ts) → saturation (saturation.ts) → feed-forward
 * (feedforward.ts) → limits (limits.ts). docs/ramp-controller.md follows one tick through it.
 */
import { percent } from '../numbers';
import { NO_SPAWN_EVIDENCE, observeSpawn, spawnGain } from './actuator';
import { CHANGE_Z, innovation, priorEstimate, reanchor, SURPRISE_Z, update } from './estimator';
import { DEFAULT_ORDER_DELAY_SECONDS, plannedRate, spawnRate, usersAhead } from './feedforward';
import { applyLimits, growthCap, workersNeeded } from './limits';
import { type CountedInterval, extendPath, measure } from './measurement';
import { elasticity, failureBackground, ordersPerMinute, refusedOrders } from './model';
import { GENERATORS_CPU_PERCENT, nextSaturation, ordersHeld, probeDue, probeUsers } from './saturation';
import type {
  Baseline,
  ControllerConfig,
  ControllerState,
  Decision,
  Estimate,
  Observation,
  Recent,
  Sample,
  Saturation,
  UsersKnot,
} from './types';

export const DEFAULT_STATS_LAG_SECONDS = 2;
export const DEFAULT_SATURATION_FAILURE_RATIO = 0.05;
const RECENT = 6;

export function initialControllerState(): ControllerState {
  return {
    version: 3,
    tick: 0,
    last: null,
    badReadings: 0,
    path: [],
    command: null,
    estimate: null,
    pending: null,
    recent: [],
    strikes: 0,
    phase: 'ramping',
    phaseSince: 0,
    saturation: null,
    usersSet: 0,
    stalledTicks: 0,
  };
}

/** Decides users and spawn rate for the interval that starts now (`observation` is null only at the start). */
export function decide(
  config: ControllerConfig,
  stored: ControllerState | ControllerStateV2,
  observation: Observation | null,
  elapsedSeconds: number,
): Decision {
  const state = migrate(stored);
  const tick = state.tick + 1;
  const T = config.tickSeconds;
  const J = config.orderDelaySeconds ?? DEFAULT_ORDER_DELAY_SECONDS;
  const D = J + (config.statsLagSeconds ?? DEFAULT_STATS_LAG_SECONDS);
  const phase: Decision['phase'] =
    elapsedSeconds >= config.rampUpSeconds + config.plateauSeconds
      ? 'done'
      : elapsedSeconds < config.rampUpSeconds
        ? 'ramp-up'
        : 'plateau';
  const notes: string[] = [];
  let estimate =
    state.estimate ??
    priorEstimate(config.initialOrdersPerUserPerMinute, config.targetOrdersPerMinute, observation?.at ?? 0);
  let { pending, recent, stalledTicks, badReadings, path, last } = state;
  // A state written before `unusual` was kept carries only its held-back interval.
  let unusual = state.unusual ?? (pending ? innovation(estimate, pending).z : null);
  let spawn = state.spawn ?? NO_SPAWN_EVIDENCE;
  let measured: Sample | null = null;
  /** What Locust counted this tick: the sample, or a stall's interval (no orders, yet requests and failures). */
  let counted: CountedInterval | null = null;
  let taken: Sample | null = null;
  let hold = false;
  /** Fewer orders than expected as users grew, held back: grow by no more than a probe's step until it is told. */
  let cautious = false;
  /** Mean users of this tick's interval when orders were refused in it (past a quota), else null. */
  let refusedBy: number | null = null;
  const inRamp = elapsedSeconds < config.rampUpSeconds;

  // ---- 1. Measure; 2. estimate.
  if (observation) {
    const before = path.at(-1);
    // The users moved at the commanded rate times the gain known before this interval.
    const followed = state.command ? { ...state.command, rate: state.command.rate * spawnGain(spawn) } : null;
    path = extendPath(path, followed, observation, observation.at - (2 * T + D + 60) * 1000);
    if (before && state.command)
      spawn = observeSpawn(
        spawn,
        state.command,
        before.users,
        observation.users,
        (observation.at - Math.max(before.at, state.command.at)) / 1000,
      );
    const m = measure(
      state.last,
      observation,
      path,
      { orderMs: J * 1000, statsLagMs: (D - J) * 1000 },
      state.badReadings,
    );
    if (m.kind === 'rejected') {
      badReadings = m.reason === 'bad reading' ? badReadings + 1 : 0;
      if (m.rebase) last = baselineOf(observation);
      if (m.reason === 'stall') {
        counted = m.interval ?? null;
        stalledTicks += 1;
        hold = true;
        notes.push(`stalled: no orders this tick (${stalledTicks} in a row), holding users`);
      } else if (m.reason === 'no exposure') {
        notes.push(`interval not measured (${m.text}): new baseline`);
      } else if (state.last) {
        notes.push(
          m.rebase
            ? `counters not comparable with the last reading (${m.text}): new baseline`
            : `reading ignored (${m.text}): baseline kept until the next reading`,
        );
      }
    } else {
      const s = m.sample;
      measured = s;
      counted = s;
      badReadings = 0;
      last = baselineOf(observation);
      const grew = recent.length > 0 && s.userMinutes / s.minutes >= 1.05 * (recent.at(-1) as Recent).users;
      const inn = innovation(estimate, s);
      // Orders held while users grew, as the suspected saturation predicts: fewer than the line says is evidence
      // for it, taken and compared, not held back as a change of conversion (past a knee's peak each probe
      // otherwise reads as one).
      const heldAsSuspected =
        state.phase === 'suspected' && grew && ordersHeld(recent.at(-1), s, estimate.dispersion);
      const surprise = Math.abs(inn.z) > SURPRISE_Z && !(inn.nu > 0 && heldAsSuspected);
      const ratio = (inn.y - inn.nu) / inn.y; // measured orders / predicted
      stalledTicks = 0;
      // Off beyond CHANGE_Z the same way as the interval before (held back as a surprise, or taken as noise):
      // a change of conversion that lasted. This interval is past it (the one before may straddle it), so it
      // measures the new conversion. Counting noise does that twice in a row once in ~6,000 ticks.
      const lasted = unusual != null && Math.sign(unusual) === Math.sign(inn.z) && Math.abs(inn.z) > CHANGE_Z;
      if (lasted) {
        estimate = update(estimate, s, 'conversion');
        pending = null;
        unusual = null;
        taken = s;
        notes.push(`orders per user changed by ${percent(ratio - 1, 0, true)}: estimate moved`);
      } else if (surprise) {
        pending = s;
        unusual = inn.z;
        cautious = inn.nu > 0 && grew;
        notes.push(
          `orders per user off by ${percent(ratio - 1, 0, true)} (${inn.z.toFixed(1)} σ): held back until the next tick`,
        );
      } else {
        if (pending) notes.push('the change of orders per user did not last: estimate from before it kept');
        estimate = update(estimate, s);
        unusual = Math.abs(inn.z) > CHANGE_Z ? inn.z : null;
        pending = null;
        taken = s;
      }
      const failureRatio = s.requests > 0 ? s.failures / s.requests : 0;
      const background = failureBackground(recent);
      const refused = background != null && refusedOrders(s.failures, s.requests, background) > 0;
      if (refused) refusedBy = s.userMinutes / s.minutes;
      const entry = {
        users: s.userMinutes / s.minutes,
        orders: s.orders,
        minutes: s.minutes,
        failureRatio,
        requests: s.requests,
        // Not held back: it cannot straddle a change of conversion.
        clean: taken === s,
        refused,
      };
      // A confirmed change of conversion straddles the interval before: no comparison across it tells the shape
      // — unless the orders held as the suspected saturation predicts.
      const straddled = lasted && !heldAsSuspected;
      recent = [...(straddled ? withLastUnclean(recent) : recent), entry].slice(-RECENT);
    }
  }
  // ---- 3. Saturation.
  const beyondReach = usersAhead(
    config,
    pending ? update(estimate, pending, 'conversion') : estimate,
    elapsedSeconds,
    refusedBy,
  ).beyondReach;
  const aim = plannedRate(config, elapsedSeconds + T + J);
  const cpu = measured?.workerCpuPercent ?? null;
  const generatorsBusy = cpu != null && cpu >= GENERATORS_CPU_PERCENT;
  const failureLimit = config.saturationFailureRatio ?? DEFAULT_SATURATION_FAILURE_RATIO;
  const fleetFull = !config.fleet || (observation?.workers ?? 0) >= config.fleet.maxWorkers;
  const sat = nextSaturation({
    tick,
    phase: state.phase,
    since: state.phaseSince,
    strikes: state.strikes,
    saturation: state.saturation,
    estimate,
    recent,
    measured: measured != null,
    aim,
    failureLimit,
    suspicious: beyondReach,
    refused: refusedBy != null,
    generatorsAtLimit: generatorsBusy && fleetFull,
    everyUserOrders: config.everyUserOrders ?? false,
  });
  if (sat.note) notes.push(sat.note);
  // A refuted knee: the slope is learnt again (the line turned around where it was measured).
  if (sat.refuted != null) estimate = reanchor(estimate, sat.refuted);
  let satPhase = sat.phase;
  const saturation = sat.saturation;
  // The decision follows a held-back change at once; the estimate carried takes it only once confirmed.
  const model = pending ? update(estimate, pending, 'conversion') : estimate;
  const ahead = usersAhead(config, model, elapsedSeconds, refusedBy);

  // ---- 4. Feed-forward; 5. limits.
  const current = observation?.users ?? 0;
  let users = ahead.users;
  const raw = users;
  if (hold) users = Math.max(1, state.usersSet);
  else if (satPhase === 'suspected' && phase !== 'done' && (ahead.beyondReach || users > state.usersSet)) {
    // A probe's step tests the suspicion; it never asks for more than the model needs within its reach.
    // Orders refused (failures beyond their background): more users would only add refusals, and whether the
    // refusals persist is the test, at the users set. The plan delivered: nothing to test, those users are held.
    const delivered = refusedBy == null && measured != null && measured.orders / measured.minutes >= aim;
    const probe =
      refusedBy != null || delivered ? Math.max(1, state.usersSet) : probeUsers(Math.max(1, state.usersSet));
    users = ahead.beyondReach ? probe : Math.min(users, probe);
    notes.push(
      delivered
        ? `the plan delivered at ${users} users: held while a saturation is suspected`
        : `testing the suspected saturation with ${users} users`,
    );
  } else if (saturation) {
    // Held at the knee (the model's slope there is what saturation means, not a reason to go lower).
    users = saturation.users;
    if (
      probeDue(satPhase, sat.since, tick) &&
      plannedRate(config, elapsedSeconds) > saturation.ordersPerMinute
    ) {
      users = probeUsers(saturation.users);
      satPhase = 'probing';
      notes.push(`probing saturation with ${users} users`);
    }
  } else if (state.tick > 0) {
    // The model's reach near its capacity limits growth, never takes users below those set (whole users: Locust
    // refuses a fraction).
    users = Math.max(users, Math.min(Math.ceil(ahead.needed), state.usersSet));
    if (cautious) users = Math.min(users, probeUsers(Math.max(1, state.usersSet)));
  }
  const limited = applyLimits({
    config,
    users,
    current,
    usersSet: state.usersSet,
    firstTick: state.tick === 0,
    workers: observation?.workers ?? null,
    workerCpuPercent: cpu,
  });
  notes.push(...limited.notes);
  users = phase === 'done' ? 0 : limited.users;
  if (raw !== users && notes.length === 0 && phase !== 'done') notes.push(`model asked for ${raw} users`);
  // The next tick's users as its growth guard will let them be: a noisy reading must not size the fleet for users
  // no tick can ask for.
  const next = Math.min(
    config.maxUsers,
    growthCap(users),
    usersAhead(config, model, elapsedSeconds + T, refusedBy).users,
  );
  const fleet = workersNeeded(
    config,
    users,
    phase === 'done' ? 0 : saturation ? users : next,
    observation?.workers ?? null,
    limited.generatorsBusy,
  );
  if (fleet.note) notes.push(fleet.note);
  // A saturation's hold and probes are steps, each interval measured at the users it tests (spread over a tick, a
  // probe's mean step is half of it); while ramping or suspected, users follow a line from tick to tick.
  const alongRamp = inRamp && (satPhase === 'ramping' || satPhase === 'suspected');
  const rate = spawnRate(config, current, users, alongRamp, spawnGain(spawn));

  const perUser = 1 / (model.a + Math.max(0, model.k) * Math.max(users, 1));
  const e = elasticity(model, users);
  const rateText = measured ? (measured.orders / measured.minutes).toFixed(1) : 'n/a';
  const targetNow = plannedRate(config, elapsedSeconds);
  const assumed = state.estimate == null && taken == null ? ' assumed' : '';
  const head =
    phase === 'done'
      ? `done: ${rateText} orders/min in the last tick`
      : `${phase}: ${rateText} of ${targetNow.toFixed(1)} orders/min planned; ${users} users (${perUser.toFixed(2)} orders/user/min${assumed}${e < 0.95 ? `, elasticity ${e.toFixed(2)}` : ''})`;
  const satText = saturation
    ? `target unreachable: saturated at ${Math.round(saturation.ordersPerMinute)} orders/min with ${saturation.users} users, limited by ${saturation.limitedBy === 'system' ? 'the system under test' : 'the load generators (their CPU)'} (${saturation.evidence})`
    : null;
  const command = observation ? { at: observation.at, users, rate } : state.command;
  return {
    users,
    spawnRate: rate,
    workersNeeded: fleet.workers,
    targetNow,
    expectedOrdersPerMinute: phase === 'done' ? 0 : ordersPerMinute(model, users),
    ordersPerMinute: counted ? counted.orders / counted.minutes : null,
    ordersPerUserPerMinute: assumed ? null : perUser,
    elasticity: e,
    delta: counted
      ? {
          orders: counted.orders,
          requests: counted.requests,
          failures: counted.failures,
          minutes: counted.minutes,
        }
      : { orders: 0, requests: 0, failures: 0, minutes: 0 },
    phase,
    message: [satText, head, ...notes].filter(Boolean).join('; '),
    notes,
    saturation,
    workerCpuPercent: cpu,
    state: {
      version: 3,
      tick,
      last,
      badReadings,
      path,
      command,
      spawn,
      estimate: state.estimate == null && taken == null && !pending ? null : estimate,
      pending,
      unusual,
      recent,
      phase: satPhase,
      phaseSince: satPhase === sat.phase ? sat.since : tick,
      strikes: sat.strikes,
      saturation,
      usersSet: users,
      stalledTicks,
    },
  };
}

/** Records the very first command (start of the load): the users spawn from zero at `at`. */
export function startTrajectory(
  state: ControllerState,
  at: number,
  users: number,
  rate: number,
): ControllerState {
  return { ...state, path: [{ at, users: 0 }], command: { at, users, rate } };
}

/** When a tick could not apply the decision as decided (e.g. fewer workers): what Locust was really told. */
export function appliedUsers(state: ControllerState, users: number): ControllerState {
  return { ...state, usersSet: users, command: state.command ? { ...state.command, users } : null };
}

/** The intervals with the newest marked as straddling a change of conversion (compared with none). */
function withLastUnclean(recent: readonly Recent[]): Recent[] {
  return recent.map((r, i) => (i === recent.length - 1 ? { ...r, clean: false } : r));
}

function baselineOf(o: Observation): Baseline {
  const { at, orders, settled, requests, failures, users, bootId, generation } = o;
  return { at, orders, ...(settled ? { settled } : {}), requests, failures, users, bootId, generation };
}

/** The state version 2 (the controller before this one) wrote: what a run in flight carries. */
export interface ControllerStateV2 {
  readonly version: 2;
  readonly tick: number;
  readonly last: Baseline | null;
  readonly segments: readonly { at: number; from: number; to: number; rate: number }[];
  readonly history: readonly Pick<Sample, 'minutes' | 'orders' | 'userMinutes' | 'requests' | 'failures'>[];
  readonly ordersPerUserPerMinute: number | null;
  readonly referenceUsers: number | null;
  readonly elasticity: number;
  readonly dispersion?: number;
  readonly usersSet: number;
  readonly stalledTicks: number;
  readonly saturation: Omit<Saturation, 'limitedBy'> | null;
  readonly probeUsers: number | null;
  readonly ignoredReading?: boolean;
}

/**
 * Carries a version-2 state on: its commanded segments become the users' path, its local power law
 * X ∝ U^e at U₀ becomes the tangent line of U/X there (a = e·y₀, k = (1 − e)·y₀/U₀), with a loose covariance.
 */
export function migrate(state: ControllerState | ControllerStateV2): ControllerState {
  if (state.version === 3) return state;
  const path: UsersKnot[] = [];
  for (const s of state.segments) {
    path.push({ at: s.at, users: s.from });
    if (s.rate > 0) path.push({ at: s.at + (Math.abs(s.to - s.from) / s.rate) * 1000, users: s.to });
  }
  const ordered = path.filter((k, i) => i === 0 || k.at > (path[i - 1] as UsersKnot).at);
  const lastSegment = state.segments.at(-1);
  let estimate: Estimate | null = null;
  if (state.ordersPerUserPerMinute && state.referenceUsers) {
    const y0 = 1 / state.ordersPerUserPerMinute;
    const U0 = state.referenceUsers;
    const e = Math.min(1, Math.max(0, state.elasticity));
    estimate = {
      a: e * y0,
      k: ((1 - e) * y0) / U0,
      P: [(0.1 * y0) ** 2, 0, ((0.3 * y0) / U0) ** 2],
      dispersion: state.dispersion ?? 1,
      at: state.last?.at ?? 0,
      users: U0,
    };
  }
  const saturation = state.saturation ? { ...state.saturation, limitedBy: 'system' as const } : null;
  return {
    ...initialControllerState(),
    tick: state.tick,
    last: state.last,
    badReadings: state.ignoredReading ? 1 : 0,
    path: ordered,
    command: lastSegment ? { at: lastSegment.at, users: lastSegment.to, rate: lastSegment.rate } : null,
    estimate,
    recent: state.history.map((h) => ({
      users: h.userMinutes / h.minutes,
      orders: h.orders,
      minutes: h.minutes,
      failureRatio: h.requests > 0 ? h.failures / h.requests : 0,
      clean: true,
    })),
    phase: saturation ? (state.probeUsers != null ? 'probing' : 'saturated') : 'ramping',
    phaseSince: saturation?.sinceTick ?? 0,
    saturation,
    usersSet: state.usersSet,
    stalledTicks: state.stalledTicks,
  };
}
