import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { lambdaTask } from './lambda-task';
import { preparePhase } from './prepare-map';
import { CONTROL_STATES as C, STEPS, type StepId } from './steps';

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

/** Validation also needs to know which execution it belongs to; every other step gets the state as is. */
const PAYLOAD: Partial<Record<StepId, sfn.TaskInput>> = {
  'validate-input': sfn.TaskInput.fromObject({
    input: sfn.JsonPath.entirePayload,
    execution: {
      id: sfn.JsonPath.stringAt('$$.Execution.Id'),
      name: sfn.JsonPath.stringAt('$$.Execution.Name'),
      startTime: sfn.JsonPath.stringAt('$$.Execution.StartTime'),
    },
  }),
};

/**
 * The load-test workflow. One builder per phase, read top to bottom:
 * validate → lock → prepare → load (tick loop) → stop → evaluate → restore → unlock.
 * Any failure after the lock is caught into `$.failure` and still runs the
 * restore path; the run then fails with the original error.
 */
export function buildLoadTestDefinition(scope: Construct, fns: StepFunctionsById): sfn.IChainable {
  const task = (id: StepId) => lambdaStep(scope, id, fns[id]);

  const restore = restorePhase(scope, task);
  const stopLoad = restore.stopLoad;
  const load = loadPhase(scope, task, stopLoad);
  const prepare = preparePhase(scope, fns, stopLoad, load);

  const dryRun = task('plan-dry-run').next(
    new sfn.Succeed(scope, C.dryRunDone, { outputPath: '$.plan', comment: 'A dry run changes nothing.' }),
  );

  const validate = task('validate-input');
  const acquireLock = task('acquire-lock');
  return validate.next(
    new sfn.Choice(scope, C.dryRunChoice)
      .when(sfn.Condition.booleanEquals('$.run.request.dryRun', true), dryRun)
      .otherwise(acquireLock.next(prepare)),
  );
}

/** Start load, then tick every `tickSeconds` on a timestamp so the cadence never drifts. */
function loadPhase(scope: Construct, task: (id: StepId) => tasks.LambdaInvoke, stopLoad: sfn.IChainable) {
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
  const rampFinished = new sfn.Choice(scope, C.rampChoice)
    .when(sfn.Condition.booleanEquals('$.ramp.done', true), stopLoad)
    .when(sfn.Condition.numberGreaterThanEqualsJsonPath('$.ramp.tick', '$.run.maxTicks'), budgetExhausted)
    .otherwise(wait);
  wait.next(tick).next(rampFinished);
  return startLoad.next(wait);
}

/**
 * Stop load → Evaluate → Teardown → Cleanup → Release lock → outcome. Each
 * step runs even when the one before it failed; their errors are kept apart
 * from `$.failure` so the original error of the run is never overwritten.
 */
function restorePhase(scope: Construct, task: (id: StepId) => tasks.LambdaInvoke) {
  const runFailed = new sfn.Fail(scope, C.runFailed, {
    comment: 'Fails with the error that interrupted the run, after the environment was restored.',
    errorPath: '$.failure.Error',
    causePath: '$.failure.Cause',
  });
  const restoreFailed = new sfn.Fail(scope, C.restoreFailed, {
    comment: 'A restore step failed: the environment may not be back to its recorded shape.',
    errorPath: '$.restoreError.Error',
    causePath: '$.restoreError.Cause',
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
    .when(sfn.Condition.isPresent('$.restoreError'), restoreFailed)
    .otherwise(succeeded);

  const releaseLock = task('release-lock');
  releaseLock.addCatch(outcome, { resultPath: '$.restoreError' });
  const cleanup = task('cleanup');
  cleanup.addCatch(releaseLock, { resultPath: '$.restoreError' });
  const teardown = task('teardown');
  teardown.addCatch(cleanup, { resultPath: '$.restoreError' });
  const evaluate = task('evaluate');
  // Not `$.failure`: on the failure path that already holds the run's original error.
  evaluate.addCatch(teardown, { resultPath: '$.evaluateError' });
  const stopLoad = task('stop-load');
  stopLoad.addCatch(evaluate, { resultPath: '$.restoreError' });

  stopLoad.next(evaluate).next(teardown).next(cleanup).next(releaseLock).next(outcome);
  return { stopLoad };
}

function catchInto(step: tasks.LambdaInvoke, next: sfn.IChainable): tasks.LambdaInvoke {
  step.addCatch(next, { resultPath: '$.failure' });
  return step;
}

/** A Lambda step: the whole state in, the result at its path, transient errors retried with backoff. */
function lambdaStep(scope: Construct, id: StepId, fn: IFunction): tasks.LambdaInvoke {
  return lambdaTask(scope, STEPS[id], fn, PAYLOAD[id], RESULT_PATH[id]);
}
