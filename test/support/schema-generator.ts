/**
 * A small seeded generator of invalid inputs for the fuzz tests: a PRNG (mulberry32), JSON paths, and
 * mutations of a valid document. Deterministic for a seed, so a failure names the case that reproduces it.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Path = readonly (string | number)[];

export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
}

/** Values of every JSON type, odd strings and numbers included (all JSON-representable). */
export function randomValue(rng: Rng, depth = 0): Json {
  const kind = rng.int(0, depth > 1 ? 3 : 5);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return rng.next() < 0.5;
    case 2:
      return rng.pick([0, -1, 1e308, -1e308, 0.5, 2 ** 53 + 1, -0.0001, 42, 7.25]);
    case 3:
      return rng.pick([
        '',
        ' ',
        'UPPER',
        'a b',
        '../..',
        '<html>error</html>',
        'ü',
        '\u0000',
        'x'.repeat(300),
      ]);
    case 4:
      return Array.from({ length: rng.int(0, 3) }, () => randomValue(rng, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: rng.int(0, 3) }, (_, i) => [`k${i}`, randomValue(rng, depth + 1)]),
      );
  }
}

/** Every path in a document (the root excluded), objects' keys and arrays' indices. */
export function paths(doc: Json, prefix: Path = []): Path[] {
  if (Array.isArray(doc)) return doc.flatMap((v, i) => [[...prefix, i], ...paths(v, [...prefix, i])]);
  if (doc && typeof doc === 'object') {
    return Object.entries(doc).flatMap(([k, v]) => [[...prefix, k], ...paths(v, [...prefix, k])]);
  }
  return [];
}

export function get(doc: Json, path: Path): Json | undefined {
  let at: Json | undefined = doc;
  for (const seg of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string | number, Json>)[seg];
  }
  return at;
}

/** Sets (or with `undefined`, deletes) the value at a path of a copy; a copy unchanged when the path is gone. */
export function set(doc: Json, path: Path, value: Json | undefined): Json {
  const copy = structuredClone(doc);
  if (path.length === 0) return value ?? null;
  const parent = get(copy, path.slice(0, -1)) as Record<string | number, Json> | Json[];
  const last = path.at(-1) as string | number;
  // A path through a value that is no longer an object: nothing to set.
  if (parent === null || typeof parent !== 'object') return copy;
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete (parent as Record<string, Json>)[last];
  } else (parent as Record<string | number, Json>)[last] = value;
  return copy;
}

/** A path as problems name it: `applications[2].name` (lambdas/core/schema-validation.ts `fieldName`). */
export function dotted(path: Path): string {
  return path.reduce<string>(
    (acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg),
    '',
  );
}

/**
 * Whether a problem's field names the input: an existing path, or a field the schema knows under an existing
 * object (a required field that is missing, a defaulted one the rule is about). `(input)` is the document.
 */
export function namesInput(doc: Json, field: string, schemaFields: ReadonlySet<string>): boolean {
  if (field === '(input)') return true;
  const all = paths(doc);
  if (all.some((p) => dotted(p) === field)) return true;
  // A field the schema knows, missing under the root or under an existing object.
  return [[], ...all].some((p) => {
    const at = get(doc, p);
    if (at === null || typeof at !== 'object' || Array.isArray(at)) return false;
    const prefix = dotted(p);
    const rest = prefix ? field.slice(prefix.length + 1) : field;
    return (prefix === '' || field.startsWith(`${prefix}.`)) && schemaFields.has(rest) && !(rest in at);
  });
}

/** Every property name a JSON Schema defines, at any depth. */
export function schemaProperties(schema: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) for (const s of schema) schemaProperties(s, out);
  else if (schema && typeof schema === 'object') {
    for (const [k, v] of Object.entries(schema)) {
      if (k === 'properties' && v && typeof v === 'object') for (const p of Object.keys(v)) out.add(p);
      if (k === 'required' && Array.isArray(v)) for (const p of v) out.add(String(p));
      schemaProperties(v, out);
    }
  }
  return out;
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** A different value than `current`: another type, or an odd value of the same. */
export function wrongValue(rng: Rng, current: Json | undefined): Json {
  for (;;) {
    const v = randomValue(rng);
    if (JSON.stringify(v) !== JSON.stringify(current)) return v;
  }
}
