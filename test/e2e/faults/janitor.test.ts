import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../../lambdas/adapters/aws/run-store';
import type { AppShape } from '../../../lambdas/core/state';
import { handler as janitor } from '../../../lambdas/handlers/janitor';
import { readShopShape } from '../../../local/demo-shop';
import { DEMO_TEST_REPLICAS, type LocalEnvironment, startLocalEnvironment } from '../../../local/environment';
import { executeLocally } from '../../../local/executor';
import { SHORT_LOCAL_RUN } from '../../../local/retry-faults';
import { STEPS } from '../../../statemachine/steps';

/**
 * "Stop execution" mid-ramp: no Catch runs, so the shop stays scaled up and the lock held — until the
 * janitor, started by the execution's status change, restores the recorded shape and frees the lock.
 */
let env: LocalEnvironment;
let runs: RunStore;

beforeAll(async () => {
  env = await startLocalEnvironment({ workers: 1 });
  runs = new RunStore(env.aws.RUNS_TABLE);
});
afterAll(async () => {
  await env?.stop();
});

function shopShape(): Promise<AppShape> {
  return readShopShape(env.shop.adminUrl);
}

/** Runs the pipeline and stops it once the ramp has ticked `ticks` times. */
async function runAbortedMidRamp(ticks = 1) {
  const controller = new AbortController();
  let seen = 0;
  return executeLocally(env.pipeline.definition, SHORT_LOCAL_RUN, {
    signal: controller.signal,
    onEvent: (e) => {
      if (e.type === 'StateExited' && e.state.name === STEPS['ramp-tick'] && ++seen >= ticks)
        controller.abort();
    },
  });
}

const event = (executionArn: string, status = 'ABORTED') => ({
  detail: { executionArn, status, error: null, cause: null },
});

describe('the janitor', () => {
  it('restores a run stopped mid-ramp, frees the lock, and changes nothing the second time', async () => {
    const before = await shopShape();
    expect(before.replicas).toBe(DEMO_TEST_REPLICAS);
    const result = await runAbortedMidRamp();
    expect(result.status).toBe('ABORTED');
    // What a stopped execution leaves behind: production size and a held lock.
    expect((await shopShape()).replicas).toBe(3);
    expect(await runs.lockHolder('local')).toBe(result.executionArn);
    const recorded = (await runs.recordedShapes(result.executionArn)).get('shop');
    expect(recorded?.replicas).toBe(DEMO_TEST_REPLICAS);

    const first = await janitor(event(result.executionArn));
    expect(first.acted).toBe(true);
    expect(first.lock).toBe('held');
    expect(first.loadStopped).toBe(true);
    expect(first.lockReleased).toBe(true);
    expect(first.restored).toEqual([{ application: 'shop', changed: true }]);
    const after = await shopShape();
    expect(after.replicas).toBe(recorded?.replicas);
    // As a normal Teardown leaves it: the recorded size, production's version (restoreVersions is off).
    expect(after).toEqual({ version: '2.4.0', replicas: DEMO_TEST_REPLICAS });
    expect(await runs.lockHolder('local')).toBeNull();
    const records = await runs.janitorRecords(result.executionArn);
    expect(records).toHaveLength(1);
    expect(records[0]?.reason).toBe('ABORTED');
    expect(records[0]?.message).toContain('restored shop');

    // Twice: nothing changes, field by field, and nothing more is recorded.
    const fullBefore = await (await request(`${env.shop.adminUrl}/_conductor/shape`)).body.json();
    const second = await janitor(event(result.executionArn));
    expect(second.acted).toBe(false);
    expect(second.lock).toBe('free');
    expect(second.loadStopped).toBe(false);
    expect(second.lockReleased).toBe(false);
    expect(second.restored).toEqual([{ application: 'shop', changed: false }]);
    expect(await (await request(`${env.shop.adminUrl}/_conductor/shape`)).body.json()).toEqual(fullBefore);
    expect(await runs.lockHolder('local')).toBeNull();
    expect(await runs.janitorRecords(result.executionArn)).toHaveLength(1);
  });

  it('changes nothing after a normal teardown, and never touches an environment another run holds', async () => {
    const failed = await executeLocally(env.pipeline.definition, SHORT_LOCAL_RUN, {
      handlers: {
        [STEPS['ramp-tick']]: () => async () => {
          throw new Error('injected');
        },
      },
    });
    expect(failed.status).toBe('FAILED');
    const shape = await (await request(`${env.shop.adminUrl}/_conductor/shape`)).body.json();
    expect(await runs.lockHolder('local')).toBeNull();
    const result = await janitor(event(failed.executionArn, 'FAILED'));
    expect(result.acted).toBe(false);
    expect(await (await request(`${env.shop.adminUrl}/_conductor/shape`)).body.json()).toEqual(shape);
    expect(await runs.janitorRecords(failed.executionArn)).toEqual([]);

    const now = new Date();
    await runs.acquireLock('local', 'arn:another-run', now, new Date(now.getTime() + 600_000));
    try {
      const other = await janitor(event(failed.executionArn, 'FAILED'));
      expect(other).toMatchObject({ acted: false, lock: 'other' });
      expect(await runs.lockHolder('local')).toBe('arn:another-run');
    } finally {
      await runs.releaseLock('local', 'arn:another-run');
    }
  });

  it('ignores executions that never took the lock and statuses it is not for', async () => {
    expect(await janitor(event('arn:aws:states:us-east-1:123456789012:execution:X:never'))).toMatchObject({
      acted: false,
    });
    expect(await janitor(event('arn:whatever', 'SUCCEEDED'))).toMatchObject({ acted: false });
  });
});
