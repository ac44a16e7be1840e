import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../../lambdas/adapters/aws/run-store';
import { LocustClient } from '../../../lambdas/adapters/locust/client';
import { hasShape, restoreTarget } from '../../../lambdas/core/shape';
import { handler as janitor } from '../../../lambdas/handlers/janitor';
import { readShopShape } from '../../../local/demo-shop';
import { DEMO_TEST_REPLICAS, type LocalEnvironment, startLocalEnvironment } from '../../../local/environment';
import { executeLocally, type LocalExecutionResult } from '../../../local/executor';
import { MOTO_CREDENTIALS, MOTO_REGION } from '../../../local/moto';
import { MAP_ITEM_TASKS, STEPS } from '../../../statemachine/steps';
import {
  createRecheckQueue,
  everyHandlerTwice,
  receiveJanitorRecheck,
  SHORT_LOCAL_RUN,
  tickSeriesProblem,
  withTaskTimeout,
} from '../../support/faults/retry-faults';

/**
 * Retries and races on the whole local pipeline (the synthesized state machine, the real handlers, moto's
 * DynamoDB and SQS): every handler invoked twice, a Lambda that outlives its States.Timeout and scales
 * after the janitor restored, and the lock of a crashed run against the lock of a live one.
 */
let env: LocalEnvironment;
let runs: RunStore;
let sqs: SQSClient;
let queueUrl: string;

const LIVE = 'arn:aws:states:us-east-1:123456789012:execution:LoadTestConductor:live';
const CRASHED = 'arn:aws:states:us-east-1:123456789012:execution:LoadTestConductor:crashed';

beforeAll(async () => {
  env = await startLocalEnvironment({ workers: 1 });
  runs = new RunStore(env.aws.RUNS_TABLE);
  sqs = new SQSClient({ endpoint: env.aws.endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS });
  queueUrl = await createRecheckQueue(sqs);
  Object.assign(process.env, { JANITOR_RECHECK_QUEUE_URL: queueUrl, JANITOR_RECHECK_DELAY_SECONDS: '0' });
});
afterAll(async () => {
  await env?.stop();
});

/** The shop in its recorded shape (Teardown's own comparison), and the lock free. */
async function expectRestored(result: LocalExecutionResult) {
  const recorded = (await runs.recordedShapes(result.executionArn)).get('shop');
  const current = await readShopShape(env.shop.adminUrl);
  expect(recorded).toBeDefined();
  if (recorded) expect(hasShape(current, restoreTarget(recorded, current, false))).toBe(true);
  expect(current.replicas).toBe(DEMO_TEST_REPLICAS);
  expect(await runs.lockHolder('local')).toBeNull();
}

describe('retries and races', () => {
  it('runs every handler twice without double-applying: original shape recorded, each tick once, restored, unlocked', async () => {
    const before = await readShopShape(env.shop.adminUrl);
    const result = await executeLocally(env.pipeline.definition, SHORT_LOCAL_RUN, {
      handlers: everyHandlerTwice(),
    });
    expect(result.status).toBe('SUCCEEDED');
    const recorded = (await runs.recordedShapes(result.executionArn)).get('shop');
    expect([recorded?.version, recorded?.replicas]).toEqual([before.version, before.replicas]);
    const ticks = await runs.ticks(result.executionArn);
    expect(ticks.length).toBeGreaterThan(1);
    expect(tickSeriesProblem(ticks)).toBeNull();
    await expectRestored(result);
  });

  it("undoes, in the janitor's second pass, a Scale that outlived its States.Timeout and scaled after the first", async () => {
    const { promise: afterJanitor, resolve: janitorRan } = Promise.withResolvers<void>();
    let lateScale: Promise<unknown> | undefined;
    const result = await executeLocally(
      withTaskTimeout(env.pipeline.definition, MAP_ITEM_TASKS.scaleApplication, 2),
      SHORT_LOCAL_RUN,
      {
        handlers: {
          [STEPS.scale]: (real) => async (input) => {
            // The applications' invocations scale late; the node groups' one runs at once.
            if (!(input as { application?: string }).application) return real(input);
            lateScale = afterJanitor.then(() => real(input));
            return lateScale;
          },
        },
      },
    );
    expect([result.status, result.error?.Error]).toEqual(['FAILED', 'States.Timeout']);
    const first = await janitor({
      detail: { executionArn: result.executionArn, status: 'FAILED', error: 'States.Timeout', cause: null },
    });
    expect(first.recheckAt).toBeDefined();
    janitorRan();
    await lateScale;
    expect((await readShopShape(env.shop.adminUrl)).replicas).toBeGreaterThan(DEMO_TEST_REPLICAS);

    const second = await janitor(await receiveJanitorRecheck(sqs, queueUrl, result.executionArn));
    expect(second).toMatchObject({ acted: true, lock: 'free' });
    expect(second.restored).toEqual([{ application: 'shop', changed: true }]);
    expect(second.recheckAt).toBeUndefined();
    await expectRestored(result);
    const records = await runs.janitorRecords(result.executionArn);
    expect(records.at(-1)?.reason).toMatch(/re-check after the longest step timeout/);
  });

  it("stops, in the janitor's second pass, the users a Ramp tick started after its States.Timeout", async () => {
    const { promise: afterJanitor, resolve: janitorRan } = Promise.withResolvers<void>();
    let lateTick: Promise<unknown> | undefined;
    const result = await executeLocally(
      withTaskTimeout(env.pipeline.definition, STEPS['ramp-tick'], 2),
      // A plateau long enough that the late tick still asks for users.
      { ...SHORT_LOCAL_RUN, plateauMinutes: 3 },
      {
        handlers: {
          [STEPS['ramp-tick']]: (real) => async (input) => {
            lateTick ??= afterJanitor.then(() => real(input));
            return lateTick;
          },
        },
      },
    );
    expect([result.status, result.error?.Error]).toEqual(['FAILED', 'States.Timeout']);
    const first = await janitor({
      detail: { executionArn: result.executionArn, status: 'FAILED', error: 'States.Timeout', cause: null },
    });
    expect(first.loadStopped).toBe(false);
    janitorRan();
    await lateTick;
    const locust = new LocustClient({ baseUrl: env.locust.url });
    expect(['spawning', 'running']).toContain((await locust.kpi()).state);

    const second = await janitor(await receiveJanitorRecheck(sqs, queueUrl, result.executionArn));
    expect(second).toMatchObject({ acted: true, lock: 'free', loadStopped: true });
    expect(['spawning', 'running']).not.toContain((await locust.kpi()).state);
    await expectRestored(result);
  });

  it("takes over a crashed run's expired lock, and never a live run's", async () => {
    const crashedAt = new Date(Date.now() - 2 * 3600_000);
    await runs.acquireLock('local', CRASHED, crashedAt, new Date(crashedAt.getTime() + 3600_000));
    const next = await executeLocally(env.pipeline.definition, SHORT_LOCAL_RUN);
    expect(next.status).toBe('SUCCEEDED');
    await expectRestored(next);

    const now = new Date();
    await runs.acquireLock('local', LIVE, now, new Date(now.getTime() + 600_000));
    try {
      const refused = await executeLocally(env.pipeline.definition, SHORT_LOCAL_RUN);
      expect(refused.error?.Error).toBe('EnvironmentLockedError');
      expect(refused.error?.Cause).toContain(LIVE);
      expect(await runs.lockHolder('local')).toBe(LIVE);
      expect((await readShopShape(env.shop.adminUrl)).replicas).toBe(DEMO_TEST_REPLICAS);
    } finally {
      await runs.releaseLock('local', LIVE);
    }
  });
});
