/** The ramp controller's inputs, outputs and carried state (small JSON: it travels in the Step Functions state). */

export interface ControllerConfig {
  readonly targetOrdersPerMinute: number;
  readonly rampUpSeconds: number;
  readonly plateauSeconds: number;
  readonly tickSeconds: number;
  /** Prior guess of one user's order rate, used until the first measurement. */
  readonly initialOrdersPerUserPerMinute: number;
  readonly maxUsers: number;
  readonly usersPerWorker: number;
  /** Set when the conductor sizes the Locust worker fleet: users are capped by the connected workers. */
  readonly fleet?: { readonly minWorkers: number; readonly maxWorkers: number } | null;
  /** Seconds from a user's spawn to its first order (its journey). Default 3. */
  readonly orderDelaySeconds?: number;
  /** How far the master's counters lag the orders (worker reports every 3 s). Default 2. */
  readonly statsLagSeconds?: number;
  /** Failure ratio of an interval that confirms a suspected saturation (users held meanwhile). Default 0.05. */
  readonly saturationFailureRatio?: number;
  /**
   * Every user runs a journey that counts the KPI, so the requests measure the ordering users' pace, which a knee
   * slows and a change of conversion does not (saturation.ts). Default false: in a mix, users who never order
   * may keep the requests growing past a knee of the order path.
   */
  readonly everyUserOrders?: boolean;
}

/** One reading of Locust, taken at a tick. */
export interface Observation {
  /** Epoch milliseconds of the reading. */
  readonly at: number;
  /** Orders placed since the counters' generation began. */
  readonly orders: number;
  /**
   * Orders completed before epoch ms `at` that every worker has reported: the counter without the staircase of
   * the workers' 3-s reports (absent when Locust cannot say).
   */
  readonly settled?: SettledOrders | null;
  /** Requests and failures (all request names) since the generation began. */
  readonly requests: number;
  readonly failures: number;
  /** Users Locust reports running. */
  readonly users: number;
  /** Workers connected to the master. */
  readonly workers: number;
  /** CPU usage (%) of each connected worker, when Locust reports it. */
  readonly workerCpuPercent?: readonly number[];
  /** Changes when the Locust master restarts. */
  readonly bootId: string;
  /** Changes when Locust's counters are reset. */
  readonly generation: number;
  readonly running: boolean;
}

export interface SettledOrders {
  readonly at: number;
  readonly orders: number;
}

/** The reading an interval is measured from. */
export type Baseline = Pick<
  Observation,
  'at' | 'orders' | 'settled' | 'requests' | 'failures' | 'users' | 'bootId' | 'generation'
>;

/** A point of the users Locust ran (epoch ms): reported at readings, interpolated along the spawn between. */
export interface UsersKnot {
  readonly at: number;
  readonly users: number;
}

/** The last command given to Locust, from `at` on. */
export interface Command {
  readonly at: number;
  readonly users: number;
  /** Users per second. */
  readonly rate: number;
}

/** Evidence of the spawn gain: users moved and users the commanded rate allowed, over recent intervals. */
export interface SpawnGain {
  readonly moved: number;
  readonly allowed: number;
}
/** One measured interval between two comparable readings. */
export interface Sample {
  /** End of the interval (epoch ms). */
  readonly at: number;
  readonly minutes: number;
  readonly orders: number;
  /** User-minutes that placed these orders (users Locust ran, shifted by the order delay). */
  readonly userMinutes: number;
  readonly requests: number;
  readonly failures: number;
  /** Users Locust reported at the end of the interval. */
  readonly users: number;
  /** Highest CPU (%) of the connected workers at the end of the interval (null: not reported). */
  readonly workerCpuPercent: number | null;
}

