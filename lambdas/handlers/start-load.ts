import { decide, initialControllerState } from '../core/ramp-controller';
import type { RampState, RunState } from '../core/state';
import { controllerConfig, observe, tickDueAt } from './load';
import { step } from './runtime';

/**
 * Starts the Locust test with the controller's first guess of users and
 * takes the baseline reading the first tick measures against.
 */
export const handler = step('Start load', async (state: RunState, deps): Promise<RampState> => {
  const { run } = state;
  const locust = deps.locust(run.environment.locust.url);
  const before = await locust.kpi();
  if (before.workers < 1) throw new Error(`Locust at ${run.environment.locust.url} has no worker connected`);

  const config = controllerConfig(run);
  const first = decide(config, initialControllerState(), null, 0);
  const startedAt = deps.now();
  await locust.swarm({ userCount: first.users, spawnRate: first.spawnRate });
  const baseline = await observe(locust, startedAt);
  const startedIso = startedAt.toISOString();
  return {
    tick: 0,
    phase: first.phase,
    done: false,
    startedAt: startedIso,
    nextTickAt: tickDueAt(startedIso, 1, run.request.tickSeconds),
    targetNow: first.targetNow,
    ordersPerMinute: null,
    users: first.users,
    spawnRate: first.spawnRate,
    workers: baseline.workers,
    failureRatio: 0,
    message: `started ${run.request.scenario}: ${first.users} users at ${first.spawnRate}/s on ${baseline.workers} workers`,
    controller: {
      ...first.state,
      // Users are only starting: count the interval's exposure from zero.
      last: {
        at: baseline.at,
        orders: baseline.orders,
        requests: baseline.requests,
        failures: baseline.failures,
        users: 0,
        bootId: baseline.bootId,
        generation: baseline.generation,
      },
    },
    plateau: { ticks: 0, orders: 0, minutes: 0, requests: 0, failures: 0 },
  };
});
