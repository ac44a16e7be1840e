import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { TICKS_PER_EXECUTION } from '../lambdas/core/history-budget';
import { RESTORE_STEP_SLOTS, type RestoreStepSlot } from '../lambdas/core/restore';
import type { ExecutionBudget } from '../lambdas/core/run-input';
import { lambdaTask, transientRetry } from './lambda-task';
import { preparePhase } from './prepare-map';
import { CONTROL_STATES as C, restoreFailedState, STEPS, type StepId } from './steps';

export type StepFunctionsById = Readonly<Record<StepId, IFunction>>;

/**
 * Where each step writes its result in the execution state. Steps read the
 * whole state and add one field, so the console shows a run's story in one object.
 */
const RESULT_PATH: Readonly<Record<StepId, string | undefined>> = {
  // Omitted = the default `$`: the result becomes the state. (Written out as "$",
  // the local interpreter would store it under a key named "$".)
  'validate-input': undefined,
  'plan-dry-run': '$.plan',
  'acquire-lock': '$.lock',
  deploy: '$.deploy',
  scale: '$.scale',
  'start-load': '$.ramp',
  'ramp-tick': '$.ramp',
  'stop-load': '$.stopLoad',
  evaluate: '$.verdict',
  teardown: '$.teardown',
  cleanup: '$.cleanup',
  'release-lock': '$.release',
};

/**
 * Validation also needs to know which execution it belongs to and what that execution may spend on ticks;
 * every other step gets the state as is.
 */
function payloads(budget: ExecutionBudget): Partial<Record<StepId, sfn.TaskInput>> {
  return {
    'validate-input': sfn.TaskInput.fromObject({
      input: sfn.JsonPath.entirePayload,
      execution: {
        id: sfn.JsonPath.stringAt('$$.Execution.Id'),
        name: sfn.JsonPath.stringAt('$$.Execution.Name'),
        startTime: sfn.JsonPath.stringAt('$$.Execution.StartTime'),
      },
      budget,
    }),
  };
}

/**
 * The load-test workflow. One builder per phase, read top to bottom:
 * validate → lock → prepare → load (tick loop) → stop → evaluate → restore → unlock.
 * Any failure after the lock is caught into `$.failure` and still runs the
 * restore path; the run then fails with the original error.
 */
export interface LoadTestDefinitionOptions {
  /**
   * The state machine itself, which a run longer than one execution's history continues in. By ARN: it
   * does not exist yet while its definition is built.
   */
  readonly continueIn: sfn.IStateMachine;
  /** The execution timeout: ticks stop in time to continue in a new execution. */
  readonly executionTimeout: Duration;
  /**
   * Ticks one execution runs before the run continues in a new one. Default: what the 25,000-event
   * history holds (`TICKS_PER_EXECUTION`); lower only to test continuations.
   */
  readonly ticksPerExecution?: number;
}

/** StartExecution's errors that may pass on their own (throttling, the service, the client's network). */
export const START_EXECUTION_TRANSIENT_ERRORS = [
  'StepFunctions.ExecutionLimitExceededException',
  'StepFunctions.AWSStepFunctionsException',
  'StepFunctions.SdkClientException',
] as const;

/**
 * Room in an execution's time for what is not ticks (preparing before, restoring after), at most half of
 * the timeout.
 */
const NON_TICK_TIME = Duration.hours(3);

export function buildLoadTestDefinition(
  scope: Construct,
  fns: StepFunctionsById,
  options: LoadTestDefinitionOptions,
): sfn.IChainable {
  const timeout = options.executionTimeout.toSeconds();
  const budget: ExecutionBudget = {
    ticks: options.ticksPerExecution ?? TICKS_PER_EXECUTION,
    seconds: timeout - Math.min(NON_TICK_TIME.toSeconds(), timeout / 2),
  };
  const payload = payloads(budget);
  const task = (id: StepId) => lambdaStep(scope, id, fns[id], payload[id]);

  const restore = restorePhase(scope, task);
  const stopLoad = restore.stopLoad;
  const load = loadPhase(scope, task, stopLoad, options.continueIn);
  const prepare = preparePhase(scope, fns, stopLoad, load.start);

  const dryRun = task('plan-dry-run').next(
    new sfn.Succeed(scope, C.dryRunDone, { outputPath: '$.plan', comment: 'A dry run changes nothing.' }),
  );

  const validate = task('validate-input');
  const acquireLock = task('acquire-lock');
  const dryRunChoice = new sfn.Choice(scope, C.dryRunChoice)
    .when(sfn.Condition.booleanEquals('$.run.request.dryRun', true), dryRun)
    .otherwise(acquireLock.next(prepare));
  return validate.next(
    new sfn.Choice(scope, C.continuationChoice, {
      comment:
        'An execution that continues a run holds its lock and prepared environment: on to the next tick.',
    })
      .when(sfn.Condition.isPresent('$.execution.continuesFrom'), load.resume)
      .otherwise(dryRunChoice),
  );
}

