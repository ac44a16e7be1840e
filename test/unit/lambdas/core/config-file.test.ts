import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../../lambdas/core/config-file';
import { ValidationError } from '../../../../lambdas/core/errors';

const dir = mkdtempSync(join(tmpdir(), 'ltc-config-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function errorOf(load: () => unknown): ValidationError {
  try {
    load();
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error('expected a ValidationError');
}

describe('loadConfigFile', () => {
  it('fills {{placeholders}} from the values, in strings and in numbers', () => {
    const config = JSON.parse(readFileSync('config/example.json', 'utf8'));
    config.environments.staging.locust.url = 'http://127.0.0.1:{{locustPort}}';
    const text = JSON.stringify(config).replace('"maxOrdersPerMinute":6000', '"maxOrdersPerMinute":{{max}}');
    const loaded = loadConfigFile(file('placeholders.json', text), { locustPort: 18089, max: 9000 });
    expect(loaded.environments.staging?.locust.url).toBe('http://127.0.0.1:18089');
    expect(loaded.environments.staging?.maxOrdersPerMinute).toBe(9000);
  });

  it('loads config/local.json with the local runner’s ports', () => {
    const config = loadConfigFile('config/local.json', {
      locustPort: 8089,
      shopAdminPort: 9001,
      productionShopAdminPort: 9002,
      fleetPort: 9003,
    });
    const local = config.environments.local;
    expect(local?.locust.url).toBe('http://127.0.0.1:8089');
    expect(local?.applications[0]).toMatchObject({
      test: { url: 'http://127.0.0.1:9001' },
      production: { url: 'http://127.0.0.1:9002' },
    });
    expect(JSON.stringify(config)).not.toContain('{{');
  });

  it('reports invalid JSON naming the file', () => {
    const path = file('broken.json', '{ "environments": { "staging": ');
    const error = errorOf(() => loadConfigFile(path));
    expect(error.problems).toEqual([{ field: path, rule: expect.stringMatching(/^is not valid JSON: /) }]);
    expect(error.message).toContain(path);
  });

  it('reports a placeholder left in a number position as invalid JSON, naming the file', () => {
    const text = readFileSync('config/example.json', 'utf8').replace('6000', '{{max}}');
    const path = file('unfilled.json', text);
    expect(errorOf(() => loadConfigFile(path)).problems[0]?.field).toBe(path);
  });

  it('validates what it read: the problems name the fields', () => {
    const config = JSON.parse(readFileSync('config/example.json', 'utf8'));
    config.environments.staging.maxOrdersPerMinute = -1;
    const error = errorOf(() => loadConfigFile(file('invalid.json', JSON.stringify(config))));
    expect(error.problems).toContainEqual({
      field: 'environments.staging.maxOrdersPerMinute',
      rule: 'must be greater than 0',
    });
  });
});
