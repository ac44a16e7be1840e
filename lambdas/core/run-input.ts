import runInputSchema from '../../schema/run-input.schema.json' with { type: 'json' };
import { checkCapacityInput, type RawModeInput, type RunMode } from './capacity/input';
import type { CapacityParameters } from './capacity/search';
import type { ConductorConfig, EnvironmentConfig } from './config';
import type { FieldProblem } from './errors';
import { historyTicks } from './history-budget';
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
  /**
   * `target` (absent in states written before modes existed) or `capacity`; in mode `capacity`,
   * `targetOrdersPerMinute` is the search's ceiling, `capacity.maxOrdersPerMinute` (docs/capacity-mode.md).
   */
  readonly mode?: RunMode;
  /** Mode `capacity` only. */
  readonly capacity?: CapacityParameters;
}

/** The longest test (ramp-up and plateau): 14 days, however many executions it continues in. */
export const MAX_TEST_MINUTES = 14 * 1440;
/**
 * Minutes a lock outlives the planned end of the load, for stopping and restoring; also the room for
 * preparing, since the lock is taken before. Past it, a crashed run's lock can be taken over.
 */
const LOCK_MARGIN_MINUTES = 120;

export type RunInputResult =
  | {
      readonly ok: true;
      readonly request: RunRequest;
      /** The configuration of the request's environment, which the run carries. */
      readonly environment: EnvironmentConfig;
    }
  | { readonly ok: false; readonly problems: readonly FieldProblem[] };

const checkSchema = schemaChecker(runInputSchema);

/**
 * What one execution may spend on ticks (the state machine passes it to Validate): ticks (at most what its
 * history holds, `TICKS_PER_EXECUTION`; lower in tests) and time (the execution timeout less room for
 * preparing and restoring).
 */
export interface ExecutionBudget {
  readonly ticks: number;
  readonly seconds: number;
}

/**
 * Ticks this execution runs before the run continues in a new one, at least one: what the budget allows and
 * what its history holds besides preparing `preparedApplications` (0 in an execution that continues a run).
 */
export function ticksPerExecution(
  budget: ExecutionBudget,
  tickSeconds: number,
  preparedApplications: number,
): number {
  return Math.max(
    1,
    Math.min(budget.ticks, historyTicks(preparedApplications), Math.floor(budget.seconds / tickSeconds)),
  );
}

/** Step Functions' limit on execution names. */
const EXECUTION_NAME_LENGTH = 80;

/**
 * The name of the run's `number`th execution: the first's name (shortened to fit) and `-c<number>`.
 * Deterministic, so a retried StartExecution with the same name and input starts it once.
 */
export function continuationName(runName: string, number: number): string {
  const suffix = `-c${number}`;
  return `${runName.slice(0, EXECUTION_NAME_LENGTH - suffix.length)}${suffix}`;
}

/** Number of ticks the ramp and plateau take (the first tick is at time zero). */
export function plannedTicks(
  r: Pick<RunRequest, 'rampUpMinutes' | 'plateauMinutes' | 'tickSeconds'>,
): number {
  return Math.ceil(((r.rampUpMinutes + r.plateauMinutes) * 60) / r.tickSeconds) + 1;
}

/**
 * When the environment's lock may be taken over if the run never releases it: the planned end of the load
 * (`loadStartsAt` + ramp-up + plateau) plus {@link LOCK_MARGIN_MINUTES}, never before `now` + the margin.
 */
export function lockExpiresAt(
  request: Pick<RunRequest, 'rampUpMinutes' | 'plateauMinutes'>,
  loadStartsAt: Date,
  now: Date,
): Date {
  const loadEnds = loadStartsAt.getTime() + (request.rampUpMinutes + request.plateauMinutes) * 60_000;
  return new Date(Math.max(loadEnds, now.getTime()) + LOCK_MARGIN_MINUTES * 60_000);
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

  // Own properties only: 'constructor' or 'toString' must not find Object.prototype's.
  const env = Object.hasOwn(config.environments, input.environment)
    ? config.environments[input.environment]
    : undefined;
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
  if (input.targetOrdersPerMinute !== undefined && input.targetOrdersPerMinute > env.maxOrdersPerMinute) {
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

  const timing = {
    rampUpMinutes: input.rampUpMinutes ?? 30,
    plateauMinutes: input.plateauMinutes ?? 60,
    tickSeconds: input.tickSeconds ?? 60,
  };
  const mode = checkCapacityInput(input, input.environment, env, timing);
  problems.push(...mode.problems);
  const request: RunRequest = {
    environment: input.environment,
    targetOrdersPerMinute:
      mode.mode === 'capacity' ? mode.parameters.maxOrdersPerMinute : (input.targetOrdersPerMinute as number),
    ...timing,
    scenario,
    deployProductionVersions: input.deployProductionVersions ?? true,
    applications: input.applications ?? known,
    dryRun: input.dryRun ?? false,
    mode: mode.mode,
    ...(mode.mode === 'capacity' ? { capacity: mode.parameters } : {}),
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
  const minutes = request.rampUpMinutes + request.plateauMinutes;
  if (minutes > MAX_TEST_MINUTES) {
    problems.push({
      field: 'plateauMinutes',
      rule: `ramp-up and plateau last ${minutes} minutes, more than ${MAX_TEST_MINUTES} (14 days): shorten the test`,
    });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, request, environment: env };
}

interface RawRunInput extends RawModeInput {
  environment: string;
  targetOrdersPerMinute?: number;
  rampUpMinutes?: number;
  plateauMinutes?: number;
  scenario?: string;
  deployProductionVersions?: boolean;
  applications?: string[];
  tickSeconds?: number;
  dryRun?: boolean;
}
