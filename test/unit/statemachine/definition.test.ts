import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../lambdas/core/config-file';
import { RETRYABLE_ERRORS } from '../../../lambdas/core/errors';
import { TICKS_PER_EXECUTION } from '../../../lambdas/core/history-budget';
import {
  RESTORE_STEP_SLOTS,
  type RestoreErrorSlots,
  type RestoreStepSlot,
  restoreOutcome,
} from '../../../lambdas/core/restore';
import type { RunState } from '../../../lambdas/core/run-state';
import { executeLocally, type LocalExecutionResult } from '../../../local/executor';
import { synthesizePipeline } from '../../../local/synth';
import { RESTORE_INCOMPLETE, START_EXECUTION_TRANSIENT_ERRORS } from '../../../statemachine/definition';
import { PREPARE_MAP_STATES } from '../../../statemachine/prepare-map';
import {
  CONTROL_STATES as C,
  MAP_ITEM_TASKS,
  restoreFailedState,
  STEP_IDS,
  STEPS,
  type StepId,
  type StepStateName,
} from '../../../statemachine/steps';

/**
 * The state machine definition exactly as `cdk synth` puts it in the
 * template (the function ARNs filled in with readable placeholders), as a
 * reviewed file snapshot and as the structural rules the lifecycle relies on.
 */
const { definition } = synthesizePipeline(loadConfigFile('config/example.json'));

interface CatchRule {
  ErrorEquals: string[];
  ResultPath?: string;
  Next: string;
}
interface RetryRule {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
}
interface State {
  Type: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: Record<string, unknown>[];
  Catch?: CatchRule[];
  Retry?: RetryRule[];
  Resource?: string;
  ResultPath?: string;
  TimeoutSeconds?: number;
  [key: string]: unknown;
}
const states = definition.States as Record<string, State>;
const state = (name: string): State => {
  const s = states[name];
  if (!s) throw new Error(`no state named '${name}'`);
  return s;
};
const tasks = Object.entries(states).filter(([, s]) => s.Type === 'Task');

/** Follows the happy path: Next, or the given branch of a Choice (default: its Default). */
function walk(from: string, branches: Record<string, string>): string[] {
  const path: string[] = [];
  let name: string | undefined = from;
  while (name && !path.includes(name)) {
    path.push(name);
    const s = state(name);
    name = s.Type === 'Choice' ? (branches[name] ?? s.Default) : s.Next;
  }
  return path;
}

it('matches the reviewed snapshot (test/unit/statemachine/__snapshots__/state-machine.asl.json)', async () => {
  await expect(`${JSON.stringify(definition, null, 2)}\n`).toMatchFileSnapshot(
    '__snapshots__/state-machine.asl.json',
  );
});

