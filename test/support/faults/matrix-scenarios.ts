import type { SQSClient } from '@aws-sdk/client-sqs';
import type { RunStore } from '../../../lambdas/adapters/aws/run-store';
import type { AppShape } from '../../../lambdas/core/shape';
import { type JanitorResult, handler as janitor } from '../../../lambdas/handlers/janitor';
import { resetDeps } from '../../../lambdas/runtime/step';
import { readShopShape } from '../../../local/demo-shop';
import { DEMO_TEST_REPLICAS, type LocalEnvironment, startLocalEnvironment } from '../../../local/environment';
import type { LocalExecutionOptions, LocalExecutionResult } from '../../../local/executor';
import { LIFECYCLE_STEPS, MAP_ITEM_TASKS, STEPS, type StepStateName } from '../../../statemachine/steps';
import {
  awsAction,
  awsJsonError,
  type FaultProxy,
  kubernetesStatus,
  type ProxiedRequest,
  type InjectedFault as ProxyFault,
} from './fault-proxy';
import type { FaultyPlatforms } from './faulty-platforms';
import {
  type FaultRun,
  motoKilledViolation,
  runWithMotoKilled,
  runWithShopKilled,
  shopKilledViolation,
} from './restore-faults';
import { everyHandlerTwice, receiveJanitorRecheck, tickSeriesProblem, withTaskTimeout } from './retry-faults';

export const ENVIRONMENT = 'local';
const CONTENDER = 'arn:aws:states:us-east-1:123456789012:execution:LoadTestConductor:contender';

export interface ScenarioOutcome {
  /** How the execution(s) ended, e.g. `FAILED InjectedFault`. */
  readonly outcome: string;
  /** The executions whose recorded shapes the shop must be back in. */
  readonly executions: readonly LocalExecutionResult[];
  /** A check of the scenario's own (e.g. the second janitor changed nothing); null when it holds. */
  readonly violation?: string | null;
  /** Runs before the lock check (e.g. the contender gives its lock back). */
  readonly after?: () => Promise<void>;
  /** Where the run recorded what happened, when not in its error or a janitor record (e.g. a tick's message). */
  readonly reason?: string;
}

export interface Scenario {
  readonly name: string;
  run(ctx: Context): Promise<ScenarioOutcome>;
}

export interface Context {
  readonly env: LocalEnvironment;
  readonly runs: RunStore;
  /** The Kubernetes Deployment and ECS service of the environment, behind fault proxies. */
  readonly platforms: FaultyPlatforms;
  /** In front of the Locust master: the conductor reads Locust through it. */
  readonly locustProxy: FaultProxy;
  /** The janitor's delayed second passes (moto SQS). */
  readonly recheck: { readonly sqs: SQSClient; readonly queueUrl: string };
  execute(options?: LocalExecutionOptions): Promise<LocalExecutionResult>;
  /** As `execute`, with another definition (e.g. a step's TimeoutSeconds shortened). */
  executeDefinition(
    definition: Record<string, unknown>,
    options?: LocalExecutionOptions,
  ): Promise<LocalExecutionResult>;
  /** What EventBridge does for an execution that ended FAILED, ABORTED or TIMED_OUT. */
  janitorFor(result: LocalExecutionResult): Promise<JanitorResult | null>;
}

class InjectedFault extends Error {
  override readonly name = 'InjectedFault';
}

/** Stops the execution once the ramp has ticked `ticks` times (the console's "Stop execution"). */
function abortAfterTicks(ticks: number): Pick<LocalExecutionOptions, 'signal' | 'onEvent'> {
  const controller = new AbortController();
  let seen = 0;
  return {
    signal: controller.signal,
    onEvent: (e) => {
      if (e.type === 'StateExited' && e.state.name === STEPS['ramp-tick'] && ++seen >= ticks)
        controller.abort();
    },
  };
}

