/** Exit codes of every `ltc` command. */
export const EXIT = {
  /** Done; for a test: it passed (or warned, or was a dry run). */
  ok: 0,
  /** The answer is "no": invalid input for `validate`, a failed verdict for a test. */
  fail: 1,
  /** Could not do it: bad usage, bad configuration, an AWS error, a run that failed, timed out or was aborted. */
  error: 2,
} as const;

/**
 * A mistake in how the command was called (unknown flag, bad flag value,
 * missing argument). The message names the flag or argument; exit code 2.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
