import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { RETRYABLE_ERRORS } from '../lambdas/core/errors';
import { TASK_MAX_RETRIES } from '../lambdas/core/history-budget';

/** A Lambda task named for the console, retried on transient errors only (never on validation errors). */
export function lambdaTask(
  scope: Construct,
  name: string,
  fn: IFunction,
  payload?: sfn.TaskInput,
  resultPath?: string,
): tasks.LambdaInvoke {
  const step = new tasks.LambdaInvoke(scope, name, {
    lambdaFunction: fn,
    payloadResponseOnly: true,
    retryOnServiceExceptions: false,
    resultPath,
    payload,
    taskTimeout: sfn.Timeout.duration(Duration.minutes(15)),
  });
  step.addRetry(transientRetry(RETRYABLE_ERRORS));
  return step;
}

/** How a step retries errors that may pass on their own: backoff with full jitter, four retries. */
export function transientRetry(errors: readonly string[]): sfn.RetryProps {
  return {
    errors: [...errors],
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts: TASK_MAX_RETRIES,
    maxDelay: Duration.seconds(30),
    jitterStrategy: sfn.JitterType.FULL,
  };
}
