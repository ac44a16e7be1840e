import configSchema from '../../../schema/conductor-config.schema.json' with { type: 'json' };
import type { KpiConfig } from './types';

/**
 * The most iterations an inline Map state runs at once in AWS Step Functions. Deploy and Scale are inline Maps
 * (statemachine/prepare-map.ts); a higher `MaxConcurrency` would not run more at once.
 */
export const INLINE_MAP_MAX_CONCURRENCY = 40;
/** Applications prepared at once by default (the schema's): as many as an inline Map runs at once (`npm run bench:prepare`). */
export const DEFAULT_PREPARE_CONCURRENCY: number =
  configSchema.$defs.environment.properties.prepareConcurrency.default;

const DEFAULT_KPI_NAME: string = configSchema.$defs.environment.properties.kpi.properties.name.default;
/** Orders, counted by the demo shop's checkout request: what an environment without `kpi` steers on. */
export const DEFAULT_KPI: KpiConfig = {
  name: DEFAULT_KPI_NAME,
  unit: `${DEFAULT_KPI_NAME} per minute`,
  requestName: configSchema.$defs.locust.properties.orderRequestName.default,
};