describe('lifecycle order', () => {
  it('runs the steps in order, the tick loop once, then restores and decides the outcome', () => {
    expect(definition.StartAt).toBe(STEPS['validate-input']);
    expect(
      walk(STEPS['validate-input'], {
        [C.rampChoice]: STEPS['stop-load'],
        [C.dryRunChoice]: STEPS['acquire-lock'],
      }),
    ).toEqual([
      'Validate input',
      'Continuing a run?',
      'Dry run?',
      'Acquire lock',
      'Deploy production versions?',
      'Deploy production versions',
      'Scale node groups',
      'Scale to production size',
      'Start load',
      'Wait for next tick',
      'Ramp tick',
      'Ramp finished?',
      'Stop load',
      'Evaluate',
      'Teardown',
      'Cleanup',
      'Release lock',
      'Restore checked',
      'Outcome?',
      'Run complete',
    ]);
  });

  it('loops Wait for next tick → Ramp tick → Ramp finished? until the ramp is done', () => {
    expect(state(C.waitForTick).Next).toBe(STEPS['ramp-tick']);
    expect(state(STEPS['ramp-tick']).Next).toBe(C.rampChoice);
    expect(state(C.rampChoice).Default).toBe(C.waitForTick);
    expect(state(C.rampChoice).Choices).toContainEqual({
      Variable: '$.ramp.done',
      BooleanEquals: true,
      Next: STEPS['stop-load'],
    });
  });

  it('an execution that continues a run goes straight to the next tick, keeping lock and environment', () => {
    expect(state(C.continuationChoice).Choices).toEqual([
      { Variable: '$.execution.continuesFrom', IsPresent: true, Next: C.waitForTick },
    ]);
    expect(state(C.continuationChoice).Default).toBe(C.dryRunChoice);
  });

  it('at its tick budget an execution hands the run on to a new execution of itself, then succeeds', () => {
    const choices = state(C.rampChoice).Choices ?? [];
    // Done and the whole run's tick guard come first: a finished or runaway run never continues.
    expect(choices.map((c) => c.Next)).toEqual([STEPS['stop-load'], C.tickBudgetExhausted, C.continueRun]);
    expect(choices[2]).toEqual({
      Variable: '$.ramp.tick',
      NumericGreaterThanEqualsPath: '$.execution.continueAtTick',
      Next: C.continueRun,
    });
    const start = state(C.continueRun);
    // Fire and forget (not .sync): this execution ends, the new one runs the rest of the test.
    expect(start.Resource).toMatch(/^arn:.*:states:::states:startExecution$/);
    expect(start.Parameters).toMatchObject({
      'Name.$': '$.execution.nextName',
      Input: { 'continuation.$': '$', 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id' },
    });
    expect(String((start.Parameters as { StateMachineArn: unknown }).StateMachineArn)).toMatch(
      /:states:.*:stateMachine:LoadTestConductor/,
    );
    expect(start.ResultPath).toBe('$.continuedIn');
    expect(start.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: STEPS['stop-load'] },
    ]);
    expect(start.Next).toBe(C.continued);
    expect(state(C.continued)).toMatchObject({ Type: 'Succeed', OutputPath: '$.continuedIn' });
  });

  it('gives Validate the budget of ticks the history holds and the time the timeout leaves', () => {
    const parameters = state(STEPS['validate-input']).Parameters as { budget: unknown };
    // 2 days less 3 hours for preparing and restoring.
    expect(parameters.budget).toEqual({ ticks: TICKS_PER_EXECUTION, seconds: 45 * 3600 });
  });

  it('a dry run plans and succeeds without taking the lock', () => {
    expect(state(C.dryRunChoice).Choices).toEqual([
      { Variable: '$.run.request.dryRun', BooleanEquals: true, Next: STEPS['plan-dry-run'] },
    ]);
    expect(walk(STEPS['plan-dry-run'], {})).toEqual([STEPS['plan-dry-run'], C.dryRunDone]);
    expect(state(C.dryRunDone).Type).toBe('Succeed');
  });

  it('has no state outside these paths', () => {
    expect(Object.keys(states).sort()).toEqual(
      [
        ...Object.values(STEPS),
        ...Object.values(C),
        ...Object.values(PREPARE_MAP_STATES),
        MAP_ITEM_TASKS.scaleNodeGroups,
        ...(Object.keys(RESTORE_STEP_SLOTS) as RestoreStepSlot[]).map(restoreFailedState),
      ].sort(),
    );
  });

  it('each Lambda step invokes its own function, Deploy and Scale once per application', () => {
    const functionOf = (id: StepId) =>
      new RegExp(
        `:function:Pipeline${id.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase())}Function[0-9A-F]{8}$`,
      );
    const maps: Partial<Record<StepId, string>> = {
      deploy: MAP_ITEM_TASKS.deployApplication,
      scale: MAP_ITEM_TASKS.scaleApplication,
    };
    for (const id of STEP_IDS) {
      const item = maps[id];
      const task = item
        ? (state(STEPS[id]).ItemProcessor as { States: Record<string, State> }).States[item]
        : state(STEPS[id]);
      expect(state(STEPS[id]).Type, id).toBe(item ? 'Map' : 'Task');
      expect(task?.Resource, id).toMatch(functionOf(id));
    }
    expect(state(MAP_ITEM_TASKS.scaleNodeGroups).Resource).toMatch(functionOf('scale'));
  });
});

