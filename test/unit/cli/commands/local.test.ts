import { describe, expect, it } from 'vitest';
import { LOCAL_EXAMPLES, LOCAL_HELP, RELAYED_SIGNAL_MS } from '../../../../cli/commands/local';
import type { RunLocalOptions, RunLocalResult } from '../../../../cli/deps';
import { countingRunLocal, harness } from '../../../support/cli-fakes';

function fakeRunner(result: RunLocalResult) {
  const calls: RunLocalOptions[] = [];
  const runLocal = async (options: RunLocalOptions) => {
    calls.push(options);
    options.out?.write('live progress\n');
    return result;
  };
  return { calls, runLocal };
}

describe('ltc local', () => {
  it('runs the local lifecycle with environment "local" by default', async () => {
    const { calls, runLocal } = fakeRunner({
      status: 'SUCCEEDED',
      output: { outcome: 'pass' },
      executionName: 'local-1',
    });
    const h = harness({ runLocal });
    expect(
      await h.run(
        'local',
        '--target',
        '120',
        '--ramp-up',
        '1',
        '--plateau',
        '1',
        '--tick',
        '10',
        '--workers',
        '2',
      ),
    ).toBe(0);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.input).toEqual({
      environment: 'local',
      targetOrdersPerMinute: 120,
      rampUpMinutes: 1,
      plateauMinutes: 1,
      tickSeconds: 10,
    });
    expect(calls[0]?.workers).toBe(2);
    expect(calls[0]?.out).toBe(h.stdout);
    expect(h.stdout.text).toBe('live progress\nexecution  local-1\nstatus     SUCCEEDED\noutcome    pass\n');
  });

  it('resolves --report-dir against the working directory', async () => {
    const { calls, runLocal } = fakeRunner({
      status: 'SUCCEEDED',
      output: '{"outcome":"pass"}',
      executionName: 'x',
    });
    const h = harness({ runLocal, cwd: '/tmp' });
    expect(await h.run('local', '--target', '60', '--report-dir', 'reports')).toBe(0);
    expect(calls[0]?.reportDir).toBe('/tmp/reports');
  });

  it.each([
    [{ status: 'SUCCEEDED', output: { outcome: 'fail' }, executionName: 'x' }, 1],
    [{ status: 'FAILED', error: { Error: 'ScaleError', Cause: 'shop never ready' }, executionName: 'x' }, 4],
    [{ status: 'ABORTED', executionName: 'x' }, 4],
  ] as const)('exits with exitCodeFor: %j → %i', async (result, code) => {
    const { runLocal } = fakeRunner(result as RunLocalResult);
    const h = harness({ runLocal });
    expect(await h.run('local', '--target', '60')).toBe(code);
    if (result.status === 'FAILED')
      expect(h.stderr.text).toBe('error  ScaleError\ncause  shop never ready\n');
  });

  it('checks the input against config/local.json before starting anything', async () => {
    const { calls, runLocal } = fakeRunner({ status: 'SUCCEEDED', executionName: 'x' });
    const h = harness({ runLocal });
    expect(await h.run('local', '--target', '5000', '--environment', 'staging')).toBe(2);
    expect(h.stderr.text).toMatch(/^ {2}environment: 'staging' is not configured/m);
    expect(calls).toEqual([]);
  });

  it.each([
    [['--workers', 'two'], /--workers: 'two' is not a number/],
    [['--workers', '1.5'], /--workers: '1.5' must be a whole number/],
    [['--workers=-1'], /--workers: '-1' must be a whole number of at least 0/],
    [['--report-dir'], /--report-dir/],
    [['--state-machine-arn', 'x'], /--state-machine-arn/],
  ])('rejects %j', async (args, message) => {
    const { calls, runLocal } = fakeRunner({ status: 'SUCCEEDED', executionName: 'x' });
    const h = harness({ runLocal });
    expect(await h.run('local', '--target', '60', ...args)).toBe(2);
    expect(h.stderr.text).toMatch(message);
    expect(calls).toEqual([]);
  });

  it('reports a runner that throws as a failed run, exit 4', async () => {
    const h = harness({
      runLocal: async () => {
        throw new Error('locust did not start');
      },
    });
    expect(await h.run('local', '--target', '60')).toBe(4);
    expect(h.stderr.text).toBe('ltc local: the local run failed: locust did not start\n');
  });

  it('--dry-run checks and plans without loading the runner (no server starts)', async () => {
    const local = countingRunLocal();
    const h = harness({ runLocal: local.runLocal });
    expect(
      await h.run(
        'local',
        '--target',
        '600',
        '--ramp-up',
        '1',
        '--plateau',
        '2',
        '--tick',
        '10',
        '--dry-run',
      ),
    ).toBe(0);
    expect(local.runs()).toBe(0);
    expect(h.stdout.text).toBe(
      [
        'environment    local',
        'applications   shop',
        'planned ticks  19',
        'summary        dry run: checkout on shop to 600 orders/min over 1 + 2 min in 19 ticks of 10 s; nothing was started',
        '',
      ].join('\n'),
    );
  });

  it('--dry-run with invalid input is an input error, exit 2', async () => {
    const h = harness();
    expect(await h.run('local', '--target', '99999', '--dry-run')).toBe(2);
    expect(h.stderr.text).toMatch(/^ {2}targetOrdersPerMinute: must be at most 3000/m);
  });

  it('its help shows the examples, and the help suggests an --input file local accepts', () => {
    for (const example of LOCAL_EXAMPLES) expect(LOCAL_HELP).toContain(`  ${example}\n`);
    expect(LOCAL_HELP).toContain('(e.g. examples/local/short-run.json)');
  });

  it.each(LOCAL_EXAMPLES)('the help example "%s" works', async (example) => {
    const { calls, runLocal } = fakeRunner({
      status: 'SUCCEEDED',
      output: { outcome: 'pass' },
      executionName: 'x',
    });
    const h = harness({ runLocal });
    const [, command, ...args] = example.split(' ');
    expect(await h.run(command as string, ...args)).toBe(0);
    expect(h.stderr.text).toBe('');
    expect(calls).toHaveLength(example.includes('--dry-run') ? 0 : 1);
  });

  it('a local run whose restore is incomplete says so first, exit 6', async () => {
    const restore = {
      complete: false,
      errors: [{ step: 'Cleanup', error: 'orders table not emptied' }],
      leftovers: [],
    };
    const { runLocal } = fakeRunner({
      status: 'SUCCEEDED',
      output: { outcome: 'pass', restore },
      executionName: 'local-1',
    });
    const h = harness({ runLocal });
    expect(await h.run('local', '--target', '60')).toBe(6);
    expect(h.stdout.text).toBe(
      [
        'live progress',
        'restore    INCOMPLETE: the environment is not back to its recorded shape',
        '           Cleanup: orders table not emptied',
        'execution  local-1',
        'status     SUCCEEDED',
        'outcome    pass',
        '',
      ].join('\n'),
    );
  });

  it('a first interruption stops the run, a second skips to stopping the servers; the run exits 130', async () => {
    const seen: string[] = [];
    let h: ReturnType<typeof harness> | undefined;
    const runLocal = async (options: RunLocalOptions): Promise<RunLocalResult> => {
      options.interrupt?.addEventListener('abort', () => seen.push(`interrupt ${options.interrupt?.reason}`));
      options.shutdown?.addEventListener('abort', () => seen.push(`shutdown ${options.shutdown?.reason}`));
      h?.interrupt();
      h?.interrupt();
      h?.interrupt(); // a third changes nothing more
      return {
        status: 'ABORTED',
        executionName: 'local-1',
        error: { Error: 'Interrupted', Cause: 'SIGINT: skipped by a second interruption' },
        interrupted: { signal: 'SIGINT', janitor: null },
      };
    };
    let clock = Date.parse('2026-11-27T10:00:00Z');
    // Each look at the clock is two seconds later: every interrupt is a person's, none a relayed copy.
    const now = () => {
      clock += 2000;
      return new Date(clock);
    };
    h = harness({ runLocal, now });
    expect(await h.run('local', '--target', '60')).toBe(130);
    expect(seen).toEqual(['interrupt SIGINT', 'shutdown SIGINT']);
    expect(h.stderr.text).toContain('SIGINT: stopping the run (stop the load, restore, release the lock)');
    expect(h.stderr.text).toContain('SIGINT again: skipping the clean-up, stopping the servers');
  });

  it('a copy of the signal relayed within a second (npm, tsx) is not a second interrupt', async () => {
    const seen: string[] = [];
    let h: ReturnType<typeof harness> | undefined;
    let clock = Date.parse('2026-11-27T10:00:00Z');
    const runLocal = async (options: RunLocalOptions): Promise<RunLocalResult> => {
      options.shutdown?.addEventListener('abort', () => seen.push('shutdown'));
      h?.interrupt();
      clock += RELAYED_SIGNAL_MS - 1;
      h?.interrupt(); // relayed: ignored
      expect(options.interrupt?.aborted).toBe(true);
      expect(seen).toEqual([]);
      clock += 1;
      h?.interrupt(); // a second Ctrl-C
      return {
        status: 'ABORTED',
        executionName: 'local-1',
        interrupted: { signal: 'SIGINT', janitor: null },
      };
    };
    h = harness({ runLocal, now: () => new Date(clock) });
    expect(await h.run('local', '--target', '60')).toBe(130);
    expect(seen).toEqual(['shutdown']);
  });
});
