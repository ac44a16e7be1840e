import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseNumberFlag } from './args';
import { UsageError } from './errors';
import { shown } from './output';

/** Flags that describe an execution input; shared by validate, start and local. */
export const INPUT_OPTIONS = {
  input: { type: 'string' },
  environment: { type: 'string' },
  target: { type: 'string' },
  'ramp-up': { type: 'string' },
  plateau: { type: 'string' },
  scenario: { type: 'string' },
  'no-deploy': { type: 'boolean' },
  applications: { type: 'string' },
  tick: { type: 'string' },
  'dry-run': { type: 'boolean' },
  capacity: { type: 'boolean' },
} as const;

export type InputFlagValues = {
  [K in keyof typeof INPUT_OPTIONS]?: (typeof INPUT_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string;
};

/** Which input field each numeric flag sets. */
const NUMBER_FLAGS = {
  target: 'targetOrdersPerMinute',
  'ramp-up': 'rampUpMinutes',
  plateau: 'plateauMinutes',
  tick: 'tickSeconds',
} as const;

/** The input flags' help; `example` is an input file the command accepts. */
export const inputFlagsHelp = (example: string) => `Input (flags override the fields of --input):
  --input FILE          execution input as JSON (e.g. ${example}); - reads standard input
  --environment NAME    environment
  --target N            targetOrdersPerMinute
  --ramp-up MIN         rampUpMinutes
  --plateau MIN         plateauMinutes
  --scenario NAME       scenario
  --no-deploy           deployProductionVersions: false (test what is deployed)
  --applications A,B    applications in scope
  --tick SEC            tickSeconds
  --dry-run             dryRun: true (plan, change nothing)
  --capacity            mode: "capacity": find the highest orders/min that meets every SLO (no --target;
                        the search's parameters go in the input's "capacity", docs/capacity-mode.md)
Only the fields given are put in the input; the defaults are filled in by validation.`;

/**
 * The execution input: the `--input` file's object, then each flag given
 * (flags win). Fields not given stay absent. Flags with a malformed value and
 * an unreadable or non-object file are UsageErrors naming the flag.
 */
export function buildInput(
  values: InputFlagValues,
  cwd: string,
  readStdin: () => string,
): Record<string, unknown> {
  const input: Record<string, unknown> =
    values.input === undefined ? {} : readInputFile(values.input, cwd, readStdin);
  if (values.environment !== undefined) input.environment = values.environment;
  for (const [flag, field] of Object.entries(NUMBER_FLAGS) as [keyof typeof NUMBER_FLAGS, string][]) {
    const text = values[flag];
    if (text === undefined) continue;
    const n = parseNumberFlag(flag, text);
    if (n < 0) throw new UsageError(`--${flag}: ${shown(text)} is negative; ${field} cannot be below 0`);
    input[field] = n;
  }
  if (values.scenario !== undefined) input.scenario = values.scenario;
  if (values['no-deploy']) input.deployProductionVersions = false;
  if (values.applications !== undefined) input.applications = parseList('applications', values.applications);
  if (values['dry-run']) input.dryRun = true;
  if (values.capacity) input.mode = 'capacity';
  return input;
}

function parseList(flag: string, text: string): string[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.some((s) => s === ''))
    throw new UsageError(`--${flag}: ${shown(text)} has an empty name (expected a,b,c)`);
  return items;
}

function readInputFile(path: string, cwd: string, readStdin: () => string): Record<string, unknown> {
  const from = path === '-' ? 'standard input' : shown(path);
  let text: string;
  try {
    text = path === '-' ? readStdin() : readFileSync(resolve(cwd, path), 'utf8');
  } catch (err) {
    throw new UsageError(
      `--input: cannot read ${from}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  let value: unknown;
  try {
    // Editors on Windows save UTF-8 with a byte order mark; it is not part of the JSON.
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new UsageError(`--input: ${from} is not valid JSON: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError(`--input: ${from} must hold a JSON object (the execution input)`);
  }
  return { ...(value as Record<string, unknown>) };
}