/**
 * Start load, then tick every `tickSeconds` on a timestamp so the cadence never drifts. At the execution's
 * tick budget (`$.execution.continueAtTick`, before its history is full) a run not yet done continues in a
 * new execution of this state machine with its state, which resumes at the Wait: same schedule, no gap.
 * Returns where a run starts its load and where a continuation resumes it.
 */
function loadPhase(
  scope: Construct,
  task: (id: StepId) => tasks.LambdaInvoke,
  stopLoad: sfn.IChainable,
  continueIn: sfn.IStateMachine,
): { start: sfn.IChainable; resume: sfn.IChainable } {
  const startLoad = catchInto(task('start-load'), stopLoad);
  const wait = new sfn.Wait(scope, C.waitForTick, {
    time: sfn.WaitTime.timestampPath('$.ramp.nextTickAt'),
    comment: 'Waits until the next tick on the fixed schedule startedAt + n × tickSeconds.',
  });
  const tick = catchInto(task('ramp-tick'), stopLoad);
  const budgetExhausted = new sfn.Pass(scope, C.tickBudgetExhausted, {
    comment: 'Guard: more ticks than the run planned. Treated as a failure, which still restores.',
    result: sfn.Result.fromObject({
      Error: 'TickBudgetExhausted',
      Cause: 'the ramp ran more ticks than planned for this run; stopping it',
    }),
    resultPath: '$.failure',
  }).next(stopLoad);
  const continueRun = new tasks.StepFunctionsStartExecution(scope, C.continueRun, {
    comment: "Starts the run's next execution with its state (fire and forget); the console links the two.",
    stateMachine: continueIn,
    integrationPattern: sfn.IntegrationPattern.REQUEST_RESPONSE,
    associateWithParent: true,
    name: sfn.JsonPath.stringAt('$.execution.nextName'),
    input: sfn.TaskInput.fromObject({ continuation: sfn.JsonPath.entirePayload }),
    resultSelector: {
      executionArn: sfn.JsonPath.stringAt('$.ExecutionArn'),
      startDate: sfn.JsonPath.stringAt('$.StartDate'),
    },
    resultPath: '$.continuedIn',
    taskTimeout: sfn.Timeout.duration(Duration.minutes(1)),
  });
  // Same name and input: a retry after a lost answer starts the execution once.
  continueRun.addRetry(transientRetry(START_EXECUTION_TRANSIENT_ERRORS));
  catchInto(continueRun, stopLoad).next(
    new sfn.Succeed(scope, C.continued, {
      comment: 'The run goes on in the new execution, which stops and restores it at its end.',
      outputPath: '$.continuedIn',
    }),
  );
  const rampFinished = new sfn.Choice(scope, C.rampChoice)
    .when(sfn.Condition.booleanEquals('$.ramp.done', true), stopLoad)
    .when(sfn.Condition.numberGreaterThanEqualsJsonPath('$.ramp.tick', '$.run.maxTicks'), budgetExhausted)
    .when(
      sfn.Condition.numberGreaterThanEqualsJsonPath('$.ramp.tick', '$.execution.continueAtTick'),
      continueRun,
    )
    .otherwise(wait);
  wait.next(tick).next(rampFinished);
  return { start: startLoad.next(wait), resume: wait };
}

/**
 * Stop load → Evaluate → Teardown → Cleanup → Release lock → outcome. Each step runs even when the one
 * before it failed. A restore step's error is caught into its own slot, `$.restoreErrors.<step>`, and a
 * "<step> failed" state adds when it was caught: several failures never overwrite each other, the console
 * shows each failed step as a state of its own, and the run's original `$.failure` stays apart. Release lock
 * turns the slots and what it finds out of shape into `$.restore` (lambdas/core/restore.ts).
 */
