import { describeChanges } from '../lambdas/core/plan';
import type { RunState } from '../lambdas/core/state';
import { STEPS } from '../statemachine/steps';
import type { EventLog } from './executor';

const STEP_NAMES = new Set<string>(Object.values(STEPS));

/**
 * Turns execution events into the lines a person watches in the terminal:
 * each step as it ends, with what it did, and each tick's orders per minute
 * against the plan.
 */
export function progressLine(event: EventLog): string | null {
  switch (event.type) {
    case 'StateExited': {
      const name = event.state.name;
      if (!STEP_NAMES.has(name)) return null;
      if (process.env.DEBUG_EVENTS) console.log(JSON.stringify(event).slice(0, 600));
      const detail = describeStep(name, event.state.output as unknown as RunState);
      return name === STEPS['ramp-tick'] ? `  ${detail}` : `✓ ${name.padEnd(28)} ${detail}`;
    }
    case 'StateRetried':
      return `↻ ${event.state.name}: retrying (attempt ${event.retry.attempt})`;
    case 'StateCaught':
      return `✗ ${event.state.name} failed — restoring the environment`;
    case 'ExecutionFailed':
      return `✗ execution failed: ${event.Error}: ${String(event.Cause ?? '')}`;
    default:
      return null;
  }
}

function describeStep(name: string, state: RunState): string {
  switch (name) {
    case STEPS['validate-input']: {
      const r = state.run.request;
      return `${r.environment}/${r.scenario}: ${r.targetOrdersPerMinute} orders/min, ramp ${r.rampUpMinutes} min, plateau ${r.plateauMinutes} min, tick ${r.tickSeconds} s`;
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
      const line = `tick ${String(r.tick).padStart(3)} ${r.phase.padEnd(8)} ${rate} / ${r.targetNow.toFixed(1).padStart(6)} orders/min  users ${String(r.users).padStart(4)}  workers ${r.workers}${r.workersRequested != null && r.workersRequested !== r.workers ? `→${r.workersRequested}` : ''}  failures ${(r.failureRatio * 100).toFixed(2)} %`;
      // What the controller noticed (saturation, stalls, caps, resets) goes on the same line.
      const saturated = r.saturation
        ? `target unreachable: saturated at ${Math.round(r.saturation.ordersPerMinute)} orders/min with ${r.saturation.users} users`
        : null;
      const notes = [saturated, ...(r.notes ?? [])].filter(Boolean);
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
