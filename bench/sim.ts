/**
 * A simulated system under test driven by a simulated distributed Locust, for the ramp benchmark and the
 * controller's property tests. Deterministic for a seed. Time advances in steps of {@link DT} seconds.
 *
 * Locust: the master dispatches users at the spawn rate to the live worker with the fewest (and stops the newest
 * first); a new user places its first order after its journey; workers report their counters and user
 * counts to the master every `reportSeconds` (each at its own phase), so the master's counters are a staircase
 * that lags the orders, and its user count is what the workers really run; each worker's heartbeat (every
 * second) carries its CPU usage, which grows with its users; a stats reset zeroes the counters and bumps the
 * KPI route's generation; a master restart changes the bootId, stops every user and zeroes the counters.
 *
 * System: each productive user runs journeys back to back with a think time; the order rate follows from the
 * journey's response time, which grows with the load in a queueing system (`R = R₀ / (1 − ρ)`, solved as a
 * fixed point each step) or with contention (the universal scalability law); past its capacity a system fails
 * the orders it cannot take. Orders are drawn from a Poisson process (in clumps for the noisy system) around
 * that expected rate.
 *
 * Disturbances in time (conversion changes, warm-up, stop-the-world pauses, a lost or a late worker, spawns
 * slower or faster than commanded, the workers' CPU) are named {@link SystemSpec} fields; docs/ramp-bench-systems.md
 * says what each simulates and why.
 *
 * The figures the benchmark reports are computed from the *expected* delivered rate (the intensity), which
 * is what the controller steers; the controller only ever sees the master's staircase counters.
 */

import type { Observation, SettledOrders } from '../lambdas/core/ramp-controller';

export const DT = 0.5;

/** Locust workers in the simulated cluster. */
export const WORKERS = 4;

/** The most users the benchmark lets a controller run (its `maxUsers`): a system's capacity is sought up to it. */
export const MAX_USERS = 20_000;

/** From `atSeconds` (s after the load started) on, the conversion is multiplied by `factor` (changes compound). */
export interface ConversionChange {
  readonly atSeconds: number;
  readonly factor: number;
}

/**
 * A system that starts cold (caches, JIT, instances still being added) and warms up: its speed is
 * `1 − (1 − initialShare)·e^(−t/seconds)` of the warm system's, dividing the idle journey time and multiplying
 * the capacity.
 */
export interface WarmUp {
  /** Speed at the start of the load, as a share of the warm speed (0–1). */
  readonly initialShare: number;
  /** Time constant of the warm-up (s). */
  readonly seconds: number;
}

/**
 * Throughput that flattens, then falls, with the users (Gunther's universal scalability law): journeys per user
 * are divided by `1 + σ(N − 1) + κN(N − 1)` with N users. A soft knee, no failures.
 */
export interface Scalability {
  /** σ: share of the work serialised (lock contention), per user (dimensionless). */
  readonly contention: number;
  /** κ: cost of keeping users' shared state coherent, per pair of users (dimensionless). */
  readonly coherence: number;
}

/** Stop-the-world pauses (e.g. a full garbage collection): no journey completes, then the held ones complete at once. */
export interface Pauses {
  /** Start of the first pause (s after the load started). */
  readonly firstAtSeconds: number;
  /** Period of the pauses (s). */
  readonly everySeconds: number;
  /** Length of each pause (s). */
  readonly durationSeconds: number;
}

/**
 * A worker that dies (its users and its counts not yet reported are gone) and comes back. The master counts it
 * missing {@link MISSING_AFTER_SECONDS} later; as the conductor's master runs without `--enable-rebalancing`,
 * the lost users are dispatched to the other workers only on the next `/swarm`; when the worker is back, the
 * conductor's plugin redistributes the users once the master is not spawning (locust/conductor_plugin.py).
 */
export interface LostWorker {
  /** Index of the worker (0 … {@link WORKERS} − 1). */
  readonly worker: number;
  /** When it dies (s after the load started). */
  readonly atSeconds: number;
  /** When it connects again (s after the load started). */
  readonly backAtSeconds: number;
}

/** A worker too loaded to start its users on time: each user dispatched to it starts `delaySeconds` late. */
export interface LateWorker {
  /** Index of the worker (0 … {@link WORKERS} − 1). */
  readonly worker: number;
  /** Delay between the dispatch of a user and its start (s). */
  readonly delaySeconds: number;
}

