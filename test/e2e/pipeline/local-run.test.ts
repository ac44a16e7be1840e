import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../../lambdas/adapters/aws/run-store';
import { TransientError, ValidationError } from '../../../lambdas/core/errors';
import type { AppShape } from '../../../lambdas/core/shape';
import type { Verdict } from '../../../lambdas/core/verdict';
import { readShopShape, setShopReplicas } from '../../../local/demo-shop';
import { DEMO_TEST_REPLICAS, type LocalEnvironment, startLocalEnvironment } from '../../../local/environment';
import { executeLocally, type LocalExecutionResult } from '../../../local/executor';
import { LIFECYCLE_STEPS, MAP_ITEM_TASKS, STEPS, type StepStateName } from '../../../statemachine/steps';

/**
 * The synthesized state machine, run by the local interpreter with the real
 * handlers against the demo shop, Hoverfly, a real Locust master with two
 * workers and the AWS emulator. One environment for the whole file.
 */
let env: LocalEnvironment;
let runs: RunStore;

beforeAll(async () => {
  env = await startLocalEnvironment({ workers: 2 });
  runs = new RunStore(env.aws.RUNS_TABLE);
});
afterAll(async () => {
  await env?.stop();
});

function shopShape(): Promise<AppShape> {
  return readShopShape(env.shop.adminUrl);
}

function putShopReplicas(replicas: number): Promise<void> {
  return setShopReplicas(env.shop.adminUrl, replicas);
}

function statesEntered(result: LocalExecutionResult): string[] {
  return result.events.flatMap((e) => (e.type === 'StateEntered' ? [e.state.name] : []));
}

/** A short run: 15 s of ramp at 5 s ticks, no plateau. */
const SHORT_RUN = {
  environment: 'local',
  targetOrdersPerMinute: 120,
  rampUpMinutes: 0.25,
  plateauMinutes: 0,
  tickSeconds: 5,
};

class InjectedFault extends Error {
  override readonly name = 'InjectedFault';
}

