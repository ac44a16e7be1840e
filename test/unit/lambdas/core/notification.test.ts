import { describe, expect, it } from 'vitest';
import { runEndedNotification } from '../../../../lambdas/core/notification';
import { type RestoreOutcome, restoreOutcome } from '../../../../lambdas/core/restore';
import type { RunState } from '../../../../lambdas/core/run-state';
import type { BaselineComparison, Verdict } from '../../../../lambdas/core/verdict';
import { sampleSummary } from '../../../support/run-summary';
import { runState } from '../../../support/step-fakes';

const COMPLETE: RestoreOutcome = restoreOutcome(undefined, [], []);
const REPORT = 's3://ltc-reports/runs/staging/run-1/report.html';

/** A run that reached its verdict (the sample run's: an alarm breach that aborted it). */
function judged(): { state: RunState; verdict: Verdict } {
  const verdict = sampleSummary().verdict as Verdict;
  return { state: { ...runState([]), verdict }, verdict };
}

describe('runEndedNotification', () => {
  it('says how a judged run ended: outcome, summary, every SLI, the latency window, the report', () => {
    const { state, verdict } = judged();
    const { subject, message } = runEndedNotification(state, COMPLETE, REPORT, null);
    expect(subject).toBe(`Load test ${verdict.outcome}: staging / checkout`);
    expect(message).toMatchObject({
      type: 'run-ended',
      restoreMessage: null,
      restore: COMPLETE,
      outcome: verdict.outcome,
      environment: 'staging',
      scenario: 'checkout',
      execution: state.run.executionId,
      summary: verdict.summary,
      report: REPORT,
      reportError: null,
      baseline: verdict.baselineNote,
      abort: verdict.abort?.reason ?? null,
      evaluateError: null,
      capacity: null,
    });
    expect(message.slis).toEqual(
      verdict.slis.map((s) => expect.objectContaining({ name: s.name, status: s.status, comparison: null })),
    );
    expect(verdict.latency).not.toBeNull();
    expect(message.latency).toEqual({
      window: `plateau ticks ${verdict.latency?.fromTick}-${verdict.latency?.toTick}`,
      requests: verdict.latency?.requests,
    });
  });

  it('puts an incomplete restore first, in the subject and the message', () => {
    const { state, verdict } = judged();
    const restore = restoreOutcome(undefined, [], [{ kind: 'lock', name: 'staging' }]);
    const { subject, message } = runEndedNotification(state, restore, REPORT, 'S3 refused');
    expect(subject).toBe(`RESTORE INCOMPLETE — Load test ${verdict.outcome}: staging / checkout`);
    expect(message.restoreMessage).toMatch(/^Restore incomplete/);
    expect(message.restore).toBe(restore);
    expect(message.reportError).toBe('S3 refused');
  });

  it('names a run without a verdict by its failure, or unknown', () => {
    const failed = { ...runState([]), failure: { Error: 'States.Timeout', Cause: 'Ramp tick timed out' } };
    const error = runEndedNotification(failed, COMPLETE, null, null);
    expect(error.subject).toBe('Load test error: staging / checkout');
    expect(error.message).toMatchObject({ outcome: 'error', summary: 'Ramp tick timed out', slis: [] });
    const evaluateFailed = { ...runState([]), evaluateError: { Error: 'Error', Cause: 'no ticks' } };
    expect(runEndedNotification(evaluateFailed, COMPLETE, null, null).message).toMatchObject({
      outcome: 'error',
      summary: 'no ticks',
      evaluateError: { Error: 'Error', Cause: 'no ticks' },
    });
    const none = runEndedNotification(runState([]), COMPLETE, null, null);
    expect(none.message).toMatchObject({ outcome: 'unknown', summary: 'unknown', latency: null });
  });

  it('carries an SLI’s comparison with the baseline runs: the shift, its interval, p and the regression', () => {
    const { state, verdict } = judged();
    const comparison: BaselineComparison = {
      test: 'mann-whitney-u',
      runs: 3,
      baseline: { n: 36, min: 400, q1: 450, median: 480, q3: 510, max: 600 },
      current: { n: 12, min: 500, q1: 560, median: 590, q3: 620, max: 700 },
      shift: 110,
      shiftLow: 80,
      shiftHigh: 140,
      shiftPercent: 22.9,
      pValue: 0.001,
      significance: 0.05,
      significant: true,
      regression: true,
    };
    const [first, ...rest] = verdict.slis;
    const withComparison = { ...verdict, slis: [{ ...first, comparison }, ...rest] } as Verdict;
    const { message } = runEndedNotification({ ...state, verdict: withComparison }, COMPLETE, REPORT, null);
    expect((message.slis as { comparison: unknown }[])[0]?.comparison).toEqual({
      runs: 3,
      baselineMedian: 480,
      shift: 110,
      shiftLow: 80,
      shiftHigh: 140,
      pValue: 0.001,
      regression: true,
    });
  });

  it('in mode capacity, carries the search’s result (a search that did not start says so)', () => {
    const base = runState([]);
    const capacity = {
      ...base,
      run: { ...base.run, request: { ...base.run.request, mode: 'capacity' as const } },
    };
    expect(runEndedNotification(capacity, COMPLETE, null, null).message.capacity).toMatchObject({
      ordersPerMinute: null,
      end: 'stopped',
      message: 'the search did not start',
    });
  });
});
