/**
 * The fault matrix (issue 6): on one local environment (no AWS account), run the load test with one injected
 * fault per scenario, then check that the environment ends as it was found — the shop in its recorded shape
 * (compared with the product's own field-by-field comparison), the Locust worker fleet at its size before the
 * scenario, the lock free, the reason recorded. Executions that end FAILED or ABORTED get the janitor, as the
 * EventBridge rule in AWS gives them (cdk/lib/janitor.ts). Run by test/e2e/faults/fault-matrix.test.ts.
 */
import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { request } from 'undici';
import { RunStore } from '../../../lambdas/adapters/aws/run-store';
import { type WorkerFleet, workerFleet } from '../../../lambdas/adapters/locust/fleet';
import type { ConductorConfig, EnvironmentConfig } from '../../../lambdas/core/config';
import { hasShape, restoreTarget } from '../../../lambdas/core/shape';
import { handler as janitor } from '../../../lambdas/handlers/janitor';
import { deps, resetDeps } from '../../../lambdas/runtime/step';
import { DEMO_TEST_REPLICAS, type LocalEnvironment, startLocalEnvironment } from '../../../local/environment';
import { executeLocally, type LocalExecutionResult } from '../../../local/executor';
import { MOTO_CREDENTIALS, MOTO_REGION } from '../../../local/moto';
import { startFaultProxy } from './fault-proxy';
import { type PlatformSnapshot, startFaultyPlatforms } from './faulty-platforms';
import { type Context, clearFaults, ENVIRONMENT, type Scenario, shopShape } from './matrix-scenarios';
import { createRecheckQueue, SHORT_LOCAL_RUN } from './retry-faults';

/** Whether the shop is in the shape its run recorded, field by field, as Teardown compares it. */
async function restored(ctx: Context, executions: readonly LocalExecutionResult[]): Promise<string | null> {
  const current = await shopShape(ctx.env);
  const restoreVersions = localEnvironment(ctx.env).restoreVersions;
  for (const e of executions) {
    const recorded = (await ctx.runs.recordedShapes(e.executionArn)).get('shop');
    if (!recorded) continue;
    if (!hasShape(current, restoreTarget(recorded, current, restoreVersions))) {
      return `shop ${JSON.stringify(current)} is not its recorded ${JSON.stringify(recorded)}`;
    }
  }
  // No run recorded a shape (it failed before Scale): nothing may have changed its size either.
  return current.replicas === DEMO_TEST_REPLICAS ? null : `shop has ${current.replicas} replicas`;
}

async function reasonOf(ctx: Context, executions: readonly LocalExecutionResult[]): Promise<string> {
  for (const e of executions) {
    const records = await ctx.runs.janitorRecords(e.executionArn);
    const last = records.at(-1);
    if (last) return `janitor: ${last.reason} — ${last.message}`;
  }
  const e = executions.find((x) => x.error);
  if (e?.error) return `execution: ${e.error.Error}: ${e.error.Cause ?? ''}`;
  return executions.length > 0 ? `execution: ${executions.map((x) => x.status).join(', ')}` : 'none';
}

/** The environment the scenarios run in (config/local.json's). */
function localEnvironment(env: LocalEnvironment): EnvironmentConfig {
  const config = env.config.environments[ENVIRONMENT];
  if (!config) throw new Error(`config has no environment ${ENVIRONMENT}`);
  return config;
}

/** The local worker processes as the conductor sizes them (locust.workers of config/local.json). */
function localFleet(env: LocalEnvironment): WorkerFleet {
  const workers = localEnvironment(env).locust.workers;
  if (!workers) throw new Error(`environment ${ENVIRONMENT} has no locust.workers`);
  return workerFleet(workers);
}

/**
 * Whether the worker fleet asks for as many workers as before the scenario: Start load and the ramp scale
 * it, Stop load — or the janitor, for a stopped run — must scale it back (idle workers cost).
 */
async function fleetRestored(ctx: Context, workersBefore: number): Promise<string | null> {
  const { desired } = await localFleet(ctx.env).status();
  return desired === workersBefore
    ? null
    : `the Locust worker fleet asks for ${desired} workers, ${workersBefore} before`;
}

/** Puts a dirty environment back, so the next scenario starts clean (and its result is its own). */
async function repair(ctx: Context, workersBefore: number): Promise<void> {
  const holder = await ctx.runs.lockHolder(ENVIRONMENT);
  if (holder) await ctx.runs.releaseLock(ENVIRONMENT, holder);
  await localFleet(ctx.env).scale(workersBefore);
  await request(`${ctx.env.shop.adminUrl}/_conductor/shape`, {
    method: 'PUT',
    body: JSON.stringify({ replicas: DEMO_TEST_REPLICAS }),
    headers: { 'content-type': 'application/json' },
  }).then((r) => r.body.dump());
}

/**
 * Adds a Kubernetes Deployment and an ECS service (test/support/faults/faulty-platforms.ts) to the local environment's
 * applications, and puts fault proxies between the conductor and them and the Locust master.
 */
