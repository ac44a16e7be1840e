import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseNumberFlag } from './args';
import { UsageError } from './errors';

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

export const INPUT_FLAGS_HELP = `Input (flags override the fields of --input):
  --input FILE          execution input as JSON (e.g. examples/dry-run.json)
  --environment NAME    environment
  --target N            targetOrdersPerMinute
  --ramp-up MIN         rampUpMinutes
  --plateau MIN         plateauMinutes
  --scenario NAME       scenario
  --no-deploy           deployProductionVersions: false (test what is deployed)
  --applications A,B    applications in scope
  --tick SEC            tickSeconds
  --dry-run             dryRun: true (plan, change nothing)
Only the fields given are put in the input; the defaults are filled in by validation.`;

/**
 * The execution input: the `--input` file's object, then each flag given
 * (flags win). Fields not given stay absent. Flags with a malformed value and
 * an unreadable or non-object file are UsageErrors naming the flag.
 */
export function buildInput(values: InputFlagValues, cwd: string): Record<string, unknown> {
  const input: Record<string, unknown> = values.input === undefined ? {} : readInputFile(values.input, cwd);
  if (values.environment !== undefined) input.environment = values.environment;
  for (const [flag, field] of Object.entries(NUMBER_FLAGS) as [keyof typeof NUMBER_FLAGS, string][]) {
    const text = values[flag];
    if (text !== undefined) input[field] = parseNumberFlag(flag, text);
  }
  if (values.scenario !== undefined) input.scenario = values.scenario;
  if (values['no-deploy']) input.deployProductionVersions = false;
  if (values.applications !== undefined) input.applications = parseList('applications', values.applications);
  if (values['dry-run']) input.dryRun = true;
  return input;
}

function parseList(flag: string, text: string): string[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.some((s) => s === ''))
    throw new UsageError(`--${flag}: '${text}' has an empty name (expected a,b,c)`);
  return items;
}

function readInputFile(path: string, cwd: string): Record<string, unknown> {
  const full = resolve(cwd, path);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (err) {
    throw new UsageError(
      `--input: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--input: ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError(`--input: ${path} must hold a JSON object (the execution input)`);
  }
  return { ...(value as Record<string, unknown>) };
}
