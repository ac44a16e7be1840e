import { describe, expect, it } from 'vitest';
import { explainAwsError } from '../../../../cli/aws';
import { DEFAULT_POLL_SECONDS } from '../../../../cli/commands/start';
import {
  continuationArn,
  continued,
  describe_,
  EXEC_ARN,
  FakeSfn,
  harness,
  SM_ARN,
  tickEvent,
} from '../../../support/cli-fakes';

const VALID = ['--environment', 'staging', '--target', '1200'];
const CONSOLE =
  'https://eu-central-1.console.aws.amazon.com/states/home?region=eu-central-1#/v2/executions/details/' +
  EXEC_ARN;

describe('ltc start', () => {
  it('starts an execution with exactly the given fields and prints its ARN and console URL', async () => {
    const h = harness();
    expect(await h.run('start', '--state-machine-arn', SM_ARN, ...VALID, '--no-deploy')).toBe(0);
    expect(h.sfn.starts).toEqual([
      {
        stateMachineArn: SM_ARN,
        input: JSON.stringify({
          environment: 'staging',
          targetOrdersPerMinute: 1200,
          deployProductionVersions: false,
        }),
      },
    ]);
    expect(h.regions).toEqual(['eu-central-1']);
    expect(h.stdout.text).toBe(`execution  ${EXEC_ARN}\nconsole    ${CONSOLE}\n`);
    expect(h.sfn.describes).toBe(0);
  });

  it('takes the ARN from LTC_STATE_MACHINE_ARN, a --name and a --region', async () => {
    const h = harness({ env: { LTC_STATE_MACHINE_ARN: SM_ARN } });
    expect(await h.run('start', ...VALID, '--name', 'rehearsal-1', '--region', 'us-east-1')).toBe(0);
    expect(h.sfn.starts[0]).toMatchObject({ stateMachineArn: SM_ARN, name: 'rehearsal-1' });
    expect(h.regions).toEqual(['us-east-1']);
  });

  it('never calls Step Functions with invalid input', async () => {
    const h = harness();
    expect(
      await h.run('start', '--state-machine-arn', SM_ARN, '--environment', 'staging', '--target', '9000'),
    ).toBe(2);
    expect(h.stderr.text).toBe(
      "ltc start: invalid input; nothing was started:\n  targetOrdersPerMinute: must be at most 6000, the maximum of environment 'staging' (got 9000)\n",
    );
    expect(h.regions).toEqual([]);
    expect(h.sfn.starts).toEqual([]);
  });

  it.each([
    [[], /--state-machine-arn is required \(or set LTC_STATE_MACHINE_ARN\)/],
    [['--state-machine-arn', EXEC_ARN], /--state-machine-arn: '.*' is not a state machine ARN/],
    [['--state-machine-arn', 'load-test'], /--state-machine-arn: 'load-test' is not a state machine ARN/],
    [['--state-machine-arn', SM_ARN, '--poll-seconds', '0'], /--poll-seconds: '0' must be greater than 0/],
    [['--state-machine-arn', SM_ARN, '--poll-seconds', 'often'], /--poll-seconds: 'often' is not a number/],
    [['--state-machine-arn', SM_ARN, '--name', ''], /--name: must not be empty/],
    [['--state-machine-arn', SM_ARN, '--wait=yes'], /--wait/],
  ])('rejects %j before any AWS call', async (args, message) => {
    const h = harness();
    expect(await h.run('start', ...VALID, ...args)).toBe(2);
    expect(h.stderr.text).toMatch(message);
    expect(h.regions).toEqual([]);
  });

  it('names LTC_STATE_MACHINE_ARN when that is the bad one', async () => {
    const h = harness({ env: { LTC_STATE_MACHINE_ARN: 'nope' } });
    expect(await h.run('start', ...VALID)).toBe(2);
    expect(h.stderr.text).toMatch(/^ltc start: LTC_STATE_MACHINE_ARN: 'nope' is not a state machine ARN/);
  });

  it('reports an AWS error naming the service, the endpoint and its code, exit 5', async () => {
    const sfn = new FakeSfn();
    sfn.startExecution = async () => {
      const err = new Error('State Machine Does Not Exist');
      err.name = 'StateMachineDoesNotExist';
      throw explainAwsError(err, 'sfn', 'eu-central-1', {}, 'StartExecution');
    };
    const h = harness({ sfn });
    expect(await h.run('start', '--state-machine-arn', SM_ARN, ...VALID)).toBe(5);
    expect(h.stderr.text).toBe(
      'ltc start: Step Functions (https://states.eu-central-1.amazonaws.com) answered StartExecution with StateMachineDoesNotExist: State Machine Does Not Exist\n',
    );
  });
});