function restorePhase(scope: Construct, task: (id: StepId) => tasks.LambdaInvoke) {
  const runFailed = new sfn.Fail(scope, C.runFailed, {
    comment: 'Fails with the error that interrupted the run, after the environment was restored.',
    errorPath: '$.failure.Error',
    causePath: '$.failure.Cause',
  });
  const restoreFailed = new sfn.Fail(scope, C.restoreFailed, {
    comment: 'The environment is not back in its recorded shape: what is left is in $.restore.',
    error: RESTORE_INCOMPLETE,
    causePath: '$.release.restoreMessage',
  });
  const restoreUnchecked = new sfn.Fail(scope, C.restoreUnchecked, {
    comment:
      'Release lock failed, so nobody checked what the restore left; its errors are in $.restoreErrors.',
    error: RESTORE_INCOMPLETE,
    cause: 'Release lock failed: the lock may still be held and what the restore left was not checked',
  });
  const evaluationFailed = new sfn.Fail(scope, C.evaluationFailed, {
    comment: 'Evaluate failed, so the run has no verdict or report; the restore steps still ran.',
    errorPath: '$.evaluateError.Error',
    causePath: '$.evaluateError.Cause',
  });
  const succeeded = new sfn.Succeed(scope, C.succeeded, { outputPath: '$.verdict' });
  const outcome = new sfn.Choice(scope, C.outcomeChoice)
    .when(sfn.Condition.isPresent('$.failure'), runFailed)
    .when(sfn.Condition.isPresent('$.evaluateError'), evaluationFailed)
    .when(
      sfn.Condition.and(
        sfn.Condition.isPresent('$.restore.complete'),
        sfn.Condition.booleanEquals('$.restore.complete', false),
      ),
      restoreFailed,
    )
    .when(sfn.Condition.isPresent('$.restoreErrors'), restoreUnchecked)
    .otherwise(succeeded);

  const restoreChecked = new sfn.Pass(scope, C.restoreChecked, {
    comment: "Release lock's account of the restore, where the console and the CLI look for it.",
    inputPath: '$.release.restore',
    resultPath: '$.restore',
  });
  const releaseLock = catchRestoreError(scope, task('release-lock'), 'releaseLock', outcome);
  const cleanup = catchRestoreError(scope, task('cleanup'), 'cleanup', releaseLock);
  const teardown = catchRestoreError(scope, task('teardown'), 'teardown', cleanup);
  const evaluate = task('evaluate');
  // Not `$.failure`: on the failure path that already holds the run's original error.
  evaluate.addCatch(teardown, { resultPath: '$.evaluateError' });
  const stopLoad = catchRestoreError(scope, task('stop-load'), 'stopLoad', evaluate);

  stopLoad.next(evaluate).next(teardown).next(cleanup).next(releaseLock).next(restoreChecked).next(outcome);
  return { stopLoad };
}

/** The Fail states' error when the environment may not be back in its recorded shape. */
export const RESTORE_INCOMPLETE = 'RestoreIncomplete';

/**
 * Catches a restore step's error into its own slot and goes on through a "<step> failed" state that records
 * the step and the time with it, then to `next`.
 */
function catchRestoreError(
  scope: Construct,
  step: tasks.LambdaInvoke,
  slot: RestoreStepSlot,
  next: sfn.IChainable,
): tasks.LambdaInvoke {
  const path = `$.restoreErrors.${slot}`;
  const recorded = new sfn.Pass(scope, restoreFailedState(slot), {
    comment: 'The step failed past its retries: keeps its error and when, apart from every other step’s.',
    parameters: {
      step: RESTORE_STEP_SLOTS[slot],
      'Error.$': `${path}.Error`,
      'Cause.$': `${path}.Cause`,
      'at.$': '$$.State.EnteredTime',
    },
    resultPath: path,
  });
  step.addCatch(recorded.next(next), { resultPath: path });
  return step;
}

function catchInto<T extends sfn.TaskStateBase>(step: T, next: sfn.IChainable): T {
  step.addCatch(next, { resultPath: '$.failure' });
  return step;
}

/** A Lambda step: the whole state in, the result at its path, transient errors retried with backoff. */
function lambdaStep(
  scope: Construct,
  id: StepId,
  fn: IFunction,
  payload?: sfn.TaskInput,
): tasks.LambdaInvoke {
  return lambdaTask(scope, STEPS[id], fn, payload, RESULT_PATH[id]);
}
