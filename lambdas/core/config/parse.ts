import configSchema from '../../../schema/conductor-config.schema.json' with { type: 'json' };
import { ValidationError } from '../errors';
import { schemaChecker } from '../schema-validation';
import { DEFAULT_PREPARE_CONCURRENCY } from './defaults';
import { fargateEndpoints, fargateProblems } from './locust-fargate';
import { networkProblems } from './network';
import { checkSemantics } from './semantics';
import { type RawSloConfig, withSloDefaults } from './slos';
import type {
  ApplicationConfig,
  CleanupAction,
  ConductorConfig,
  EcsTaskCleanupAction,
  EnvironmentConfig,
  HttpCleanupAction,
  KubernetesJobCleanupAction,
  LocustConfig,
  NetworkConfig,
  NodeGroupConfig,
  ScheduleConfig,
  SqlCleanupAction,
} from './types';

const checkSchema = schemaChecker(configSchema);

/**
 * Validates a raw configuration (parsed JSON) and fills its defaults.
 * Throws a ValidationError listing every broken rule by field.
 */
export function parseConfig(raw: unknown): ConductorConfig {
  const problems = checkSchema(raw);
  if (problems.length > 0) throw new ValidationError(problems);
  const input = raw as RawConfig;
  const fargate = fargateProblems(input);
  if (fargate.length > 0) throw new ValidationError(fargate);
  const config: ConductorConfig = {
    environments: Object.fromEntries(
      Object.entries(input.environments).map(([name, env]) => [name, withEnvironmentDefaults(name, env)]),
    ),
    schedules: (input.schedules ?? []).map((s) => ({ ...s, enabled: s.enabled ?? true })),
    ...(input.network ? { network: input.network } : {}),
  };
  const semantic = [...checkSemantics(config), ...networkProblems(config)];
  if (semantic.length > 0) throw new ValidationError(semantic);
  return config;
}

function withEnvironmentDefaults(name: string, env: RawEnvironment): EnvironmentConfig {
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
      ...(env.locust.fargate
        ? fargateEndpoints(name, env.locust.fargate)
        : { url: env.locust.url as string }),
    },
    applications: env.applications.map((a) => ({ readinessTimeoutSeconds: 600, ...a })),
    slos: withSloDefaults(env.slos),
    cleanup: (env.cleanup ?? []).map(withCleanupDefaults),
    nodeGroups: (env.nodeGroups ?? []).map((g) => ({ readinessTimeoutSeconds: 900, ...g })),
    prepareConcurrency: env.prepareConcurrency ?? DEFAULT_PREPARE_CONCURRENCY,
    restoreVersions: env.restoreVersions ?? false,
  };
}

function withCleanupDefaults(c: RawCleanupAction): CleanupAction {
  switch (c.type) {
    case 'http':
      return { method: 'DELETE', ...c };
    case 'sql':
      return { timeoutSeconds: 300, ...c };
    case 'kubernetes-job':
    case 'ecs-task':
      return { timeoutSeconds: 600, ...c };
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type RawEnvironment = Omit<
  Mutable<EnvironmentConfig>,
  | 'production'
  | 'loadTestTarget'
  | 'locust'
  | 'applications'
  | 'slos'
  | 'cleanup'
  | 'nodeGroups'
  | 'prepareConcurrency'
  | 'restoreVersions'
> & {
  production?: boolean;
  loadTestTarget?: boolean;
  locust: Partial<LocustConfig>;
  applications: (Omit<ApplicationConfig, 'readinessTimeoutSeconds'> & { readinessTimeoutSeconds?: number })[];
  slos?: RawSloConfig;
  cleanup?: RawCleanupAction[];
  nodeGroups?: (Omit<NodeGroupConfig, 'readinessTimeoutSeconds'> & { readinessTimeoutSeconds?: number })[];
  prepareConcurrency?: number;
  restoreVersions?: boolean;
};
type RawCleanupAction =
  | (Omit<HttpCleanupAction, 'method'> & { method?: 'POST' | 'DELETE' })
  | (Omit<SqlCleanupAction, 'timeoutSeconds'> & { timeoutSeconds?: number })
  | (Omit<KubernetesJobCleanupAction, 'timeoutSeconds'> & { timeoutSeconds?: number })
  | (Omit<EcsTaskCleanupAction, 'timeoutSeconds'> & { timeoutSeconds?: number });
export interface RawConfig {
  environments: Record<string, RawEnvironment>;
  schedules?: (Omit<ScheduleConfig, 'enabled'> & { enabled?: boolean })[];
  network?: NetworkConfig;
}
