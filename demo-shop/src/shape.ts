import { MAX_REPLICAS, VERSION_PATTERN } from './config';

/**
 * The "conductor agent" contract of the admin API: the shape the conductor reads, changes and restores.
 *   GET /_conductor/shape -> Shape
 *   PUT /_conductor/shape  ShapeChange -> Shape (once every worker listens)
 */
export interface Shape {
  version: string;
  replicas: number;
  /** Every wanted worker runs the wanted version and listens; no change in progress. */
  ready: boolean;
}

export interface ShapeChange {
  version?: string;
  replicas?: number;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const FIELDS = new Set(['version', 'replicas']);

/** Validate the body of `PUT /_conductor/shape`; the error names the offending field. */
export function parseShapeChange(body: unknown): Parsed<ShapeChange> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, error: 'body must be a JSON object like {"version": "1.4.2", "replicas": 3}' };
  }
  const record = body as Record<string, unknown>;
  const unknown = Object.keys(record).filter((k) => !FIELDS.has(k));
  if (unknown.length > 0) {
    return { ok: false, error: `unknown field(s): ${unknown.join(', ')} (allowed: version, replicas)` };
  }
  const change: ShapeChange = {};
  if (record.version !== undefined) {
    if (typeof record.version !== 'string' || !VERSION_PATTERN.test(record.version)) {
      return {
        ok: false,
        error: 'version must be a string of 1-64 letters, digits and ._+- starting with a letter or digit',
      };
    }
    change.version = record.version;
  }
  if (record.replicas !== undefined) {
    const r = record.replicas;
    if (typeof r !== 'number' || !Number.isInteger(r) || r < 1 || r > MAX_REPLICAS) {
      return { ok: false, error: `replicas must be an integer from 1 to ${MAX_REPLICAS}` };
    }
    change.replicas = r;
  }
  if (change.version === undefined && change.replicas === undefined) {
    return { ok: false, error: 'body must set version and/or replicas' };
  }
  return { ok: true, value: change };
}
