import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(readFileSync('schema/cli-output.schema.json', 'utf8')));

/** Parses `text` as exactly one JSON document on one line and checks it against the CLI's output schema. */
export function cliDocument(text: string): Record<string, unknown> {
  const lines = text.split('\n').filter((l) => l !== '');
  expect(lines, text).toHaveLength(1);
  const doc = JSON.parse(lines[0] as string) as Record<string, unknown>;
  const ok = validate(doc);
  expect(ok ? [] : validate.errors, JSON.stringify(doc)).toEqual([]);
  return doc;
}
