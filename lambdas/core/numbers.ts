/** Rounds for display and state: figures in the console and reports need no float noise. */
export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** A fraction as a percentage for notes and messages: 0.125 → "12.5 %" (`signed`: "+12.5 %"). */
export function percent(fraction: number, digits = 1, signed = false): string {
  return `${signed && fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(digits)} %`;
}
