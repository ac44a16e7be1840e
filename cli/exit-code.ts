import { EXIT } from './errors';

/** Outcomes of a run that succeeded, as the state machine's output names them. */
const PASSING_OUTCOMES = new Set(['pass', 'warn', 'dry-run']);

/**
 * The CLI's exit code for an ended execution: SUCCEEDED with outcome pass,
 * warn or dry-run → 0; SUCCEEDED with outcome fail → 1; everything else
 * (FAILED, TIMED_OUT, ABORTED, still running, an output without a known
 * outcome) → 2. `output` may be the parsed object or the raw JSON string.
 */
export function exitCodeFor(status: string | undefined, output: unknown): number {
  if (status !== 'SUCCEEDED') return EXIT.error;
  const outcome = outcomeOf(output);
  if (outcome !== undefined && PASSING_OUTCOMES.has(outcome)) return EXIT.ok;
  if (outcome === 'fail') return EXIT.fail;
  return EXIT.error;
}

/** `output.outcome` when it is a string; the output may still be JSON text. */
export function outcomeOf(output: unknown): string | undefined {
  const value = parseJsonOutput(output);
  if (value === null || typeof value !== 'object') return undefined;
  const outcome = (value as { outcome?: unknown }).outcome;
  return typeof outcome === 'string' ? outcome : undefined;
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
