import { readFileSync } from 'node:fs';
import { type ConductorConfig, parseConfig } from './config';
import { ValidationError } from './errors';

/**
 * Reads and validates a configuration file. `{{name}}` placeholders are
 * filled from `values` first (the local runner uses them for its ports).
 */
export function loadConfigFile(
  path: string,
  values: Readonly<Record<string, string | number>> = {},
): ConductorConfig {
  const text = readFileSync(path, 'utf8').replace(/\{\{(\w+)\}\}/g, (whole, name: string) =>
    Object.hasOwn(values, name) ? String(values[name]) : whole,
  );
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ValidationError([{ field: path, rule: `is not valid JSON: ${(err as Error).message}` }]);
  }
  return parseConfig(raw);
}
