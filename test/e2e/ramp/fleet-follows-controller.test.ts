import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../../lambdas/adapters/aws/run-store';
import type { RampState } from '../../../lambdas/core/ramp-state';
import { type LocalEnvironment, startLocalEnvironment } from '../../../local/environment';
import { executeLocally } from '../../../local/executor';
import { STEPS } from '../../../statemachine/steps';

/**
 * On real Locust: the ramp tick asks the local fleet endpoint for the workers the controller needs
 * (usersPerWorker 30 in config/local.json), the worker processes follow, and users are only spawned on
 * connected workers; the fleet never shrinks while the load runs; Stop load scales it back down.
 */
let env: LocalEnvironment;

beforeAll(async () => {
  env = await startLocalEnvironment({ workers: 1 });
});
afterAll(async () => {
  await env?.stop();
});

describe('worker fleet sizing on real Locust', () => {
  it('scales the worker processes to the controller’s request before spawning the users, and back after', async () => {
    const ticks: { requested: number | null | undefined; users: number; workersSeen: number }[] = [];
    const result = await executeLocally(
      env.pipeline.definition,
      {
        environment: 'local',
        targetOrdersPerMinute: 660,
        rampUpMinutes: 0.5,
        plateauMinutes: 0.25,
        tickSeconds: 5,
      },
      {
        handlers: {
          [STEPS['ramp-tick']]: (real) => async (input) => {
            const out = (await real(input)) as RampState;
            ticks.push({
              requested: out.workersRequested,
              users: out.users,
              workersSeen: env.locust.workerProcesses,
            });
            return out;
          },
        },
      },
    );
    expect(result.status, JSON.stringify(result.error)).toBe('SUCCEEDED');
    // 660 orders/min at ~12 orders/user/min is ~55 users: 2 workers of 30.
    expect(env.fleet.requests.length).toBeGreaterThan(0);
    expect(Math.max(...env.fleet.requests)).toBeGreaterThanOrEqual(2);
    // The fleet only grows while the load runs: each change makes Locust move users at once, in step.
    const requested = ticks.flatMap((t) => (t.requested == null ? [] : [t.requested]));
    expect(requested).toEqual([...requested].sort((a, b) => a - b));
    for (const t of ticks) {
      if (t.requested == null) continue;
      // The processes follow the request (the local endpoint answers once they are connected)…
      expect(t.workersSeen).toBe(t.requested);
      // …and never host more users than they can.
      expect(t.users).toBeLessThanOrEqual(t.workersSeen * 30);
    }
    // Stop load scaled the processes back to the one worker there was before the test.
    expect(env.fleet.requests.at(-1)).toBe(1);
    expect(env.locust.workerProcesses).toBe(1);
    const records = await new RunStore(env.aws.RUNS_TABLE).ticks(result.executionArn);
    expect(records.some((r) => (r.workersRequested ?? 0) >= 2)).toBe(true);
    expect(records.every((r) => typeof r.spawnRate === 'number')).toBe(true);
  });
});
