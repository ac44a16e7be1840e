/** How `status` and `start --wait` tell a person how a run ended: verdict, failed SLOs, restore, Ctrl-C. */
import { describe, expect, it } from 'vitest';
import { explainAwsError } from '../../../cli/aws';
import { describe_, EXEC_ARN, FakeSfn, harness, SM_ARN } from '../../support/cli-fakes';
import { cliDocument } from '../../support/schema-check';

const VALID = ['--environment', 'staging', '--target', '1200'];

const verdict = {
  outcome: 'fail',
  summary: 'fail: checkout p95 latency 1200 ms > 800 ms',
  reasons: ['checkout p95 latency 1200 ms > 800 ms'],
  slis: [
    {
      id: 'latency-p95',
      name: 'checkout p95 latency',
      status: 'fail',
      threshold: '≤ 800 ms',
      observed: 1200,
      unit: 'ms',
      why: '1200 ms > 800 ms',
    },
    {
      id: 'orders',
      name: 'orders per minute',
      status: 'pass',
      threshold: '≥ 1080',
      observed: 1190,
      unit: '/min',
    },
  ],
  abort: {
    sloId: 'latency-p95',
    label: 'checkout p95 latency',
    tick: 12,
    reason: 'p95 above 800 ms for 3 ticks',
  },
  report: 's3://reports/runs/staging/run-1/report.html',
};
const restore = {
  complete: false,
  errors: [{ step: 'Teardown', error: 'scale timed out', at: '2026-11-27T11:00:00Z' }],
  leftovers: [{ kind: 'deployment', name: 'payments', current: 8, recorded: 2 }],
};

describe('start --wait on a failing run', () => {
  it('prints the verdict summary and which SLO failed, exit 1', async () => {
    const sfn = new FakeSfn([describe_('SUCCEEDED', { output: JSON.stringify(verdict) })]);
    const h = harness({ sfn });
    expect(await h.run('start', '--state-machine-arn', SM_ARN, ...VALID, '--wait')).toBe(1);
    expect(h.stdout.text.split('\n').slice(3).join('\n')).toBe(
      [
        'outcome     fail',
        'summary     fail: checkout p95 latency 1200 ms > 800 ms',
        'failed SLO  checkout p95 latency: 1200 ms (wanted ≤ 800 ms) — 1200 ms > 800 ms',
        'aborted by  p95 above 800 ms for 3 ticks',
        'report      s3://reports/runs/staging/run-1/report.html',
        '',
      ].join('\n'),
    );
  });

  it('a FAILED run: the verdict Evaluate gave (from the history), then error and cause, exit 4', async () => {
    const sfn = new FakeSfn(
      [describe_('FAILED', { error: 'ScaleError', cause: 'payments not ready' })],
      [
        [
          {
            id: 9,
            timestamp: new Date(),
            type: 'ChoiceStateExited',
            stateExitedEventDetails: { name: 'Outcome?', output: JSON.stringify({ run: {}, verdict }) },
          },
        ],
      ],
    );
    const h = harness({ sfn });
    expect(await h.run('start', '--state-machine-arn', SM_ARN, ...VALID, '--wait')).toBe(4);
    expect(h.stdout.text).toMatch(/^failed SLO +checkout p95 latency: 1200 ms/m);
    expect(h.stderr.text).toBe('error  ScaleError\ncause  payments not ready\n');
  });

  it('an incomplete restore is said first, on stderr, and exits 6', async () => {
    const sfn = new FakeSfn([
      describe_('SUCCEEDED', { output: JSON.stringify({ ...verdict, outcome: 'pass', slis: [], restore }) }),
    ]);
    const h = harness({ sfn });
    expect(await h.run('start', '--state-machine-arn', SM_ARN, ...VALID, '--wait')).toBe(6);
    expect(h.stderr.text).toBe(
      [
        'restore  INCOMPLETE: the environment is not back to its recorded shape',
        '         Teardown: scale timed out',
        '         left over: deployment payments is 8, was 2',
        '',
      ].join('\n'),
    );
  });
});