describe('ltc start --wait', () => {
  const run = async (final: ReturnType<typeof describe_>, history: ReturnType<typeof tickEvent>[][] = []) => {
    const sfn = new FakeSfn([describe_('RUNNING'), describe_('RUNNING'), final], history);
    const h = harness({ sfn });
    const code = await h.run(
      'start',
      '--state-machine-arn',
      SM_ARN,
      ...VALID,
      '--wait',
      '--poll-seconds',
      '0.5',
    );
    return { code, h };
  };

  it.each([
    ['pass', 0],
    ['warn', 0],
    ['dry-run', 0],
    ['fail', 1],
  ])('exits with the verdict: SUCCEEDED %s → %i', async (outcome, expected) => {
    const { code, h } = await run(describe_('SUCCEEDED', { output: JSON.stringify({ outcome }) }));
    expect(code).toBe(expected);
    expect(h.stdout.text).toContain(`outcome  ${outcome}\n`);
    expect(h.sleeps).toEqual([500, 500]);
  });

  it('prints each status change once, and each new tick', async () => {
    const { h } = await run(describe_('SUCCEEDED', { output: '{"outcome":"pass"}' }), [
      [
        tickEvent({
          tick: 3,
          ordersPerMinute: 420.26,
          targetNow: 450,
          users: 90,
          workers: 2,
          message: 'ramping',
        }),
      ],
    ]);
    const lines = h.stdout.text.trim().split('\n').slice(2);
    expect(lines).toEqual([
      '2026-11-27T10:00:00.000Z  RUNNING',
      '2026-11-27T10:00:00.000Z  tick 3: 420.3 orders/min (target now 450), 90 users, 2 workers — ramping',
      '2026-11-27T10:00:00.000Z  SUCCEEDED',
      'outcome  pass',
    ]);
  });

  it.each(['FAILED', 'TIMED_OUT', 'ABORTED'])('%s → 4 with error and cause', async (status) => {
    const { code, h } = await run(
      describe_(status, { error: 'ScaleError', cause: 'payments did not become ready' }),
    );
    expect(code).toBe(4);
    expect(h.stdout.text).toContain(`  ${status}\n`);
    expect(h.stderr.text).toBe('error  ScaleError\ncause  payments did not become ready\n');
  });

  it('SUCCEEDED without a known outcome → 4', async () => {
    const { code, h } = await run(describe_('SUCCEEDED', { output: '{"verdict":"ok"}' }));
    expect(code).toBe(4);
    expect(h.stderr.text).toMatch(/without a known outcome/);
  });

  it(`polls every ${DEFAULT_POLL_SECONDS} s by default`, async () => {
    const sfn = new FakeSfn([describe_('RUNNING'), describe_('SUCCEEDED', { output: '{"outcome":"pass"}' })]);
    const h = harness({ sfn });
    expect(await h.run('start', '--state-machine-arn', SM_ARN, ...VALID, '--wait')).toBe(0);
    expect(h.sleeps).toEqual([DEFAULT_POLL_SECONDS * 1000]);
  });

  it("follows a long soak into each execution it continues in and exits with the last one's verdict", async () => {
    const C2 = continuationArn(2);
    const C3 = continuationArn(3);
    const sfn = new FakeSfn([], [[tickEvent({ tick: 2250, ordersPerMinute: 1200 })]], {
      [EXEC_ARN]: [describe_('RUNNING'), continued(EXEC_ARN, C2)],
      [C2]: [describe_('RUNNING', { executionArn: C2 }), continued(C2, C3)],
      [C3]: [
        describe_('RUNNING', { executionArn: C3 }),
        describe_('SUCCEEDED', { executionArn: C3, output: '{"outcome":"fail"}' }),
      ],
    });
    const h = harness({ sfn });
    expect(await h.run('start', '--state-machine-arn', SM_ARN, ...VALID, '--wait')).toBe(1);
    expect(h.stdout.text.trim().split('\n').slice(2)).toEqual([
      '2026-11-27T10:00:00.000Z  RUNNING',
      '2026-11-27T10:00:00.000Z  tick 2250: 1200 orders/min',
      `2026-11-27T10:00:00.000Z  continued in ${C2}`,
      `2026-11-27T10:00:00.000Z  continued in ${C3}`,
      '2026-11-27T10:00:00.000Z  SUCCEEDED',
      'outcome  fail',
    ]);
    expect(h.stderr.text).toBe('');
    expect(sfn.historyCalls.map((c) => c.executionArn)).toEqual([EXEC_ARN, C2, C3]);
    expect(h.sleeps).toHaveLength(3);
  });
});