describe('a whole load test through the synthesized state machine', () => {
  it('reaches the target within ±10 % at the plateau, restores the shop and releases the lock', async () => {
    const before = await shopShape();
    const target = 600;
    const result = await executeLocally(env.pipeline.definition, {
      environment: 'local',
      targetOrdersPerMinute: target,
      rampUpMinutes: 1,
      plateauMinutes: 1.5,
      tickSeconds: 10,
    });

    expect(result.status, JSON.stringify(result.error)).toBe('SUCCEEDED');
    const verdict = result.output as Verdict;
    expect(verdict.outcome).toBe('pass');
    expect(verdict.achievedOrdersPerMinute).toBeGreaterThanOrEqual(target * 0.9);
    expect(verdict.achievedOrdersPerMinute).toBeLessThanOrEqual(target * 1.1);
    expect(verdict.report).toMatch(/^s3:\/\/ltc-reports\/runs\/local\//);

    const entered = statesEntered(result);
    const order = LIFECYCLE_STEPS;
    expect(order.map((s) => entered.indexOf(s))).toEqual(
      [...order.map((s) => entered.indexOf(s))].sort((a, b) => a - b),
    );
    // 2.5 min at 10 s ticks: 15 ticks; the ramp ran on its fixed schedule.
    expect(entered.filter((s) => s === STEPS['ramp-tick']).length).toBeGreaterThanOrEqual(14);

    // Deployed production's version, scaled to its 3 replicas, then back to the recorded size.
    const deployed = result.events.find((e) => e.type === 'StateExited' && e.state.name === STEPS.scale);
    expect(JSON.stringify(deployed)).toContain('"replicas":3');
    expect(await shopShape()).toEqual({ version: '2.4.0', replicas: before.replicas });
    expect(await runs.lockHolder('local')).toBeNull();

    // The load went to the mock: the real payment provider was never charged, and test orders were cleaned up.
    expect(await env.paymentProvider.charges()).toEqual([]);
    const summary = (await (await request(`${env.shop.adminUrl}/_conductor/orders/summary`)).body.json()) as {
      test: number;
    };
    expect(summary.test).toBe(0);
    const ticks = await runs.ticks(result.executionArn);
    expect(ticks.length).toBeGreaterThanOrEqual(14);
  });

  it('plans a dry run without changing anything or taking the lock', async () => {
    const before = await shopShape();
    const result = await executeLocally(env.pipeline.definition, { ...SHORT_RUN, dryRun: true });
    expect(result.status).toBe('SUCCEEDED');
    const plan = result.output as { dryRun: boolean; changes: { application: string; to: AppShape }[] };
    expect(plan.dryRun).toBe(true);
    expect(plan.changes).toEqual([
      { application: 'shop', from: before, to: { version: '2.4.0', replicas: 3 } },
    ]);
    expect(statesEntered(result)).not.toContain(STEPS['acquire-lock']);
    expect(await shopShape()).toEqual(before);
  });

  it('rejects invalid input before any side effect, naming the field', async () => {
    const before = await shopShape();
    const result = await executeLocally(env.pipeline.definition, {
      environment: 'local',
      targetOrdersPerMinute: -5,
    });
    expect(result.status).toBe('FAILED');
    expect(result.error?.Error).toBe('ValidationError');
    expect(result.error?.Cause).toContain('targetOrdersPerMinute');
    expect(statesEntered(result)).toEqual([STEPS['validate-input']]);
    expect(await shopShape()).toEqual(before);
    expect(await runs.lockHolder('local')).toBeNull();
  });

  it('refuses a second test on a locked environment with the id of the running one', async () => {
    const before = await shopShape();
    const now = new Date();
    await runs.acquireLock('local', 'arn:running-execution', now, new Date(now.getTime() + 3_600_000));
    try {
      const result = await executeLocally(env.pipeline.definition, SHORT_RUN);
      expect(result.status).toBe('FAILED');
      expect(result.error?.Error).toBe('EnvironmentLockedError');
      expect(result.error?.Cause).toContain('arn:running-execution');
      expect(statesEntered(result)).not.toContain(STEPS.deploy);
      expect(await shopShape()).toEqual(before);
      expect(await runs.lockHolder('local')).toBe('arn:running-execution');
    } finally {
      await runs.releaseLock('local', 'arn:running-execution');
    }
  });
});

describe('the drift guard', () => {
  it('re-applies the production size when something shrinks the shop during the test, and records it', async () => {
    let shapeAfterDriftTick: AppShape | undefined;
    const result = await executeLocally(env.pipeline.definition, SHORT_RUN, {
      handlers: {
        [STEPS['ramp-tick']]: (real) => async (input) => {
          const tick = ((input as { ramp?: { tick: number } }).ramp?.tick ?? 0) + 1;
          // A rollout of the test environment's own manifest puts the shop back on one replica.
          if (tick === 2) await putShopReplicas(1);
          const next = await real(input);
          if (tick === 2) shapeAfterDriftTick = await shopShape();
          return next;
        },
      },
    });
    expect(result.status, JSON.stringify(result.error)).toBe('SUCCEEDED');
    expect(shapeAfterDriftTick?.replicas).toBe(3);
    const ticks = await runs.ticks(result.executionArn);
    const drifted = ticks.filter((t) => (t.drift ?? []).length > 0);
    expect(drifted.map((t) => t.tick)).toEqual([2]);
    expect(drifted[0]?.drift?.[0]).toMatchObject({ application: 'shop', reapplied: true });
    expect(drifted[0]?.message).toContain('shop');
    expect((await shopShape()).replicas).toBe(DEMO_TEST_REPLICAS);
  });
});

describe('a failure in any step still restores the environment and fails with the original error', () => {
  const restorePath: StepStateName[] = LIFECYCLE_STEPS.slice(LIFECYCLE_STEPS.indexOf(STEPS['stop-load']));
  const afterLock: StepStateName[] = LIFECYCLE_STEPS.slice(LIFECYCLE_STEPS.indexOf(STEPS.deploy));
  const restoreSteps: StepStateName[] = [
    STEPS['stop-load'],
    STEPS.teardown,
    STEPS.cleanup,
    STEPS['release-lock'],
  ];

  it.each(afterLock)('%s', async (failing) => {
    const result = await executeLocally(env.pipeline.definition, SHORT_RUN, {
      handlers: {
        [failing]: () => async () => {
          throw new InjectedFault(`injected into ${failing}`);
        },
      },
    });
    expect(result.status).toBe('FAILED');
    if (restoreSteps.includes(failing)) {
      // A restore step's own failure is the run's: the restore is incomplete, and says which step failed.
      expect(result.error?.Error).toBe('RestoreIncomplete');
      expect(result.error?.Cause).toContain(
        failing === STEPS['release-lock'] ? 'Release lock failed' : `${failing} failed`,
      );
    } else {
      expect(result.error).toEqual({ Error: 'InjectedFault', Cause: `injected into ${failing}` });
    }
    const entered = statesEntered(result);
    const stillRun = restorePath.slice(Math.max(0, restorePath.indexOf(failing) + 1));
    for (const s of stillRun) expect(entered, `${s} after a failure in ${failing}`).toContain(s);

    if (failing === STEPS.teardown) {
      // Nothing restored the size: that is the janitor's case, and the failure says so.
      expect(entered).toContain('Restore incomplete');
    } else {
      expect((await shopShape()).replicas).toBe(DEMO_TEST_REPLICAS);
    }
    if (failing === STEPS['release-lock']) {
      // The lock then expires by its TTL; free it for the next case.
      expect(await runs.lockHolder('local')).toBe(result.executionArn);
      await runs.releaseLock('local', result.executionArn);
    } else {
      expect(await runs.lockHolder('local')).toBeNull();
    }
    if (failing === STEPS.teardown) await putShopReplicas(DEMO_TEST_REPLICAS);
  });

  it('retries a transient error with backoff and never a validation error', async () => {
    let deployCalls = 0;
    const result = await executeLocally(env.pipeline.definition, SHORT_RUN, {
      handlers: {
        [STEPS.deploy]: (real) => async (input) => {
          deployCalls += 1;
          if (deployCalls === 1) throw new TransientError('the API answered 503');
          return real(input);
        },
        [STEPS.scale]: () => async () => {
          throw new ValidationError([{ field: 'applications[0]', rule: 'injected' }]);
        },
      },
    });
    expect(deployCalls).toBe(2);
    const retried = result.events.flatMap((e) => (e.type === 'StateRetried' ? [e.state.name] : []));
    // Deploy runs once per application, inside the prepare Map: its item task retried.
    expect(retried).toEqual([MAP_ITEM_TASKS.deployApplication]);
    expect(result.status).toBe('FAILED');
    expect(result.error?.Error).toBe('ValidationError');
    expect((await shopShape()).replicas).toBe(DEMO_TEST_REPLICAS);
    expect(await runs.lockHolder('local')).toBeNull();
  });
});