async function startFaultTargets(env: LocalEnvironment) {
  const platforms = await startFaultyPlatforms({
    motoEndpoint: env.aws.endpoint,
    workDir: join(env.workDir, 'platforms'),
  });
  const locustProxy = await startFaultProxy({ upstream: env.locust.url });
  const local = localEnvironment(env);
  const config: ConductorConfig = {
    ...env.config,
    environments: {
      ...env.config.environments,
      [ENVIRONMENT]: {
        ...local,
        locust: { ...local.locust, url: locustProxy.url },
        applications: [...local.applications, ...platforms.applications],
      },
    },
  };
  const sqs = new SQSClient({
    endpoint: env.aws.endpoint,
    region: MOTO_REGION,
    credentials: MOTO_CREDENTIALS,
  });
  const queueUrl = await createRecheckQueue(sqs);
  // A silent API server fails a request after 2 s instead of 20 (the matrix waits for it twice per row);
  // the janitor's second pass is due at once (in AWS: 15 min later), the scenario decides when it runs.
  Object.assign(process.env, platforms.env, {
    LTC_CONFIG: JSON.stringify(config),
    LTC_API_TIMEOUT_MS: '2000',
    LTC_POLL_MS: '250',
    JANITOR_RECHECK_QUEUE_URL: queueUrl,
    JANITOR_RECHECK_DELAY_SECONDS: '0',
  });
  resetDeps();
  return { platforms, locustProxy, recheck: { sqs, queueUrl } };
}

/**
 * Whether the Deployment and the ECS service are in their recorded shapes, field by field as Teardown
 * compares them — or, when no run recorded them, exactly as they were before the scenario.
 */
async function platformsRestored(
  ctx: Context,
  executions: readonly LocalExecutionResult[],
  before: PlatformSnapshot,
): Promise<string | null> {
  const restoreVersions = localEnvironment(ctx.env).restoreVersions;
  let recordedAny = false;
  for (const app of ctx.platforms.applications) {
    const current = await deps().platform.readShape(app.name, app.test);
    for (const e of executions) {
      const recorded = (await ctx.runs.recordedShapes(e.executionArn)).get(app.name);
      if (!recorded) continue;
      recordedAny = true;
      if (!hasShape(current, restoreTarget(recorded, current, restoreVersions)))
        return `${app.name} ${JSON.stringify(current)} is not its recorded ${JSON.stringify(recorded)}`;
    }
  }
  if (recordedAny) return null;
  const now = await ctx.platforms.snapshot();
  return JSON.stringify(now) === JSON.stringify(before)
    ? null
    : `platforms changed without a record: ${JSON.stringify(now)}`;
}

/** How a scenario ended, and what it left dirty (empty: the environment is as it was found). */
export interface ScenarioResult {
  readonly outcome: string;
  /** What the run recorded about the fault. */
  readonly reason: string;
  readonly dirty: readonly string[];
}

/** One local environment with the fault targets, shared by the scenarios, which run one at a time. */
export interface FaultMatrix {
  /** Runs one scenario and checks the environment; puts a dirty one back, so the next scenario starts clean. */
  check(scenario: Scenario): Promise<ScenarioResult>;
  stop(): Promise<void>;
}

/** `janitor: false` leaves out the janitor, to see the matrix catch what it would leave dirty. */
export async function startFaultMatrix(options: { readonly janitor: boolean }): Promise<FaultMatrix> {
  const env = await startLocalEnvironment({ workers: 2 });
  const runs = new RunStore(env.aws.RUNS_TABLE);
  const { platforms, locustProxy, recheck } = await startFaultTargets(env);
  const ctx: Context = {
    env,
    runs,
    platforms,
    locustProxy,
    recheck,
    execute: (options) => executeLocally(env.pipeline.definition, SHORT_LOCAL_RUN, options),
    executeDefinition: (definition, options) => executeLocally(definition, SHORT_LOCAL_RUN, options),
    janitorFor: async (result) =>
      result.status === 'SUCCEEDED' || !options.janitor
        ? null
        : janitor({
            detail: {
              executionArn: result.executionArn,
              status: result.status,
              error: result.error?.Error ?? null,
              cause: result.error?.Cause ?? null,
            },
          }),
  };
  return {
    async check(scenario) {
      const platformsBefore = await platforms.snapshot();
      const workersBefore = (await localFleet(env).status()).desired;
      let clean = false;
      try {
        const out = await scenario.run(ctx);
        await out.after?.();
        clearFaults(ctx);
        const notRestored =
          (await restored(ctx, out.executions)) ??
          (await platformsRestored(ctx, out.executions, platformsBefore)) ??
          (await fleetRestored(ctx, workersBefore));
        const holder = await runs.lockHolder(ENVIRONMENT);
        const dirty = [
          ...(notRestored ? [`not restored: ${notRestored}`] : []),
          ...(holder ? [`lock still held by ${holder.split(':').at(-1)}`] : []),
          ...(out.violation ? [`violation: ${out.violation}`] : []),
        ];
        clean = dirty.length === 0;
        return { outcome: out.outcome, reason: out.reason ?? (await reasonOf(ctx, out.executions)), dirty };
      } finally {
        if (!clean) {
          clearFaults(ctx);
          await repair(ctx, workersBefore);
          await platforms.reset(platformsBefore);
        }
      }
    },
    async stop() {
      await locustProxy.stop();
      await platforms.stop();
      await env.stop();
    },
  };
}
