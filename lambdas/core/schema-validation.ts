import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import type { FieldProblem } from './errors';

let ajv: Ajv2020 | undefined;
/** Fills each missing property that has a `default` in the schema: the one place defaults are written. */
let fillingAjv: Ajv2020 | undefined;

/**
 * Compiles a JSON Schema once, on the first check (compiling at import cost every step that imports a
 * contract's helpers, checking or not); the returned function lists every broken rule by field.
 */
export function schemaChecker(schema: object): (value: unknown) => FieldProblem[] {
  let validate: ValidateFunction | undefined;
  return (value) => {
    ajv ??= new Ajv2020({ allErrors: true, strict: true, useDefaults: false });
    validate ??= ajv.compile(schema);
    return validate(value) ? [] : simplify(validate.errors ?? []);
  };
}

export type Filled<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problems: FieldProblem[] };

/**
 * Compiles a JSON Schema (with an `$id`) once, on the first check; the returned function validates a copy of a value and fills the
 * schema's defaults into it, so the caller's value is never changed. `fragment` picks a subschema, e.g.
 * `#/$defs/slos`. `T` is what the schema guarantees after filling (config/types.ts's SchemaAgreement checks it).
 */
export function schemaFiller<T>(
  schema: { readonly $id: string },
  fragment = '',
): (value: unknown) => Filled<T> {
  let validate: ValidateFunction | undefined;
  const compiled = (): ValidateFunction => {
    fillingAjv ??= new Ajv2020({ allErrors: true, strict: true, useDefaults: true });
    if (!fillingAjv.getSchema(schema.$id)) fillingAjv.addSchema(schema);
    const found = fillingAjv.getSchema(`${schema.$id}${fragment}`);
    if (!found) throw new Error(`no schema at ${schema.$id}${fragment}`);
    return found;
  };
  return (value) => {
    validate ??= compiled();
    let copy: unknown;
    try {
      copy = structuredClone(value);
    } catch {
      return {
        ok: false,
        problems: [
          { field: '(input)', rule: 'must be JSON data (no functions, symbols or class instances)' },
        ],
      };
    }
    return validate(copy)
      ? { ok: true, value: copy as T }
      : { ok: false, problems: simplify(validate.errors ?? []) };
  };
}

function simplify(errors: readonly ErrorObject[]): FieldProblem[] {
  const problems = errors
    // A failed `oneOf` repeats what its branches already said.
    .filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'if')
    .map(toProblem);
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.field}|${p.rule}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function toProblem(e: ErrorObject): FieldProblem {
  const base = fieldName(e.instancePath);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { field: join(base, String(params.missingProperty)), rule: 'is required' };
    case 'additionalProperties':
      return { field: join(base, String(params.additionalProperty)), rule: 'is not a known field' };
    case 'type':
      return { field: base || '(input)', rule: `must be ${article(String(params.type))}` };
    case 'exclusiveMinimum':
      return { field: base, rule: `must be greater than ${params.limit}` };
    case 'minimum':
      return { field: base, rule: `must be at least ${params.limit}` };
    case 'maximum':
      return { field: base, rule: `must be at most ${params.limit}` };
    case 'pattern':
      return { field: base, rule: `must match ${params.pattern}` };
    case 'const':
      return { field: base, rule: `must be ${JSON.stringify(params.allowedValue)}` };
    case 'enum':
      return { field: base, rule: `must be one of ${(params.allowedValues as unknown[]).join(', ')}` };
    case 'uniqueItems':
      return { field: base, rule: `must not repeat an item (items ${params.j} and ${params.i} are equal)` };
    case 'propertyNames':
      return { field: join(base, String(params.propertyName)), rule: 'is not a valid name' };
    default:
      return { field: base || '(input)', rule: e.message ?? e.keyword };
  }
}

/** `/applications/2/name` → `applications[2].name` */
export function fieldName(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : join(acc, seg)), '');
}

function join(base: string, name: string): string {
  return base ? `${base}.${name}` : name;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
