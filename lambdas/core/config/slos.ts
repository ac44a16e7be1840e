import configSchema from '../../../schema/conductor-config.schema.json' with { type: 'json' };
import { ValidationError } from '../errors';
import { schemaFiller } from '../schema-validation';
import type { RelativeCriteria, SloConfig } from './types';

const fillSlos = schemaFiller<SloConfig>(configSchema, '#/$defs/slos');

/**
 * Fills the schema's SLO defaults into a copy (also for run snapshots written before SLOs had more than two
 * fields). Throws a ValidationError naming the field of a value the schema refuses.
 */
export function withSloDefaults(raw: RawSloConfig | undefined): SloConfig {
  const filled = fillSlos(raw ?? {});
  if (!filled.ok) throw new ValidationError(filled.problems.map((p) => ({ ...p, field: `slos.${p.field}` })));
  return filled.value;
}
/** `slos` as written in a configuration: every field with a default may be left out. */
export type RawSloConfig = Partial<Omit<SloConfig, 'relative'>> & { relative?: Partial<RelativeCriteria> };