/**
 * A Locust worker's CPU (one process, one core): `basePercent + percentPerUser × its users`. Above 100 % the
 * process cannot keep up: its users' journeys (think times included) stretch by demand/100, and its heartbeat
 * reports ~100 %.
 */
export interface GeneratorCpu {
  /** CPU of an idle worker (%). */
  readonly basePercent: number;
  /** CPU per running user (%). */
  readonly percentPerUser: number;
}

export interface SystemSpec {
  readonly name: string;
  readonly description: string;
  /** Seconds a user thinks between journeys. */
  readonly thinkSeconds: number;
  /** Response time of a whole journey when the system is idle (s). */
  readonly journeySeconds: number;
  /** Share of journeys that end in an order. */
  readonly conversion: number;
  /** Orders per minute the system can take at most; journeys' response time grows as load nears it. */
  readonly capacity?: number;
  /** Whether latency grows with load (queueing); otherwise the rate per user is constant below capacity. */
  readonly queueing?: boolean;
  /** Changes of the conversion during the test, in time order. */
  readonly conversionChanges?: readonly ConversionChange[];
  /** Speed that grows over the first minutes; none: warm from the start. */
  readonly warmUp?: WarmUp;
  /** Contention and coherence costs that bend the throughput (a soft knee); none: users do not interfere. */
  readonly scalability?: Scalability;
  /** Periodic stop-the-world pauses. */
  readonly pauses?: Pauses;
  /** Mean number of orders per clump (1 = plain Poisson). */
  readonly clump?: number;
  /** Slow multiplicative drift of the rate: AR(1) with this standard deviation… */
  readonly drift?: number;
  /** …and this correlation time (s). Default 300. */
  readonly driftSeconds?: number;
  /** Worker report interval (s). Default 3. */
  readonly reportSeconds?: number;
  /** Extra delay before a report is visible on the master (s). Default 0.5. */
  readonly extraLagSeconds?: number;
  /** Users really spawn (and stop) at the commanded spawn rate × this. Default 1. */
  readonly spawnRateFactor?: number;
  /** A worker that starts its users late. */
  readonly lateWorker?: LateWorker;
  /** A worker lost for a while. */
  readonly lostWorker?: LostWorker;
  /** The workers' CPU. Default {@link DEFAULT_GENERATOR_CPU}. */
  readonly generatorCpu?: GeneratorCpu;
  /** Times (s) of `GET /stats/reset`. */
  readonly resets?: readonly number[];
  /** Times (s) of a master restart. */
  readonly restarts?: readonly number[];
  /** [from, to) seconds during which no order goes through (e.g. the payment mock is down). */
  readonly outage?: readonly [number, number];
  /** Share of requests that fail whatever the load (background errors: timeouts, a flaky page). */
  readonly errorRatio?: number;
  /**
   * [from, to) seconds the plateau figures leave out: the tick an outage or a step change happens in, which
   * no controller can foresee (how fast it recovers after is what is measured).
   */
  readonly unforeseeable?: readonly [number, number];
}

export interface Command {
  readonly users: number;
  readonly spawnRate: number;
}

/**
 * What the simulated Locust master reports (`/conductor/kpi` and `/stats/requests`): the controller's
 * observation, with `users` as the workers last reported them (not as commanded), and each connected worker's
 * CPU usage at its last heartbeat (%), as `/stats/requests` `workers[].cpu_usage`.
 */
export interface Reading extends Observation {
  readonly workerCpuPercent: readonly number[];
}

/**
 * A Locust worker running HttpUsers with a think time of ~15 s: ~0.3 requests per second per user at a few
 * milliseconds of CPU each.
 */
export const DEFAULT_GENERATOR_CPU: GeneratorCpu = { basePercent: 2, percentPerUser: 0.1 };

const REQUESTS_PER_JOURNEY = 6;
/** Locust's heartbeat interval (s); each heartbeat carries the worker's CPU usage. */
const HEARTBEAT_SECONDS = 1;
/** Locust's HEARTBEAT_LIVENESS (3 heartbeats): a worker silent this long is counted missing (s). */
const MISSING_AFTER_SECONDS = 3;
/** Relative noise of one CPU reading (1 σ). */
const CPU_NOISE = 0.03;