describe('failure handling', () => {
  const main: StepId[] = ['deploy', 'scale', 'start-load', 'ramp-tick'];

  it('Validate input, Acquire lock and Plan dry run have no Catch: nothing to restore yet', () => {
    for (const id of ['validate-input', 'acquire-lock', 'plan-dry-run'] as const) {
      expect(state(STEPS[id]).Catch, STEPS[id]).toBeUndefined();
    }
  });

  it.each(main)('%s: any error is caught into $.failure and goes to Stop load', (id) => {
    expect(state(STEPS[id]).Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: STEPS['stop-load'] },
    ]);
  });

  it('the restore path goes on after its own errors, each into its own slot, kept apart from $.failure', () => {
    const restore: [StepId, RestoreStepSlot | null, string][] = [
      ['stop-load', 'stopLoad', STEPS.evaluate],
      ['evaluate', null, STEPS.teardown],
      ['teardown', 'teardown', STEPS.cleanup],
      ['cleanup', 'cleanup', STEPS['release-lock']],
      ['release-lock', 'releaseLock', C.outcomeChoice],
    ];
    for (const [id, slot, next] of restore) {
      const s = state(STEPS[id]);
      if (id === 'release-lock') expect(s.Next).toBe(C.restoreChecked);
      else expect(s.Next, STEPS[id]).toBe(next);
      if (!slot) {
        expect(s.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.evaluateError', Next: next }]);
        continue;
      }
      // Caught into the step's own slot, then a "<step> failed" state adds the step and the time.
      const path = `$.restoreErrors.${slot}`;
      const failed = restoreFailedState(slot);
      expect(s.Catch, STEPS[id]).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: path, Next: failed }]);
      expect(state(failed)).toMatchObject({
        Type: 'Pass',
        Parameters: {
          step: STEPS[id],
          'Error.$': `${path}.Error`,
          'Cause.$': `${path}.Cause`,
          'at.$': '$$.State.EnteredTime',
        },
        ResultPath: path,
        Next: next,
      });
    }
  });

  it('every Task after Acquire lock has a Catch, and no Catch writes $.failure on the restore path', () => {
    const afterLock = walk(STEPS.deploy, { [C.rampChoice]: STEPS['stop-load'] }).filter(
      (n) => state(n).Type === 'Task',
    );
    // Scale node groups, then Start load … Release lock (Deploy and Scale are Maps, checked above).
    expect(afterLock).toHaveLength(8);
    for (const name of afterLock) expect(state(name).Catch, name).toHaveLength(1);
    const restoreStart = afterLock.indexOf(STEPS['stop-load']);
    for (const name of afterLock.slice(restoreStart)) {
      expect(state(name).Catch?.[0]?.ResultPath, name).not.toBe('$.failure');
    }
  });

  it('the tick budget guard records a failure and still restores', () => {
    expect(state(C.rampChoice).Choices).toContainEqual({
      Variable: '$.ramp.tick',
      NumericGreaterThanEqualsPath: '$.run.maxTicks',
      Next: C.tickBudgetExhausted,
    });
    expect(state(C.tickBudgetExhausted)).toMatchObject({
      Type: 'Pass',
      ResultPath: '$.failure',
      Result: { Error: 'TickBudgetExhausted' },
      Next: STEPS['stop-load'],
    });
  });

  it('the outcome prefers the run’s original error, then Evaluate’s, then an incomplete restore', () => {
    expect(state(C.restoreChecked)).toMatchObject({
      Type: 'Pass',
      InputPath: '$.release.restore',
      ResultPath: '$.restore',
      Next: C.outcomeChoice,
    });
    expect(state(C.outcomeChoice)).toMatchObject({
      Choices: [
        { Variable: '$.failure', IsPresent: true, Next: C.runFailed },
        { Variable: '$.evaluateError', IsPresent: true, Next: C.evaluationFailed },
        {
          And: [
            { Variable: '$.restore.complete', IsPresent: true },
            { Variable: '$.restore.complete', BooleanEquals: false },
          ],
          Next: C.restoreFailed,
        },
        { Variable: '$.restoreErrors', IsPresent: true, Next: C.restoreUnchecked },
      ],
      Default: C.succeeded,
    });
    expect(state(C.succeeded)).toMatchObject({ Type: 'Succeed', OutputPath: '$.verdict' });
  });

  it.each([
    [C.runFailed, '$.failure'],
    [C.evaluationFailed, '$.evaluateError'],
  ])('%s fails with the error and cause at %s', (name, path) => {
    expect(state(name)).toMatchObject({
      Type: 'Fail',
      ErrorPath: `${path}.Error`,
      CausePath: `${path}.Cause`,
    });
  });

  it('an incomplete restore fails as RestoreIncomplete with Release lock’s account as the cause', () => {
    expect(state(C.restoreFailed)).toMatchObject({
      Type: 'Fail',
      Error: RESTORE_INCOMPLETE,
      CausePath: '$.release.restoreMessage',
    });
    expect(state(C.restoreUnchecked)).toMatchObject({ Type: 'Fail', Error: RESTORE_INCOMPLETE });
  });
});

