import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNumberFlag } from '../../../cli/args';
import { UsageError } from '../../../cli/errors';
import { buildInput } from '../../../cli/input-flags';
import { countingRunLocal, harness } from '../../support/cli-fakes';

const dir = mkdtempSync(join(tmpdir(), 'ltc-flags-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const good = file(
  'good.json',
  JSON.stringify({ environment: 'staging', targetOrdersPerMinute: 100, scenario: 'browse' }),
);
const notJson = file('bad.json', '{ environment: staging');
const anArray = file('array.json', '[1, 2]');
const aNull = file('null.json', 'null');
const noStdin = (): string => {
  throw new Error('standard input is not read in this test');
};

describe('buildInput', () => {
  it('puts only the fields given into the input', () => {
    expect(buildInput({ environment: 'staging', target: '1200' }, dir, noStdin)).toEqual({
      environment: 'staging',
      targetOrdersPerMinute: 1200,
    });
  });

  it('maps every input flag to its field', () => {
    expect(
      buildInput(
        {
          environment: 'staging',
          target: '1200.5',
          'ramp-up': '0',
          plateau: '15',
          scenario: 'browse',
          'no-deploy': true,
          applications: 'checkout, payments',
          tick: '30',
          'dry-run': true,
          capacity: true,
        },
        dir,
        noStdin,
      ),
    ).toEqual({
      environment: 'staging',
      targetOrdersPerMinute: 1200.5,
      rampUpMinutes: 0,
      plateauMinutes: 15,
      scenario: 'browse',
      deployProductionVersions: false,
      applications: ['checkout', 'payments'],
      tickSeconds: 30,
      dryRun: true,
      mode: 'capacity',
    });
  });

  it('lets flags override the fields of --input and keeps the rest', () => {
    expect(buildInput({ input: good, target: '300' }, dir, noStdin)).toEqual({
      environment: 'staging',
      targetOrdersPerMinute: 300,
      scenario: 'browse',
    });
  });

  it('tolerates a UTF-8 byte order mark', () => {
    const withBom = file('bom.json', '\ufeff{"environment":"staging","targetOrdersPerMinute":5}');
    expect(buildInput({ input: withBom }, dir, noStdin)).toEqual({
      environment: 'staging',
      targetOrdersPerMinute: 5,
    });
  });

  it('--input - reads standard input (with a BOM too)', () => {
    expect(buildInput({ input: '-' }, dir, () => '\ufeff{"environment":"staging"}')).toEqual({
      environment: 'staging',
    });
    expect(() => buildInput({ input: '-' }, dir, () => 'nope')).toThrow(
      /^--input: standard input is not valid JSON/,
    );
  });

  it('resolves --input against the working directory', () => {
    expect(buildInput({ input: 'good.json' }, dir, noStdin)).toMatchObject({ environment: 'staging' });
  });

  it('says a negative number is negative, naming the flag and the field', () => {
    expect(() => buildInput({ target: '-5' }, dir, noStdin)).toThrow(
      "--target: '-5' is negative; targetOrdersPerMinute cannot be below 0",
    );
  });

  it.each(['abc', '', ' 12', '12abc', '0x10', '1e3', 'NaN', 'Infinity', '1,5', '.5', '5.'])(
    'rejects the number %j naming the flag',
    (text) => {
      expect(() => parseNumberFlag('target', text)).toThrow(UsageError);
      expect(() => parseNumberFlag('target', text)).toThrow(/^--target: /);
    },
  );
});

describe('--input - through the commands', () => {
  it('validate reads the input from standard input', async () => {
    const h = harness({ stdin: '{"environment":"staging","targetOrdersPerMinute":100}' });
    expect(await h.run('validate', '--input', '-', '--json')).toBe(0);
    expect(JSON.parse(h.stdout.text).request).toMatchObject({
      environment: 'staging',
      targetOrdersPerMinute: 100,
    });
  });
});

describe('bad flags are rejected with a message naming the flag', () => {
  const cases: [string, string[], RegExp][] = [
    [
      'a word for --target',
      ['--environment', 'staging', '--target', 'abc'],
      /--target: 'abc' is not a number/,
    ],
    ['an empty --target', ['--target', ''], /--target: '' is not a number/],
    ['a unit in --ramp-up', ['--target', '5', '--ramp-up', '10m'], /--ramp-up: '10m' is not a number/],
    ['NaN for --plateau', ['--target', '5', '--plateau', 'NaN'], /--plateau: 'NaN' is not a number/],
    ['a comma decimal for --tick', ['--target', '5', '--tick', '1,5'], /--tick: '1,5' is not a number/],
    ['an unknown flag', ['--target', '5', '--frobnicate'], /--frobnicate/],
    ['a short unknown flag', ['-t', '5'], /'-t'/],
    ['--target without a value', ['--target'], /--target/],
    ['a flag taken as --target value', ['--target', '--plateau', '5'], /--target/],
    ['a value for the boolean --dry-run', ['--target', '5', '--dry-run=yes'], /--dry-run/],
    ['a value for the boolean --no-deploy', ['--no-deploy=false'], /--no-deploy/],
    ['--target given twice', ['--target', '1', '--target', '2'], /--target is given more than once/],
    [
      'an empty name in --applications',
      ['--applications', 'a,,b'],
      /--applications: 'a,,b' has an empty name/,
    ],
    ['a missing --input file', ['--input', join(dir, 'missing.json')], /--input: cannot read .*ENOENT/],
    ['an --input file that is not JSON', ['--input', notJson], /--input: .* is not valid JSON/],
    ['an --input file holding an array', ['--input', anArray], /--input: .* must hold a JSON object/],
    ['an --input file holding null', ['--input', aNull], /--input: .* must hold a JSON object/],
    ['a stray argument', ['--target', '5', 'staging'], /unexpected argument 'staging'/],
    ['a misspelt flag', ['--enviroment', 'staging'], /--enviroment/],
    ['a flag of another command', ['--state-machine-arn', 'x'], /--state-machine-arn/],
  ];

  it.each(cases)('validate: %s', async (_what, args, message) => {
    const h = harness();
    expect(await h.run('validate', ...args)).toBe(2);
    expect(h.stderr.text).toMatch(message);
    expect(h.stderr.text).toContain('ltc validate --help');
    expect(h.stdout.text).toBe('');
  });

  it.each(cases)('start: %s (no AWS call)', async (what, args, message) => {
    if (what === 'a flag of another command') return; // start takes --state-machine-arn
    const h = harness();
    expect(
      await h.run('start', '--state-machine-arn', 'arn:aws:states:eu-west-1:1:stateMachine:x', ...args),
    ).toBe(2);
    expect(h.stderr.text).toMatch(message);
    expect(h.regions).toEqual([]);
  });

  it.each(cases)('local: %s (runner not loaded)', async (what, args, message) => {
    if (what === 'a flag of another command') return;
    const local = countingRunLocal();
    const h = harness({ runLocal: local.runLocal });
    expect(await h.run('local', ...args)).toBe(2);
    expect(h.stderr.text).toMatch(message);
    expect(local.runs()).toBe(0);
  });
});

describe('input the validator rejects names the field', () => {
  const cases: [string[], RegExp][] = [
    [['--environment', 'staging', '--target=-5'], /--target: '-5' is negative; targetOrdersPerMinute/],
    [['--environment', 'staging', '--target', '-5'], /--target: '-5' is negative; targetOrdersPerMinute/],
    [
      ['--environment', 'staging', '--target', '0'],
      /^ {2}targetOrdersPerMinute: must be greater than 0( \(got .*\))?$/m,
    ],
    [['--environment', 'staging', '--target', '99999'], /^ {2}targetOrdersPerMinute: must be at most 6000/m],
    [
      ['--environment', 'staging', '--target', '10', '--tick', '2.5'],
      /^ {2}tickSeconds: must be an integer( \(got .*\))?$/m,
    ],
    [
      ['--environment', 'staging', '--target', '10', '--tick', '1'],
      /^ {2}tickSeconds: must be at least 5( \(got .*\))?$/m,
    ],
    [['--environment', 'Staging!', '--target', '10'], /^ {2}environment: must match/m],
    [['--environment', 'nowhere', '--target', '10'], /^ {2}environment: 'nowhere' is not configured/m],
    [
      ['--environment', 'staging', '--target', '10', '--scenario', 'soak'],
      /^ {2}scenario: 'soak' is not a scenario/m,
    ],
    [
      ['--environment', 'staging', '--target', '10', '--applications', 'checkout,ledger'],
      /^ {2}applications\[1\]: 'ledger'/m,
    ],
    [
      ['--environment', 'staging', '--target', '10', '--ramp-up', '2000'],
      /^ {2}rampUpMinutes: must be at most 1440( \(got .*\))?$/m,
    ],
    [
      ['--environment', 'staging', '--target', '10', '--ramp-up', '0', '--plateau', '0'],
      /^ {2}plateauMinutes: /m,
    ],
    [['--environment', 'staging'], /^ {2}targetOrdersPerMinute: is required( \(got .*\))?$/m],
    [['--target', '10'], /^ {2}environment: is required( \(got .*\))?$/m],
  ];

  it.each(cases)('validate %j', async (args, message) => {
    const h = harness();
    expect(await h.run('validate', ...args)).toBe(2);
    expect(h.stderr.text).toMatch(message);
    expect(h.stdout.text).toBe('');
  });
});
