/**
 * The run's phases as the report's timeline and cost need them in AWS (locally, the executor's events give
 * the same). Evaluate and Release lock record their own; the `step()` wrapper (runtime/step.ts) records every
 * other step through `recordStepPhase`.
 */
import type { RunStore } from '../adapters/aws/run-store';
import { type PhaseRecord, recordsExpireAt } from '../core/records';
import type { RunState } from '../core/run-state';
import { logger } from '../runtime/logger';

/**
 * The run's id in any step's input: the run state's `run.executionId` (a prepare Map item carries the state
 * under `state`), or in Validate's event the run a continuation continues, else `execution.id`.
 */
export function executionIdOf(input: unknown): string | null {
  type RunInput = { run?: { executionId?: unknown } };
  const i = input as
    | (RunInput & {
        state?: RunInput;
        input?: { continuation?: RunInput };
        execution?: { id?: unknown };
      })
    | null;
  const id =
    i?.run?.executionId ??
    i?.state?.run?.executionId ??
    i?.input?.continuation?.run?.executionId ??
    i?.execution?.id;
  return typeof id === 'string' && id ? id : null;
}

/** Records a phase; never fails the step (a missing bar in the timeline is not worth a failed run). */
export async function recordPhase(
  runs: Pick<RunStore, 'putPhase'>,
  executionId: string,
  phase: PhaseRecord,
): Promise<void> {
  try {
    await runs.putPhase(executionId, phase, recordsExpireAt(new Date(phase.endedAt)));
  } catch (err) {
    logger.warn(`phase ${phase.name} not recorded`, err as Error);
  }
}

/** For `step()`: records the step `name` that ran from `startedAt` until now. */
export async function recordStepPhase(
  name: string,
  input: unknown,
  startedAt: Date,
  outcome: PhaseRecord['outcome'],
  deps: { runs: Pick<RunStore, 'putPhase'>; now(): Date },
  /** What went wrong, for a failed attempt: the timeline shows it. */
  detail?: string,
): Promise<void> {
  const executionId = executionIdOf(input);
  if (!executionId) return;
  await recordPhase(deps.runs, executionId, {
    ...phase(name, startedAt, deps.now(), outcome),
    ...(detail ? { detail: detail.slice(0, 500) } : {}),
  });
}

/**
 * Phases the state itself tells when nothing recorded them: the load from its start to the last tick.
 * Recorded phases of the same name win.
 */
export function derivedPhases(
  state: RunState,
  lastTickAt: string | null,
  recorded: readonly PhaseRecord[],
): PhaseRecord[] {
  const names = new Set(recorded.map((p) => p.name));
  const out: PhaseRecord[] = [];
  if (state.ramp && lastTickAt && !names.has('Load')) {
    out.push({
      name: 'Load',
      startedAt: state.ramp.startedAt,
      endedAt: lastTickAt,
      outcome: state.ramp.abort ? 'failed' : 'succeeded',
      detail: state.ramp.abort ? state.ramp.abort.reason : `${state.ramp.tick} ticks`,
    });
  }
  return out;
}

/** A phase that ran from `startedAt` to `endedAt` (Evaluate and Release lock record their own). */
export function phase(
  name: string,
  startedAt: Date,
  endedAt: Date,
  outcome: PhaseRecord['outcome'] = 'succeeded',
): PhaseRecord {
  return {
    name,
    startedAt: startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    outcome,
    lambdaMs: Math.max(0, endedAt.getTime() - startedAt.getTime()),
  };
}