/** Mulberry32: small, fast, good enough for a simulation. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function poisson(lambda: number, random: () => number): number {
  if (lambda <= 0) return 0;
  if (lambda > 50) {
    // Normal approximation (Box–Muller).
    const u = Math.max(1e-12, random());
    const v = random();
    return Math.max(
      0,
      Math.round(lambda + Math.sqrt(lambda) * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)),
    );
  }
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= random();
  } while (p > l);
  return k - 1;
}

function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(Math.max(1e-12, random()))) * Math.cos(2 * Math.PI * random());
}

/** Product of the conversion changes in effect `t` seconds after the load started. */
function conversionFactor(spec: SystemSpec, t: number): number {
  let factor = 1;
  for (const change of spec.conversionChanges ?? []) if (t >= change.atSeconds) factor *= change.factor;
  return factor;
}

/** The system's speed `t` seconds after the load started, as a share of its warm speed. */
function warmUpSpeed(spec: SystemSpec, t: number): number {
  if (!spec.warmUp) return 1;
  return 1 - (1 - spec.warmUp.initialShare) * Math.exp(-Math.max(0, t) / spec.warmUp.seconds);
}

/** Whether a stop-the-world pause holds the system `t` seconds after the load started. */
export function pausedAt(spec: SystemSpec, t: number): boolean {
  const p = spec.pauses;
  if (!p || t < p.firstAtSeconds) return false;
  return (t - p.firstAtSeconds) % p.everySeconds < p.durationSeconds;
}

/** A worker's CPU demand (%) with `users` running: may exceed 100, which slows its users. */
function cpuDemandPercent(spec: SystemSpec, users: number): number {
  const cpu = spec.generatorCpu ?? DEFAULT_GENERATOR_CPU;
  return cpu.basePercent + cpu.percentPerUser * users;
}

/** Share of their normal pace a worker's users keep at `demand` % CPU. */
function cpuPace(demand: number): number {
  return demand > 100 ? 100 / demand : 1;
}

/**
 * Journeys per minute of `users` productive users (fractional: users slowed by their worker's CPU count in
 * part), and the share of orders that fail, at `speed` of the warm system.
 */
function throughput(
  spec: SystemSpec,
  users: number,
  conversion: number,
  speed: number,
): { journeysPerMinute: number; failed: number } {
  if (users === 0) return { journeysPerMinute: 0, failed: 0 };
  const journeySeconds = spec.journeySeconds / speed;
  const sc = spec.scalability;
  const interference = sc ? 1 + sc.contention * (users - 1) + sc.coherence * users * (users - 1) : 1;
  const idle = (users * 60) / (spec.thinkSeconds + journeySeconds) / interference;
  if (!spec.capacity) return { journeysPerMinute: idle, failed: 0 };
  const capacityJourneys = (spec.capacity * speed) / Math.max(1e-9, conversion);
  if (!spec.queueing) {
    const failed = idle > capacityJourneys ? 1 - capacityJourneys / idle : 0;
    return { journeysPerMinute: idle, failed };
  }
  // Fixed point of A = users · 60 / (Z + R₀ / (1 − A/C)) by bisection (A < C).
  let lo = 0;
  let hi = capacityJourneys * 0.999;
  for (let i = 0; i < 50; i++) {
    const a = (lo + hi) / 2;
    const rho = a / capacityJourneys;
    const r = journeySeconds / (1 - rho);
    const g = (users * 60) / (spec.thinkSeconds + r) / interference - a;
    if (g > 0) lo = a;
    else hi = a;
  }
  const attempted = lo;
  const knee = capacityJourneys * 0.95;
  const failed = attempted > knee ? 1 - knee / attempted : 0;
  return { journeysPerMinute: attempted, failed };
}

/**
 * Orders per minute `users` deliver in the steady state `t` seconds after the load started: spread evenly over
 * all workers, all productive, without drift, pauses or outages.
 */
export function steadyOrdersPerMinute(spec: SystemSpec, users: number, t: number): number {
  const pace = cpuPace(cpuDemandPercent(spec, users / WORKERS));
  const conversion = spec.conversion * conversionFactor(spec, t);
  const { journeysPerMinute, failed } = throughput(spec, users * pace, conversion, warmUpSpeed(spec, t));
  return journeysPerMinute * conversion * (1 - failed);
}