/** Runs `fault` once, in the background, after the ramp's `ticks`-th tick; awaited by `settled`. */
function afterTicks(ticks: number, fault: () => Promise<void>) {
  let seen = 0;
  let running: Promise<void> | null = null;
  return {
    onEvent: (e: Parameters<NonNullable<LocalExecutionOptions['onEvent']>>[0]) => {
      if (e.type === 'StateExited' && e.state.name === STEPS['ramp-tick'] && ++seen === ticks)
        running = fault();
    },
    settled: async () => {
      await running;
      return running !== null;
    },
  };
}

const ended = (r: LocalExecutionResult) => `${r.status}${r.error ? ` ${r.error.Error}` : ''}`;

const FAULTY_STEPS: readonly StepStateName[] = LIFECYCLE_STEPS;

/** A fault injected into the environment after the first tick; the run must still end restored. */
function midTestFault(name: string, notInjected: string, inject: (ctx: Context) => Promise<void>): Scenario {
  return {
    name,
    async run(ctx) {
      const fault = afterTicks(1, () => inject(ctx));
      const result = await ctx.execute({ onEvent: fault.onEvent });
      const injected = await fault.settled();
      await ctx.janitorFor(result);
      return {
        outcome: ended(result),
        executions: [result],
        violation: injected ? null : `the ramp never ticked: ${notInjected}`,
      };
    },
  };
}

/** Runs `inject` once, when the execution enters the state `name`. */
function whenEntering(name: string, inject: () => void): Pick<LocalExecutionOptions, 'onEvent'> {
  let done = false;
  return {
    onEvent: (e) => {
      if (!done && e.type === 'StateEntered' && e.state.name === name) {
        done = true;
        inject();
      }
    },
  };
}

/** Injected faults and how many requests they failed so far. */
interface ArmedFaults {
  readonly options?: LocalExecutionOptions;
  hits(): number;
}

/**
 * A fault of the Kubernetes or ECS API (through the fault proxies in front of the real servers, never a
 * stubbed adapter): the run must retry it and succeed, or — `expect: 'FAILED'` — fail with the reason and
 * leave the rest to the janitor, and in both cases end restored.
 */
interface ApiFaultCase {
  readonly name: string;
  arm(ctx: Context): ArmedFaults;
  /** Requests that must have failed for the scenario to count. */
  readonly minHits: number;
  readonly expect: 'SUCCEEDED' | 'FAILED';
  /** The API comes back once the execution has ended (before the janitor). */
  readonly recoversAfterExecution?: boolean;
}

const isPatch = (r: ProxiedRequest) => r.method === 'PATCH';
const isKpiRead = (r: ProxiedRequest) => r.method === 'GET' && r.path.startsWith('/conductor/kpi');
const ECS_WRITES = awsAction('UpdateService', 'RegisterTaskDefinition');

/** Injects `fault` into the proxy `proxy` picks: before the run, or when it enters the state `at`. */
function armed(
  proxy: (ctx: Context) => FaultProxy,
  fault: ProxyFault,
  at?: StepStateName,
): (ctx: Context) => ArmedFaults {
  return (ctx) => {
    const counts: { readonly failed: number }[] = [];
    const inject = () => counts.push(proxy(ctx).inject(fault));
    const hits = () => counts.reduce((sum, c) => sum + c.failed, 0);
    if (!at) {
      inject();
      return { hits };
    }
    return { options: whenEntering(at, inject), hits };
  };
}

const kubeProxy = (ctx: Context) => ctx.platforms.kubeProxy;
const ecsProxy = (ctx: Context) => ctx.platforms.ecsProxy;

