import { describe, expect, it } from 'vitest';
import { describe_, EXEC_ARN, FakeSfn, harness, tickEvent } from '../../../support/cli-fakes';

const CONSOLE =
  'https://eu-central-1.console.aws.amazon.com/states/home?region=eu-central-1#/v2/executions/details/' +
  EXEC_ARN;
const other = (name: string, type = 'TaskStateExited') => ({
  id: 1,
  timestamp: new Date(),
  type: type as 'TaskStateExited',
  stateExitedEventDetails: { name, output: '{"ramp":{"tick":999}}' },
});

describe('ltc status', () => {
  it("shows a running test's latest ramp tick, read newest first from the history", async () => {
    const sfn = new FakeSfn(
      [describe_('RUNNING')],
      [
        [other('Wait for next tick', 'WaitStateExited'), other('Ramp finished?', 'ChoiceStateExited')],
        [
          tickEvent({
            tick: 12,
            ordersPerMinute: 850,
            targetNow: 900,
            users: 170,
            workers: 4,
            message: 'on track',
          }),
          tickEvent({ tick: 11, ordersPerMinute: 800 }),
        ],
      ],
    );
    const h = harness({ sfn });
    expect(await h.run('status', EXEC_ARN)).toBe(0);
    expect(h.stdout.text).toBe(
      [
        `execution   ${EXEC_ARN}`,
        'status      RUNNING',
        'started     2026-11-27T10:00:00.000Z',
        'tick        12',
        'orders/min  850',
        'target now  900',
        'users       170',
        'workers     4',
        'message     on track',
        `console     ${CONSOLE}`,
        '',
      ].join('\n'),
    );
    expect(sfn.historyCalls[0]).toMatchObject({ executionArn: EXEC_ARN, reverseOrder: true });
    expect(sfn.historyCalls).toHaveLength(2);
    expect(h.regions).toEqual(['eu-central-1']);
  });

  it('prints only the progress fields that are present', async () => {
    const sfn = new FakeSfn([describe_('RUNNING')], [[tickEvent({ tick: 1, users: 5, nextTickAt: 'x' })]]);
    const h = harness({ sfn });
    await h.run('status', EXEC_ARN);
    expect(h.stdout.text).toMatch(/^tick +1\nusers +5\nconsole/m);
    expect(h.stdout.text).not.toMatch(/orders\/min|workers|message/);
  });

  it('says so when there is no tick yet', async () => {
    const h = harness({ sfn: new FakeSfn([describe_('RUNNING')], [[other('Deploy production versions')]]) });
    await h.run('status', EXEC_ARN);
    expect(h.stdout.text).toMatch(/^progress +no ramp tick yet$/m);
  });

  it("shows an ended run's outcome and stop time from its output", async () => {
    const output = JSON.stringify({ outcome: 'warn', ramp: { tick: 40, ordersPerMinute: 1190, users: 300 } });
    const sfn = new FakeSfn([describe_('SUCCEEDED', { stopDate: new Date('2026-11-27T11:30:00Z'), output })]);
    const h = harness({ sfn });
    expect(await h.run('status', EXEC_ARN)).toBe(0);
    expect(h.stdout.text).toMatch(/^stopped +2026-11-27T11:30:00.000Z$/m);
    expect(h.stdout.text).toMatch(/^outcome +warn$/m);
    expect(h.stdout.text).toMatch(/^tick +40\norders\/min +1190\nusers +300$/m);
    expect(sfn.historyCalls).toEqual([]);
  });

  it("shows a failed run's error and cause, and its last tick from the history", async () => {
    const sfn = new FakeSfn(
      [describe_('FAILED', { error: 'SaturationError', cause: 'target unreachable', stopDate: new Date() })],
      [[tickEvent({ tick: 7, ordersPerMinute: 300 })]],
    );
    const h = harness({ sfn });
    await h.run('status', EXEC_ARN);
    expect(h.stdout.text).toMatch(
      /^error +SaturationError\ncause +target unreachable\ntick +7\norders\/min +300$/m,
    );
  });

  it.each([
    [[], /missing argument <executionArn>/],
    [['run-1'], /<executionArn>: 'run-1' is not an execution ARN/],
    [[EXEC_ARN, 'extra'], /unexpected argument 'extra'/],
    [[EXEC_ARN, '--cause', 'x'], /--cause/],
  ])('rejects %j', async (args, message) => {
    const h = harness();
    expect(await h.run('status', ...args)).toBe(2);
    expect(h.stderr.text).toMatch(message);
    expect(h.regions).toEqual([]);
  });
});
