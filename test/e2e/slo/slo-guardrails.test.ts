import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CloudWatchClient,
  GetMetricStatisticsCommand,
  PutMetricAlarmCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { exitCodeFor } from '../../../cli/exit-code';
import { RunStore } from '../../../lambdas/adapters/aws/run-store';
import { LocustClient } from '../../../lambdas/adapters/locust/client';
import type { ConductorConfig, SloConfig } from '../../../lambdas/core/config';
import { histogramPercentile, mergeIntervals } from '../../../lambdas/core/histogram';
import { percent } from '../../../lambdas/core/numbers';
import type { RunSummary } from '../../../lambdas/core/report/summary';
import { plannedTicks } from '../../../lambdas/core/run-input';
import type { RunState } from '../../../lambdas/core/run-state';
import type { Verdict } from '../../../lambdas/core/verdict';
import { resetDeps } from '../../../lambdas/runtime/step';
import {
  DEMO_SLOW_CHECKOUT,
  DEMO_TEST_REPLICAS,
  DEMO_VERSIONS,
  type LocalEnvironment,
  startLocalEnvironment,
} from '../../../local/environment';
import { executeLocally, type LocalExecutionResult } from '../../../local/executor';
import { REPO_ROOT } from '../../../local/managed-process';
import { MOTO_CREDENTIALS, MOTO_REGION } from '../../../local/moto';
import { writeLocalReport } from '../../../local/report';
import schema from '../../../schema/run-summary.schema.json' with { type: 'json' };
import { CONTROL_STATES, STEPS } from '../../../statemachine/steps';
import { openInChromium } from '../../support/chromium';
import { type CpuPressure, startCpuPressure } from '../../support/cpu-pressure';

/**
 * The SLO guardrails end to end: the synthesized state machine run by the local interpreter with the real
 * handlers, a real Locust master with two workers, moto for CloudWatch (alarms, metrics), SNS → SQS and
 * DynamoDB. The ramp tick calls the watch exactly as lambdas/use-cases/watch.ts documents (`withWatch` below),
 * until ramp-tick.ts calls it itself — then the wrapper steps aside.
 */
const ALARM = 'checkout-5xx';
const PREFIXED_ALARM = 'payments-latency';
const ORDER = 'checkout: place order';
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'slo');
/**
 * Every run of this file: six ticks of ramp, so the controller has measured the shop before the plateau (with
 * three, two intervals of a few orders each are all it knows), and a plateau of 12 ticks for the comparison. Ticks
 * of 10 s, not 5: at ~20 orders a tick the controller's plateau overshoots by a quarter on average (the counts of
 * 3-s reports alternate; `npm run bench:ramp -- --short-ticks`), at ~40 by a tenth.
 */
const RUN_TIMING = { rampUpMinutes: 1, plateauMinutes: 2, tickSeconds: 10 } as const;
/**
 * Shares of time with a task waiting for a CPU further apart than this, and two runs met different contention. On 2
 * cores a task waited 3–9 % of a run's time with the shop and Locust alone, 35–55 % beside two benchmarks (measured,
 * the A/A passing in both); a neighbour's build on a shared runner pushes it towards 100 %, and once doubled the
 * checkout's p95 from one run to the next.
 */
const MAX_PRESSURE_DIFFERENCE = 0.3;

let env: LocalEnvironment;
let runs: RunStore;
let cloudwatch: CloudWatchClient;
let sqs: SQSClient;
let queueUrl: string;
const validateSummary = addFormats(new Ajv2020({ allErrors: true, strict: true })).compile(schema);

const slos: SloConfig = {
  maxFailureRatio: 0.05,
  targetTolerance: 0.25,
  alarms: [{ name: ALARM }, { prefix: 'payments-' }],
  requests: [{ name: ORDER, p95Ms: 5000, p99Ms: 10000 }, { name: 'Aggregated' }],
  // Beyond what one build's runs vary by on this machine. A tick's p95 and p99 of ~40 orders are its 2nd-slowest
  // and slowest order: two runs of one build, both at 2 % CPU pressure, had them 74 % and 61 % apart on every
  // tick, the median 11 %. With one baseline run the test cannot tell such a run from a slower build (docs/verdict.md).
  relative: {
    p50: 0.25,
    p95: 1,
    p99: 1.5,
    severity: 'warn',
    baselineRuns: 5,
    significance: 0.05,
    minLatencyShiftMs: 10,
  },
  windowTicks: 3,
  graceTicks: 1,
  breachTicks: 2,
  abortOnBreach: true,
  // This test is about the SLO policy: the dead-system rule (core/dead-system.ts) stays out of its way.
  deadSystemTicks: 0,
};