/**
 * The users that deliver the most orders per minute `t` seconds after the load started, at most `maxUsers`,
 * whatever limits them (capacity, contention, the workers' CPU), and that rate. Every model here is unimodal in
 * the users: a logarithmic grid finds the peak's neighbourhood, a ternary search the peak.
 */
export function peakOrdersPerMinute(
  spec: SystemSpec,
  t: number,
  maxUsers = MAX_USERS,
): { users: number; ordersPerMinute: number } {
  const GRID = 60;
  const at = (k: number) => Math.round(maxUsers ** (k / GRID));
  const rate = (users: number) => steadyOrdersPerMinute(spec, users, t);
  let bestK = 0;
  let best = 0;
  for (let k = 0; k <= GRID; k++) {
    const r = rate(at(k));
    if (r > best) {
      best = r;
      bestK = k;
    }
  }
  let lo = at(Math.max(0, bestK - 1));
  let hi = at(Math.min(GRID, bestK + 1));
  while (hi - lo > 2) {
    const a = lo + Math.floor((hi - lo) / 3);
    const b = hi - Math.floor((hi - lo) / 3);
    if (rate(a) < rate(b)) lo = a;
    else hi = b;
  }
  let users = lo;
  for (let u = lo + 1; u <= hi; u++) if (rate(u) > rate(users)) users = u;
  const peak = rate(users);
  return peak >= best ? { users, ordersPerMinute: peak } : { users: at(bestK), ordersPerMinute: best };
}

/** The most orders per minute the system delivers `t` seconds after the load started, with at most `maxUsers`. */
export function capacityOrdersPerMinute(spec: SystemSpec, t: number, maxUsers = MAX_USERS): number {
  return peakOrdersPerMinute(spec, t, maxUsers).ordersPerMinute;
}

interface Worker {
  /** When each user dispatched to this worker starts running (s), in dispatch order (non-decreasing). */
  starts: number[];
  /** When each of those users places its first order (s). */
  ready: number[];
  /** Its process runs (false from its loss until it is back). */
  alive: boolean;
  /** The master counts it (false from {@link MISSING_AFTER_SECONDS} after its loss until it is back). */
  connected: boolean;
  orders: number;
  requests: number;
  failures: number;
  reportedOrders: number;
  reportedRequests: number;
  reportedFailures: number;
  /** Users it last reported running. */
  reportedUsers: number;
  /** Orders completed in each whole second (s), as Locust's per-second counts (a dead worker's unreported lost). */
  ordersBySecond: number[];
  /** ordersBySecond summed over the seconds before each index, extended as far as the settled count was read. */
  ordersBefore: number[];
  /** Its clock at its last report the master has (or when it connected): seconds before it are all reported. */
  reportedThrough: number;
  /** CPU usage at its last heartbeat (%). */
  cpuPercent: number;
  phase: number;
  nextReport: number;
}

/** One simulated system with its Locust cluster. */
export class Simulation {
  /** Simulated seconds since the load started. */
  t = 0;
  private readonly random: () => number;
  /** A stream of its own for the CPU readings, so that systems without new features draw as before. */
  private readonly cpuRandom: () => number;
  private targetUsers = 0;
  private spawnRate = 1;
  private spawnCredit = 0;
  /** After a lost worker: the master dispatches nothing until the next `/swarm`. */
  private dispatchHeld = false;
  /** A worker is back: the users are to be spread over all workers once the master is not spawning. */
  private redistributionOwed = false;
  private readonly workers: Worker[];
  private base = { orders: 0, requests: 0, failures: 0 };
  private generation = 1;
  private boot = 1;
  private running = false;
  private drift = 1;
  /** Orders and journeys held by a pause, completed when it ends. */
  private held = { orders: 0, journeys: 0 };
  private readonly pendingReports: {
    at: number;
    worker: number;
    orders: number;
    requests: number;
    failures: number;
    users: number;
    /** The worker's clock when it reported. */
    through: number;
  }[] = [];
  /** Expected orders delivered per step (the intensity): what the figures are computed from. */
  readonly delivered: number[] = [];
  /** Users running at each step. */
  readonly userTrace: number[] = [];

