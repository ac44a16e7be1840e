import type { LocustClient } from '../adapters/locust/client';
import type { ControllerConfig, Observation } from '../core/ramp-controller';
import type { RunContext } from '../core/state';

/** The controller's configuration for a run. */
export function controllerConfig(run: RunContext): ControllerConfig {
  const { request, environment } = run;
  return {
    targetOrdersPerMinute: request.targetOrdersPerMinute,
    rampUpSeconds: request.rampUpMinutes * 60,
    plateauSeconds: request.plateauMinutes * 60,
    tickSeconds: request.tickSeconds,
    initialOrdersPerUserPerMinute: environment.locust.initialOrdersPerUserPerMinute,
    maxUsers: environment.locust.maxUsers,
    usersPerWorker: environment.locust.usersPerWorker,
  };
}

/** One reading of Locust: the order counter from the KPI route, request totals from the stats. */
export async function observe(locust: LocustClient, at: Date): Promise<Observation> {
  const [kpi, stats] = await Promise.all([locust.kpi(), locust.stats()]);
  return {
    at: at.getTime(),
    orders: kpi.orders,
    requests: stats.aggregated?.numRequests ?? 0,
    failures: stats.aggregated?.numFailures ?? 0,
    users: kpi.userCount,
    workers: kpi.workers,
    bootId: kpi.bootId,
    generation: kpi.generation,
    running: kpi.state === 'running' || kpi.state === 'spawning',
  };
}

/** Tick n is due at startedAt + n × tickSeconds: a fixed schedule, so late ticks do not push the rest. */
export function tickDueAt(startedAt: string, tick: number, tickSeconds: number): string {
  return new Date(Date.parse(startedAt) + tick * tickSeconds * 1000).toISOString();
}
