import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { UsageError } from './errors';

type Values<O extends ParseArgsOptionsConfig> = {
  [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string;
};

export interface ParsedArgs<O extends ParseArgsOptionsConfig> {
  readonly values: Values<O>;
  readonly positionals: readonly string[];
}

/**
 * Strict flag parsing for one command: unknown flags, missing values, values
 * given to boolean flags, repeated flags and unexpected arguments are all
 * UsageErrors that name the flag or argument.
 */
export function parseCommandArgs<O extends ParseArgsOptionsConfig>(
  args: readonly string[],
  options: O,
  positionals: { readonly names: readonly string[] } = { names: [] },
): ParsedArgs<O> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: true, tokens: true });
  } catch (err) {
    // Node's messages already name the flag; keep them to one line.
    throw new UsageError((err as Error).message.replace(/\s*\n\s*/g, ' '));
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option') continue;
    if (seen.has(token.name)) throw new UsageError(`--${token.name} is given more than once`);
    seen.add(token.name);
  }
  const { names } = positionals;
  if (parsed.positionals.length > names.length) {
    const extra = parsed.positionals[names.length];
    throw new UsageError(
      names.length === 0
        ? `unexpected argument '${extra}' (this command takes only flags)`
        : `unexpected argument '${extra}' (expected only <${names.join('> <')}>)`,
    );
  }
  const missing = names[parsed.positionals.length];
  if (missing !== undefined) throw new UsageError(`missing argument <${missing}>`);
  return { values: parsed.values as Values<O>, positionals: parsed.positionals };
}

/** Decimal notation only: `12`, `-3`, `0.5`. No hex, exponents, blanks, `NaN` or `Infinity`. */
const NUMBER = /^-?\d+(\.\d+)?$/;

/** A flag's value as a number; anything else is a UsageError naming the flag. */
export function parseNumberFlag(flag: string, text: string): number {
  if (!NUMBER.test(text)) throw new UsageError(`--${flag}: '${text}' is not a number`);
  return Number(text);
}

/** A flag's value as a whole number ≥ `min`. */
export function parseIntegerFlag(flag: string, text: string, min: number): number {
  const n = parseNumberFlag(flag, text);
  if (!Number.isSafeInteger(n) || n < min)
    throw new UsageError(`--${flag}: '${text}' must be a whole number of at least ${min}`);
  return n;
}

/** A flag's value as a number > 0. */
export function parsePositiveFlag(flag: string, text: string): number {
  const n = parseNumberFlag(flag, text);
  if (n <= 0) throw new UsageError(`--${flag}: '${text}' must be greater than 0`);
  return n;
}
