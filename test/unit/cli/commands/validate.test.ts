import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { harness } from '../../../support/cli-fakes';

const dir = mkdtempSync(join(tmpdir(), 'ltc-validate-'));
const brokenConfig = join(dir, 'broken-config.json');
writeFileSync(brokenConfig, JSON.stringify({ environments: { staging: { maxOrdersPerMinute: 'many' } } }));
const notJsonConfig = join(dir, 'not-json-config.json');
writeFileSync(notJsonConfig, '{');
const inputFile = join(dir, 'input.json');
writeFileSync(
  inputFile,
  JSON.stringify({ environment: 'local', targetOrdersPerMinute: 60, rampUpMinutes: 1 }),
);

describe('ltc validate', () => {
  it('prints the input with every default filled in, exit 0', async () => {
    const h = harness();
    expect(await h.run('validate', '--environment', 'staging', '--target', '1200')).toBe(0);
    expect(JSON.parse(h.stdout.text)).toEqual({
      environment: 'staging',
      targetOrdersPerMinute: 1200,
      rampUpMinutes: 30,
      plateauMinutes: 60,
      scenario: 'checkout',
      deployProductionVersions: true,
      applications: ['checkout', 'payments'],
      tickSeconds: 60,
      dryRun: false,
      mode: 'target',
    });
    expect(h.stderr.text).toBe('');
  });

  it('--capacity asks for mode capacity: no target, the search filled in; a target beside it is refused', async () => {
    const h = harness();
    const flags = [
      '--config',
      'config/local.json',
      '--environment',
      'local',
      '--ramp-up',
      '2',
      '--plateau',
      '6',
    ];
    expect(await h.run('validate', ...flags, '--tick', '10', '--capacity')).toBe(0);
    expect(JSON.parse(h.stdout.text)).toMatchObject({
      mode: 'capacity',
      targetOrdersPerMinute: 3000,
      capacity: { maxOrdersPerMinute: 3000, holdTicks: 3, resolutionOrdersPerMinute: null },
    });
    const both = harness();
    expect(await both.run('validate', ...flags, '--capacity', '--target', '600')).toBe(2);
    expect(both.stderr.text).toContain("targetOrdersPerMinute: not with mode 'capacity'");
  });

  it('validates the shipped examples', async () => {
    for (const example of ['black-friday-rehearsal', 'dry-run', 'feature-branch']) {
      const h = harness();
      expect(await h.run('validate', '--input', `examples/${example}.json`)).toBe(0);
    }
  });

  it('prints each problem as "field: rule", exit 2', async () => {
    const h = harness();
    const code = await h.run(
      'validate',
      '--environment',
      'staging',
      '--target',
      '10',
      '--applications',
      'ledger,fx',
    );
    expect(code).toBe(2);
    expect(h.stderr.text.trim().split('\n')).toEqual([
      'ltc validate: invalid input:',
      "  applications[0]: 'ledger' is not an application of 'staging' (checkout, payments)",
      "  applications[1]: 'fx' is not an application of 'staging' (checkout, payments)",
    ]);
    expect(h.stdout.text).toBe('');
  });

  it('reports unknown fields of an --input file', async () => {
    const file = join(dir, 'extra.json');
    writeFileSync(file, JSON.stringify({ environment: 'staging', targetOrdersPerMinute: 10, target: 10 }));
    const h = harness();
    expect(await h.run('validate', '--input', file)).toBe(2);
    expect(h.stderr.text).toBe('ltc validate: invalid input:\n  target: is not a known field (got 10)\n');
  });

  it('uses --config', async () => {
    const h = harness();
    expect(await h.run('validate', '--input', inputFile, '--config', 'config/local.json')).toBe(0);
    expect(JSON.parse(h.stdout.text)).toMatchObject({ environment: 'local', applications: ['shop'] });
  });

  it('uses LTC_CONFIG_FILE when there is no --config', async () => {
    const h = harness({ env: { LTC_CONFIG_FILE: 'config/local.json' } });
    expect(await h.run('validate', '--input', inputFile)).toBe(0);
    const h2 = harness({ env: { LTC_CONFIG_FILE: 'config/local.json' } });
    expect(await h2.run('validate', '--input', inputFile, '--config', 'config/example.json')).toBe(2);
    expect(h2.stderr.text).toMatch(/^ {2}environment: 'local' is not configured/m);
  });

  it('finds the default config from another working directory', async () => {
    const h = harness({ cwd: dir });
    expect(await h.run('validate', '--environment', 'staging', '--target', '10')).toBe(0);
  });

  it('fails with exit 3 naming the source of a missing config', async () => {
    const h = harness();
    expect(await h.run('validate', '--input', inputFile, '--config', join(dir, 'nope.json'))).toBe(3);
    expect(h.stderr.text).toMatch(/--config .*nope\.json is not usable:\n {2}.*nope\.json: does not exist/);
    const h2 = harness({ env: { LTC_CONFIG_FILE: join(dir, 'nope.json') } });
    expect(await h2.run('validate', '--input', inputFile)).toBe(3);
    expect(h2.stderr.text).toMatch(/LTC_CONFIG_FILE .*nope\.json is not usable/);
  });

  it("lists a broken config's problems, exit 3", async () => {
    const h = harness();
    expect(await h.run('validate', '--input', inputFile, '--config', brokenConfig)).toBe(3);
    expect(h.stderr.text).toMatch(/--config .*broken-config\.json is not usable:/);
    expect(h.stderr.text).toMatch(/^ {2}environments\.staging\.maxOrdersPerMinute: must be a number$/m);
    const h2 = harness();
    expect(await h2.run('validate', '--input', inputFile, '--config', notJsonConfig)).toBe(3);
    expect(h2.stderr.text).toMatch(/is not valid JSON/);
  });
});
