/**
 * Error classes whose `name` becomes the Step Functions error code, so the
 * state machine can tell what to retry (transient) from what never to retry
 * (invalid input, a held lock).
 */

/** One rule broken by one field. `field` is a dotted path, e.g. `applications[2]`. */
export interface FieldProblem {
  readonly field: string;
  readonly rule: string;
}

/** Bad input or configuration: never retried, raised before any side effect. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  constructor(readonly problems: readonly FieldProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.rule}`).join('; '));
  }
}

/** Another run holds the environment. Carries the id of the running execution. */
export class EnvironmentLockedError extends Error {
  override readonly name = 'EnvironmentLockedError';
  constructor(
    readonly environment: string,
    readonly heldBy: string,
  ) {
    super(`environment '${environment}' is locked by the running execution ${heldBy}`);
  }
}

/** A failure that may pass on its own (network, throttling, 5xx): retried with backoff. */
export class TransientError extends Error {
  override readonly name = 'TransientError';
}

/** Error codes the state machine retries: ours, and the Lambda service errors AWS recommends retrying. */
export const RETRYABLE_ERRORS = [
  'TransientError',
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;

/** A rollout that did not complete within the application's readiness timeout. */
export class RolloutTimeoutError extends Error {
  override readonly name = 'RolloutTimeoutError';
}

/** A rollout the Deployment controller gave up on (ProgressDeadlineExceeded). */
export class RolloutFailedError extends Error {
  override readonly name = 'RolloutFailedError';
}

/** The conductor was asked to write to a production platform: refused before any write. */
export class ProductionTargetError extends Error {
  override readonly name = 'ProductionTargetError';
}

/** What Step Functions' Catch puts at its result path. */
export interface StepError {
  readonly Error: string;
  readonly Cause?: string;
}
