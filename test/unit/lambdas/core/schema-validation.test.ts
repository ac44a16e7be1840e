import { describe, expect, it } from 'vitest';
import { fieldName, schemaChecker, schemaFiller } from '../../../../lambdas/core/schema-validation';

const schema = {
  $id: 'https://load-test-conductor.dev/test/schema-validation.schema.json',
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string' },
    retries: { type: 'integer', minimum: 0, default: 3 },
    limits: { $ref: '#/$defs/limits', default: {} },
    kind: { enum: ['a', 'b'] },
  },
  $defs: {
    limits: {
      type: 'object',
      additionalProperties: false,
      properties: { perMinute: { type: 'number', default: 60 } },
    },
  },
  allOf: [
    {
      if: { required: ['kind'], properties: { kind: { const: 'b' } } },
      // biome-ignore lint/suspicious/noThenProperty: a JSON Schema if/then, not a thenable
      then: { properties: { bOnly: { type: 'boolean', default: true } } },
    },
  ],
};

describe('schemaFiller', () => {
  const fill = schemaFiller<Record<string, unknown>>(schema);

  it("fills the schema's defaults into a copy, nested ones inside a filled object default too", () => {
    const input = { name: 'x' };
    const filled = fill(input);
    expect(filled).toEqual({ ok: true, value: { name: 'x', retries: 3, limits: { perMinute: 60 } } });
    expect(input).toEqual({ name: 'x' });
  });

  it('fills the defaults of the if/then branch that applies, and only of it', () => {
    expect(fill({ name: 'x', kind: 'b' })).toMatchObject({ ok: true, value: { bOnly: true } });
    expect(fill({ name: 'x', kind: 'a' })).toMatchObject({
      ok: true,
      value: expect.not.objectContaining({ bOnly: true }),
    });
  });

  it('keeps a given value over the default', () => {
    expect(fill({ name: 'x', retries: 0 })).toMatchObject({ ok: true, value: { retries: 0 } });
  });

  it('refuses bad input by field and leaves it as it was', () => {
    const input = { retries: -1, limits: { perMinute: 'often' } };
    const before = structuredClone(input);
    expect(fill(input)).toEqual({
      ok: false,
      problems: expect.arrayContaining([
        { field: 'name', rule: 'is required' },
        { field: 'retries', rule: 'must be at least 0' },
        { field: 'limits.perMinute', rule: 'must be a number' },
      ]),
    });
    expect(input).toEqual(before);
  });

  it('refuses what is not JSON data instead of throwing', () => {
    expect(fill({ name: 'x', retries: () => 3 })).toEqual({
      ok: false,
      problems: [{ field: '(input)', rule: expect.stringMatching(/must be JSON data/) }],
    });
  });

  it('fills a subschema picked by its JSON pointer', () => {
    const limits = schemaFiller<Record<string, unknown>>(schema, '#/$defs/limits');
    expect(limits({})).toEqual({ ok: true, value: { perMinute: 60 } });
  });
});

describe('schemaChecker', () => {
  it('checks without filling anything in', () => {
    const check = schemaChecker({ ...schema, $id: undefined });
    const input = { name: 'x' };
    expect(check(input)).toEqual([]);
    expect(input).toEqual({ name: 'x' });
  });
});

describe('fieldName', () => {
  it('turns a JSON pointer into a field path', () => {
    expect(fieldName('/environments/staging/applications/2/name')).toBe(
      'environments.staging.applications[2].name',
    );
    expect(fieldName('/a~1b/c~0d')).toBe('a/b.c~d');
  });
});