describe('status says an incomplete restore first', () => {
  it('before everything else, exit 6', async () => {
    const sfn = new FakeSfn([
      describe_('SUCCEEDED', { output: JSON.stringify({ outcome: 'pass', reasons: [], slis: [], restore }) }),
    ]);
    const h = harness({ sfn });
    expect(await h.run('status', EXEC_ARN)).toBe(6);
    const lines = h.stdout.text.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      'restore    INCOMPLETE: the environment is not back to its recorded shape',
      '           Teardown: scale timed out',
      '           left over: deployment payments is 8, was 2',
      `execution  ${EXEC_ARN}`,
    ]);
  });

  it('a FAILED run whose last state carries the restore report: exit 6', async () => {
    const sfn = new FakeSfn(
      [describe_('FAILED', { error: 'RestoreFailed' })],
      [
        [
          {
            id: 9,
            timestamp: new Date(),
            type: 'ChoiceStateExited',
            stateExitedEventDetails: { name: 'Outcome?', output: JSON.stringify({ run: {}, restore }) },
          },
        ],
      ],
    );
    const h = harness({ sfn });
    expect(await h.run('status', EXEC_ARN)).toBe(6);
    expect(h.stdout.text).toMatch(/^restore +INCOMPLETE/);
  });

  it('a run without a restore field has nothing to say about it', async () => {
    const h = harness({ sfn: new FakeSfn([describe_('SUCCEEDED', { output: '{"outcome":"pass"}' })]) });
    expect(await h.run('status', EXEC_ARN)).toBe(0);
    expect(h.stdout.text).not.toMatch(/restore/);
  });

  it('a failed verdict exits 1 and lists the failed SLO', async () => {
    const h = harness({ sfn: new FakeSfn([describe_('SUCCEEDED', { output: JSON.stringify(verdict) })]) });
    expect(await h.run('status', EXEC_ARN)).toBe(1);
    expect(h.stdout.text).toMatch(/^summary +fail: checkout p95 latency 1200 ms > 800 ms$/m);
    expect(h.stdout.text).toMatch(/^failed SLO +checkout p95 latency: 1200 ms \(wanted ≤ 800 ms\)/m);
  });
});

describe('Ctrl-C during start --wait', () => {
  it('the first says the execution continues, with its ARN and the stop command; following goes on', async () => {
    const sfn = new FakeSfn([
      describe_('RUNNING'),
      describe_('RUNNING'),
      describe_('SUCCEEDED', { output: '{"outcome":"pass"}' }),
    ]);
    let h: ReturnType<typeof harness> | undefined;
    h = harness({ sfn, onSleep: (n) => n === 1 && h?.interrupt() });
    expect(await h.run('start', '--state-machine-arn', SM_ARN, ...VALID, '--wait')).toBe(0);
    expect(h.stderr.text).toBe(
      [
        `The execution continues on AWS: ${EXEC_ARN}`,
        `To stop it: ltc stop ${EXEC_ARN}`,
        'Press Ctrl-C again to stop following it.',
        '',
      ].join('\n'),
    );
    expect(h.stdout.text).toMatch(/outcome +pass/);
  });

  it('the second stops following: exit 130, the execution is left running', async () => {
    const sfn = new FakeSfn([describe_('RUNNING')]);
    let h: ReturnType<typeof harness> | undefined;
    h = harness({
      sfn,
      onSleep: (n) => {
        if (n <= 2) h?.interrupt();
      },
    });
    expect(await h.run('start', '--state-machine-arn', SM_ARN, ...VALID, '--wait', '--json')).toBe(130);
    expect(h.stderr.text).toMatch(new RegExp(`Stopped following; the execution runs on: ${EXEC_ARN}\\n$`));
    expect(sfn.stops).toEqual([]);
    expect(JSON.parse(h.stdout.text)).toEqual({
      command: 'start',
      exitCode: 130,
      executionArn: EXEC_ARN,
      console: expect.any(String),
    });
  });

  it('Ctrl-C is ours only while following', async () => {
    const sfn = new FakeSfn([describe_('SUCCEEDED', { output: '{"outcome":"pass"}' })]);
    const h = harness({ sfn });
    await h.run('start', '--state-machine-arn', SM_ARN, ...VALID, '--wait');
    h.interrupt();
    expect(h.stderr.text).toBe('');
  });
});

describe('an AWS error while following a started run', () => {
  const failingSfn = () => {
    const sfn = new FakeSfn([describe_('RUNNING')]);
    sfn.describeExecution = async () => {
      throw explainAwsError(
        Object.assign(new Error('timed out'), { name: 'TimeoutError' }),
        'sfn',
        'eu-central-1',
        {},
        'DescribeExecution',
      );
    };
    return sfn;
  };

  it('names the execution, which may still be running, exit 5', async () => {
    const h = harness({ sfn: failingSfn() });
    expect(await h.run('start', '--state-machine-arn', SM_ARN, ...VALID, '--wait')).toBe(5);
    expect(h.stderr.text).toBe(
      'ltc start: Step Functions (https://states.eu-central-1.amazonaws.com) did not answer DescribeExecution within 20 s: check the network and the endpoint, or allow longer with LTC_TIMEOUT_SECONDS\n' +
        `The execution may still be running: ltc status ${EXEC_ARN} (ltc stop to stop it)\n`,
    );
  });

  it('--json: the error document carries its ARN', async () => {
    const h = harness({ sfn: failingSfn() });
    expect(await h.run('start', '--state-machine-arn', SM_ARN, ...VALID, '--wait', '--json')).toBe(5);
    expect(h.stdout.text).toBe('');
    const lines = h.stderr.text.trim().split('\n');
    expect(cliDocument(lines.at(-1) as string)).toMatchObject({
      error: { kind: 'aws', executionArn: EXEC_ARN },
    });
  });
});
