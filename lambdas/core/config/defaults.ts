import configSchema from '../../../schema/conductor-config.schema.json' with { type: 'json' };

/**
 * The most iterations an inline Map state runs at once in AWS Step Functions. Deploy and Scale are inline Maps
 * (statemachine/prepare-map.ts); a higher `MaxConcurrency` would not run more at once.
 */
export const INLINE_MAP_MAX_CONCURRENCY = 40;
/** Applications prepared at once by default (the schema's): as many as an inline Map runs at once (`npm run bench:prepare`). */
export const DEFAULT_PREPARE_CONCURRENCY: number =
  configSchema.$defs.environment.properties.prepareConcurrency.default;
