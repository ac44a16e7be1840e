import configSchema from '../../schema/conductor-config.schema.json' with { type: 'json' };
import { type FieldProblem, ValidationError } from './errors';
import { validateRunInput } from './run-input';
import { schemaChecker } from './schema-validation';

/** Where an application runs. `http`: it exposes the conductor agent API (GET/PUT /_conductor/shape). */
export interface HttpPlatform {
  readonly type: 'http';
  readonly url: string;
}
export type Platform = HttpPlatform;

export interface ApplicationConfig {
  readonly name: string;
  /** Where it runs in the test environment: the conductor writes here. */
  readonly test: Platform;
  /** Where it runs in production: the conductor only reads here. */
  readonly production: Platform;
  readonly readinessTimeoutSeconds: number;
}

export interface LocustConfig {
  readonly url: string;
  readonly orderRequestName: string;
  readonly usersPerWorker: number;
  readonly maxUsers: number;
  readonly initialOrdersPerUserPerMinute: number;
}

export interface SloConfig {
  readonly maxFailureRatio: number;
  readonly targetTolerance: number;
}

export interface HttpCleanupAction {
  readonly type: 'http';
  readonly name: string;
  readonly method: 'POST' | 'DELETE';
  readonly url: string;
}
export type CleanupAction = HttpCleanupAction;

export interface EnvironmentConfig {
  readonly description?: string;
  readonly production: boolean;
  readonly loadTestTarget: boolean;
  readonly maxOrdersPerMinute: number;
  readonly scenarios: readonly string[];
  readonly defaultScenario: string;
  readonly locust: LocustConfig;
  readonly applications: readonly ApplicationConfig[];
  readonly slos: SloConfig;
  readonly cleanup: readonly CleanupAction[];
}

export interface ScheduleConfig {
  readonly name: string;
  readonly description?: string;
  readonly cron: string;
  readonly timeZone: string;
  readonly enabled: boolean;
  readonly input: Record<string, unknown>;
}

export interface ConductorConfig {
  readonly environments: Readonly<Record<string, EnvironmentConfig>>;
  readonly schedules: readonly ScheduleConfig[];
}

const checkSchema = schemaChecker(configSchema);

/**
 * Validates a raw configuration (parsed JSON) and fills its defaults.
 * Throws a ValidationError listing every broken rule by field.
 */
export function parseConfig(raw: unknown): ConductorConfig {
  const problems = checkSchema(raw);
  if (problems.length > 0) throw new ValidationError(problems);
  const input = raw as RawConfig;
  const config: ConductorConfig = {
    environments: Object.fromEntries(
      Object.entries(input.environments).map(([name, env]) => [name, withEnvironmentDefaults(env)]),
    ),
    schedules: (input.schedules ?? []).map((s) => ({ ...s, enabled: s.enabled ?? true })),
  };
  const semantic = checkSemantics(config);
  if (semantic.length > 0) throw new ValidationError(semantic);
  return config;
}

function withEnvironmentDefaults(env: RawEnvironment): EnvironmentConfig {
  const production = env.production ?? false;
  return {
    ...env,
    production,
    loadTestTarget: env.loadTestTarget ?? !production,
    locust: {
      orderRequestName: 'checkout: place order',
      usersPerWorker: 500,
      maxUsers: 20_000,
      initialOrdersPerUserPerMinute: 1,
      ...env.locust,
    },
    applications: env.applications.map((a) => ({ readinessTimeoutSeconds: 600, ...a })),
    slos: { maxFailureRatio: 0.01, targetTolerance: 0.1, ...env.slos },
    cleanup: (env.cleanup ?? []).map((c) => ({ method: 'DELETE' as const, ...c })),
  };
}

function checkSemantics(config: ConductorConfig): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const [name, env] of Object.entries(config.environments)) {
    const at = `environments.${name}`;
    if (env.production && env.loadTestTarget) {
      problems.push({
        field: `${at}.loadTestTarget`,
        rule: 'a production environment can never be a load-test target (set loadTestTarget: false)',
      });
    }
    if (!env.scenarios.includes(env.defaultScenario)) {
      problems.push({
        field: `${at}.defaultScenario`,
        rule: `must be one of scenarios (${env.scenarios.join(', ')})`,
      });
    }
    if (env.loadTestTarget && env.applications.length === 0) {
      problems.push({
        field: `${at}.applications`,
        rule: 'a load-test target needs at least one application',
      });
    }
    env.applications.forEach((app, i) => {
      if (env.applications.findIndex((a) => a.name === app.name) !== i) {
        problems.push({ field: `${at}.applications[${i}].name`, rule: `'${app.name}' is listed twice` });
      }
      if (app.test.url === app.production.url) {
        problems.push({
          field: `${at}.applications[${i}].test`,
          rule: 'must differ from production: the conductor writes to the test platform',
        });
      }
    });
  }
  config.schedules.forEach((schedule, i) => {
    const at = `schedules[${i}]`;
    if (config.schedules.findIndex((s) => s.name === schedule.name) !== i) {
      problems.push({ field: `${at}.name`, rule: `'${schedule.name}' is used twice` });
    }
    if (!isTimeZone(schedule.timeZone)) {
      problems.push({ field: `${at}.timeZone`, rule: `'${schedule.timeZone}' is not an IANA time zone` });
    }
    const result = validateRunInput(schedule.input, config);
    if (!result.ok) {
      for (const p of result.problems) problems.push({ field: `${at}.input.${p.field}`, rule: p.rule });
    }
  });
  return problems;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone.includes('/') || zone === 'UTC';
  } catch {
    return false;
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type RawEnvironment = Omit<
  Mutable<EnvironmentConfig>,
  'production' | 'loadTestTarget' | 'locust' | 'applications' | 'slos' | 'cleanup'
> & {
  production?: boolean;
  loadTestTarget?: boolean;
  locust: Partial<LocustConfig> & { url: string };
  applications: (Omit<ApplicationConfig, 'readinessTimeoutSeconds'> & { readinessTimeoutSeconds?: number })[];
  slos?: Partial<SloConfig>;
  cleanup?: (Omit<HttpCleanupAction, 'method'> & { method?: 'POST' | 'DELETE' })[];
};
interface RawConfig {
  environments: Record<string, RawEnvironment>;
  schedules?: (Omit<ScheduleConfig, 'enabled'> & { enabled?: boolean })[];
}