/** θ = [a, k] of `U/X = a + k·U` with its covariance and the counts' overdispersion. */
export interface Estimate {
  /** Minutes of one user per order at no load (1 / orders per user and minute). */
  readonly a: number;
  /** Growth of that cycle per user (1/k is the capacity, orders/min). */
  readonly k: number;
  /** Covariance [Paa, Pak, Pkk]. */
  readonly P: readonly [number, number, number];
  /**
   * Variance of k before any measurement: the slope's bend never makes it less known than that (absent in
   * states written before it: no bound).
   */
  readonly slopePriorVariance?: number;
  /** Noise of the counts relative to Poisson (≥ 1). */
  readonly dispersion: number;
  /**
   * The last normalised innovation learnt as noise, at unit dispersion (null after one that was not; absent in
   * states written before it): the next one's difference from it measures the noise.
   */
  readonly lastZ?: number | null;
  /** Epoch ms and users (Ū) of the last update: process noise grows with the time and the users moved since. */
  readonly at: number;
  readonly users: number;
}

/** What the controller found out about the system's saturation. */
export interface Saturation {
  /** Orders per minute the system delivered at most. */
  readonly ordersPerMinute: number;
  /** Users held (those that reached that rate). */
  readonly users: number;
  readonly reason: 'orders-flat' | 'failures-climb' | 'generators-busy';
  /** Which side is the limit: the system under test or the load generators (their CPU). */
  readonly limitedBy: 'system' | 'load-generators';
  /** What was seen, e.g. "capacity ≤ 2,104 orders/min (95 %), plan 2,400". */
  readonly evidence: string;
  /** Tick at which it was confirmed. */
  readonly sinceTick: number;
}

/** An interval as the saturation check compares it with the next. */
export interface Recent {
  /** Mean users over the interval (its exposure / its length). */
  readonly users: number;
  readonly orders: number;
  readonly minutes: number;
  readonly failureRatio: number;
  /** Taken into the estimate as it came (no surprise): it cannot straddle a change. */
  readonly clean: boolean;
  /** Requests counted in it (absent in a state written before refusals were read). */
  readonly requests?: number;
  /** Orders were refused in it (past a quota): its failures are not the system's background. */
  readonly refused?: boolean;
}

export type SaturationPhase = 'ramping' | 'suspected' | 'saturated' | 'probing';

export interface ControllerState {
  readonly version: 3;
  /** Ticks decided so far (0 before the first decision). */
  readonly tick: number;
  /** The last comparable reading: the baseline of the next interval. */
  readonly last: Baseline | null;
  /** Bad readings (a counter went down) ignored in a row. */
  readonly badReadings: number;
  readonly path: readonly UsersKnot[];
  readonly command: Command | null;
  /** How Locust's users followed the commanded spawn (absent in states written before it was modelled). */
  readonly spawn?: SpawnGain;
  readonly estimate: Estimate | null;
  /** A surprising interval held back from the estimate until the next one says whether the change lasted. */
  readonly pending: Sample | null;
  /** The last interval's innovation (σ) when it was beyond CHANGE_Z yet taken as noise (absent: none). */
  readonly unusual?: number | null;
  /** The last few intervals' users and orders per minute (the knee held on saturation). */
  readonly recent: readonly Recent[];
  /** Comparisons in a row, while suspected, where orders did not follow users. */
  readonly strikes: number;
  readonly phase: SaturationPhase;
  readonly phaseSince: number;
  readonly saturation: Saturation | null;
  readonly usersSet: number;
  /** Intervals in a row without orders (or collapsed far below the estimate). */
  readonly stalledTicks: number;
}

export interface Decision {
  readonly users: number;
  /** Users per second, cluster-wide (> 0, as Locust requires). */
  readonly spawnRate: number;
  /** Workers to ask for now: enough for this tick's users and the next tick's. */
  readonly workersNeeded: number;
  /** Orders per minute the plan asks for at this moment. */
  readonly targetNow: number;
  /** What the model says the chosen users deliver (orders/min). */
  readonly expectedOrdersPerMinute: number;
  /** Measured since the previous tick; null when it could not be measured. */
  readonly ordersPerMinute: number | null;
  /** The estimate of one user's orders per minute at the chosen users (null until measured). */
  readonly ordersPerUserPerMinute: number | null;
  /** d ln(orders) / d ln(users) at the chosen users: 1 linear, 0 saturated. */
  readonly elasticity: number;
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
  /** Highest CPU (%) of the workers when the interval was read (null: not reported or not measured). */
  readonly workerCpuPercent: number | null;
  readonly state: ControllerState;
}