beforeAll(async () => {
  env = await startLocalEnvironment({ workers: 2 });
  mkdirSync(ARTIFACTS, { recursive: true });
  const local = env.config.environments.local;
  if (!local) throw new Error('config/local.json has no local environment');
  const workers = local.locust.workers;
  if (!workers) throw new Error('config/local.json has no worker fleet');
  // The two workers started host every run's users (60): a worker joining mid-run makes Locust move users at
  // once, in step for the rest of the run, and their bursts of orders queue — a latency the other run lacks.
  const locust = { ...local.locust, workers: { ...workers, minWorkers: 2 } };
  const config: ConductorConfig = {
    ...env.config,
    environments: { ...env.config.environments, local: { ...local, locust, slos } },
  };
  process.env.LTC_CONFIG = JSON.stringify(config);
  resetDeps();
  runs = new RunStore(env.aws.RUNS_TABLE);

  const aws = { endpoint: env.aws.endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS };
  cloudwatch = new CloudWatchClient(aws);
  for (const name of [ALARM, PREFIXED_ALARM, 'unrelated-alarm']) {
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: name,
        Namespace: 'Shop',
        MetricName: name,
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      }),
    );
    await setAlarm(name, 'OK');
  }
  sqs = new SQSClient(aws);
  const queue = await sqs.send(new CreateQueueCommand({ QueueName: 'ltc-notifications-test' }));
  queueUrl = queue.QueueUrl as string;
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  await new SNSClient(aws).send(
    new SubscribeCommand({
      TopicArn: env.aws.TOPIC_ARN,
      Protocol: 'sqs',
      Endpoint: attributes.Attributes?.QueueArn,
    }),
  );
});
afterAll(async () => {
  await env?.stop();
});

/**
 * Why two runs met different contention (null when they did not): their shares of time with a task waiting for a
 * CPU differ by more than `MAX_PRESSURE_DIFFERENCE`. Without PSI on either side, they are taken as comparable.
 */
function contentionDiffers(baseline: CpuPressure | null, current: CpuPressure | null): string | null {
  if (baseline === null || current === null) return null;
  const difference = current.stalledShare - baseline.stalledShare;
  if (Math.abs(difference) <= MAX_PRESSURE_DIFFERENCE) return null;
  return `a task waited for a CPU ${percent(current.stalledShare)} of the time, against ${percent(baseline.stalledShare)} during the baseline`;
}

/**
 * Runs `run` for a comparison with the passing runs: once more when it met other CPU contention than the baseline
 * run did, and the test is skipped, saying why, when the second run did too. Each attempt is logged with `summarize`.
 */
async function underBaselineContention(
  ctx: TestContext,
  label: string,
  run: () => Promise<LocalExecutionResult>,
  summarize: (result: LocalExecutionResult) => string,
): Promise<{ result: LocalExecutionResult; baselines: Awaited<ReturnType<RunStore['lastPassingRuns']>> }> {
  for (let attempt = 1; ; attempt++) {
    const baselines = await runs.lastPassingRuns('local', 'checkout', slos.relative.baselineRuns);
    const pressure = startCpuPressure();
    const result = await run();
    const measured = pressure?.() ?? null;
    console.info(
      `${label} attempt ${attempt} (CPU pressure ${measured?.stalledShare}, baseline's ${passedPressure?.stalledShare}): ${summarize(result)}`,
    );
    const contention = contentionDiffers(passedPressure, measured);
    if (contention === null) return { result, baselines };
    if (attempt >= 2) ctx.skip(`${label} not comparable: ${contention}`);
  }
}

async function setAlarm(name: string, state: 'OK' | 'ALARM'): Promise<void> {
  await cloudwatch.send(
    new SetAlarmStateCommand({
      AlarmName: name,
      StateValue: state,
      StateReason: `set to ${state} by the test`,
    }),
  );
}

interface Notification {
  readonly subject: string;
  readonly message: Record<string, unknown>;
}

