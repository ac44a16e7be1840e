import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../../cli/errors';
import { COMMANDS } from '../../../cli/main';
import { harness } from '../../support/cli-fakes';

describe('ltc', () => {
  it.each([['--help'], ['-h'], ['help']])('%s lists the commands, exit 0', async (flag) => {
    const h = harness();
    expect(await h.run(flag)).toBe(0);
    for (const name of Object.keys(COMMANDS)) expect(h.stdout.text).toMatch(new RegExp(`^  ${name} `, 'm'));
  });

  it('with no command prints usage on stderr, exit 2', async () => {
    const h = harness();
    expect(await h.run()).toBe(2);
    expect(h.stderr.text).toMatch(/^Usage: ltc <command>/m);
  });

  it.each(Object.keys(COMMANDS))(
    '%s --help / help %s prints its usage, exit 0, even with other flags',
    async (name) => {
      const a = harness();
      expect(await a.run(name, '--bogus', '--help')).toBe(0);
      expect(a.stdout.text).toMatch(new RegExp(`^Usage: ltc ${name}`));
      const b = harness();
      expect(await b.run('help', name)).toBe(0);
      expect(b.stdout.text).toBe(a.stdout.text);
    },
  );

  it.each([['--version'], ['-V'], ['version']])(
    '%s prints the version of package.json, exit 0',
    async (flag) => {
      const h = harness();
      expect(await h.run(flag)).toBe(0);
      const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
      expect(h.stdout.text).toBe(`ltc ${version}\n`);
    },
  );

  it('documents every exit code in --help, one meaning each', async () => {
    const h = harness();
    await h.run('--help');
    for (const code of Object.values(EXIT)) expect(h.stdout.text).toMatch(new RegExp(`^  ${code} +\\S`, 'm'));
  });

  it.each(Object.keys(COMMANDS))('%s --help documents the exit codes and --json', async (name) => {
    const h = harness();
    await h.run(name, '--help');
    expect(h.stdout.text).toContain('--json');
    expect(h.stdout.text).toMatch(/^ {2}4 +the execution failed, was aborted or timed out$/m);
  });

  it.each([
    [['stauts'], /unknown command 'stauts' \(did you mean status\?\)/],
    [['valdate'], /unknown command 'valdate' \(did you mean validate\?\)/],
    [['reprot'], /unknown command 'reprot' \(did you mean report\?\)/],
    [['validate', '--enviroment', 'staging'], /unknown flag '--enviroment' \(did you mean --environment\?\)/],
    [['start', '--wiat'], /unknown flag '--wiat' \(did you mean --wait\?\)/],
    [['status', 'x', '--regoin', 'eu-west-1'], /unknown flag '--regoin' \(did you mean --region\?\)/],
    [['stop', 'x', '--casue', 'y'], /unknown flag '--casue' \(did you mean --cause\?\)/],
    [['report', 'x', '--opne'], /unknown flag '--opne' \(did you mean --open\?\)/],
    [['local', '--worker', '2'], /unknown flag '--worker' \(did you mean --workers\?\)/],
    [['validate', '--jsno'], /unknown flag '--jsno' \(did you mean --json\?\)/],
  ])('suggests the closest name: %j', async (argv, message) => {
    const h = harness();
    expect(await h.run(...argv)).toBe(2);
    expect(h.stderr.text).toMatch(message);
    expect(h.stderr.text).not.toMatch(/positional/);
  });

  it('suggests nothing for a name far from every one', async () => {
    const h = harness();
    await h.run('validate', '--frobnicate');
    expect(h.stderr.text).toMatch(/unknown flag '--frobnicate'\n/);
  });

  it.each([
    [['--target', '-5'], "--target: '-5' is negative; targetOrdersPerMinute cannot be below 0"],
    [
      ['--target', '10', '--plateau', '-1.5'],
      "--plateau: '-1.5' is negative; plateauMinutes cannot be below 0",
    ],
    [['--target'], '--target needs a value'],
    [['--target', '--plateau', '5'], '--target needs a value'],
  ])('a clear message for %j', async (args, message) => {
    const h = harness();
    expect(await h.run('validate', '--environment', 'staging', ...args)).toBe(2);
    expect(h.stderr.text).toBe(`ltc validate: ${message}\nRun "ltc validate --help" for usage.\n`);
  });

  it('a negative number for --workers and --poll-seconds is named, not "ambiguous"', async () => {
    const a = harness();
    expect(await a.run('local', '--target', '60', '--workers', '-1')).toBe(2);
    expect(a.stderr.text).toMatch(/--workers: '-1' must be a whole number of at least 0/);
    const b = harness();
    expect(
      await b.run(
        'start',
        '--state-machine-arn',
        'arn:aws:states:eu-west-1:1:stateMachine:x',
        '--environment',
        'staging',
        '--target',
        '5',
        '--poll-seconds',
        '-3',
      ),
    ).toBe(2);
    expect(b.stderr.text).toMatch(/--poll-seconds: '-3' must be greater than 0/);
  });

  it.each([
    [['deploy'], /unknown command 'deploy'/],
    [['--verbose'], /unknown flag '--verbose'/],
    [['help', 'deploy'], /unknown command 'deploy'/],
    [['toString'], /unknown command 'toString'/],
    [['help', 'constructor'], /unknown command 'constructor'/],
  ])('%j → exit 2', async (argv, message) => {
    const h = harness();
    expect(await h.run(...argv)).toBe(2);
    expect(h.stderr.text).toMatch(message);
  });

  it('documents every input flag in the help of validate, start and local', async () => {
    for (const name of ['validate', 'start', 'local']) {
      const h = harness();
      await h.run(name, '--help');
      for (const flag of [
        '--input',
        '--environment',
        '--target',
        '--ramp-up',
        '--plateau',
        '--scenario',
        '--no-deploy',
        '--applications',
        '--tick',
        '--dry-run',
      ]) {
        expect(h.stdout.text).toContain(flag);
      }
    }
  });
});
