/**
 * A run handed on to a new execution ("Continue in new execution"): the state it carries, checked before the
 * new execution trusts it.
 */
import runContinuationSchema from '../../schema/run-continuation.schema.json' with { type: 'json' };
import type { FieldProblem } from './errors';
import type { RunState } from './run-state';
import { schemaChecker } from './schema-validation';

const checkContinuationSchema = schemaChecker(runContinuationSchema);

/** The input of an execution that continues a run, as "Continue in new execution" writes it. */
export interface ContinuationInput {
  readonly continuation: RunState;
  /** Set by Step Functions' StartExecution integration: the execution that started this one. */
  readonly AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID?: string;
}

export type ContinuationResult =
  | { readonly ok: true; readonly state: RunState }
  | { readonly ok: false; readonly problems: readonly FieldProblem[] };

/** Whether an execution input continues a run (it is then checked as one, never as a user's input). */
export function isContinuation(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && 'continuation' in raw;
}

/**
 * Checks a continuation's input against its schema (schema/run-continuation.schema.json) and for
 * consistency: the lock it carries is the run's, its ramp's times are times. The configuration is not read
 * again: the run keeps the environment's settings it started with.
 */
export function validateContinuation(raw: unknown): ContinuationResult {
  const schemaProblems = checkContinuationSchema(raw);
  if (schemaProblems.length > 0) return { ok: false, problems: schemaProblems };
  const state = (raw as ContinuationInput).continuation;
  const problems: FieldProblem[] = [];
  const { run, lock, ramp } = state;
  if (lock?.holder !== run.executionId) {
    problems.push({
      field: 'continuation.lock.holder',
      rule: `must be the run's first execution '${run.executionId}'`,
    });
  }
  if (lock?.environment !== run.request.environment) {
    problems.push({
      field: 'continuation.lock.environment',
      rule: `must be the run's environment '${run.request.environment}'`,
    });
  }
  for (const key of ['startedAt', 'nextTickAt'] as const) {
    if (Number.isNaN(Date.parse(ramp?.[key] ?? ''))) {
      problems.push({ field: `continuation.ramp.${key}`, rule: 'must be an ISO 8601 date-time' });
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, state };
}