const API_FAULTS: readonly ApiFaultCase[] = [
  {
    name: 'Kubernetes API 503 on 3 patches',
    minHits: 3,
    expect: 'SUCCEEDED',
    arm: armed(kubeProxy, {
      match: isPatch,
      response: kubernetesStatus(503, 'ServiceUnavailable', 'etcd leader changed'),
      times: 3,
    }),
  },
  {
    name: 'Kubernetes 409 Conflict on 4 patches',
    minHits: 4,
    expect: 'SUCCEEDED',
    arm: armed(kubeProxy, {
      match: isPatch,
      response: kubernetesStatus(409, 'Conflict', 'the object has been modified'),
      times: 4,
    }),
  },
  {
    name: 'Kubernetes API silent in Teardown (2 timeouts)',
    minHits: 2,
    expect: 'SUCCEEDED',
    arm: armed(kubeProxy, { match: () => true, response: { hang: true }, times: 2 }, STEPS.teardown),
  },
  {
    name: 'ECS ThrottlingException on 6 writes',
    minHits: 6,
    expect: 'SUCCEEDED',
    arm: armed(ecsProxy, {
      match: ECS_WRITES,
      response: awsJsonError('ThrottlingException', 'Rate exceeded'),
      times: 6,
    }),
  },
  {
    name: 'Kubernetes API 5xx through Teardown, back for the janitor',
    minHits: 1,
    expect: 'FAILED',
    recoversAfterExecution: true,
    arm: armed(
      kubeProxy,
      {
        match: () => true,
        response: kubernetesStatus(500, 'InternalError', 'an error on the server'),
        times: Number.MAX_SAFE_INTEGER,
      },
      STEPS.teardown,
    ),
  },
];

/** Kubernetes and ECS API faults, each as one scenario. */
function platformApiScenarios(): Scenario[] {
  return API_FAULTS.map((c) => ({
    name: c.name,
    async run(ctx) {
      const armed = c.arm(ctx);
      const result = await ctx.execute(armed.options);
      if (c.recoversAfterExecution) clearFaults(ctx);
      const cleaned = await ctx.janitorFor(result);
      const hits = armed.hits();
      const violation =
        hits < c.minHits
          ? `only ${hits} of ${c.minHits} injected faults were hit`
          : result.status !== c.expect
            ? `expected ${c.expect}, got ${ended(result)}`
            : c.expect === 'FAILED' && !cleaned?.acted
              ? 'the janitor did not finish the restore'
              : null;
      const retried = retriesOf(result);
      return {
        outcome: `${ended(result)}; ${hits} requests failed${cleaned?.acted ? '; janitor acted' : ''}`,
        executions: [result],
        violation,
        ...(result.status === 'SUCCEEDED' ? { reason: retried ?? 'retried in place by the adapters' } : {}),
      };
    },
  }));
}

/**
 * What the Locust master answers, changed by the proxy in front of it: an HTML error page (5xx: retried;
 * 200: the protocol is broken, the run fails with the reason), an answer missing its entries, a counter
 * going backwards once (a bad reading: ignored, the baseline kept, never read as a collapse of orders nor, at
 * the next reading, as a burst).
 */
function locustResponseScenarios(): Scenario[] {
  const htmlPage = (status: number) => ({
    status,
    headers: { 'content-type': 'text/html' },
    body: '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>',
  });
  const locustFault = (
    name: string,
    expect: 'SUCCEEDED' | 'FAILED',
    response: Parameters<FaultProxy['inject']>[0]['response'],
    times: number,
    /** What the run must have recorded; null when the retry is the whole story. */
    expectReason: RegExp | null,
  ): Scenario => ({
    name,
    async run(ctx) {
      let count: { failed: number } | undefined;
      // After the second tick: the order counter has counted something a reading can go back from.
      const fault = afterTicks(2, async () => {
        count = ctx.locustProxy.inject({ match: isKpiRead, response, times });
      });
      const result = await ctx.execute({ onEvent: fault.onEvent });
      await fault.settled();
      await ctx.janitorFor(result);
      const tick = expectReason ? tickMessages(result).find((m) => expectReason.test(m)) : undefined;
      const reason = `${result.error?.Cause ?? ''} ${tick ?? ''}`;
      return {
        outcome: `${ended(result)}; ${count?.failed ?? 0} KPI reads changed`,
        executions: [result],
        ...(result.status === 'SUCCEEDED'
          ? { reason: tick ? `ramp tick: ${tick}` : (retriesOf(result) ?? '') }
          : {}),
        violation: !count?.failed
          ? 'no KPI read was changed'
          : result.status !== expect
            ? `expected ${expect}, got ${ended(result)}`
            : !expectReason || expectReason.test(reason)
              ? null
              : `the reason is not recorded (${expectReason})`,
      };
    },
  });
  return [
    locustFault('Locust answers 502 with an HTML page (2 reads)', 'SUCCEEDED', htmlPage(502), 2, null),
    locustFault('Locust answers an HTML page with 200', 'FAILED', htmlPage(200), 1000, /HTML page/),
    locustFault(
      'Locust KPI answer missing its entries',
      'FAILED',
      {
        corrupt: (kpi) => {
          const { orders: _orders, ...rest } = kpi as Record<string, unknown>;
          return rest;
        },
      },
      1000,
      /orders is missing/,
    ),
    locustFault(
      'Locust order counter goes backwards',
      'SUCCEEDED',
      {
        corrupt: (kpi) => {
          return { ...(kpi as Record<string, number>), orders: 0 };
        },
      },
      1,
      /reading ignored \(a counter went down\)/,
    ),
  ];
}