describe('retries', () => {
  it("Continue in new execution retries StartExecution's transient errors with backoff", () => {
    expect(state(C.continueRun).Retry).toEqual([
      expect.objectContaining({ ErrorEquals: [...START_EXECUTION_TRANSIENT_ERRORS], BackoffRate: 2 }),
    ]);
  });

  it.each(tasks.map(([name]) => name).filter((name) => name !== C.continueRun))(
    '%s retries transient errors with backoff, never validation or a held lock',
    (name) => {
      const retry = state(name).Retry ?? [];
      expect(retry).toHaveLength(1);
      const [rule] = retry;
      expect(rule?.ErrorEquals).toContain('TransientError');
      expect(rule?.ErrorEquals).toEqual([...RETRYABLE_ERRORS]);
      // The Lambda service errors AWS recommends retrying for every Lambda task.
      expect(rule?.ErrorEquals).toEqual(
        expect.arrayContaining([
          'Lambda.ClientExecutionTimeoutException',
          'Lambda.ServiceException',
          'Lambda.AWSLambdaException',
          'Lambda.SdkClientException',
          'Lambda.TooManyRequestsException',
        ]),
      );
      for (const never of ['ValidationError', 'EnvironmentLockedError', 'States.ALL', 'States.TaskFailed']) {
        expect(rule?.ErrorEquals).not.toContain(never);
      }
      expect(rule?.BackoffRate).toBeGreaterThan(1);
      expect(rule?.MaxAttempts).toBeGreaterThanOrEqual(2);
    },
  );
});

describe('timing', () => {
  it('waits for the tick on a timestamp, so the cadence does not drift', () => {
    const wait = state(C.waitForTick);
    expect(wait.Type).toBe('Wait');
    expect(wait.TimestampPath).toBe('$.ramp.nextTickAt');
    expect(wait.Seconds ?? wait.SecondsPath ?? wait.Timestamp).toBeUndefined();
  });

  it('bounds the execution and every task', () => {
    expect(definition.TimeoutSeconds).toBeGreaterThan(0);
    for (const [name, s] of tasks) expect(s.TimeoutSeconds, name).toBeGreaterThan(0);
  });
});

it('stays on JSONPath: no JSONata or variables (the local interpreter ignores them)', () => {
  const text = JSON.stringify(definition);
  expect(definition.QueryLanguage).toBeUndefined();
  for (const key of ['"QueryLanguage"', '"Arguments"', '"Output"', '"Assign"'])
    expect(text).not.toContain(key);
});

/*
 * The synthesized definition executed by the local interpreter (the one the local
 * runner uses) with stub handlers, no AWS and no Locust: how errors travel through
 * Catch, ResultPath and the outcome choice. The e2e tier runs it with the real handlers.
 */
class StepFailure extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

type Handler = (input: unknown) => Promise<unknown>;
type RunStateStub = { ramp: { tick: number } };

/** What the stubbed Validate returns: a one-application run that prepares as a Map. */
const firstRun = {
  run: {
    request: { dryRun: false, deployProductionVersions: true, applications: ['shop'] },
    environment: { prepareConcurrency: 10 },
    maxTicks: 10,
  },
  execution: { continueAtTick: 10 },
};

/** A run of two ticks in which every step succeeds, unless `failing` names it. */
function stubs(failing: Partial<Record<StepStateName, string>> = {}) {
  const ok: Record<StepStateName, Handler> = {
    [STEPS['validate-input']]: async () => firstRun,
    [STEPS['plan-dry-run']]: async () => ({ dryRun: true }),
    [STEPS['acquire-lock']]: async () => ({ held: true }),
    [STEPS.deploy]: async () => ({ application: 'shop', from: {}, to: {} }),
    [STEPS.scale]: async () => ({ application: 'shop', from: {}, to: {} }),
    [STEPS['start-load']]: async () => ({ tick: 0, done: false, nextTickAt: new Date().toISOString() }),
    [STEPS['ramp-tick']]: async (input) => {
      const tick = (input as RunStateStub).ramp.tick + 1;
      return { tick, done: tick >= 2, nextTickAt: new Date().toISOString() };
    },
    [STEPS['stop-load']]: async () => ({ stopped: true }),
    [STEPS.evaluate]: async () => ({ outcome: 'pass' }),
    [STEPS.teardown]: async () => ({ restored: [] }),
    [STEPS.cleanup]: async () => ({ actions: [] }),
    // Release lock's account of the restore from the errors the state machine kept (core/restore.ts, as the
    // real handler does, without reading what is left).
    [STEPS['release-lock']]: async (input) => {
      const restore = restoreOutcome((input as { restoreErrors?: RestoreErrorSlots }).restoreErrors, [], []);
      return { lockReleased: true, restore, restoreMessage: restore.complete ? null : 'Restore incomplete' };
    },
  };
  return Object.fromEntries(
    Object.entries(ok).map(([name, handler]) => {
      const error = failing[name as StepStateName];
      const replacement: Handler = error
        ? async () => {
            throw new StepFailure(error, `${name} failed`);
          }
        : handler;
      return [name, () => replacement];
    }),
  ) as Partial<Record<StepStateName, (real: Handler) => Handler>>;
}

