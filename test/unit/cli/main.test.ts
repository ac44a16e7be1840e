import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../cli/main';
import { harness } from './fakes';

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