/** The ramp ticks' messages, from the execution's events. */
function tickMessages(result: LocalExecutionResult): string[] {
  return result.events.flatMap((e) => {
    if (e.type !== 'StateExited' || e.state.name !== STEPS['ramp-tick']) return [];
    const output = e.state.output as { ramp?: { message?: string } } | undefined;
    return [output?.ramp?.message ?? ''];
  });
}

/** The states Step Functions retried and how often, e.g. `Scale to production size ×2`; null when none. */
function retriesOf(result: LocalExecutionResult): string | null {
  const counts = new Map<string, number>();
  for (const e of result.events)
    if (e.type === 'StateRetried') counts.set(e.state.name, (counts.get(e.state.name) ?? 0) + 1);
  return counts.size === 0
    ? null
    : `retried by Step Functions: ${[...counts].map(([state, n]) => `${state} ×${n}`).join(', ')}`;
}

export function clearFaults(ctx: Context): void {
  ctx.platforms.kubeProxy.clear();
  ctx.platforms.ecsProxy.clear();
  ctx.locustProxy.clear();
}

const CRASHED = 'arn:aws:states:us-east-1:123456789012:execution:LoadTestConductor:crashed';

/**
 * Retries and the lock: every handler invoked twice, a Lambda that outlives its States.Timeout and scales
 * after the janitor restored (the janitor's second pass undoes it), a crashed holder's expired lock.
 */
