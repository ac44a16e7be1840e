/**
 * The restore path (Stop load → Teardown → Cleanup → Release lock): what each step reports, and what the path
 * left undone. Pure: the state machine keeps each restore step's caught error in its own slot
 * (`$.restoreErrors.<step>`, never overwritten), Release lock reads what is still out of shape, and this module
 * turns both into the run's `restore` outcome.
 */
import type { AppChange, NodeGroupChange } from './shape';

/** The restore steps whose errors are kept, by their slot in `$.restoreErrors`, in the order they run. */
export const RESTORE_STEP_SLOTS = {
  stopLoad: 'Stop load',
  teardown: 'Teardown',
  cleanup: 'Cleanup',
  releaseLock: 'Release lock',
} as const;
export type RestoreStepSlot = keyof typeof RESTORE_STEP_SLOTS;

/** What the "<step> failed" Pass state records from the step's Catch: its error and when it was caught. */
export interface CaughtRestoreError {
  readonly step: string;
  readonly Error: string;
  readonly Cause?: string;
  readonly at: string;
}

/** `$.restoreErrors`: one slot per restore step, so a later failure never replaces an earlier one. */
export type RestoreErrorSlots = Partial<Record<RestoreStepSlot, CaughtRestoreError>>;

/**
 * One restore step's error. Per step, not per application: Step Functions' Catch keeps only the error's name
 * and cause; the applications left out of shape are the outcome's leftovers.
 */
export interface RestoreError {
  readonly step: string;
  readonly error: string;
  /** ISO time the error was caught. */
  readonly at: string;
}

/** Something not back in its recorded shape after the restore, with both shapes where they could be read. */
export interface Leftover {
  readonly kind: 'application' | 'nodeGroup' | 'workerFleet' | 'lock';
  readonly name: string;
  readonly current?: object;
  readonly recorded?: object;
}

export interface RestoreOutcome {
  readonly complete: boolean;
  readonly errors: readonly RestoreError[];
  readonly leftovers: readonly Leftover[];
}

/**
 * The message a Lambda error carries: Step Functions puts the handler's error in `Cause` as JSON
 * (`{"errorType","errorMessage","trace"}`); the local interpreter puts the message itself.
 */
export function causeMessage(caught: { readonly Error: string; readonly Cause?: string }): string {
  const cause = caught.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (parsed && typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // Not JSON: the message itself.
  }
  return cause;
}

/** The caught errors in the order the steps ran, one entry per step; `Error: message` as the error. */
export function restoreErrorsOf(slots: RestoreErrorSlots | undefined): RestoreError[] {
  if (!slots) return [];
  return (Object.keys(RESTORE_STEP_SLOTS) as RestoreStepSlot[]).flatMap((slot) => {
    const caught = slots[slot];
    if (!caught) return [];
    const message = causeMessage(caught);
    return [
      {
        step: caught.step || RESTORE_STEP_SLOTS[slot],
        error: message ? `${caught.Error}: ${message}` : caught.Error,
        at: caught.at,
      },
    ];
  });
}

/** Complete only when no restore step failed and nothing is left out of its recorded shape. */
export function restoreOutcome(
  caught: RestoreErrorSlots | undefined,
  extra: readonly RestoreError[],
  leftovers: readonly Leftover[],
): RestoreOutcome {
  const errors = [...restoreErrorsOf(caught), ...extra];
  return { complete: errors.length === 0 && leftovers.length === 0, errors, leftovers };
}

const KIND_WORDS: Readonly<Record<Leftover['kind'], string>> = {
  application: 'application',
  nodeGroup: 'node group',
  workerFleet: 'worker fleet',
  lock: 'lock',
};

/**
 * One line a person reads first: which steps failed and what may be left, e.g.
 * `Restore incomplete: Teardown failed; left: application checkout (current unreadable, recorded 2 replicas)`.
 * Null when the restore is complete.
 */
export function describeRestore(restore: RestoreOutcome): string | null {
  if (restore.complete) return null;
  const steps = [...new Set(restore.errors.map((e) => e.step))];
  const failed = steps.length > 0 ? `${steps.join(', ')} failed` : 'no step failed';
  const left =
    restore.leftovers.length > 0
      ? `; may be left: ${restore.leftovers.map(describeLeftover).join('; ')}`
      : '';
  return `Restore incomplete: ${failed}${left}`;
}

export function describeLeftover(leftover: Leftover): string {
  const current = leftover.current
    ? `current ${brief(leftover.current)}`
    : 'current unreadable, may still be as the run left it';
  const recorded = leftover.recorded ? `recorded ${brief(leftover.recorded)}` : 'recorded unknown';
  const shapes = leftover.kind === 'lock' ? 'still held' : `${current}, ${recorded}`;
  return `${KIND_WORDS[leftover.kind]} ${leftover.name} (${shapes})`;
}

/** A short view of a shape: replicas, version, size — what tells "production size" from "recorded". */
function brief(value: object): string {
  const v = value as Record<string, unknown>;
  const parts: string[] = [];
  if (typeof v.replicas === 'number') parts.push(`${v.replicas} replicas`);
  if (typeof v.version === 'string') parts.push(`version ${v.version}`);
  for (const key of ['desiredSize', 'minSize', 'maxSize', 'workers'] as const)
    if (typeof v[key] === 'number') parts.push(`${key} ${v[key]}`);
  return parts.length > 0 ? parts.join(', ') : JSON.stringify(value).slice(0, 120);
}

export interface StopLoadResult {
  readonly stopped: boolean;
  /** Workers the fleet was scaled back to (absent when the conductor does not size it or never scaled it). */
  readonly workers?: number;
  readonly message: string;
}

/** The Locust worker fleet brought back to its size before the run (Stop load, the janitor). */
export interface FleetRestore {
  /** The fleet, e.g. `deployment load/locust-worker`. */
  readonly fleet: string;
  /** Workers asked for when the restore came. */
  readonly from: number;
  /** The size recorded before the run, asked for again (unless it already was). */
  readonly to: number;
}

export interface TeardownResult {
  readonly restored: readonly AppChange[];
  /** Node groups restored after the applications. */
  readonly nodeGroups?: readonly NodeGroupChange[];
}

export interface CleanupResult {
  readonly actions: readonly { readonly name: string; readonly result: string }[];
}
