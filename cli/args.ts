import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { UsageError } from './errors';
import { shown } from './output';

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
    parsed = parseArgs({
      args: joinNegativeValues(args, options),
      options,
      strict: true,
      allowPositionals: true,
      tokens: true,
    });
  } catch (err) {
    throw new UsageError(parseErrorMessage(err as Error & { code?: string }, options));
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option') continue;
    if (seen.has(token.name)) throw new UsageError(`--${token.name} is given more than once`);
    seen.add(token.name);
  }
  const { names } = positionals;
  if (parsed.positionals.length > names.length) {
    const extra = shown(parsed.positionals[names.length]);
    throw new UsageError(
      names.length === 0
        ? `unexpected argument ${extra} (this command takes only flags)`
        : `unexpected argument ${extra} (expected only <${names.join('> <')}>)`,
    );
  }
  const missing = names[parsed.positionals.length];
  if (missing !== undefined) throw new UsageError(`missing argument <${missing}>`);
  return { values: parsed.values as Values<O>, positionals: parsed.positionals };
}

/** `--target -5` → `--target=-5`: a negative number is a flag's value, then checked as a number. */
function joinNegativeValues(args: readonly string[], options: ParseArgsOptionsConfig): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    const next = args[i + 1];
    if (
      name !== undefined &&
      Object.hasOwn(options, name) &&
      options[name]?.type === 'string' &&
      next !== undefined &&
      /^-[\d.]/.test(next)
    ) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** Node's parser messages, rewritten to name the flag and what to do (its advice is about positionals). */
function parseErrorMessage(err: Error & { code?: string }, options: ParseArgsOptionsConfig): string {
  const flag = /'(-[^' ]*)/.exec(err.message)?.[1] ?? '';
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const name = flag.replace(/^-+/, '').split('=')[0] ?? '';
      const suggestion = closest(name, Object.keys(options));
      return `unknown flag ${shown(flag)}${suggestion ? ` (did you mean --${suggestion}?)` : ''}`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /argument missing|ambiguous/.test(err.message)
        ? `${flag.split(' ')[0]} needs a value`
        : `${flag.split(' ')[0]} takes no value`;
    default:
      return err.message.replace(/\s*\n\s*/g, ' ');
  }
}

/** Edits between two names (insert, delete, replace, swap two neighbours), for suggestions. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => (d[i] as number[])[j] as number;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      let best = Math.min(
        at(i - 1, j) + 1,
        at(i, j - 1) + 1,
        at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/** The known name closest to `name`, when it is close enough to be a typo of it. */
export function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const d = distance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined;
}

/** Decimal notation only: `12`, `-3`, `0.5`. No hex, exponents, blanks, `NaN` or `Infinity`. */
const NUMBER = /^-?\d+(\.\d+)?$/;

/** A flag's value as a number; anything else is a UsageError naming the flag. */
export function parseNumberFlag(flag: string, text: string): number {
  if (!NUMBER.test(text)) throw new UsageError(`--${flag}: ${shown(text)} is not a number`);
  return Number(text);
}

/** A flag's value as a whole number ≥ `min`. */
export function parseIntegerFlag(flag: string, text: string, min: number): number {
  const n = parseNumberFlag(flag, text);
  if (!Number.isSafeInteger(n) || n < min)
    throw new UsageError(`--${flag}: ${shown(text)} must be a whole number of at least ${min}`);
  return n;
}

/** A flag's value as a number > 0. */
export function parsePositiveFlag(flag: string, text: string): number {
  const n = parseNumberFlag(flag, text);
  if (n <= 0) throw new UsageError(`--${flag}: ${shown(text)} must be greater than 0`);
  return n;
}
