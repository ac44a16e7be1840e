import type { FieldProblem } from '../lambdas/core/errors';

/** Writes one line. */
export function println(stream: NodeJS.WritableStream, line = ''): void {
  stream.write(`${line}\n`);
}

/** Prints `label  value` rows with the values aligned; values are escaped ({@link escapeText}). */
export function printRows(stream: NodeJS.WritableStream, rows: readonly (readonly [string, string])[]): void {
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  for (const [label, value] of rows) println(stream, `${label.padEnd(width)}${escapeText(value)}`);
}

/** One JSON document on one line: what `--json` prints on stdout (results) or stderr (errors). */
export function printJson(stream: NodeJS.WritableStream, document: unknown): void {
  println(stream, JSON.stringify(document));
}

/**
 * Characters that must not reach a terminal as they are: C0/C1 controls (ANSI escapes start with ESC), DEL,
 * zero-width and invisible formatting characters, bidirectional overrides, line/paragraph separators, the
 * BOM, and lone surrogates.
 */
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters it finds
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `text` with every unsafe character written as `\u{…}` (tabs and newlines kept), so what it holds is seen. */
export function escapeText(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}}`);
}

/** Longest value shown in a message; the rest is cut with a count. */
const MAX_SHOWN = 80;

/**
 * A value from the user for a message: escaped, cut to {@link MAX_SHOWN} characters, a string in quotes
 * (other values as JSON).
 */
export function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const chars = [...text];
  const cut = chars.length > MAX_SHOWN ? chars.slice(0, MAX_SHOWN).join('') : text;
  const more = chars.length > MAX_SHOWN ? `… (${chars.length} characters)` : '';
  return typeof value === 'string' ? `'${escapeText(cut)}'${more}` : `${escapeText(cut)}${more}`;
}

/** How many problems are listed before the rest is counted. */
export const MAX_PROBLEMS_SHOWN = 20;
/** How many problems `--json` lists before the rest is counted. */
export const MAX_PROBLEMS_JSON = 100;

/** The value at a problem's field path (`applications[2].name`) in `input`, own properties only. */
export function valueAt(input: unknown, field: string): unknown {
  let value: unknown = input;
  for (const part of field.match(/[^.[\]]+/g) ?? []) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** A problem with the value that broke its rule, when the rule does not already show it. */
export interface ShownProblem {
  readonly field: string;
  readonly rule: string;
  readonly value?: unknown;
}

export function withValues(problems: readonly FieldProblem[], input: unknown): ShownProblem[] {
  return problems.map((p) => {
    const value = valueAt(input, p.field);
    const primitive = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
    return primitive && !p.rule.includes(`'${value}'`) ? { ...p, value } : { field: p.field, rule: p.rule };
  });
}

/** `field: rule (got 'value')` per problem, escaped, at most `max`, then `… and N more`. */
export function problemLines(
  problems: readonly FieldProblem[],
  input: unknown,
  max: number = MAX_PROBLEMS_SHOWN,
): string[] {
  const lines = withValues(problems.slice(0, max), input).map(
    (p) => `${escapeText(`${p.field}: ${p.rule}`)}${p.value !== undefined ? ` (got ${shown(p.value)})` : ''}`,
  );
  if (problems.length > max) lines.push(`… and ${problems.length - max} more problems`);
  return lines;
}

/** The JSON form of a problem list: at most {@link MAX_PROBLEMS_JSON}, and how many were left out. */
export function problemsJson(
  problems: readonly FieldProblem[],
  input: unknown,
): { problems: ShownProblem[]; problemsOmitted: number } {
  return {
    problems: withValues(problems.slice(0, MAX_PROBLEMS_JSON), input),
    problemsOmitted: Math.max(0, problems.length - MAX_PROBLEMS_JSON),
  };
}
