import { janitorRecheckQueue } from '../adapters/aws/janitor-recheck';
import { JANITOR_STATUSES } from '../contracts';
import { type ContinuationInput, isContinuation } from '../core/continuation';
import { EnvironmentLockedError } from '../core/errors';
import { type JanitorRecord, recordsExpireAt } from '../core/records';
import type { FleetRestore, TeardownResult } from '../core/restore';
import type { RunContext } from '../core/run-context';
import { hasShape } from '../core/shape';
import { logger } from '../runtime/logger';
import { locust } from '../runtime/providers/locust';
import { nodeGroups } from '../runtime/providers/node-groups';
import { platform } from '../runtime/providers/platform';
import { runs } from '../runtime/providers/runs';
import { type StepDeps, step } from '../runtime/step';
import { restoreFleetSize, restoreRecordedShapes, stopLocust } from '../use-cases/restore';

/** The part of a "Step Functions Execution Status Change" event the janitor reads. */
export interface ExecutionStatusChangeEvent {
  readonly detail: {
    readonly executionArn: string;
    readonly status: string;
    readonly error?: string | null;
    readonly cause?: string | null;
    /** The execution's input as JSON (EventBridge includes it up to 256 KiB). */
    readonly input?: string | null;
  };
}

export interface JanitorResult {
  readonly execution: string;
  /** Whether the janitor changed anything (stopped the load, restored a shape, released the lock). */
  readonly acted: boolean;
  readonly lock: JanitorRecord['lock'] | 'unknown';
  readonly loadStopped: boolean;
  readonly restored: JanitorRecord['restored'];
  /** The Locust worker fleet brought back to (or found at) its size before the run; null: the run never scaled it. */
  readonly fleet: FleetRestore | null;
  readonly lockReleased: boolean;
  readonly message: string;
  /** When the delayed second pass will run (first passes only; unset when no re-check queue is configured). */
  readonly recheckAt?: string;
}

/** The janitor's delayed second pass, as the re-check queue delivers it (one record per invocation). */
export interface JanitorRecheckEvent {
  readonly Records: readonly { readonly body: string }[];
}

/** Minutes the janitor holds a free environment's lock while it checks the shape. */
const JANITOR_LOCK_MINUTES = 30;

/**
 * Cleans up after an execution that ended ABORTED, TIMED_OUT or FAILED — someone pressed "Stop execution",
 * the execution timed out, or a step failed past its Catch. From the run's context recorded at Acquire lock:
 *
 * - the lock still held by that execution: stop Locust (an unreachable one is ignored), restore every
 *   recorded shape with Teardown's code and the Locust worker fleet's recorded size with Stop load's, release
 *   the lock;
 * - the lock free (the run released it, maybe after an incomplete restore): take it for the janitor, stop
 *   Locust if it has users (a late Ramp tick started them), restore what is not back in shape (a late Ramp
 *   tick may have grown the fleet too), release it — nothing else;
 * - the lock held by another run: touch nothing.
 *
 * An execution that continues a run (a long soak) is found through the `CONTINUES` record its Validate wrote,
 * or, when its Validate failed before writing it, through the run its input names (the lock decides what
 * happens, as for any run): the lock, the recorded shapes and the janitor's record are the run's, known by
 * its first execution's id.
 *
 * Idempotent: a second time, or after a normal teardown, nothing is out of shape and the lock is not this
 * run's, so nothing changes and nothing is recorded. What it did is recorded as `JANITOR#<at>` with the run. A
 * failed restore keeps the lock (the next run must not record a scaled-up shape as its "before") and is
 * raised, so the asynchronous invocation is retried.
 */
