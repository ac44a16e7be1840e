import { Simulation, type SystemSpec } from '../../bench/sim';
import type {
  LocustClient,
  LocustHistogramEntry,
  LocustHistograms,
  LocustKpi,
  LocustScenarioInfo,
  LocustState,
  LocustStats,
  LocustStatsEntry,
  SwarmRequest,
  SwarmResult,
} from '../../lambdas/adapters/locust/client';

/** Fixed response times (ms): the soak test is about continuity, not latency. */
const PERCENTILES = { p50: 120, p90: 250, p95: 320, p99: 600 } as const;

/**
 * A Locust master as the step handlers use it (`kpi`, `stats`, `histograms`, `swarm`, `stop`, and the class
 * picker's `scenario` and `setUserClassWeight`: every simulated user is a checkout user), backed by the ramp
 * benchmark's simulated system and Locust cluster (bench/sim.ts) on a simulated clock, so a week of load
 * runs in seconds. It stands in for the `LocustClient` the handlers get from `deps.locust`, not for Locust's
 * HTTP API. `stop` freezes the counters, as Locust's `/stop` does.
 */
export class SimulatedLocust
  implements
    Pick<LocustClient, 'kpi' | 'stats' | 'histograms' | 'swarm' | 'stop' | 'scenario' | 'setUserClassWeight'>
{
  private readonly sim: Simulation;
  /** Clock time (ms) of the first swarm: the simulation's time zero. */
  private loadStartedAt: number | null = null;
  private stopped = false;
  private checkoutWeight = 1;

  constructor(
    spec: SystemSpec,
    seed: number,
    private readonly clock: () => number,
    private readonly orderRequest: string,
  ) {
    this.sim = new Simulation(spec, seed);
  }

  async swarm(request: SwarmRequest): Promise<SwarmResult> {
    this.catchUp();
    this.loadStartedAt ??= this.clock();
    this.stopped = false;
    this.sim.swarm({ users: request.userCount, spawnRate: request.spawnRate });
    return { message: 'Swarming started', host: null };
  }

  async scenario(): Promise<LocustScenarioInfo> {
    return {
      classPicker: true,
      offered: { CheckoutUser: { weight: this.checkoutWeight, countsKpi: true } },
      selected: ['CheckoutUser'],
      running: this.sim.users > 0 ? { CheckoutUser: this.sim.users } : {},
      kpiRequestName: this.orderRequest,
    };
  }

  async setUserClassWeight(name: string, weight: number): Promise<void> {
    if (name !== 'CheckoutUser')
      throw new Error(`the simulated master offers CheckoutUser only, not ${name}`);
    this.checkoutWeight = weight;
  }

  async stop(): Promise<void> {
    this.catchUp();
    this.stopped = true;
  }

  async kpi(): Promise<LocustKpi> {
    const r = this.reading();
    return {
      bootId: r.bootId,
      generation: r.generation,
      orders: r.orders,
      orderFailures: 0,
      state: this.state(),
      workers: r.workers,
      userCount: r.users,
      timestamp: this.clock() / 1000,
      // The simulation's seconds since the first swarm, on the clock the conductor reads.
      settled:
        r.settled && this.loadStartedAt != null
          ? { through: (this.loadStartedAt + r.settled.at) / 1000, orders: r.settled.orders }
          : null,
    };
  }

  async stats(): Promise<LocustStats> {
    const r = this.reading();
    const entry = (name: string, method: string | null, requests: number, failures: number) =>
      ({
        name,
        method,
        numRequests: requests,
        numFailures: failures,
        currentRps: null,
        avgResponseTime: PERCENTILES.p50,
        minResponseTime: 10,
        maxResponseTime: 2 * PERCENTILES.p99,
        percentiles: PERCENTILES,
      }) satisfies LocustStatsEntry;
    return {
      state: this.state(),
      userCount: r.users,
      workerCount: r.workers,
      workers: [],
      failRatio: r.requests > 0 ? r.failures / r.requests : 0,
      entries: [entry(this.orderRequest, 'POST', r.orders, 0)],
      aggregated: entry('Aggregated', null, r.requests, r.failures),
      errors: [],
    };
  }

  /** The same counts as response-time histograms: 90 % at p50, 9 % at p95, the rest at p99. */
  async histograms(): Promise<LocustHistograms> {
    const r = this.reading();
    const entry = (name: string, method: string | null, requests: number, failures: number) => {
      const typical = Math.floor(0.9 * requests);
      const slow = Math.floor(0.09 * requests);
      const histogram: Record<string, number> = {};
      for (const [ms, n] of [
        [PERCENTILES.p50, typical],
        [PERCENTILES.p95, slow],
        [PERCENTILES.p99, requests - typical - slow],
      ] as const) {
        if (n > 0) histogram[String(ms)] = n;
      }
      return { name, method, requests, failures, histogram } satisfies LocustHistogramEntry;
    };
    return {
      bootId: r.bootId,
      generation: r.generation,
      entries: [entry(this.orderRequest, 'POST', r.orders, 0)],
      aggregated: entry('Aggregated', null, r.requests, r.failures),
    };
  }

  /** Users the simulated cluster runs now. */
  get users(): number {
    return this.sim.users;
  }

  private reading() {
    this.catchUp();
    return this.sim.read();
  }

  private state(): LocustState {
    if (this.stopped) return 'stopped';
    return this.sim.read().running ? 'running' : 'ready';
  }

  /** Advances the simulation to the clock (a stopped test's counters stay as they were). */
  private catchUp(): void {
    if (this.loadStartedAt === null || this.stopped) return;
    const due = (this.clock() - this.loadStartedAt) / 1000;
    if (due > this.sim.t) this.sim.advance(due - this.sim.t);
  }
}
