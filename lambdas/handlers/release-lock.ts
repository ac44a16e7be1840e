import { retryTransient } from '../adapters/aws/transient';
import { runEndedNotification } from '../core/notification';
import { describeRestore, type Leftover, type RestoreError, restoreOutcome } from '../core/restore';
import type { ReleaseResult } from '../core/run-context';
import type { RunState } from '../core/run-state';
import { logger } from '../runtime/logger';
import { nodeGroups } from '../runtime/providers/node-groups';
import { notifier } from '../runtime/providers/notifier';
import { platform } from '../runtime/providers/platform';
import { reports } from '../runtime/providers/reports';
import { runs } from '../runtime/providers/runs';
import { step } from '../runtime/step';
import { derivedPhases, phase, recordPhase } from '../use-cases/phases';
import { storeReport } from '../use-cases/report';
import { leftoversAfterRestore } from '../use-cases/restore';

/**
 * The last step of every run that took the lock: frees the environment, writes the report once more now that
 * teardown and cleanup are done (complete timeline and cost), and tells the topic how the run ended — the
 * verdict, each SLI, where the report is, and whether the restore is complete (every restore step's error,
 * what is left out of its recorded shape). A separate step, so a failed cleanup action never keeps the
 * environment locked. It is the last word on the restore, so it reports rather than fails: the lock and the
 * notification are retried in place and, failing that, counted in the restore's errors; the report is best
 * effort (Evaluate already stored one).
 */
export const handler = step(
  'Release lock',
  { runs, reports, notifier, platform, nodeGroups },
  async (state: RunState, deps): Promise<ReleaseResult> => {
    const startedAt = deps.now();
    const { run } = state;
    const ownErrors: RestoreError[] = [];
    const ownError = (what: string, err: unknown) => {
      ownErrors.push({
        step: 'Release lock',
        error: `${what}: ${(err as Error).message}`,
        at: deps.now().toISOString(),
      });
      logger.error(`Release lock: ${what}`, err as Error);
    };
    let lockReleased = false;
    let lockLeft: Leftover[] = [];
    try {
      lockReleased = await retryTransient(() =>
        deps.runs.releaseLock(run.request.environment, run.executionId),
      );
    } catch (err) {
      ownError('the lock was not released', err);
      lockLeft = [{ kind: 'lock', name: run.request.environment }];
    }
    const leftovers = [...(await leftoversAfterRestore(state, deps)), ...lockLeft];
    const restore = restoreOutcome(state.restoreErrors, ownErrors, leftovers);
    const restored: RunState = { ...state, restore };
    const verdict = state.verdict;

    let report = verdict?.report ?? null;
    let reportError: string | null = null;
    if (verdict) {
      try {
        const [ticks, recorded] = await Promise.all([
          deps.runs.ticks(run.executionId),
          deps.runs.phases(run.executionId),
        ]);
        const endedAt = deps.now();
        report = await storeReport(
          restored,
          verdict,
          ticks,
          [
            ...recorded,
            ...derivedPhases(state, ticks.at(-1)?.at ?? null, recorded),
            phase('Release lock', startedAt, endedAt),
          ],
          'release-lock',
          endedAt.toISOString(),
          deps,
        );
      } catch (err) {
        reportError = (err as Error).message;
        logger.warn(
          'Release lock: the final report could not be written; the one Evaluate wrote stays',
          err as Error,
        );
      }
    }

    const { subject, message } = runEndedNotification(state, restore, report, reportError);
    let notified = false;
    try {
      await retryTransient(() => deps.notifier.publish(subject, message));
      notified = true;
    } catch (err) {
      ownError('the topic was not notified', err);
    }
    await recordPhase(
      deps.runs,
      run.executionId,
      phase('Release lock', startedAt, deps.now(), ownErrors.length > 0 ? 'failed' : 'succeeded'),
    );
    // The notification's own failure is known only now: the result says it too.
    const final = notified ? restore : restoreOutcome(state.restoreErrors, ownErrors, leftovers);
    return { lockReleased, notified, report, restore: final, restoreMessage: describeRestore(final) };
  },
);
