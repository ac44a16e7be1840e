/**
 * A simulated system under test driven by a simulated distributed Locust, for the ramp benchmark and the
 * controller's property tests. Deterministic for a seed. Time advances in steps of {@link DT} seconds.
 *
 * Locust: users spawn (and stop) linearly at the spawn rate; a new user places its first order after its
 * journey; workers report their counters to the master every `reportSeconds` (each at its own phase), so the
 * master's counters are a staircase that lags the orders; a stats reset zeroes the counters and bumps the
 * KPI route's generation; a master restart changes the bootId, stops every user and zeroes the counters.
 *
 * System: each productive user runs journeys back to back with a think time; the order rate follows from the
 * journey's response time, which grows with the load in a queueing system (`R = R₀ / (1 − ρ)`, solved as a
 * fixed point each step); past its capacity a system fails the orders it cannot take. Orders are drawn from
 * a Poisson process (in clumps for the noisy system) around that expected rate.
 *
 * The figures the benchmark reports are computed from the *expected* delivered rate (the intensity), which
 * is what the controller steers; the controller only ever sees the master's staircase counters.
 */

import type { Observation } from '../lambdas/core/ramp-controller';

export const DT = 0.5;

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
  /** From `atSeconds` on, conversion is multiplied by `factor`. */
  readonly conversionStep?: { readonly atSeconds: number; readonly factor: number };
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
  /** Times (s) of `GET /stats/reset`. */
  readonly resets?: readonly number[];
  /** Times (s) of a master restart. */
  readonly restarts?: readonly number[];
  /** [from, to) seconds during which no order goes through (e.g. the payment mock is down). */
  readonly outage?: readonly [number, number];
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

/** What the simulated Locust master reports: the controller's own observation type. */
export type Reading = Observation;

const WORKERS = 4;
const REQUESTS_PER_JOURNEY = 6;

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

