import { App, Stack } from 'aws-cdk-lib';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { StateMachine } from 'aws-local-stepfunctions';
import type { StepError } from '../lambdas/core/errors';
import type { RunState } from '../lambdas/core/run-state';
import { HANDLERS } from '../lambdas/handlers/index';
import { preparePhase } from '../statemachine/prepare-map';
import { MAP_ITEM_TASK_STEPS } from '../statemachine/steps';

const PREPARE_FAILED = 'Prepare failed';

/**
 * The prepare phase alone (Deploy and Scale as Maps over the applications), in ASL as the pipeline
 * builds it: for the benchmark and for tests that prepare an environment without a whole run.
 */
export function preparePhaseDefinition(): Record<string, unknown> {
  const stack = new Stack(new App(), 'Prepare', { env: { account: '123456789012', region: 'us-east-1' } });
  const fn = (name: string) =>
    LambdaFunction.fromFunctionArn(stack, name, `arn:aws:lambda:us-east-1:123456789012:function:${name}`);
  const chain = preparePhase(
    stack,
    { deploy: fn('deploy'), scale: fn('scale') },
    new sfn.Pass(stack, PREPARE_FAILED),
    new sfn.Succeed(stack, 'Prepared'),
  );
  // Through JSON: the graph has keys with undefined values, which the interpreter's validator refuses.
  return JSON.parse(JSON.stringify(new sfn.StateGraph(chain.startState, 'prepare').toGraphJson()));
}

/**
 * Runs the prepare phase with the real handlers in this process and returns the state with `deploy` and
 * `scale`; a failure is thrown as the step's error (its name and cause).
 */
export async function runPreparePhase(
  state: RunState,
  definition: Record<string, unknown> = preparePhaseDefinition(),
): Promise<RunState> {
  const handlers = Object.fromEntries(
    Object.entries(MAP_ITEM_TASK_STEPS).map(([stateName, id]) => [stateName, HANDLERS[id]]),
  );
  // biome-ignore lint/suspicious/noExplicitAny: the interpreter types definitions and JSON loosely
  const machine = new StateMachine(definition as any, { validationOptions: { checkArn: false } });
  const execution = machine.run(state as never, {
    // biome-ignore lint/suspicious/noExplicitAny: handlers take and return JSON
    overrides: { taskResourceLocalHandlers: handlers as any },
  });
  const prepared = (await execution.result) as unknown as RunState;
  if (prepared.failure) throw stepError(prepared.failure);
  return prepared;
}

function stepError(failure: StepError): Error {
  const error = new Error(
    typeof failure.Cause === 'string' ? failure.Cause : JSON.stringify(failure.Cause ?? ''),
  );
  error.name = failure.Error;
  return error;
}