  constructor(
    readonly spec: SystemSpec,
    seed: number,
  ) {
    this.random = rng(seed);
    this.cpuRandom = rng(seed ^ 0x5bd1e995);
    const report = spec.reportSeconds ?? 3;
    const idle = cpuDemandPercent(spec, 0);
    this.workers = Array.from({ length: WORKERS }, () => {
      const phase = this.random() * report;
      return {
        starts: [],
        ready: [],
        alive: true,
        connected: true,
        orders: 0,
        requests: 0,
        failures: 0,
        reportedOrders: 0,
        reportedRequests: 0,
        reportedFailures: 0,
        reportedUsers: 0,
        ordersBySecond: [],
        ordersBefore: [],
        reportedThrough: 0,
        cpuPercent: idle,
        phase,
        nextReport: phase,
      };
    });
  }

  /** `POST /swarm`: from a stopped master this (re)starts the test and zeroes the counters. */
  swarm(command: Command): void {
    if (!this.running) {
      this.running = true;
      this.zeroCounters();
      this.generation += 1;
    }
    this.targetUsers = Math.max(0, Math.round(command.users));
    this.spawnRate = Math.max(1e-6, command.spawnRate);
    this.dispatchHeld = false;
  }

  /** Users the workers run now (started, on live workers). */
  get users(): number {
    let users = 0;
    for (const w of this.workers) if (w.alive) users += startedBy(w, this.t);
    return users;
  }

  /** The master's view (`/conductor/kpi` and `/stats/requests`). */
  read(): Reading {
    const sum = (f: (w: Worker) => number) => this.workers.reduce((s, w) => s + f(w), 0);
    const connected = this.workers.filter((w) => w.connected);
    return {
      at: this.t * 1000,
      orders: sum((w) => w.reportedOrders) - this.base.orders,
      requests: sum((w) => w.reportedRequests) - this.base.requests,
      failures: sum((w) => w.reportedFailures) - this.base.failures,
      users: this.running ? connected.reduce((s, w) => s + w.reportedUsers, 0) : 0,
      workers: connected.length,
      bootId: `boot-${this.boot}`,
      generation: this.generation,
      running: this.running,
      workerCpuPercent: connected.map((w) => w.cpuPercent),
      settled: this.settled(connected),
    };
  }

  /** The conductor plugin's settled count: orders before the second every connected worker has reported past. */
  private settled(connected: readonly Worker[]): SettledOrders | null {
    if (connected.length === 0) return null;
    const through = Math.floor(Math.min(...connected.map((w) => w.reportedThrough)));
    let orders = 0;
    for (const w of this.workers) {
      const before = w.ordersBefore;
      while (before.length <= through) {
        const s = before.length;
        before.push(s === 0 ? 0 : (before[s - 1] as number) + (w.ordersBySecond[s - 1] ?? 0));
      }
      orders += before[through] as number;
    }
    return { at: through * 1000, orders };
  }

  /** Advances the simulation by `seconds`. */
  advance(seconds: number): void {
    const steps = Math.round(seconds / DT);
    for (let i = 0; i < steps; i++) this.step();
  }

  /** Orders per minute the system delivers at most now (its knee), for the saturation figures. */
  get capacity(): number {
    return capacityOrdersPerMinute(this.spec, this.t);
  }

