import type { FieldProblem } from '../lambdas/core/errors';

/** Exit codes of every `ltc` command: one meaning each, documented in `ltc --help` and the README. */
export const EXIT = {
  /** Done; for a test: it passed, warned, or was a dry run. */
  ok: 0,
  /** The test ran and failed its verdict. */
  verdictFail: 1,
  /** Invalid input or usage: unknown flag, bad value, an input the validator rejects. */
  usage: 2,
  /** The configuration file cannot be used. */
  config: 3,
  /** The execution FAILED, was ABORTED or TIMED_OUT (or ended without a known outcome). */
  executionFailed: 4,
  /** AWS or the network: credentials, connection, timeout, a service's error. */
  aws: 5,
  /** The run ended, but the environment was not restored completely (`restore.complete: false`). */
  restoreIncomplete: 6,
  /** A bug in ltc (an error it did not expect); the message says what. */
  internal: 70,
  /** `start --wait` stopped following after a second Ctrl-C; the execution runs on. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `Exit codes:
  0    passed, warned or dry run (other commands: done)
  1    the test failed its verdict
  2    invalid input or usage
  3    configuration error
  4    the execution failed, was aborted or timed out
  5    AWS or network error (credentials, connection, timeout)
  6    the run ended but the environment's restore is incomplete
  70   an internal error of ltc (please report it)
  130  interrupted: local stopped by Ctrl-C/SIGTERM and cleaned up; start --wait stopped following`;

/**
 * A mistake in how the command was called (unknown flag, bad flag value,
 * missing argument). The message names the flag or argument.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** An execution input the validator rejects: each problem names the field and the rule it broke. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
  constructor(
    readonly problems: readonly FieldProblem[],
    /** The input checked, to show each offending value beside its rule. */
    readonly input: unknown,
    message = 'invalid input; nothing was started',
  ) {
    super(message);
  }
}

/**
 * A call to an AWS service (or the network under it) that did not work, explained in one line with the
 * fix. `service` and `endpoint` say what was called.
 */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  constructor(
    readonly service: string,
    readonly endpoint: string,
    /** What happened, e.g. `did not answer within 20 s`. */
    readonly what: string,
    /** What to do about it. */
    readonly fix: string,
    /** The SDK's error name, e.g. `ExecutionDoesNotExist`, `TimeoutError`. */
    readonly code: string,
  ) {
    super(`${service} (${endpoint}) ${what}${fix ? `: ${fix}` : ''}`);
  }

  /** Set when the call failed while following an execution that was started: it may still be running. */
  executionArn?: string;
}

/** The local runner could not run the test (a server did not start, the interpreter failed). */
export class LocalRunError extends Error {
  override readonly name = 'LocalRunError';
  constructor(cause: string) {
    super(`the local run failed: ${cause}`);
  }
}
