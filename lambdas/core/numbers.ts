/** Rounds for display and state: figures in the console and reports need no float noise. */
export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
