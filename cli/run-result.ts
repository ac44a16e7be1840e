import type { DescribeExecutionOutput, HistoryEvent } from '@aws-sdk/client-sfn';
import { fieldOf, outcomeOf, parseJsonOutput, type RestoreReport, restoreOf } from './exit-code';
import type { Sfn } from './sfn';

/** An SLO the verdict failed (or warned about), as `status --json` and `start --wait` name it. */
export interface SloResult {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly threshold?: string;
  readonly observed?: number | null;
  readonly unit?: string;
  readonly why?: string | null;
}

/** The verdict's parts a person needs at the end of a run. */
export interface VerdictDigest {
  readonly outcome?: string;
  readonly summary?: string;
  readonly reasons: readonly string[];
  /** SLOs with status `fail`. */
  readonly failedSlos: readonly SloResult[];
  /** Set when the abort policy stopped the test: the SLO that did it. */
  readonly abortedBy?: { readonly sloId: string; readonly label?: string; readonly reason?: string };
  /** `s3://…/report.html`, once stored. */
  readonly report?: string;
}

/** The verdict object's fields as the CLI reads them, from untrusted JSON. */
export function digestVerdict(verdict: unknown): VerdictDigest | undefined {
  const v = parseJsonOutput(verdict);
  if (v === null || typeof v !== 'object' || outcomeOf(v) === undefined) return undefined;
  const text = (name: string) => {
    const value = fieldOf(v, name);
    return typeof value === 'string' ? value : undefined;
  };
  const slis = fieldOf(v, 'slis');
  const failedSlos: SloResult[] = (Array.isArray(slis) ? slis : [])
    .filter((s): s is Record<string, unknown> => s !== null && typeof s === 'object' && s.status === 'fail')
    .map((s) => ({
      id: String(s.id),
      name: String(s.name ?? s.id),
      status: 'fail',
      ...(typeof s.threshold === 'string' ? { threshold: s.threshold } : {}),
      ...(typeof s.observed === 'number' || s.observed === null
        ? { observed: s.observed as number | null }
        : {}),
      ...(typeof s.unit === 'string' ? { unit: s.unit } : {}),
      ...(typeof s.why === 'string' || s.why === null ? { why: s.why as string | null } : {}),
    }));
  const reasons = fieldOf(v, 'reasons');
  const abort = fieldOf(v, 'abort');
  const a = abort !== null && typeof abort === 'object' ? (abort as Record<string, unknown>) : undefined;
  const summary = text('summary');
  const report = text('report');
  return {
    outcome: outcomeOf(v),
    ...(summary !== undefined ? { summary } : {}),
    reasons: Array.isArray(reasons) ? reasons.filter((r): r is string => typeof r === 'string') : [],
    failedSlos,
    ...(a && typeof a.sloId === 'string'
      ? {
          abortedBy: {
            sloId: a.sloId,
            ...(typeof a.label === 'string' ? { label: a.label } : {}),
            ...(typeof a.reason === 'string' ? { reason: a.reason } : {}),
          },
        }
      : {}),
    ...(report !== undefined ? { report } : {}),
  };
}

/** How an ended execution ended: its verdict (if it got one) and what the restore left. */
export interface EndedRun {
  readonly verdict?: VerdictDigest;
  readonly restore?: RestoreReport;
}

/**
 * A SUCCEEDED run's output is its verdict (and may carry `restore`). A run that failed has no output: its
 * last state, read from the history (newest first), holds the verdict Evaluate gave and the restore report.
 */
export async function endedRun(sfn: Sfn, d: DescribeExecutionOutput, maxPages = 5): Promise<EndedRun> {
  if (d.status === 'SUCCEEDED') return fromState(d.output, d.output);
  if (d.status === 'RUNNING' || !d.executionArn) return {};
  let nextToken: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const res = await sfn.getExecutionHistory({
      executionArn: d.executionArn,
      reverseOrder: true,
      maxResults: 100,
      nextToken,
    });
    const state = (res.events ?? []).map(stateOutput).find((s) => fieldOf(s, 'run') !== undefined);
    if (state !== undefined) return fromState(fieldOf(state, 'verdict'), state);
    nextToken = res.nextToken;
    if (!nextToken) break;
  }
  return {};
}

function fromState(verdict: unknown, state: unknown): EndedRun {
  const digest = digestVerdict(verdict);
  const restore = restoreOf(state);
  return { ...(digest ? { verdict: digest } : {}), ...(restore ? { restore } : {}) };
}

function stateOutput(e: HistoryEvent): unknown {
  return parseJsonOutput(e.stateExitedEventDetails?.output);
}

/** `SLO name: observed unit (threshold) — why` for a person. */
export function sloLine(s: SloResult): string {
  const observed =
    s.observed === undefined || s.observed === null ? 'not measured' : `${s.observed} ${s.unit ?? ''}`.trim();
  return `${s.name}: ${observed}${s.threshold ? ` (wanted ${s.threshold})` : ''}${s.why ? ` — ${s.why}` : ''}`;
}

/** One line per restore problem, for a person. */
export function restoreLines(restore: RestoreReport): string[] {
  return [
    ...restore.errors.map((e) => `${e.step ?? 'restore'}: ${e.error ?? 'failed'}`),
    ...restore.leftovers.map(
      (l) =>
        `left over: ${l.kind ?? 'resource'} ${l.name ?? '?'}${l.current !== undefined ? ` is ${JSON.stringify(l.current)}` : ''}${l.recorded !== undefined ? `, was ${JSON.stringify(l.recorded)}` : ''}`,
    ),
  ];
}