const cleanUpAfterRun = step(
  'Janitor',
  { runs, locust, platform, nodeGroups },
  async (event: ExecutionStatusChangeEvent, deps): Promise<JanitorResult> => {
    const { executionArn, status } = event.detail;
    const none = (message: string, lock: JanitorResult['lock'] = 'unknown'): JanitorResult => ({
      execution: executionArn,
      acted: false,
      lock,
      loadStopped: false,
      restored: [],
      fleet: null,
      lockReleased: false,
      message,
    });
    if (!(JANITOR_STATUSES as readonly string[]).includes(status))
      return none(`status ${status}: nothing to do`);
    // A continuation's records are its run's, which is known by the first execution's id.
    const runId =
      (await deps.runs.continuationOf(executionArn)) ?? runContinuedBy(event.detail.input) ?? executionArn;
    const run = await deps.runs.runMeta(runId);
    if (!run) return none('no run record: the execution ended before it took the lock');

    const environment = run.request.environment;
    const reason = [status, event.detail.error, event.detail.cause].filter(Boolean).join(': ');
    const holder = await deps.runs.lockHolder(environment);
    const lock: JanitorRecord['lock'] = holder === runId ? 'held' : holder === null ? 'free' : 'other';
    if (lock === 'other') return none(`${environment} is locked by ${holder}: not touched`, lock);

    const now = deps.now();
    let lockHolder = runId;
    if (lock === 'free') {
      lockHolder = `janitor:${executionArn}`;
      try {
        await deps.runs.acquireLock(
          environment,
          lockHolder,
          now,
          new Date(now.getTime() + JANITOR_LOCK_MINUTES * 60_000),
        );
      } catch (err) {
        if (err instanceof EnvironmentLockedError)
          return none(`${environment}: ${err.message}; not touched`, 'other');
        throw err;
      }
    }

    let loadStopped = false;
    const notes: string[] = [];
    try {
      // A free lock means no run uses this environment's Locust: users there were started by a Lambda that
      // outlived its execution (a Ramp tick past its timeout), and are stopped too.
      if (lock === 'held' || (await locustHasUsers(run, deps))) {
        await stopLocust(run, deps);
        loadStopped = true;
      }
    } catch (err) {
      notes.push(`Locust not stopped (${(err as Error).message})`);
      logger.warn('Janitor: Locust not reachable', err as Error);
    }

    const expiresAt = recordsExpireAt(now);
    let result: TeardownResult;
    let fleet: FleetRestore | null;
    try {
      result = await restoreRecordedShapes(run, deps);
      // After the applications: the workers' load is off them (Locust was stopped first).
      fleet = await restoreFleetSize(run, deps);
    } catch (err) {
      const message = `restore failed, lock kept: ${(err as Error).message}`;
      await deps.runs.putJanitorRecord(
        runId,
        {
          at: now.toISOString(),
          reason,
          lock,
          loadStopped,
          restored: [],
          fleet: null,
          lockReleased: false,
          message,
        },
        expiresAt,
      );
      throw err;
    }
    const restored = [
      ...result.restored.map((c) => ({ application: c.application, changed: !hasShape(c.from, c.to) })),
      ...(result.nodeGroups ?? []).map((g) => ({
        application: `nodegroup/${g.nodeGroup}`,
        changed: JSON.stringify(g.from) !== JSON.stringify(g.to),
      })),
    ];
    const lockReleased = await deps.runs.releaseLock(environment, lockHolder);
    const fleetScaled = fleet !== null && fleet.from !== fleet.to;
    const changedAny = restored.some((r) => r.changed) || fleetScaled;
    const acted = lock === 'held' || loadStopped || changedAny;
    const changed = restored.filter((r) => r.changed).map((r) => r.application);
    const message = [
      runId === executionArn ? null : `continuation of ${runId}`,
      lock === 'held' ? 'lock was still held' : 'lock was free',
      loadStopped ? 'Locust stopped' : null,
      changed.length > 0
        ? `restored ${changed.join(', ')}`
        : changedAny
          ? null
          : 'everything already in its recorded shape',
      fleetScaled ? `${fleet?.fleet} scaled back from ${fleet?.from} to ${fleet?.to} workers` : null,
      lock === 'held' ? (lockReleased ? 'lock released' : 'lock not released') : null,
      ...notes,
    ]
      .filter(Boolean)
      .join('; ');
    const outcome = {
      lock,
      loadStopped,
      restored,
      fleet,
      lockReleased: lock === 'held' && lockReleased,
      message,
    };
    if (acted) {
      await deps.runs.putJanitorRecord(runId, { at: now.toISOString(), reason, ...outcome }, expiresAt);
    }
    return { execution: executionArn, acted, ...outcome };
  },
);

/** Whether the environment's Locust master is spawning or running users. */
async function locustHasUsers(run: RunContext, deps: Pick<StepDeps, 'locust'>): Promise<boolean> {
  const { state } = await deps.locust(run.environment.locust.url).kpi();
  return state === 'spawning' || state === 'running';
}

/** The run an execution's input continues (its first execution's id), or null for any other input. */
function runContinuedBy(input: string | null | undefined): string | null {
  if (!input) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch {
    return null;
  }
  if (!isContinuation(parsed)) return null;
  const id = (parsed as Partial<ContinuationInput>).continuation?.run?.executionId;
  return typeof id === 'string' && id ? id : null;
}

/**
 * The janitor's entry point: an execution status change from EventBridge — cleaned up at once, then
 * queued for a second pass after the longest step timeout (adapters/aws/janitor-recheck.ts), which undoes
 * what a Lambda still running after the execution ended changed meanwhile — or that second pass.
 */
export async function handler(
  event: ExecutionStatusChangeEvent | JanitorRecheckEvent,
): Promise<JanitorResult> {
  if ('Records' in event) {
    let last: JanitorResult | undefined;
    for (const record of event.Records) {
      const first = JSON.parse(record.body) as ExecutionStatusChangeEvent;
      const cause = ['re-check after the longest step timeout', first.detail.cause]
        .filter(Boolean)
        .join('; ');
      last = await cleanUpAfterRun({ detail: { ...first.detail, cause } });
    }
    if (!last) throw new Error('janitor re-check: no records');
    return last;
  }
  const result = await cleanUpAfterRun(event);
  const queue = janitorRecheckQueue();
  if (!queue || !(JANITOR_STATUSES as readonly string[]).includes(event.detail.status)) return result;
  const at = await queue.schedule({ detail: event.detail }, new Date());
  return { ...result, recheckAt: at.toISOString() };
}