function retryAndLockScenarios(): Scenario[] {
  return [
    {
      name: 'every handler run twice (lost responses)',
      async run(ctx) {
        const shopBefore = await shopShape(ctx.env);
        const platformsBefore = await ctx.platforms.snapshot();
        const result = await ctx.execute({ handlers: everyHandlerTwice() });
        await ctx.janitorFor(result);
        const recorded = await ctx.runs.recordedShapes(result.executionArn);
        const k8s = recorded.get(ctx.platforms.applications[0]?.name ?? '');
        const ecs = recorded.get(ctx.platforms.applications[1]?.name ?? '');
        const ticks = await ctx.runs.ticks(result.executionArn);
        const violation =
          result.status !== 'SUCCEEDED'
            ? `expected SUCCEEDED, got ${ended(result)}`
            : recorded.get('shop')?.replicas !== shopBefore.replicas ||
                recorded.get('shop')?.version !== shopBefore.version
              ? `the recorded shop shape ${JSON.stringify(recorded.get('shop'))} is not the original one`
              : k8s?.replicas !== platformsBefore.kubernetes.replicas ||
                  ecs?.replicas !== platformsBefore.ecs.desiredCount
                ? 'a recorded platform shape is not the original one'
                : tickSeriesProblem(ticks);
        return {
          outcome: `${ended(result)}; ${ticks.length} ticks, each once`,
          executions: [result],
          violation,
        };
      },
    },
    {
      name: 'Lambda timeout in Scale; it scales late, after the janitor',
      async run(ctx) {
        const { promise: afterJanitor, resolve: janitorDone } = Promise.withResolvers<void>();
        let lateScale: Promise<unknown> | undefined;
        // The real TimeoutSeconds of the task, shortened: the interpreter raises States.Timeout and, as
        // Lambda does, lets the handler run on; it applies production's size only after the janitor ran.
        const definition = withTaskTimeout(ctx.env.pipeline.definition, MAP_ITEM_TASKS.scaleApplication, 2);
        const result = await ctx.executeDefinition(definition, {
          handlers: {
            [STEPS.scale]: (real) => async (input) => {
              // The applications' invocations scale late; the node groups' one runs at once.
              if (!(input as { application?: string }).application) return real(input);
              lateScale = afterJanitor.then(() => real(input));
              return lateScale;
            },
          },
        });
        const first = await ctx.janitorFor(result);
        janitorDone();
        await lateScale?.catch(() => undefined);
        const scaledLate = (await shopShape(ctx.env)).replicas !== DEMO_TEST_REPLICAS;
        const second = await janitor(
          await receiveJanitorRecheck(ctx.recheck.sqs, ctx.recheck.queueUrl, result.executionArn),
        );
        return {
          outcome: `${ended(result)}; late Scale ${scaledLate ? 're-scaled' : 'changed nothing'}; second pass ${second.acted ? 'restored' : 'idle'}`,
          executions: [result],
          violation:
            result.error?.Error !== 'States.Timeout'
              ? `expected States.Timeout, got ${ended(result)}`
              : !first?.recheckAt
                ? 'the janitor queued no second pass'
                : !scaledLate
                  ? 'the late Scale changed nothing'
                  : !second.acted
                    ? 'the second pass did not restore the late write'
                    : null,
        };
      },
    },
    {
      name: "a crashed run's expired lock; the next run proceeds",
      async run(ctx) {
        const crashedAt = new Date(Date.now() - 2 * 3600_000);
        await ctx.runs.acquireLock(ENVIRONMENT, CRASHED, crashedAt, new Date(crashedAt.getTime() + 3600_000));
        const result = await ctx.execute();
        await ctx.janitorFor(result);
        return {
          outcome: `${ended(result)}; the expired lock was taken over`,
          executions: [result],
          violation: result.status !== 'SUCCEEDED' ? `expected SUCCEEDED, got ${ended(result)}` : null,
        };
      },
    },
  ];
}

/**
 * A fault that kills a process of the environment (issue 18): run in an environment of its own, which it
 * stops afterwards, so the shared one stays whole. What it must leave is a run that says, rather than hides,
 * what it could not restore; `violation` checks that.
 */
function killedProcessScenario(
  name: string,
  run: (env: LocalEnvironment) => Promise<FaultRun>,
  violation: (run: FaultRun) => string | null,
): Scenario {
  return {
    name,
    async run() {
      // The handlers read their endpoints from process.env, which the second environment repoints: the
      // shared environment's are put back afterwards.
      const shared = { ...process.env };
      const own = await startLocalEnvironment({ workers: 1 });
      try {
        const faulted = await run(own);
        const headline = faulted.lines.find((l) => l.startsWith('✗ RESTORE INCOMPLETE'));
        return {
          outcome: `${faulted.result.status} ${faulted.result.error?.Error ?? ''}`.trim(),
          executions: [],
          violation: violation(faulted),
          reason: headline ?? 'no restore headline',
        };
      } finally {
        await own.stop();
        for (const key of Object.keys(process.env)) if (!(key in shared)) delete process.env[key];
        Object.assign(process.env, shared);
        resetDeps();
      }
    },
  };
}

