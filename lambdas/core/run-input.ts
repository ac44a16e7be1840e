import runInputSchema from '../../schema/run-input.schema.json' with { type: 'json' };
import type { ConductorConfig } from './config';
import type { FieldProblem } from './errors';
import { schemaChecker } from './schema-validation';

/** The execution input with every default filled in. */
export interface RunRequest {
  readonly environment: string;
  readonly targetOrdersPerMinute: number;
  readonly rampUpMinutes: number;
  readonly plateauMinutes: number;
  readonly scenario: string;
  readonly deployProductionVersions: boolean;
  /** Applications in scope, resolved from the environment when the input named none. */
  readonly applications: readonly string[];
  readonly tickSeconds: number;
  readonly dryRun: boolean;
}

/**
 * One execution's history holds 25,000 events and a tick costs about nine, so
 * a single execution carries at most this many ticks (longer soaks continue
 * in a new execution — not supported yet, so they are refused).
 */
export const MAX_TICKS_PER_EXECUTION = 2500;

export type RunInputResult =
  | { readonly ok: true; readonly request: RunRequest }
  | { readonly ok: false; readonly problems: readonly FieldProblem[] };

const checkSchema = schemaChecker(runInputSchema);

/** Number of ticks the ramp and plateau take (the first tick is at time zero). */
export function plannedTicks(
  r: Pick<RunRequest, 'rampUpMinutes' | 'plateauMinutes' | 'tickSeconds'>,
): number {
  return Math.ceil(((r.rampUpMinutes + r.plateauMinutes) * 60) / r.tickSeconds) + 1;
}

/**
 * Checks an execution input against the published schema and the
 * configuration. Pure: the caller decides what to do with the problems.
 */
export function validateRunInput(raw: unknown, config: ConductorConfig): RunInputResult {
  const schemaProblems = checkSchema(raw);
  if (schemaProblems.length > 0) return { ok: false, problems: schemaProblems };
  const input = raw as RawRunInput;
  const problems: FieldProblem[] = [];

  const env = config.environments[input.environment];
  if (!env) {
    const known = Object.keys(config.environments).join(', ');
    return {
      ok: false,
      problems: [
        { field: 'environment', rule: `'${input.environment}' is not configured (known: ${known})` },
      ],
    };
  }
  if (!env.loadTestTarget) {
    problems.push({
      field: 'environment',
      rule: `'${input.environment}' is ${env.production ? 'a production environment' : 'not a load-test target'}: tests never run there`,
    });
  }
  if (input.targetOrdersPerMinute > env.maxOrdersPerMinute) {
    problems.push({
      field: 'targetOrdersPerMinute',
      rule: `must be at most ${env.maxOrdersPerMinute}, the maximum of environment '${input.environment}'`,
    });
  }
  const scenario = input.scenario ?? env.defaultScenario;
  if (!env.scenarios.includes(scenario)) {
    problems.push({
      field: 'scenario',
      rule: `'${scenario}' is not a scenario of '${input.environment}' (${env.scenarios.join(', ')})`,
    });
  }
  const known = env.applications.map((a) => a.name);
  (input.applications ?? []).forEach((name, i) => {
    if (!known.includes(name)) {
      problems.push({
        field: `applications[${i}]`,
        rule: `'${name}' is not an application of '${input.environment}' (${known.join(', ')})`,
      });
    }
  });

  const request: RunRequest = {
    environment: input.environment,
    targetOrdersPerMinute: input.targetOrdersPerMinute,
    rampUpMinutes: input.rampUpMinutes ?? 30,
    plateauMinutes: input.plateauMinutes ?? 60,
    scenario,
    deployProductionVersions: input.deployProductionVersions ?? true,
    applications: input.applications ?? known,
    tickSeconds: input.tickSeconds ?? 60,
    dryRun: input.dryRun ?? false,
  };
  if (request.rampUpMinutes > 0 && request.rampUpMinutes * 60 < request.tickSeconds) {
    problems.push({
      field: 'rampUpMinutes',
      rule: `must last at least one tick (${request.tickSeconds} s) or be 0`,
    });
  }
  if (request.rampUpMinutes + request.plateauMinutes === 0) {
    problems.push({ field: 'plateauMinutes', rule: 'ramp-up and plateau cannot both be 0' });
  }
  const ticks = plannedTicks(request);
  if (ticks > MAX_TICKS_PER_EXECUTION) {
    problems.push({
      field: 'plateauMinutes',
      rule: `the test needs ${ticks} ticks of ${request.tickSeconds} s, more than ${MAX_TICKS_PER_EXECUTION} per execution: raise tickSeconds or shorten it`,
    });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, request };
}

interface RawRunInput {
  environment: string;
  targetOrdersPerMinute: number;
  rampUpMinutes?: number;
  plateauMinutes?: number;
  scenario?: string;
  deployProductionVersions?: boolean;
  applications?: string[];
  tickSeconds?: number;
  dryRun?: boolean;
}
