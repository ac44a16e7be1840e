/**
 * The ramp controller: from what Locust measured since the last tick, decide
 * how many users to run so that orders per minute follow the planned
 * trajectory (a straight line from zero to the target over the ramp-up, then
 * the target through the plateau). Pure: no I/O, no clock.
 *
 * It estimates one user's order rate (orders per user per minute) from counter
 * deltas pooled over the last few ticks, and sizes users by Little's law: users = rate wanted /
 * rate per user. Ticks whose counters cannot be compared (Locust restarted or
 * reset, counter went backwards, test not running) are skipped, never read as
 * a collapse to zero.
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
  readonly workers: number;
  /** Changes when the Locust master restarts. */
  readonly bootId: string;
  /** Changes when Locust's counters are reset. */
  readonly generation: number;
  readonly running: boolean;
}

/** What the controller carries from one tick to the next. */
export interface ControllerState {
  readonly ordersPerUserPerMinute: number | null;
  /** The last few comparable intervals: the estimate pools them, since one short tick is noisy. */
  readonly window: readonly Interval[];
  readonly last: Pick<
    Observation,
    'at' | 'orders' | 'requests' | 'failures' | 'users' | 'bootId' | 'generation'
  > | null;
  readonly usersSet: number;
  readonly stalledTicks: number;
}

export interface Decision {
  readonly users: number;
  readonly spawnRate: number;
  readonly workersNeeded: number;
  /** Orders per minute the plan asks for at this moment. */
  readonly targetNow: number;
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
  readonly message: string;
  readonly state: ControllerState;
}

/** Orders and user-minutes of one interval between two comparable readings. */
export interface Interval {
  readonly orders: number;
  readonly userMinutes: number;
}

/**
 * Intervals pooled into the per-user estimate. Orders arrive in bursts
 * (workers report every 3 s, users pace their journeys), so one tick alone
 * can read far above or below the truth.
 */
const WINDOW = 3;
/** Never multiply users by more than this in one tick: a bad early estimate must not explode the load. */
const MAX_GROWTH = 3;

export function initialControllerState(): ControllerState {
  return { ordersPerUserPerMinute: null, window: [], last: null, usersSet: 0, stalledTicks: 0 };
}

/** Orders per minute the plan wants `elapsedSeconds` after the load started. */
export function plannedRate(config: ControllerConfig, elapsedSeconds: number): number {
  if (config.rampUpSeconds <= 0 || elapsedSeconds >= config.rampUpSeconds)
    return config.targetOrdersPerMinute;
  return (config.targetOrdersPerMinute * Math.max(0, elapsedSeconds)) / config.rampUpSeconds;
}

/**
 * Decides users and spawn rate for the interval that starts now.
 * `elapsedSeconds` is measured from the start of the load on the tick schedule.
 */
export function decide(
  config: ControllerConfig,
  state: ControllerState,
  observation: Observation | null,
  elapsedSeconds: number,
): Decision {
  const totalSeconds = config.rampUpSeconds + config.plateauSeconds;
  const phase =
    elapsedSeconds >= totalSeconds ? 'done' : elapsedSeconds < config.rampUpSeconds ? 'ramp-up' : 'plateau';
  const measured = observation ? measure(state, observation) : null;

  let estimate = state.ordersPerUserPerMinute;
  let window = state.window;
  let stalledTicks = state.stalledTicks;
  const notes: string[] = [];
  if (measured && measured.averageUsers > 0 && measured.orders > 0) {
    window = [
      ...window,
      { orders: measured.orders, userMinutes: measured.averageUsers * measured.minutes },
    ].slice(-WINDOW);
    const pooled = window.reduce(
      (acc, i) => ({ orders: acc.orders + i.orders, userMinutes: acc.userMinutes + i.userMinutes }),
      {
        orders: 0,
        userMinutes: 0,
      },
    );
    estimate = pooled.orders / pooled.userMinutes;
    stalledTicks = 0;
  } else if (measured && measured.orders === 0 && measured.averageUsers > 0) {
    stalledTicks += 1;
    notes.push(`no orders this tick (${stalledTicks} in a row): holding users`);
  } else if (observation && !measured) {
    notes.push('counters not comparable with the last tick (restart, reset or not running): skipped');
  }

  // Aim at the middle of the coming interval: orders measured at the next tick average over it.
  const targetNow = plannedRate(config, elapsedSeconds);
  const wanted = plannedRate(config, elapsedSeconds + config.tickSeconds / 2);
  const perUser = estimate ?? config.initialOrdersPerUserPerMinute;
  let users = phase === 'done' ? 0 : Math.ceil(wanted / perUser);
  if (stalledTicks > 0) users = Math.max(users, state.usersSet);
  if (state.usersSet > 0) users = Math.min(users, Math.ceil(state.usersSet * MAX_GROWTH) + 1);
  if (users > config.maxUsers) {
    notes.push(`capped at maxUsers ${config.maxUsers}`);
    users = config.maxUsers;
  }
  const change = Math.abs(users - (observation?.users ?? state.usersSet));
  // Reach the new count within half a tick; Locust needs a positive rate.
  const spawnRate = Math.max(1, Math.ceil(change / Math.max(1, config.tickSeconds / 2)));

  const ordersPerMinute = measured?.ratePerMinute ?? null;
  const rateText = ordersPerMinute == null ? 'n/a' : ordersPerMinute.toFixed(1);
  const message = [
    `${phase}: ${rateText} of ${targetNow.toFixed(1)} orders/min planned, ${users} users`,
    ...notes,
  ].join('; ');

  return {
    users,
    spawnRate,
    workersNeeded: Math.max(1, Math.ceil(users / config.usersPerWorker)),
    targetNow,
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
    state: {
      ordersPerUserPerMinute: estimate,
      window,
      last: observation
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
      usersSet: users,
      stalledTicks,
    },
  };
}

interface Measurement {
  readonly orders: number;
  readonly requests: number;
  readonly failures: number;
  readonly minutes: number;
  readonly ratePerMinute: number;
  readonly averageUsers: number;
}

function measure(state: ControllerState, now: Observation): Measurement | null {
  const last = state.last;
  if (!last || !now.running) return null;
  if (last.bootId !== now.bootId || last.generation !== now.generation) return null;
  if (now.orders < last.orders || now.requests < last.requests || now.at <= last.at) return null;
  const minutes = (now.at - last.at) / 60_000;
  const orders = now.orders - last.orders;
  const ratePerMinute = orders / minutes;
  // Users change during the interval (spawning); the mean is a fair exposure.
  const averageUsers = (last.users + now.users) / 2;
  return {
    orders,
    requests: now.requests - last.requests,
    failures: now.failures - last.failures,
    minutes,
    ratePerMinute,
    averageUsers,
  };
}
