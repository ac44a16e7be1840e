import { isContinuation, validateContinuation } from '../core/continuation';
import { ValidationError } from '../core/errors';
import { TICKS_PER_EXECUTION } from '../core/history-budget';
import { recordsExpireAt } from '../core/records';
import {
  continuationName,
  type ExecutionBudget,
  lockExpiresAt,
  plannedTicks,
  ticksPerExecution,
  validateRunInput,
} from '../core/run-input';
import type { RunState } from '../core/run-state';
import { config } from '../runtime/providers/config';
import { runs } from '../runtime/providers/runs';
import { type StepDeps, step } from '../runtime/step';

export interface ValidateEvent {
  readonly input: unknown;
  readonly execution: { readonly id: string; readonly name: string; readonly startTime: string };
  /**
   * What this execution may spend on ticks before the run continues in a new one (statemachine/definition.ts
   * sets it). Absent: what the history holds, with no limit of time.
   */
  readonly budget?: ExecutionBudget;
}

const HISTORY_ONLY: ExecutionBudget = { ticks: TICKS_PER_EXECUTION, seconds: Number.POSITIVE_INFINITY };

/** Ticks allowed beyond the plan before the guard stops the loop (late ticks, a slow start). */
const TICK_MARGIN = 5;

/**
 * Checks the input against the schema and the configuration before anything changes. The input of an
 * execution that continues a run is checked as such: its schema, then that the run still holds the lock
 * (renewed for the rest of the test; otherwise the execution fails here without touching anything), and it is
 * recorded as the run's, for the janitor.
 */
export const handler = step(
  'Validate input',
  { runs, config },
  async (event: ValidateEvent, deps): Promise<RunState> => {
    if (isContinuation(event.input)) return continueRun(event, deps);
    const config = deps.config();
    const result = validateRunInput(event.input, config);
    if (!result.ok) throw new ValidationError(result.problems);
    const { request, environment } = result;
    return {
      run: {
        executionId: event.execution.id,
        executionName: event.execution.name,
        startedAt: event.execution.startTime,
        request,
        environment,
        maxTicks: plannedTicks(request) + TICK_MARGIN,
      },
      execution: {
        id: event.execution.id,
        name: event.execution.name,
        startedAt: event.execution.startTime,
        number: 1,
        continueAtTick: ticksPerExecution(
          event.budget ?? HISTORY_ONLY,
          request.tickSeconds,
          request.applications.length,
        ),
        nextName: continuationName(event.execution.name, 2),
      },
    };
  },
);

async function continueRun(event: ValidateEvent, deps: Pick<StepDeps, 'runs' | 'now'>): Promise<RunState> {
  const result = validateContinuation(event.input);
  if (!result.ok) throw new ValidationError(result.problems);
  const { state } = result;
  const { run, ramp } = state;
  const environment = run.request.environment;
  const now = deps.now();
  const expiresAt = lockExpiresAt(run.request, new Date(Date.parse(ramp?.startedAt ?? '')), now);
  if (!(await deps.runs.renewLock(environment, run.executionId, expiresAt))) {
    const holder = await deps.runs.lockHolder(environment);
    throw new ValidationError([
      {
        field: 'continuation.lock',
        rule: `environment '${environment}' is no longer locked by this run (${holder ? `held by ${holder}` : 'free'}): the run cannot go on, nothing was changed`,
      },
    ]);
  }
  await deps.runs.putContinuation(event.execution.id, run.executionId, recordsExpireAt(now));
  const number = (state.execution?.number ?? 1) + 1;
  return {
    ...state,
    lock: { environment, holder: run.executionId, expiresAt: expiresAt.toISOString() },
    execution: {
      id: event.execution.id,
      name: event.execution.name,
      startedAt: event.execution.startTime,
      number,
      continuesFrom: state.execution?.id ?? run.executionId,
      continueAtTick:
        (ramp?.tick ?? 0) + ticksPerExecution(event.budget ?? HISTORY_ONLY, run.request.tickSeconds, 0),
      nextName: continuationName(run.executionName, number + 1),
    },
  };
}