function run(failing?: Partial<Record<StepStateName, string>>): Promise<LocalExecutionResult> {
  return executeLocally(
    definition,
    { environment: 'staging', targetOrdersPerMinute: 100 },
    {
      handlers: stubs(failing),
      waitOverrides: { [C.waitForTick]: 0 },
    },
  );
}

/** The run's state as it reached the outcome. */
function finalState(r: LocalExecutionResult): RunState {
  const outcome = r.events.findLast((e) => e.type === 'StateEntered' && e.state.name === C.outcomeChoice);
  if (outcome?.type !== 'StateEntered') throw new Error('the run never reached the outcome');
  return outcome.state.input as unknown as RunState;
}

const entered = (r: LocalExecutionResult) =>
  r.events.flatMap((e) => (e.type === 'StateEntered' ? [e.state.name] : []));
const restoreSteps = [
  STEPS['stop-load'],
  STEPS.evaluate,
  STEPS.teardown,
  STEPS.cleanup,
  STEPS['release-lock'],
];

describe('executing the synthesized definition', () => {
  it('a run that goes well ticks until done, restores, and outputs the verdict', async () => {
    const result = await run();
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual({ outcome: 'pass' });
    expect(entered(result).filter((n) => n === STEPS['ramp-tick'])).toHaveLength(2);
    expect(entered(result)).toEqual(expect.arrayContaining([...restoreSteps, C.succeeded]));
  });

  it('fails with the original error even when Evaluate fails on the failure path', async () => {
    const result = await run({ [STEPS.deploy]: 'DeployError', [STEPS.evaluate]: 'EvaluateError' });
    expect(result.status).toBe('FAILED');
    expect(result.error?.Error).toBe('DeployError');
    expect(entered(result)).toEqual(expect.arrayContaining([...restoreSteps, C.runFailed]));
  });

  it('fails with the original error even when a restore step fails too', async () => {
    const result = await run({ [STEPS['ramp-tick']]: 'TickError', [STEPS.teardown]: 'TeardownError' });
    expect(result.error?.Error).toBe('TickError');
    expect(entered(result)).toEqual(expect.arrayContaining([STEPS.cleanup, STEPS['release-lock']]));
  });

  it('an Evaluate failure alone fails the run as “Evaluation failed”, after the restore', async () => {
    const result = await run({ [STEPS.evaluate]: 'EvaluateError' });
    expect(result.error?.Error).toBe('EvaluateError');
    expect(entered(result)).toContain(C.evaluationFailed);
    expect(entered(result)).not.toContain(C.restoreFailed);
    expect(entered(result)).toEqual(
      expect.arrayContaining([STEPS.teardown, STEPS.cleanup, STEPS['release-lock']]),
    );
  });

  it('a restore failure alone fails the run as “Restore incomplete”, caused by Release lock’s account', async () => {
    const result = await run({ [STEPS.cleanup]: 'CleanupError' });
    expect(result.error).toEqual({ Error: RESTORE_INCOMPLETE, Cause: 'Restore incomplete' });
    expect(entered(result)).toEqual(
      expect.arrayContaining([restoreFailedState('cleanup'), STEPS['release-lock'], C.restoreFailed]),
    );
  });

  it('keeps every restore error when several restore steps fail, each with its step and time', async () => {
    const result = await run({
      [STEPS['stop-load']]: 'StopError',
      [STEPS.teardown]: 'TeardownError',
      [STEPS.cleanup]: 'CleanupError',
    });
    const last = finalState(result);
    expect(Object.keys(last.restoreErrors ?? {})).toEqual(['stopLoad', 'teardown', 'cleanup']);
    expect(last.restoreErrors).toMatchObject({
      stopLoad: { step: 'Stop load', Error: 'StopError', Cause: 'Stop load failed' },
      teardown: { step: 'Teardown', Error: 'TeardownError', Cause: 'Teardown failed' },
      cleanup: { step: 'Cleanup', Error: 'CleanupError', Cause: 'Cleanup failed' },
    });
    for (const caught of Object.values(last.restoreErrors ?? {}))
      expect(Date.parse(caught.at), caught.step).not.toBeNaN();
    // Release lock's list, in the order the steps ran, is the run's final `restore`.
    expect(last.restore?.complete).toBe(false);
    expect(last.restore?.errors.map((e) => [e.step, e.error])).toEqual([
      ['Stop load', 'StopError: Stop load failed'],
      ['Teardown', 'TeardownError: Teardown failed'],
      ['Cleanup', 'CleanupError: Cleanup failed'],
    ]);
    expect(result.error?.Error).toBe(RESTORE_INCOMPLETE);
  });

  it('keeps the restore errors apart from the run’s original failure, which the run fails with', async () => {
    const result = await run({ [STEPS['ramp-tick']]: 'TickError', [STEPS.teardown]: 'TeardownError' });
    expect(result.error?.Error).toBe('TickError');
    const last = finalState(result);
    expect(last.failure?.Error).toBe('TickError');
    expect(last.restore?.errors.map((e) => e.step)).toEqual(['Teardown']);
  });

  it('when Release lock fails too, every error is still in the state and the run is “Restore unchecked”', async () => {
    const result = await run({
      [STEPS['stop-load']]: 'StopError',
      [STEPS.teardown]: 'TeardownError',
      [STEPS.cleanup]: 'CleanupError',
      [STEPS['release-lock']]: 'ReleaseError',
    });
    expect(result.error?.Error).toBe(RESTORE_INCOMPLETE);
    expect(entered(result)).toContain(C.restoreUnchecked);
    expect(entered(result)).not.toContain(C.restoreChecked);
    const last = finalState(result);
    expect(Object.keys(last.restoreErrors ?? {})).toEqual(['stopLoad', 'teardown', 'cleanup', 'releaseLock']);
    expect(restoreOutcome(last.restoreErrors, [], []).errors).toHaveLength(4);
  });

  it("a run past its execution's tick budget goes on in new executions, restored once at the very end", async () => {
    type Carried = { continuation?: { ramp: { tick: number } } };
    const handlers = {
      ...stubs(),
      // One tick per execution: a continuation resumes at the next tick (as validate-input.ts does).
      [STEPS['validate-input']]: () => async (event: unknown) => {
        const { continuation } = (event as { input: Carried }).input;
        if (!continuation)
          return {
            run: { ...firstRun.run, maxTicks: 10 },
            execution: { continueAtTick: 1, nextName: 'run-c2' },
          };
        const tick = continuation.ramp.tick;
        return {
          ...continuation,
          execution: { continuesFrom: 'previous', continueAtTick: tick + 1, nextName: `run-c${tick + 2}` },
        };
      },
      [STEPS['ramp-tick']]: () => async (input: unknown) => {
        const tick = (input as RunStateStub).ramp.tick + 1;
        return { tick, done: tick >= 3, nextTickAt: new Date().toISOString() };
      },
    };
    const result = await executeLocally(
      definition,
      { environment: 'staging', targetOrdersPerMinute: 100 },
      {
        executionName: 'run',
        handlers,
        waitOverrides: { [C.waitForTick]: 0 },
      },
    );
    expect(result.executions.map((e) => [e.executionName, e.status])).toEqual([
      ['run', 'SUCCEEDED'],
      ['run-c2', 'SUCCEEDED'],
      ['run-c3', 'SUCCEEDED'],
    ]);
    expect(result.executionName).toBe('run');
    expect(result.output).toEqual({ outcome: 'pass' });
    const names = entered(result);
    expect(names.filter((n) => n === STEPS['ramp-tick'])).toHaveLength(3);
    expect(names.filter((n) => n === C.continueRun)).toHaveLength(2);
    // Lock, prepare and start once; the restore once, at the end.
    for (const once of [STEPS['acquire-lock'], STEPS.deploy, STEPS['start-load'], ...restoreSteps])
      expect(
        names.filter((n) => n === once),
        once,
      ).toHaveLength(1);
  });

  it('a validation error stops before the lock and is not retried', async () => {
    const result = await run({ [STEPS['validate-input']]: 'ValidationError' });
    expect(result.error?.Error).toBe('ValidationError');
    expect(entered(result)).toEqual([STEPS['validate-input']]);
    expect(result.events.some((e) => e.type === 'StateRetried')).toBe(false);
  });
});
