import type { LocustClient, LocustKpi, LocustStats } from '../adapters/locust/client';
import { fleetBounds, type WorkerFleet, workerFleet } from '../adapters/locust/fleet';
import type { ControllerConfig, Observation } from '../core/ramp-controller';
import type { RunContext } from '../core/run-context';

/**
 * The controller's configuration for a run. `kpiShare` (Start load's, from the scenario's classes) scales the
 * prior: `initialOrdersPerUserPerMinute` is a KPI user's rate, and in a mix only that share of users orders.
 * Absent (the master runs its own selection), the mix is unknown: the prior is taken as it is, and the requests
 * are not read as the ordering users' pace.
 */
export function controllerConfig(run: RunContext, kpiShare?: number): ControllerConfig {
  const { request, environment } = run;
  const { locust } = environment;
  return {
    targetOrdersPerMinute: request.targetOrdersPerMinute,
    rampUpSeconds: request.rampUpMinutes * 60,
    plateauSeconds: request.plateauMinutes * 60,
    tickSeconds: request.tickSeconds,
    initialOrdersPerUserPerMinute: locust.initialOrdersPerUserPerMinute * (kpiShare ?? 1),
    maxUsers: locust.maxUsers,
    usersPerWorker: locust.usersPerWorker,
    fleet: locust.workers ? fleetBounds(locust.workers) : null,
    orderDelaySeconds: locust.orderDelaySeconds,
    everyUserOrders: kpiShare === 1,
  };
}

/** The worker fleet the run sizes, or null when the configuration leaves the workers alone. */
export function fleetOf(run: RunContext): WorkerFleet | null {
  const workers = run.environment.locust.workers;
  return workers ? workerFleet(workers) : null;
}

/** One reading of Locust: the order counter from the KPI route, request totals from the stats. */
export async function observe(locust: LocustClient, at: Date): Promise<Observation> {
  return (await readLocust(locust, at)).observation;
}

/** The reading and the master's full stats it came from (the SLO watch needs the percentiles). */
export async function readLocust(
  locust: LocustClient,
  at: Date,
): Promise<{ observation: Observation; stats: LocustStats }> {
  const [kpi, stats] = await Promise.all([locust.kpi(), locust.stats()]);
  return { stats, observation: toObservation(kpi, stats, at) };
}

function toObservation(kpi: LocustKpi, stats: LocustStats, at: Date): Observation {
  return {
    at: at.getTime(),
    orders: kpi.orders,
    settled: kpi.settled ? { at: kpi.settled.through * 1000, orders: kpi.settled.orders } : null,
    requests: stats.aggregated?.numRequests ?? 0,
    failures: stats.aggregated?.numFailures ?? 0,
    users: kpi.userCount,
    workers: kpi.workers,
    // Each connected worker's CPU at its last heartbeat: at ~90 % the load generators are the limit.
    workerCpuPercent: stats.workers
      .filter((w) => w.state !== 'missing' && w.cpuUsage != null)
      .map((w) => w.cpuUsage as number),
    bootId: kpi.bootId,
    generation: kpi.generation,
    running: kpi.state === 'running' || kpi.state === 'spawning',
  };
}

/** Tick n is due at startedAt + n × tickSeconds: a fixed schedule, so late ticks do not push the rest. */
export function tickDueAt(startedAt: string, tick: number, tickSeconds: number): string {
  return new Date(Date.parse(startedAt) + tick * tickSeconds * 1000).toISOString();
}

/** Polls the master until at least `workers` are connected or `timeoutMs` passed; returns the last count. */
export async function waitForWorkers(
  locust: LocustClient,
  workers: number,
  timeoutMs: number,
  pollMs = 1000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const connected = (await locust.kpi()).workers;
    if (connected >= workers || Date.now() >= deadline) return connected;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