/** Every message the topic delivered to the queue since the last call. */
async function notifications(): Promise<Notification[]> {
  const out: Notification[] = [];
  for (;;) {
    const page = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    const messages = page.Messages ?? [];
    if (messages.length === 0) return out;
    for (const m of messages) {
      const envelope = JSON.parse(m.Body ?? '{}') as { Subject?: string; Message?: string };
      out.push({ subject: envelope.Subject ?? '', message: JSON.parse(envelope.Message ?? '{}') });
    }
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
}

/**
 * The real ramp tick (which runs the SLO watch on its own reading), with `beforeTick` run first: a test
 * changes an alarm "mid-test" there, before the tick that should see it.
 */
function beforeEachTick(beforeTick: (tick: number) => Promise<void>) {
  return (real: (input: unknown) => Promise<unknown>) => async (input: unknown) => {
    const state = input as RunState;
    await beforeTick((state.ramp?.tick ?? 0) + 1);
    return real(input);
  };
}

function entered(result: LocalExecutionResult, state: string): number {
  return result.events.filter((e) => e.type === 'StateEntered' && e.state.name === state).length;
}

/** Rolls the test shop to another version through its agent API (as a team's deployment would). */
async function deployShopVersion(version: string): Promise<void> {
  const res = await request(`${env.shop.adminUrl}/_conductor/shape`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ version }),
  });
  expect(res.statusCode, await res.body.text()).toBe(200);
}

async function shopReplicas(): Promise<number> {
  const res = await request(`${env.shop.adminUrl}/_conductor/shape`);
  return ((await res.body.json()) as { replicas: number }).replicas;
}

async function s3Text(location: string): Promise<string> {
  const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(location) ?? [];
  const s3 = new S3Client({
    endpoint: env.aws.endpoint,
    region: MOTO_REGION,
    credentials: MOTO_CREDENTIALS,
    forcePathStyle: true,
  });
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await object.Body?.transformToString()) ?? '';
}

/** Results shared by the tests below, in file order (the e2e tier runs a file's tests in sequence). */
let aborted: LocalExecutionResult;
let passed: LocalExecutionResult;
/** The machine's CPU pressure while `passed` ran: the A/A run must meet the same contention to be compared. */
let passedPressure: CpuPressure | null = null;