  private step(): void {
    const { spec } = this;
    const t0 = this.t;
    const within = (at: number) => at >= t0 && at < t0 + DT;
    for (const r of spec.resets ?? []) if (within(r)) this.resetStats();
    for (const r of spec.restarts ?? []) if (within(r)) this.restartMaster();
    const lost = spec.lostWorker;
    if (lost && within(lost.atSeconds)) this.loseWorker(lost.worker);
    if (lost && within(lost.atSeconds + MISSING_AFTER_SECONDS))
      (this.workers[lost.worker] as Worker).connected = false;
    if (lost && within(lost.backAtSeconds)) this.workerBack(lost.worker);

    if (this.running) this.dispatch(t0);

    // Running and productive users per worker; a worker's users slow down when its CPU is over 100 %.
    let running = 0;
    let productive = 0;
    let alive = 0;
    const heartbeat = Math.floor((t0 + DT) / HEARTBEAT_SECONDS) !== Math.floor(t0 / HEARTBEAT_SECONDS);
    for (const w of this.workers) {
      if (!w.alive) continue;
      alive++;
      const { started, ready } = countUsers(w, t0, spec.journeySeconds * 1.5);
      const demand = cpuDemandPercent(spec, started);
      running += started;
      productive += ready * cpuPace(demand);
      if (heartbeat)
        w.cpuPercent = Math.min(100, Math.max(0, demand * (1 + CPU_NOISE * normal(this.cpuRandom))));
    }
    this.userTrace.push(running);

    if (spec.drift) {
      const a = Math.exp(-DT / (spec.driftSeconds ?? 300));
      this.drift = 1 + a * (this.drift - 1) + spec.drift * Math.sqrt(1 - a * a) * normal(this.random);
    }
    const conversion = spec.conversion * conversionFactor(spec, t0) * this.drift;
    const { journeysPerMinute, failed } = throughput(spec, productive, conversion, warmUpSpeed(spec, t0));
    const outage = spec.outage && t0 >= spec.outage[0] && t0 < spec.outage[1];
    const orderRate = outage ? 0 : journeysPerMinute * conversion * (1 - failed); // per minute
    let expected = (orderRate / 60) * DT;
    let journeys = (journeysPerMinute / 60) * DT;
    if (pausedAt(spec, t0)) {
      this.held.orders += expected;
      this.held.journeys += journeys;
      expected = 0;
      journeys = 0;
    } else if (this.held.journeys > 0) {
      expected += this.held.orders;
      journeys += this.held.journeys;
      this.held = { orders: 0, journeys: 0 };
    }
    this.delivered.push(expected);

    // Draw what happened, per live worker (users are spread evenly over them).
    const clump = spec.clump ?? 1;
    for (const worker of this.workers) {
      if (!worker.alive) continue;
      const clumps = poisson(expected / alive / clump, this.random);
      let orders = 0;
      for (let c = 0; c < clumps; c++) orders += clump === 1 ? 1 : 1 + poisson(clump - 1, this.random);
      const share = journeys / alive;
      const requests = poisson(share * REQUESTS_PER_JOURNEY, this.random);
      const failures =
        (outage ? poisson(share, this.random) : poisson(share * conversion * failed, this.random)) +
        (spec.errorRatio ? poisson(share * REQUESTS_PER_JOURNEY * spec.errorRatio, this.random) : 0);
      worker.orders += orders;
      const second = Math.floor(t0);
      worker.ordersBySecond[second] = (worker.ordersBySecond[second] ?? 0) + orders;
      worker.requests += requests + failures;
      worker.failures += failures;
    }

    this.t = t0 + DT;
    // Worker reports (every reportSeconds, visible after the extra lag).
    const report = spec.reportSeconds ?? 3;
    this.workers.forEach((w, i) => {
      if (!w.alive) return;
      while (w.nextReport <= this.t) {
        this.pendingReports.push({
          at: w.nextReport + (spec.extraLagSeconds ?? 0.5),
          worker: i,
          orders: w.orders,
          requests: w.requests,
          failures: w.failures,
          users: startedBy(w, this.t),
          through: this.t,
        });
        w.nextReport += report;
      }
    });
    while (this.pendingReports.length > 0 && (this.pendingReports[0]?.at ?? Infinity) <= this.t) {
      const r = this.pendingReports.shift();
      if (!r) break;
      const w = this.workers[r.worker] as Worker;
      w.reportedOrders = Math.max(w.reportedOrders, r.orders);
      w.reportedRequests = Math.max(w.reportedRequests, r.requests);
      w.reportedFailures = Math.max(w.reportedFailures, r.failures);
      w.reportedUsers = r.users;
      w.reportedThrough = Math.max(w.reportedThrough, r.through);
    }
  }