export const SCENARIOS: readonly Scenario[] = [
  ...FAULTY_STEPS.map(
    (step): Scenario => ({
      name: `error thrown in ${step}`,
      async run(ctx) {
        const result = await ctx.execute({
          handlers: {
            [step]: () => async () => {
              throw new InjectedFault(`injected into ${step}`);
            },
          },
        });
        await ctx.janitorFor(result);
        return { outcome: ended(result), executions: [result] };
      },
    }),
  ),
  killedProcessScenario('the shop killed mid-ramp (own environment)', runWithShopKilled, (run) =>
    shopKilledViolation(run),
  ),
  killedProcessScenario(
    'the AWS emulator killed mid-plateau (own environment)',
    runWithMotoKilled,
    motoKilledViolation,
  ),
  midTestFault('Locust master restarted mid-test', 'no restart injected', (ctx) =>
    ctx.env.locust.restartMaster(),
  ),
  midTestFault('a Locust worker lost mid-test', 'no worker lost', (ctx) =>
    ctx.env.locust.setWorkers(Math.max(0, ctx.env.locust.workerProcesses - 1)),
  ),
  {
    name: 'execution stopped mid-ramp, then the janitor',
    async run(ctx) {
      const result = await ctx.execute(abortAfterTicks(1));
      const cleaned = await ctx.janitorFor(result);
      return {
        outcome: `${ended(result)}; janitor ${cleaned?.acted ? 'acted' : 'did nothing'}`,
        executions: [result],
        violation:
          result.status !== 'ABORTED'
            ? 'the execution was not aborted'
            : cleaned?.lock !== 'held'
              ? `the janitor found the lock ${cleaned?.lock}, not held by the stopped run`
              : null,
      };
    },
  },
  {
    name: 'lock contended by another run',
    async run(ctx) {
      const now = new Date();
      await ctx.runs.acquireLock(ENVIRONMENT, CONTENDER, now, new Date(now.getTime() + 600_000));
      const before = await shopShape(ctx.env);
      const result = await ctx.execute();
      const cleaned = await ctx.janitorFor(result);
      const holder = await ctx.runs.lockHolder(ENVIRONMENT);
      const after = await shopShape(ctx.env);
      const violation =
        result.error?.Error !== 'EnvironmentLockedError'
          ? `expected EnvironmentLockedError, got ${ended(result)}`
          : holder !== CONTENDER
            ? `the contender's lock was taken (${holder})`
            : JSON.stringify(after) !== JSON.stringify(before)
              ? 'the refused run changed the shop'
              : cleaned?.acted
                ? 'the janitor touched an environment another run holds'
                : null;
      return {
        outcome: `${ended(result)}; contender kept its lock`,
        executions: [result],
        violation,
        after: async () => {
          await ctx.runs.releaseLock(ENVIRONMENT, CONTENDER);
        },
      };
    },
  },
  {
    name: 'the janitor run twice',
    async run(ctx) {
      const result = await ctx.execute(abortAfterTicks(1));
      const first = await ctx.janitorFor(result);
      const shape = await shopShape(ctx.env);
      const second = await ctx.janitorFor(result);
      const unchanged =
        JSON.stringify(await shopShape(ctx.env)) === JSON.stringify(shape) &&
        (await ctx.runs.lockHolder(ENVIRONMENT)) === null &&
        (await ctx.runs.janitorRecords(result.executionArn)).length === 1;
      return {
        outcome: `${ended(result)}; janitor ${first?.acted ? 'acted' : 'idle'}, then ${second?.acted ? 'acted' : 'idle'}`,
        executions: [result],
        violation: !first?.acted
          ? 'the first janitor did nothing'
          : second?.acted || !unchanged
            ? 'the second janitor changed something'
            : null,
      };
    },
  },
  ...platformApiScenarios(),
  ...locustResponseScenarios(),
  ...retryAndLockScenarios(),
];

export function shopShape(env: LocalEnvironment): Promise<AppShape> {
  return readShopShape(env.shop.adminUrl);
}

/**
 * One scenario per kind of fault, run by `npm test`: a step's error, a stopped execution, a contended lock, a
 * platform API fault, a broken Locust answer and a lost worker. `npm run fault-matrix` runs every scenario.
 */
export const FAST_SCENARIOS: readonly string[] = [
  `error thrown in ${STEPS.scale}`,
  'execution stopped mid-ramp, then the janitor',
  'lock contended by another run',
  'Kubernetes API 503 on 3 patches',
  'Locust answers an HTML page with 200',
  'a Locust worker lost mid-test',
];
