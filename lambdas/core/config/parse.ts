import configSchema from '../../../schema/conductor-config.schema.json' with { type: 'json' };
import { ValidationError } from '../errors';
import { schemaFiller } from '../schema-validation';
import { DEFAULT_KPI } from './defaults';
import { fargateEndpoints, fargateProblems } from './locust-fargate';
import { networkProblems } from './network';
import { checkSemantics } from './semantics';
import type { ConductorConfig, EnvironmentConfig, KpiConfig, LocustConfig } from './types';

/**
 * What the schema guarantees once its defaults are filled in: a {@link ConductorConfig} but for the fields derived
 * from others (an environment's `loadTestTarget` from `production`; `locust.url` and `workers` from `locust.fargate`;
 * the KPI's unit from its name and its request from `locust.orderRequestName`).
 */
export interface SchemaConfig extends Omit<ConductorConfig, 'environments'> {
  readonly environments: Readonly<Record<string, SchemaEnvironment>>;
}
export interface SchemaEnvironment extends Omit<EnvironmentConfig, 'loadTestTarget' | 'locust' | 'kpi'> {
  readonly loadTestTarget?: boolean;
  readonly kpi?: Partial<KpiConfig> & { readonly name: string };
  readonly locust: Omit<LocustConfig, 'url'> & { readonly url?: string };
}

const fillSchema = schemaFiller<SchemaConfig>(configSchema);

/**
 * Validates a raw configuration (parsed JSON) and fills its defaults (the schema's) into a copy: `raw` is not
 * changed. Throws a ValidationError listing every broken rule by field.
 */
export function parseConfig(raw: unknown): ConductorConfig {
  const filled = fillSchema(raw);
  if (!filled.ok) throw new ValidationError(filled.problems);
  const input = filled.value;
  const fargate = fargateProblems(input);
  if (fargate.length > 0) throw new ValidationError(fargate);
  const config: ConductorConfig = {
    ...input,
    environments: Object.fromEntries(
      Object.entries(input.environments).map(([name, env]) => [name, withDerivedFields(name, env)]),
    ),
  };
  const semantic = [...checkSemantics(config), ...networkProblems(config)];
  if (semantic.length > 0) throw new ValidationError(semantic);
  return config;
}

/** The fields the schema cannot default, because they follow from others. */
function withDerivedFields(name: string, env: SchemaEnvironment): EnvironmentConfig {
  const { fargate, url } = env.locust;
  const kpiName = env.kpi?.name ?? DEFAULT_KPI.name;
  return {
    ...env,
    loadTestTarget: env.loadTestTarget ?? !env.production,
    kpi: {
      name: kpiName,
      unit: env.kpi?.unit ?? `${kpiName} per minute`,
      requestName: env.kpi?.requestName ?? env.locust.orderRequestName,
    },
    locust: { ...env.locust, ...(fargate ? fargateEndpoints(name, fargate) : { url: url as string }) },
  };
}