  /** The master's dispatcher: towards the target at the spawn rate, to the live worker with the fewest users. */
  private dispatch(t0: number): void {
    const live = this.workers.filter((w) => w.alive);
    const dispatched = live.reduce((s, w) => s + w.starts.length, 0);
    const diff = this.targetUsers - dispatched;
    if (this.redistributionOwed && (this.dispatchHeld || diff === 0)) {
      this.redistribute(t0, live);
      return;
    }
    if (this.dispatchHeld || diff === 0) {
      this.spawnCredit = 0;
      return;
    }
    this.spawnCredit += this.spawnRate * (this.spec.spawnRateFactor ?? 1) * DT;
    const n = Math.min(Math.abs(diff), Math.floor(this.spawnCredit));
    this.spawnCredit -= n;
    for (let k = 0; k < n; k++) {
      if (diff > 0) {
        let to = live[0] as Worker;
        for (const w of live) if (w.starts.length < to.starts.length) to = w;
        this.startUser(to, t0);
      } else {
        let from = live[0] as Worker;
        for (const w of live) if (w.starts.length >= from.starts.length) from = w;
        from.starts.pop();
        from.ready.pop();
      }
    }
  }

  private startUser(w: Worker, t0: number): void {
    const late = this.spec.lateWorker;
    const start = late && this.workers[late.worker] === w ? t0 + late.delaySeconds : t0;
    w.starts.push(start);
    w.ready.push(start + this.spec.journeySeconds * (0.5 + this.random()));
  }

  /** The target spread evenly over the live workers at once (new users where a worker has too few). */
  private redistribute(t0: number, live: Worker[]): void {
    live.forEach((w, i) => {
      const share = Math.floor(this.targetUsers / live.length) + (i < this.targetUsers % live.length ? 1 : 0);
      while (w.starts.length > share) {
        w.starts.pop();
        w.ready.pop();
      }
      while (w.starts.length < share) this.startUser(w, t0);
    });
    this.redistributionOwed = false;
    this.dispatchHeld = false;
  }

  private loseWorker(index: number): void {
    const w = this.workers[index] as Worker;
    w.alive = false;
    w.starts = [];
    w.ready = [];
    w.orders = w.reportedOrders;
    w.ordersBySecond.length = Math.min(w.ordersBySecond.length, Math.floor(w.reportedThrough));
    w.requests = w.reportedRequests;
    w.failures = w.reportedFailures;
    this.dispatchHeld = true;
  }

  private workerBack(index: number): void {
    const w = this.workers[index] as Worker;
    w.alive = true;
    w.connected = true;
    w.reportedUsers = 0;
    w.reportedThrough = this.t;
    const report = this.spec.reportSeconds ?? 3;
    while (w.nextReport <= this.t) w.nextReport += report;
    this.redistributionOwed = true;
  }

  private zeroCounters(): void {
    const sum = (f: (w: Worker) => number) => this.workers.reduce((s, w) => s + f(w), 0);
    this.base = {
      orders: sum((w) => w.reportedOrders),
      requests: sum((w) => w.reportedRequests),
      failures: sum((w) => w.reportedFailures),
    };
    // Locust clears its per-second counts with the rest.
    for (const w of this.workers) {
      w.ordersBySecond = [];
      w.ordersBefore = [];
    }
  }

  private resetStats(): void {
    this.zeroCounters();
    this.generation += 1;
  }

  private restartMaster(): void {
    // The new master knows no workers' users: the test stops until the conductor swarms again.
    this.running = false;
    for (const w of this.workers) {
      w.starts = [];
      w.ready = [];
      w.reportedUsers = 0;
      w.reportedThrough = this.t; // the workers connect to the new master
    }
    for (const r of this.pendingReports) r.users = 0;
    this.targetUsers = 0;
    this.boot += 1;
    this.zeroCounters();
  }
}

/** Users of `w` started by `t`. */
function startedBy(w: Worker, t: number): number {
  let n = w.starts.length;
  while (n > 0 && (w.starts[n - 1] as number) > t) n--;
  return n;
}

/**
 * Users of `w` started, and productive (first journey done), at `t`. Users start in order and are productive at
 * most `readyWithin` seconds after their start, so only the newest are looked at.
 */
function countUsers(w: Worker, t: number, readyWithin: number): { started: number; ready: number } {
  let notStarted = 0;
  let notReady = 0;
  for (let i = w.starts.length - 1; i >= 0; i--) {
    const start = w.starts[i] as number;
    if (start <= t - readyWithin) break;
    if (start > t) notStarted++;
    if ((w.ready[i] as number) > t) notReady++;
  }
  return { started: w.starts.length - notStarted, ready: w.starts.length - notReady };
}
