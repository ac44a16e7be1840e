import { ValidationError } from '../core/errors';
import { plannedTicks, validateRunInput } from '../core/run-input';
import type { RunState } from '../core/state';
import { step } from './runtime';

export interface ValidateEvent {
  readonly input: unknown;
  readonly execution: { readonly id: string; readonly name: string; readonly startTime: string };
}

/** Ticks allowed beyond the plan before the guard stops the loop (late ticks, a slow start). */
const TICK_MARGIN = 5;

/** Checks the input against the schema and the configuration before anything changes. */
export const handler = step('Validate input', async (event: ValidateEvent, deps): Promise<RunState> => {
  const config = deps.config();
  const result = validateRunInput(event.input, config);
  if (!result.ok) throw new ValidationError(result.problems);
  const { request } = result;
  const environment = config.environments[request.environment];
  if (!environment) throw new ValidationError([{ field: 'environment', rule: 'is not configured' }]);
  return {
    run: {
      executionId: event.execution.id,
      executionName: event.execution.name,
      startedAt: event.execution.startTime,
      request,
      environment,
      maxTicks: plannedTicks(request) + TICK_MARGIN,
    },
  };
});
