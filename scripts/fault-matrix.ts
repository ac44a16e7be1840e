/**
 * The fault matrix (issue 6): on one local environment (tsx; no AWS account), run the load test with one
 * injected fault per scenario, then check that the environment ends as it was found — the shop in its
 * recorded shape (compared with the product's own field-by-field comparison), the lock free, the reason
 * recorded. Executions that end FAILED or ABORTED get the janitor, as the EventBridge rule in AWS gives them
 * (cdk/lib/janitor.ts). Prints a table and "N scenarios, M environments left dirty"; exits 1 if any is dirty.
 *
 *   npm run fault-matrix [-- --only <substring>] [--no-janitor]
 *
 * `--no-janitor` leaves out the janitor, to see the matrix catch what it would leave dirty.
 */
import { request } from 'undici';
import { RunStore } from '../lambdas/adapters/aws/run-store';
import { hasShape, restoreTarget } from '../lambdas/core/shape';
import type { AppShape } from '../lambdas/core/state';
import { type JanitorResult, handler as janitor } from '../lambdas/handlers/janitor';
import { readShopShape } from '../local/demo-shop';
import { DEMO_TEST_REPLICAS, type LocalEnvironment, startLocalEnvironment } from '../local/environment';
import { executeLocally, type LocalExecutionOptions, type LocalExecutionResult } from '../local/executor';
import { LIFECYCLE_STEPS, STEPS, type StepStateName } from '../statemachine/steps';

const SHORT_RUN = {
  environment: 'local',
  targetOrdersPerMinute: 120,
  rampUpMinutes: 0.25,
  plateauMinutes: 0,
  tickSeconds: 5,
};
const ENVIRONMENT = 'local';
const CONTENDER = 'arn:aws:states:us-east-1:123456789012:execution:LoadTestConductor:contender';

interface ScenarioOutcome {
  /** How the execution(s) ended, e.g. `FAILED InjectedFault`. */
  readonly outcome: string;
  /** The executions whose recorded shapes the shop must be back in. */
  readonly executions: readonly LocalExecutionResult[];
  /** A check of the scenario's own (e.g. the second janitor changed nothing); null when it holds. */
  readonly violation?: string | null;
  /** Runs before the lock check (e.g. the contender gives its lock back). */
  readonly after?: () => Promise<void>;
}

interface Scenario {
  readonly name: string;
  run(ctx: Context): Promise<ScenarioOutcome>;
}

interface Context {
  readonly env: LocalEnvironment;
  readonly runs: RunStore;
  execute(options?: LocalExecutionOptions): Promise<LocalExecutionResult>;
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

const SCENARIOS: Scenario[] = [
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
];

function shopShape(env: LocalEnvironment): Promise<AppShape> {
  return readShopShape(env.shop.adminUrl);
}

/** Whether the shop is in the shape its run recorded, field by field, as Teardown compares it. */
async function restored(ctx: Context, executions: readonly LocalExecutionResult[]): Promise<string | null> {
  const current = await shopShape(ctx.env);
  const restoreVersions = ctx.env.config.environments[ENVIRONMENT]?.restoreVersions ?? false;
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

/** Puts a dirty environment back, so the next scenario starts clean (and its result is its own). */
async function repair(ctx: Context): Promise<void> {
  const holder = await ctx.runs.lockHolder(ENVIRONMENT);
  if (holder) await ctx.runs.releaseLock(ENVIRONMENT, holder);
  await request(`${ctx.env.shop.adminUrl}/_conductor/shape`, {
    method: 'PUT',
    body: JSON.stringify({ replicas: DEMO_TEST_REPLICAS }),
    headers: { 'content-type': 'application/json' },
  }).then((r) => r.body.dump());
}

interface Row {
  scenario: string;
  outcome: string;
  restored: string;
  lockFree: string;
  reason: string;
  dirty: boolean;
}

function printTable(rows: readonly Row[]): void {
  const cols: [keyof Row, string][] = [
    ['scenario', 'scenario'],
    ['outcome', 'outcome'],
    ['restored', 'restored?'],
    ['lockFree', 'lock free?'],
    ['reason', 'reason'],
  ];
  const cell = (r: Row, k: keyof Row) =>
    String(r[k])
      .replace(/\s+/g, ' ')
      .slice(0, k === 'reason' ? 110 : 60);
  const widths = cols.map(([k, h]) => Math.max(h.length, ...rows.map((r) => cell(r, k).length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i] ?? 0)).join(' | ');
  console.log(line(cols.map(([, h]) => h)));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of rows) console.log(line(cols.map(([k]) => cell(r, k))));
}

async function main(): Promise<number> {
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  const scenarios = SCENARIOS.filter((s) => !only || s.name.includes(only));
  const withJanitor = !process.argv.includes('--no-janitor');
  console.log(`Starting one local environment for ${scenarios.length} scenarios…`);
  const env = await startLocalEnvironment({ workers: 2 });
  const runs = new RunStore(env.aws.RUNS_TABLE);
  const ctx: Context = {
    env,
    runs,
    execute: (options) => executeLocally(env.pipeline.definition, SHORT_RUN, options),
    janitorFor: async (result) =>
      result.status === 'SUCCEEDED' || !withJanitor
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
  const rows: Row[] = [];
  try {
    for (const scenario of scenarios) {
      const started = Date.now();
      let row: Row;
      try {
        const out = await scenario.run(ctx);
        await out.after?.();
        const notRestored = await restored(ctx, out.executions);
        const holder = await runs.lockHolder(ENVIRONMENT);
        const reason = await reasonOf(ctx, out.executions);
        row = {
          scenario: scenario.name,
          outcome: out.outcome,
          restored: notRestored ? `NO: ${notRestored}` : 'yes',
          lockFree: holder ? `NO: ${holder.split(':').at(-1)}` : 'yes',
          reason: out.violation ? `VIOLATION: ${out.violation}; ${reason}` : reason,
          dirty: Boolean(notRestored || holder || out.violation),
        };
      } catch (err) {
        row = {
          scenario: scenario.name,
          outcome: `harness error: ${(err as Error).message}`,
          restored: '?',
          lockFree: '?',
          reason: (err as Error).stack?.split('\n')[1]?.trim() ?? '',
          dirty: true,
        };
      }
      if (row.dirty) await repair(ctx);
      rows.push(row);
      console.log(
        `  ${row.dirty ? 'DIRTY' : 'clean'}  ${scenario.name} (${((Date.now() - started) / 1000).toFixed(0)} s)`,
      );
    }
  } finally {
    await env.stop();
  }
  console.log('');
  printTable(rows);
  const dirty = rows.filter((r) => r.dirty).length;
  console.log('');
  console.log(`${rows.length} scenarios, ${dirty} environments left dirty`);
  return dirty > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(2);
  },
);
