/**
 * Names from input are looked up as own properties only: `__proto__`, `constructor`, `toString` and
 * `hasOwnProperty` name nothing unless the configuration or the CLI defines them, and then they name that.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countingRunLocal, describe_, EXEC_ARN, FakeSfn, harness, SM_ARN } from '../../support/cli-fakes';

const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'] as const;
const dir = mkdtempSync(join(tmpdir(), 'ltc-own-'));

/** config/example.json with its environment, scenario and application all named `constructor`. */
function constructorConfig(): string {
  const config = JSON.parse(readFileSync('config/example.json', 'utf8')) as {
    environments: Record<string, Record<string, unknown>>;
    schedules?: unknown;
  };
  // Its schedules start runs of 'staging', which this configuration no longer has.
  delete config.schedules;
  const staging = config.environments.staging as {
    scenarios: string[];
    defaultScenario: string;
    userClasses?: Record<string, Record<string, number>>;
    applications: { name: string }[];
  };
  staging.scenarios = ['constructor'];
  staging.defaultScenario = 'constructor';
  staging.userClasses = { constructor: { CheckoutUser: 1 } };
  (staging.applications[0] as { name: string }).name = 'constructor';
  config.environments = { constructor: staging };
  const path = join(dir, 'constructor-config.json');
  writeFileSync(path, JSON.stringify(config));
  return path;
}

/** Every way a name reaches validate, start and local: a flag, or a field of the --input file. */
const inputCases = (name: string): [string, string[]][] => {
  const file = (fields: Record<string, unknown>) => {
    const path = join(dir, `${Object.keys(fields).join('-')}-${name}.json`);
    writeFileSync(path, JSON.stringify({ targetOrdersPerMinute: 10, ...fields }));
    return path;
  };
  return [
    ['--environment', ['--environment', name, '--target', '10']],
    ['--scenario', ['--environment', 'staging', '--target', '10', '--scenario', name]],
    ['--applications', ['--environment', 'staging', '--target', '10', '--applications', name]],
    ['input environment', ['--input', file({ environment: name })]],
    ['input scenario', ['--input', file({ environment: 'staging', scenario: name })]],
    ['input applications', ['--input', file({ environment: 'staging', applications: [name] })]],
  ];
};

describe.each(NAMES)('%s', (name) => {
  it.each(inputCases(name))('validate %s: a named input error, exit 2', async (_what, args) => {
    const h = harness();
    expect(await h.run('validate', ...args)).toBe(2);
    expect(h.stderr.text).toMatch(
      /^ltc validate: invalid input:\n {2}(environment|scenario|applications\[0\]): /,
    );
    expect(h.stderr.text).not.toMatch(/TypeError|undefined/);
  });

  it.each(inputCases(name))('start %s: a named input error, no AWS call, exit 2', async (_what, args) => {
    const h = harness();
    expect(await h.run('start', '--state-machine-arn', SM_ARN, ...args)).toBe(2);
    expect(h.stderr.text).toMatch(/^ltc start: invalid input; nothing was started:\n {2}\w/);
    expect(h.regions).toEqual([]);
  });

  it.each(inputCases(name))('local %s: a named input error, nothing started, exit 2', async (_what, args) => {
    const local = countingRunLocal();
    const h = harness({ runLocal: local.runLocal });
    expect(await h.run('local', ...args.map((a) => (a === 'staging' ? 'local' : a)))).toBe(2);
    expect(h.stderr.text).toMatch(/^ltc local: invalid input; nothing was started:\n {2}\w/);
    expect(local.runs()).toBe(0);
  });

  it('as an input field name: not a known field', async () => {
    const path = join(dir, `key-${name}.json`);
    writeFileSync(path, `{"environment":"staging","targetOrdersPerMinute":10,"${name}":{"environment":"x"}}`);
    const h = harness();
    expect(await h.run('validate', '--input', path)).toBe(2);
    expect(h.stderr.text).toContain(`  ${name}: is not a known field`);
  });

  it('as a command, a help topic and a flag: unknown, exit 2', async () => {
    for (const argv of [
      [name],
      ['help', name],
      ['validate', `--${name}`],
      ['status', EXEC_ARN, `--${name}`],
    ]) {
      const h = harness();
      expect(await h.run(...argv)).toBe(2);
      expect(h.stderr.text).toMatch(/unknown (command|flag)/);
    }
  });

  it('as an execution name: status, stop and report look it up like any other', async () => {
    const arn = `arn:aws:states:eu-central-1:111122223333:execution:load-test:${name}`;
    const sfn = new FakeSfn([describe_('RUNNING', { executionArn: arn })]);
    for (const command of ['status', 'stop']) {
      const h = harness({ sfn });
      expect(await h.run(command, arn, '--json')).toBe(0);
      expect(JSON.parse(h.stdout.text).executionArn).toBe(arn);
    }
  });

  it('as a config environment --environment does not find: named, with the configured ones', async () => {
    const h = harness();
    await h.run('validate', '--config', constructorConfig(), '--environment', name, '--target', '10');
    if (name === 'constructor') expect(h.stderr.text).toBe('');
    else expect(h.stderr.text).toMatch(/^ {2}environment: /m);
  });
});