describe('SLO guardrails against moto, SNS → SQS and a real Locust', () => {
  it('an alarm set to ALARM mid-test aborts the run by policy, tears down, and the verdict says which SLO and when', async () => {
    await notifications();
    const result = await executeLocally(
      env.pipeline.definition,
      {
        environment: 'local',
        targetOrdersPerMinute: 240,
        ...RUN_TIMING,
      },
      {
        handlers: {
          [STEPS['ramp-tick']]: beforeEachTick(async (tick) => {
            if (tick === 3) await setAlarm(ALARM, 'ALARM');
          }),
        },
      },
    );
    aborted = result;
    await setAlarm(ALARM, 'OK');

    // The execution succeeds with a failing verdict: the CLI exits 1.
    expect(result.status, JSON.stringify(result.error)).toBe('SUCCEEDED');
    const verdict = result.output as Verdict;
    expect(verdict.outcome).toBe('fail');
    expect(exitCodeFor(result.status, verdict)).toBe(1);
    // Breaching from tick 3 (the grace period is tick 1), counted and aborted at tick 4.
    expect(verdict.abort).toMatchObject({ sloId: `alarm:${ALARM}`, tick: 4, since: { tick: 3 } });
    expect(verdict.abort?.reason).toMatch(new RegExp(`^aborted at tick 4 \\(.+\\): alarm ${ALARM} breached`));
    expect(verdict.summary).toContain(`alarm ${ALARM}`);
    const alarmSli = verdict.slis.find((s) => s.id === `alarm:${ALARM}`);
    expect(alarmSli).toMatchObject({ status: 'fail', observed: 2 });
    expect(alarmSli?.breach?.from.tick).toBe(3);
    expect(verdict.slis.find((s) => s.id === `alarm:${PREFIXED_ALARM}`)?.status).toBe('pass');
    expect(verdict.slis.some((s) => s.id === 'alarm:unrelated-alarm')).toBe(false);
    // The first run of local/checkout: no baseline, and the verdict says so.
    expect(verdict.baseline).toBeNull();
    expect(verdict.baselineNote).toMatch(/^no baseline: no earlier passing run of local\/checkout/);

    // Stopped early, then the whole restore path: load stopped, shop back to its size, data cleaned, lock freed.
    expect(entered(result, STEPS['ramp-tick'])).toBe(4);
    for (const s of [
      STEPS['stop-load'],
      STEPS.evaluate,
      STEPS.teardown,
      STEPS.cleanup,
      STEPS['release-lock'],
    ]) {
      expect(entered(result, s), s).toBe(1);
    }
    expect((await new LocustClient({ baseUrl: env.locust.url }).kpi()).state).toBe('stopped');
    expect(await shopReplicas()).toBe(DEMO_TEST_REPLICAS);
    expect(await runs.lockHolder('local')).toBeNull();
    const orders = (await (await request(`${env.shop.adminUrl}/_conductor/orders/summary`)).body.json()) as {
      test: number;
    };
    expect(orders.test).toBe(0);

    // The topic got the breach alarm and, at the end, the verdict with the report's location.
    const sent = await notifications();
    const breach = sent.find((n) => n.message.type === 'slo-breach');
    expect(breach?.message).toMatchObject({
      slo: `alarm:${ALARM}`,
      since: { tick: 3 },
      countedAt: { tick: 4 },
      action: 'aborting the test (abortOnBreach)',
    });
    const ended = sent.find((n) => n.message.type === 'run-ended');
    expect(ended?.subject).toBe('Load test fail: local / checkout');
    expect(ended?.message).toMatchObject({ outcome: 'fail', report: verdict.report });
    expect(String(ended?.message.abort)).toContain(`alarm ${ALARM}`);
    expect(verdict.report).toMatch(/^s3:\/\/ltc-reports\/runs\/local\/.+\/report\.html$/);

    // Every tick is kept with the run: the master's percentiles per request and each SLO's state.
    const ticks = await runs.ticks(result.executionArn);
    expect(ticks).toHaveLength(4);
    expect(ticks[3]?.slo?.find((s) => s.id === `alarm:${ALARM}`)?.status).toBe('breached');
    // Each tick's own percentiles (its interval's responses), from the first tick on: the load began on zeroed counters.
    expect(ticks[0]?.requests?.find((r) => r.name === 'Aggregated')?.requests).toBeGreaterThan(0);
    expect(ticks.some((t) => (t.requests?.find((r) => r.name === ORDER)?.p95 ?? 0) > 0)).toBe(true);

    // The metrics went to CloudWatch with the environment and scenario as dimensions.
    const users = await cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'LoadTestConductor',
        MetricName: 'Users',
        Dimensions: [
          { Name: 'Environment', Value: 'local' },
          { Name: 'Scenario', Value: 'checkout' },
        ],
        StartTime: new Date(Date.now() - 3_600_000),
        EndTime: new Date(Date.now() + 60_000),
        Period: 60,
        Statistics: ['SampleCount', 'Maximum'],
      }),
    );
    const samples = (users.Datapoints ?? []).reduce((n, d) => n + (d.SampleCount ?? 0), 0);
    expect(samples).toBe(4);
  });

  it('a breach shorter than breachTicks does not abort; the run passes and becomes the baseline', async () => {
    await notifications();
    const pressure = startCpuPressure();
    const result = await executeLocally(
      env.pipeline.definition,
      {
        environment: 'local',
        targetOrdersPerMinute: 240,
        ...RUN_TIMING,
      },
      {
        handlers: {
          [STEPS['ramp-tick']]: beforeEachTick(async (tick) => {
            if (tick === 3) await setAlarm(ALARM, 'ALARM');
            if (tick === 4) await setAlarm(ALARM, 'OK');
          }),
        },
      },
    );
    passed = result;
    passedPressure = pressure?.() ?? null;
    expect(result.status, JSON.stringify(result.error)).toBe('SUCCEEDED');
    const verdict = result.output as Verdict;
    expect(verdict.abort).toBeNull();
    // Every planned tick ran (the first reading is Start load's).
    expect(entered(result, STEPS['ramp-tick'])).toBe(plannedTicks(RUN_TIMING) - 1);
    expect(verdict.breaches).toEqual([]);
    expect(verdict.transientBreaches).toMatchObject([
      { id: `alarm:${ALARM}`, from: { tick: 3 }, ticks: 1, countedAt: null },
    ]);
    expect(verdict.notes.join('\n')).toContain(
      `alarm ${ALARM} breached not in ALARM for 1 tick(s) from tick 3`,
    );
    expect(verdict.slis.find((s) => s.id === `alarm:${ALARM}`)).toMatchObject({
      status: 'pass',
      observed: 1,
    });
    expect(verdict.outcome, verdict.summary).toBe('pass');
    expect(exitCodeFor(result.status, verdict)).toBe(0);
    expect(verdict.baselineNote).toMatch(/^no baseline/);
    const sent = await notifications();
    expect(sent.filter((n) => n.message.type === 'slo-breach')).toEqual([]);
    expect(sent.find((n) => n.message.type === 'run-ended')?.message.outcome).toBe('pass');
    expect((await runs.lastPassingRun('local', 'checkout'))?.ref.executionName).toBe(result.executionName);
  });

  it("the verdict's percentiles are those of every response of the plateau: the sum of the ticks' histograms", async () => {
    const verdict = passed.output as Verdict;
    const latency = verdict.latency;
    expect(latency?.source).toBe('plateau');
    const stored = await runs.tickHistograms(passed.executionArn);
    const plateau = stored.filter((t) => t.plateau && (t.interval?.length ?? 0) > 0);
    expect(plateau.map((t) => t.tick)).toEqual(
      latency?.perTick.filter((t) => t.plateau && t.requests.length > 0).map((t) => t.tick),
    );
    expect(latency).toMatchObject({
      fromTick: plateau[0]?.tick,
      toTick: plateau.at(-1)?.tick,
      ticks: plateau.length,
    });
    // The plateau's ticks follow the ramp-up (1 min at 10-s ticks): none of the ramp's responses are in.
    expect(plateau[0]?.tick).toBeGreaterThanOrEqual(6);
    const merged = mergeIntervals(plateau.map((t) => t.interval ?? []));
    for (const figures of latency?.requests ?? []) {
      const window = merged.find((r) => r.name === figures.name);
      expect(figures.requests, figures.name).toBe(window?.requests);
      expect(figures.p95, figures.name).toBe(histogramPercentile(window?.histogram ?? {}, 0.95));
      expect(figures.p99, figures.name).toBe(histogramPercentile(window?.histogram ?? {}, 0.99));
    }
    expect(verdict.slis.find((s) => s.id === `request:${ORDER}:p95`)?.observed).toBe(
      latency?.requests.find((r) => r.name === ORDER)?.p95,
    );
  });

  it('A/A: a second run of the same build is compared with the passing runs and not flagged', async (ctx) => {
    // A run that met other contention than the baseline's is no A/A.
    const { result, baselines } = await underBaselineContention(
      ctx,
      'A/A',
      () =>
        executeLocally(env.pipeline.definition, {
          environment: 'local',
          targetOrdersPerMinute: 240,
          ...RUN_TIMING,
        }),
      (run) => {
        const verdict = run.output as Verdict | undefined;
        const relative = verdict?.slis.filter((s) => s.relative !== null) ?? [];
        return `${verdict?.summary}; comparisons ${JSON.stringify(relative.map((x) => [x.id, x.comparison]))}`;
      },
    );
    expect(result.status, JSON.stringify(result.error)).toBe('SUCCEEDED');
    const verdict = result.output as Verdict;
    const relative = verdict.slis.filter((s) => s.relative !== null);
    expect(verdict.baseline?.executionName).toBe(baselines[0]?.ref.executionName);
    expect(relative.map((s) => s.id).sort()).toEqual(
      ['p50', 'p95', 'p99'].flatMap((p) => [`request:${ORDER}:${p}`, `request:Aggregated:${p}`]).sort(),
    );
    for (const sli of relative) {
      expect(sli.comparison, sli.id).not.toBeNull();
      expect(sli.comparison?.runs, sli.id).toBe(baselines.length);
      expect(sli.comparison?.regression, `${sli.id}: ${sli.why}`).toBe(false);
      expect(sli.status, sli.id).toBe('pass');
    }
    expect(verdict.outcome, verdict.summary).toBe('pass');
  });

  it('A/B: a build whose checkout is slower by a known amount is flagged, with the measured shift close to it', async (ctx) => {
    // As for A/A: a slowed build measured under other contention than the baselines' measures the contention too
    // (the injected delay is a timer in the shop's event loop).
    const { result, baselines } = await underBaselineContention(
      ctx,
      'A/B',
      async () => {
        await deployShopVersion(DEMO_SLOW_CHECKOUT.version);
        try {
          return await executeLocally(env.pipeline.definition, {
            environment: 'local',
            targetOrdersPerMinute: 240,
            ...RUN_TIMING,
            deployProductionVersions: false,
          });
        } finally {
          await deployShopVersion(DEMO_VERSIONS.test);
        }
      },
      (run) => {
        const p50 = (run.output as Verdict | undefined)?.slis?.find((s) => s.id === `request:${ORDER}:p50`);
        return `checkout p50 ${JSON.stringify(p50?.comparison)}`;
      },
    );
    expect(baselines.length).toBeGreaterThanOrEqual(1);
    expect(result.status, JSON.stringify(result.error)).toBe('SUCCEEDED');
    const verdict = result.output as Verdict;
    expect(verdict.abort, verdict.summary).toBeNull();
    expect(verdict.baselineNote).toMatch(
      baselines.length === 1
        ? /^compared with the last passing run /
        : new RegExp(`^compared with the last ${baselines.length} passing runs`),
    );
    // The median of each tick's checkouts: on a loaded 2-core machine a tick's p95 of ~40 orders is its 2nd-slowest
    // one, whose noise (hundreds of ms from run to run) a 2-min plateau cannot tell from 250 ms.
    const p50 = verdict.slis.find((s) => s.id === `request:${ORDER}:p50`);
    expect(p50?.comparison, verdict.summary).toMatchObject({
      runs: baselines.length,
      significant: true,
      regression: true,
    });
    const shift = p50?.comparison?.shift as number;
    expect(Math.abs(shift - DEMO_SLOW_CHECKOUT.delayMs), p50?.why ?? '').toBeLessThan(
      0.25 * DEMO_SLOW_CHECKOUT.delayMs,
    );
    expect(p50?.status).toBe('warn');
    // The relative criterion warns; on a loaded 2-core runner the slowed build may also break an absolute SLO
    // (then the run fails for that reason too), but it never passes.
    const others = verdict.slis.filter((s) => s.status === 'fail').map((s) => s.id);
    expect(verdict.outcome, `failed besides the comparison: ${others.join(', ')}`).toBe(
      others.length > 0 ? 'fail' : 'warn',
    );
    expect(verdict.reasons.join(' ')).toContain(`p50 of "${ORDER}": per-tick values are`);
    // A warning is not a pass: the slow build does not become a baseline.
    const after = await runs.lastPassingRuns('local', 'checkout', 5);
    expect(after.map((b) => b.ref.executionName)).not.toContain(result.executionName);
  });

  it('the report opens in headless Chromium without errors, its charts render, and the JSON summary validates', async () => {
    const verdict = aborted.output as Verdict;
    const stored = JSON.parse(
      await s3Text((verdict.report as string).replace(/report\.html$/, 'summary.json')),
    ) as RunSummary;
    expect(validateSummary(stored), JSON.stringify(validateSummary.errors)).toBe(true);
    expect(stored.generator).toBe('release-lock');
    expect(stored.changes.teardown?.restored.length).toBeGreaterThan(0);
    expect(await s3Text(verdict.report as string)).toMatch(/^<!doctype html>/);

    const local = writeLocalReport(stored, aborted.events, new Set([CONTROL_STATES.waitForTick]), ARTIFACTS);
    const written = JSON.parse(readFileSync(local.json, 'utf8'));
    expect(validateSummary(written), JSON.stringify(validateSummary.errors)).toBe(true);
    expect(written.cost.basis).toBe('measured');
    expect(written.phases.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining([
        STEPS.deploy,
        STEPS['ramp-tick'],
        CONTROL_STATES.waitForTick,
        STEPS.teardown,
        STEPS['release-lock'],
      ]),
    );

    const page = await openInChromium(local.html, join(REPO_ROOT, 'test-artifacts', 'slo-abort-report.png'));
    expect(page.errors).toEqual([]);
    expect(page.requests).toEqual([]);
    expect(page.title).toBe('Load test local/checkout — FAIL');
    expect(page.charts.rendered).toBe(page.charts.svgs);
    expect(page.charts.svgs).toBeGreaterThanOrEqual(9);
    expect(page.charts.polylines).toBeGreaterThanOrEqual(8);
    expect(page.charts.cells).toBeGreaterThan(10);
  });
});
