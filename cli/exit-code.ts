import { EXIT, type ExitCode } from './errors';

/** Outcomes of a run that succeeded, as the state machine's output names them. */
const PASSING_OUTCOMES = new Set(['pass', 'warn', 'dry-run']);

/**
 * The CLI's exit code for an execution: a restore that did not complete comes first (6); then SUCCEEDED
 * with outcome pass, warn or dry-run → 0, with outcome fail → 1; RUNNING → 0 (nothing to say yet); FAILED,
 * TIMED_OUT, ABORTED and a success without a known outcome → 4. `output` may be parsed or JSON text;
 * `restore` is the output's unless given (a failed run's comes from its history).
 */
export function exitCodeFor(
  status: string | undefined,
  output: unknown,
  restore: RestoreReport | undefined = restoreOf(output),
): ExitCode {
  if (restore?.complete === false) return EXIT.restoreIncomplete;
  if (status === 'RUNNING' || status === 'PENDING_REDRIVE') return EXIT.ok;
  if (status !== 'SUCCEEDED') return EXIT.executionFailed;
  const outcome = outcomeOf(output);
  if (outcome !== undefined && PASSING_OUTCOMES.has(outcome)) return EXIT.ok;
  if (outcome === 'fail') return EXIT.verdictFail;
  return EXIT.executionFailed;
}

/** `output.outcome` when it is a string; the output may still be JSON text. */
export function outcomeOf(output: unknown): string | undefined {
  const outcome = fieldOf(output, 'outcome');
  return typeof outcome === 'string' ? outcome : undefined;
}

/** What the restore steps left behind, as the run's final state and summary.json carry it. */
export interface RestoreReport {
  readonly complete: boolean;
  readonly errors: readonly { step?: string; error?: string; at?: string }[];
  readonly leftovers: readonly { kind?: string; name?: string; current?: unknown; recorded?: unknown }[];
}

/**
 * `output.restore` when it says whether the restore completed. A state with restore steps' caught errors
 * (`restoreErrors`) but no account of them is a restore nobody checked (Release lock itself failed): incomplete.
 * Absent otherwise (nothing to say).
 */
export function restoreOf(output: unknown): RestoreReport | undefined {
  const restore = fieldOf(output, 'restore');
  const caught = fieldOf(output, 'restoreErrors');
  if ((restore === undefined || restore === null) && isObject(caught))
    return {
      complete: false,
      errors: Object.values(caught)
        .filter(isObject)
        .map((c) => ({
          step: String(c.step ?? ''),
          error: String(c.Cause ?? c.Error ?? 'failed'),
          at: String(c.at ?? ''),
        })),
      leftovers: [],
    };
  if (restore === null || typeof restore !== 'object') return undefined;
  const r = restore as { complete?: unknown; errors?: unknown; leftovers?: unknown };
  if (typeof r.complete !== 'boolean') return undefined;
  return {
    complete: r.complete,
    errors: Array.isArray(r.errors) ? r.errors.filter(isObject) : [],
    leftovers: Array.isArray(r.leftovers) ? r.leftovers.filter(isObject) : [],
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** An own field of a JSON object (which may still be text); undefined for anything else. */
export function fieldOf(value: unknown, name: string): unknown {
  const parsed = parseJsonOutput(value);
  return isObject(parsed) && Object.hasOwn(parsed, name) ? parsed[name] : undefined;
}

/** Parses JSON text (as Step Functions returns output); passes other values through. Bad JSON → undefined. */
export function parseJsonOutput(output: unknown): unknown {
  if (typeof output !== 'string') return output;
  try {
    return JSON.parse(output);
  } catch {
    return undefined;
  }
}