describe('a configuration that names its environment, scenario and application "constructor"', () => {
  it('finds each of them, and nothing else', async () => {
    const config = constructorConfig();
    const ok = harness();
    expect(
      await ok.run(
        'validate',
        '--config',
        config,
        '--environment',
        'constructor',
        '--target',
        '10',
        '--json',
      ),
    ).toBe(0);
    expect(JSON.parse(ok.stdout.text).request).toMatchObject({
      environment: 'constructor',
      scenario: 'constructor',
      applications: ['constructor', 'payments'],
    });
    const bad = harness();
    expect(
      await bad.run(
        'validate',
        '--config',
        config,
        '--environment',
        'constructor',
        '--target',
        '10',
        '--scenario',
        'tostring',
      ),
    ).toBe(2);
    expect(bad.stderr.text).toContain(
      "scenario: 'tostring' is not a scenario of 'constructor' (constructor)",
    );
  });
});

describe.each(NAMES)('a configuration naming something %s', (name) => {
  const variants: [
    string,
    (staging: Record<string, unknown>, config: { environments: Record<string, unknown> }) => void,
    RegExp,
  ][] = [
    [
      'an environment',
      (staging, config) => {
        config.environments = JSON.parse(`{${JSON.stringify(name)}: ${JSON.stringify(staging)}}`);
      },
      new RegExp(`^ {2}environments(\\.${name})?: `, 'm'),
    ],
    [
      'a scenario',
      (staging) => {
        staging.scenarios = [name];
        staging.defaultScenario = name;
        staging.userClasses = {};
      },
      /^ {2}environments\.staging\.(scenarios\[0\]|defaultScenario): /m,
    ],
    [
      'an application',
      (staging) => {
        (staging.applications as { name: string }[])[0] = {
          ...(staging.applications as { name: string }[])[0],
          name,
        } as { name: string };
      },
      /^ {2}environments\.staging\.applications\[0\]\.name: /m,
    ],
    [
      'an SLO field',
      (staging) => {
        staging.slos = JSON.parse(`{${JSON.stringify(name)}: 1, "maxFailureRatio": 0.01}`);
      },
      new RegExp(`^ {2}environments\\.staging\\.slos\\.${name}: is not a known field`, 'm'),
    ],
  ];
  it.each(variants)(
    '%s: usable when its pattern allows it, else a config error naming the field, exit 3',
    async (_what, change, problem) => {
      const config = JSON.parse(readFileSync('config/example.json', 'utf8')) as {
        environments: Record<string, Record<string, unknown>>;
        schedules?: unknown;
      };
      delete config.schedules;
      change(config.environments.staging as Record<string, unknown>, config);
      const path = join(dir, `config-${_what.replace(/ /g, '-')}-${name}.json`);
      writeFileSync(path, JSON.stringify(config));
      const h = harness();
      const environment = _what === 'an environment' ? name : 'staging';
      const code = await h.run('validate', '--config', path, '--environment', environment, '--target', '10');
      expect(h.stderr.text).not.toMatch(/TypeError|Cannot read/);
      if (name === 'constructor' && _what !== 'an SLO field') {
        expect(code).toBe(0);
      } else {
        expect(code).toBe(3);
        expect(h.stderr.text).toMatch(problem);
      }
    },
  );
});
