import type { StepError } from '../lambdas/core/errors';
import { describeChanges } from '../lambdas/core/plan';
import {
  causeMessage,
  describeLeftover,
  describeRestore,
  RESTORE_STEP_SLOTS,
  type RestoreOutcome,
  type RestoreStepSlot,
  restoreOutcome,
} from '../lambdas/core/restore';
import type { RunState } from '../lambdas/core/run-state';
import { kpiOf } from '../lambdas/core/scenario';
import { CONTROL_STATES, STEPS } from '../statemachine/steps';
import type { EventLog } from './executor';

const STEP_NAMES = new Set<string>(Object.values(STEPS));
const RESTORE_SLOT_OF = new Map(
  Object.entries(RESTORE_STEP_SLOTS).map(([slot, name]) => [name as string, slot as RestoreStepSlot]),
);

/**
 * Turns execution events into the lines a person watches in the terminal: each step as it ends, with what it
 * did (✓) or the error its Catch took (✗, never ✓), and each tick's orders per minute against the plan.
 * Stateful: the interpreter reports a caught step as caught, then as exited with the caught error in its
 * output; one progress per execution.
 */
export function createProgress(): (event: EventLog) => string | null {
  const caught = new Set<string>();
  return (event) => {
    switch (event.type) {
      case 'StateExited': {
        const name = event.state.name;
        if (!STEP_NAMES.has(name)) return null;
        if (process.env.DEBUG_EVENTS) console.log(JSON.stringify(event).slice(0, 600));
        const state = event.state.output as unknown as RunState;
        if (caught.delete(name)) return failedLine(name, state);
        const detail = describeStep(name, state);
        if (name === STEPS['release-lock'] && ownErrors(state).length > 0)
          return `✗ ${name.padEnd(28)} ${ownErrors(state).join('; ')}`;
        return name === STEPS['ramp-tick'] ? `  ${detail}` : `✓ ${name.padEnd(28)} ${detail}`;
      }
      case 'StateRetried':
        return `↻ ${event.state.name}: retrying (attempt ${event.retry.attempt})`;
      case 'StateCaught':
        caught.add(event.state.name);
        return null;
      case 'ExecutionFailed':
        return `✗ execution failed: ${event.Error}: ${String(event.Cause ?? '')}`;
      default:
        return null;
    }
  };
}

/** The error a step's Catch put in the state (where its Catch writes it), as `Error: message`. */
export function caughtErrorText(name: string, state: RunState): string {
  const slot = RESTORE_SLOT_OF.get(name);
  const error: StepError | undefined = slot
    ? state.restoreErrors?.[slot]
    : name === STEPS.evaluate
      ? state.evaluateError
      : state.failure;
  return error ? [error.Error, causeMessage(error)].filter(Boolean).join(': ') : 'failed';
}

function failedLine(name: string, state: RunState): string {
  const then = RESTORE_SLOT_OF.has(name)
    ? 'the restore goes on'
    : name === STEPS.evaluate
      ? 'no verdict'
      : 'restoring the environment';
  return `✗ ${name.padEnd(28)} FAILED: ${caughtErrorText(name, state)} — ${then}`;
}

/** Release lock's own errors (the lock not released, the topic not told). */
function ownErrors(state: RunState): string[] {
  return (state.release?.restore?.errors ?? [])
    .filter((e) => e.step === STEPS['release-lock'])
    .map((e) => e.error);
}

/**
 * The restore's outcome from the run's last state: Release lock's account when it ran, else the errors the
 * state machine kept (then nobody checked what was left).
 */
export function restoreOf(state: RunState): RestoreOutcome {
  return state.restore ?? restoreOutcome(state.restoreErrors, [], []);
}

/** The run's state as it reached the outcome (after the restore path); null when it never restored. */
export function finalRunState(events: readonly EventLog[]): RunState | null {
  const outcome = [...events]
    .reverse()
    .find((e) => e.type === 'StateEntered' && e.state.name === CONTROL_STATES.outcomeChoice);
  return outcome?.type === 'StateEntered' ? (outcome.state.input as unknown as RunState) : null;
}

/** The lines a run ends with when its restore is incomplete, first: what failed and what may be left. */
export function restoreLines(restore: RestoreOutcome): string[] {
  const headline = describeRestore(restore);
  if (!headline) return [];
  return [
    `✗ ${headline.replace(/^Restore incomplete/, 'RESTORE INCOMPLETE')}`,
    ...restore.errors.map((e) => `    ${e.step} failed at ${e.at}: ${e.error}`),
    ...restore.leftovers.map((l) => `    may be left: ${describeLeftover(l)}`),
  ];
}

function describeStep(name: string, state: RunState): string {
  switch (name) {
    case STEPS['validate-input']: {
      const r = state.run.request;
      return `${r.environment}/${r.scenario}: ${r.targetOrdersPerMinute} ${kpiOf(state.run.environment).unit}, ramp ${r.rampUpMinutes} min, plateau ${r.plateauMinutes} min, tick ${r.tickSeconds} s`;
    }
    case STEPS['acquire-lock']:
      return state.lock ? `held until ${state.lock.expiresAt}` : '';
    case STEPS.deploy:
      return state.deploy?.skipped
        ? 'skipped (testing what is deployed)'
        : describeChanges(state.deploy?.changes ?? []);
    case STEPS.scale:
      return describeChanges(state.scale?.changes ?? []);
    case STEPS['start-load']:
      return state.ramp?.message ?? '';
    case STEPS['ramp-tick']: {
      const r = state.ramp;
      if (!r) return '';
      const rate = r.ordersPerMinute == null ? '   n/a' : r.ordersPerMinute.toFixed(1).padStart(6);
      const unit = kpiOf(state.run.environment).unit;
      const line = `tick ${String(r.tick).padStart(3)} ${r.phase.padEnd(8)} ${rate} / ${r.targetNow.toFixed(1).padStart(6)} ${unit}  users ${String(r.users).padStart(4)}  workers ${r.workers}${r.workersRequested != null && r.workersRequested !== r.workers ? `→${r.workersRequested}` : ''}  failures ${(r.failureRatio * 100).toFixed(2)} %`;
      // What the controller noticed (saturation, stalls, caps, resets) goes on the same line.
      const saturated = r.saturation
        ? `target unreachable: saturated at ${Math.round(r.saturation.ordersPerMinute)} orders/min with ${r.saturation.users} users`
        : null;
      const stopping = r.abort ? `stopping the load: ${r.abort.reason}` : null;
      const notes = [saturated, ...(r.notes ?? []), stopping].filter(Boolean);
      return notes.length ? `${line}  — ${notes.join('; ')}` : line;
    }
    case STEPS['stop-load']:
      return state.stopLoad?.message ?? '';
    case STEPS.evaluate:
      return state.verdict?.summary ?? '';
    case STEPS.teardown:
      return describeChanges(state.teardown?.restored ?? []);
    case STEPS.cleanup:
      return (
        (state.cleanup?.actions ?? []).map((a) => `${a.name}: ${a.result}`).join('; ') || 'no cleanup actions'
      );
    case STEPS['release-lock']:
      return state.release?.lockReleased ? 'lock released, topic notified' : 'lock was not held';
    case STEPS['plan-dry-run']:
      return state.plan?.summary ?? '';
    default:
      return '';
  }
}