function poisson(lambda: number, random: () => number): number {
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

interface WorkerCounters {
  orders: number;
  requests: number;
  failures: number;
  reportedOrders: number;
  reportedRequests: number;
  reportedFailures: number;
  phase: number;
  nextReport: number;
}

/** One simulated system with its Locust cluster. */
export class Simulation {
  /** Simulated seconds since the load started. */
  t = 0;
  private readonly random: () => number;
  private targetUsers = 0;
  private spawnRate = 1;
  private spawnCredit = 0;
  /** Times at which each running user places its first order (sorted by spawn). */
  private readyAt: number[] = [];
  private readonly workers: WorkerCounters[];
  private base = { orders: 0, requests: 0, failures: 0 };
  private generation = 1;
  private boot = 1;
  private running = false;
  private drift = 1;
  private visibleUsers = 0;
  private readonly pendingReports: {
    at: number;
    worker: number;
    orders: number;
    requests: number;
    failures: number;
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
    const report = spec.reportSeconds ?? 3;
    this.workers = Array.from({ length: WORKERS }, () => {
      const phase = this.random() * report;
      return {
        orders: 0,
        requests: 0,
        failures: 0,
        reportedOrders: 0,
        reportedRequests: 0,
        reportedFailures: 0,
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
  }

  get users(): number {
    return this.readyAt.length;
  }

  /** The master's view (`/conductor/kpi` and `/stats/requests`). */
  read(): Reading {
    const sum = (f: (w: WorkerCounters) => number) => this.workers.reduce((s, w) => s + f(w), 0);
    return {
      at: this.t * 1000,
      orders: sum((w) => w.reportedOrders) - this.base.orders,
      requests: sum((w) => w.reportedRequests) - this.base.requests,
      failures: sum((w) => w.reportedFailures) - this.base.failures,
      users: this.running ? this.visibleUsers : 0,
      workers: WORKERS,
      bootId: `boot-${this.boot}`,
      generation: this.generation,
      running: this.running,
    };
  }

  /** Advances the simulation by `seconds`. */
  advance(seconds: number): void {
    const steps = Math.round(seconds / DT);
    for (let i = 0; i < steps; i++) this.step();
  }

  /** Orders per minute the system delivers at most (its knee), for the saturation figures. */
  get capacity(): number {
    return this.spec.capacity == null ? Number.POSITIVE_INFINITY : this.spec.capacity * 0.95;
  }

  private step(): void {
    const { spec } = this;
    const t0 = this.t;
    for (const r of spec.resets ?? []) if (r >= t0 && r < t0 + DT) this.resetStats();
    for (const r of spec.restarts ?? []) if (r >= t0 && r < t0 + DT) this.restartMaster();

    // Spawn or stop users at the spawn rate.
    if (this.running) {
      const diff = this.targetUsers - this.readyAt.length;
      if (diff !== 0) {
        this.spawnCredit += this.spawnRate * DT;
        const n = Math.min(Math.abs(diff), Math.floor(this.spawnCredit));
        this.spawnCredit -= n;
        if (diff > 0) {
          for (let k = 0; k < n; k++) this.readyAt.push(t0 + spec.journeySeconds * (0.5 + this.random()));
        } else {
          this.readyAt.splice(this.readyAt.length - n, n);
        }
      } else {
        this.spawnCredit = 0;
      }
    }
    this.userTrace.push(this.readyAt.length);

    // Productive users and the rate they order at.
    let productive = 0;
    for (const r of this.readyAt) if (r <= t0) productive++;
    if (spec.drift) {
      const a = Math.exp(-DT / (spec.driftSeconds ?? 300));
      const z =
        Math.sqrt(-2 * Math.log(Math.max(1e-12, this.random()))) * Math.cos(2 * Math.PI * this.random());
      this.drift = 1 + a * (this.drift - 1) + spec.drift * Math.sqrt(1 - a * a) * z;
    }
    const conversion =
      spec.conversion *
      (spec.conversionStep && t0 >= spec.conversionStep.atSeconds ? spec.conversionStep.factor : 1) *
      this.drift;
    const { journeysPerMinute, failed } = this.throughput(productive, conversion);
    const outage = spec.outage && t0 >= spec.outage[0] && t0 < spec.outage[1];
    const orderRate = outage ? 0 : journeysPerMinute * conversion * (1 - failed); // per minute
    const expected = (orderRate / 60) * DT;
    this.delivered.push(expected);

    // Draw what happened, per worker.
    const clump = spec.clump ?? 1;
    for (let w = 0; w < WORKERS; w++) {
      const worker = this.workers[w] as WorkerCounters;
      const clumps = poisson(expected / WORKERS / clump, this.random);
      let orders = 0;
      for (let c = 0; c < clumps; c++) orders += clump === 1 ? 1 : 1 + poisson(clump - 1, this.random);
      const journeys = ((journeysPerMinute / 60) * DT) / WORKERS;
      const requests = poisson(journeys * REQUESTS_PER_JOURNEY, this.random);
      const failures = outage
        ? poisson(journeys, this.random)
        : poisson(journeys * conversion * failed, this.random);
      worker.orders += orders;
      worker.requests += requests + failures;
      worker.failures += failures;
    }

    this.t = t0 + DT;
    // Worker reports (every reportSeconds, visible after the extra lag).
    const report = spec.reportSeconds ?? 3;
    this.workers.forEach((w, i) => {
      while (w.nextReport <= this.t) {
        this.pendingReports.push({
          at: w.nextReport + (spec.extraLagSeconds ?? 0.5),
          worker: i,
          orders: w.orders,
          requests: w.requests,
          failures: w.failures,
        });
        w.nextReport += report;
      }
    });
    while (this.pendingReports.length > 0 && (this.pendingReports[0]?.at ?? Infinity) <= this.t) {
      const r = this.pendingReports.shift();
      if (!r) break;
      const w = this.workers[r.worker] as WorkerCounters;
      w.reportedOrders = Math.max(w.reportedOrders, r.orders);
      w.reportedRequests = Math.max(w.reportedRequests, r.requests);
      w.reportedFailures = Math.max(w.reportedFailures, r.failures);
      this.visibleUsers = this.readyAt.length;
    }
  }

  /** Journeys per minute of `users` productive users, and the share of orders that fail. */
  private throughput(users: number, conversion: number): { journeysPerMinute: number; failed: number } {
    const { spec } = this;
    if (users === 0) return { journeysPerMinute: 0, failed: 0 };
    const idle = (users * 60) / (spec.thinkSeconds + spec.journeySeconds);
    if (!spec.capacity) return { journeysPerMinute: idle, failed: 0 };
    const capacityJourneys = spec.capacity / Math.max(1e-9, conversion);
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
      const r = spec.journeySeconds / (1 - rho);
      const g = (users * 60) / (spec.thinkSeconds + r) - a;
      if (g > 0) lo = a;
      else hi = a;
    }
    const attempted = lo;
    const knee = capacityJourneys * 0.95;
    const failed = attempted > knee ? 1 - knee / attempted : 0;
    return { journeysPerMinute: attempted, failed };
  }

  private zeroCounters(): void {
    const sum = (f: (w: WorkerCounters) => number) => this.workers.reduce((s, w) => s + f(w), 0);
    this.base = {
      orders: sum((w) => w.reportedOrders),
      requests: sum((w) => w.reportedRequests),
      failures: sum((w) => w.reportedFailures),
    };
  }

  private resetStats(): void {
    this.zeroCounters();
    this.generation += 1;
  }

  private restartMaster(): void {
    // The new master knows no workers' users: the test stops until the conductor swarms again.
    this.running = false;
    this.readyAt = [];
    this.targetUsers = 0;
    this.boot += 1;
    this.zeroCounters();
  }
}
