import { describe, expect, it } from 'vitest';
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

describe('ltc stop', () => {
  const runningThenAborted = () => new FakeSfn([describe_('RUNNING'), describe_('ABORTED')]);

  it('stops the execution and says who restores the environment', async () => {
    const h = harness({ sfn: runningThenAborted() });
    expect(await h.run('stop', EXEC_ARN, '--cause', 'wrong target')).toBe(0);
    expect(h.sfn.stops).toEqual([{ executionArn: EXEC_ARN, cause: 'wrong target' }]);
    expect(h.stdout.text).toMatch(/^status +stopped; the environment is restored by the cleanup path$/m);
    expect(h.stdout.text).not.toMatch(/^current/m);
    expect(h.stdout.text).toContain(CONSOLE);
  });

  it('records a default cause and honours --region', async () => {
    const h = harness({ sfn: runningThenAborted() });
    expect(await h.run('stop', '--region', 'us-east-2', EXEC_ARN)).toBe(0);
    expect(h.sfn.stops[0]?.cause).toBe('stopped with ltc stop');
    expect(h.regions).toEqual(['us-east-2']);
  });

  it.each([
    [[], /missing argument <executionArn>/],
    [['arn:aws:states:eu-central-1:1:stateMachine:x'], /is not an execution ARN/],
    [[EXEC_ARN, '--cause'], /--cause/],
    [[EXEC_ARN, '--force'], /--force/],
  ])('rejects %j without calling AWS', async (args, message) => {
    const h = harness();
    expect(await h.run('stop', ...args)).toBe(2);
    expect(h.stderr.text).toMatch(message);
    expect(h.sfn.stops).toEqual([]);
  });
});

describe('a long soak continued in new executions', () => {
  const C2 = continuationArn(2);
  const C3 = continuationArn(3);
  const consoleOf = (arn: string) =>
    `https://eu-central-1.console.aws.amazon.com/states/home?region=eu-central-1#/v2/executions/details/${arn}`;

  it("status of the first execution shows the run's current execution, its state and its latest tick", async () => {
    const sfn = new FakeSfn([], [[tickEvent({ tick: 4600, ordersPerMinute: 1200, users: 240 })]], {
      [EXEC_ARN]: [continued(EXEC_ARN, C2)],
      [C2]: [continued(C2, C3)],
      [C3]: [describe_('RUNNING', { executionArn: C3, startDate: new Date('2026-11-29T10:00:00Z') })],
    });
    const h = harness({ sfn });
    expect(await h.run('status', EXEC_ARN)).toBe(0);
    expect(h.stdout.text).toBe(
      [
        `execution   ${EXEC_ARN}`,
        `current     ${C3}`,
        'continued   2 times',
        'status      RUNNING',
        'started     2026-11-29T10:00:00.000Z',
        'tick        4600',
        'orders/min  1200',
        'users       240',
        `console     ${consoleOf(C3)}`,
        '',
      ].join('\n'),
    );
    expect(sfn.described).toEqual([EXEC_ARN, C2, C3]);
    expect(sfn.historyCalls.map((c) => c.executionArn)).toEqual([C3]);
  });

  it('status of a middle execution follows on from there; of the last one, shows just that one', async () => {
    const chain = {
      [C2]: [continued(C2, C3)],
      [C3]: [describe_('SUCCEEDED', { executionArn: C3, output: '{"outcome":"pass","ramp":{"tick":9000}}' })],
    };
    const middle = harness({ sfn: new FakeSfn([], [], chain) });
    await middle.run('status', C2);
    expect(middle.stdout.text).toMatch(
      new RegExp(`^current +${C3}\ncontinued +1 time\nstatus +SUCCEEDED$`, 'm'),
    );
    expect(middle.stdout.text).toMatch(/^outcome +pass$/m);
    const last = harness({ sfn: new FakeSfn([], [], chain) });
    await last.run('status', C3);
    expect(last.stdout.text).not.toMatch(/^(current|continued)/m);
    expect(last.stdout.text).toMatch(/^outcome +pass$/m);
  });

  it("an output naming another state machine's execution is no continuation", async () => {
    const elsewhere = 'arn:aws:states:eu-central-1:111122223333:execution:other-machine:x';
    const h = harness({ sfn: new FakeSfn([], [], { [EXEC_ARN]: [continued(EXEC_ARN, elsewhere)] }) });
    await h.run('status', EXEC_ARN);
    expect(h.sfn.described).toEqual([EXEC_ARN]);
    expect(h.stdout.text).toMatch(/^status +SUCCEEDED$/m);
  });

  it('a chain that loops back is reported, exit 70 (not an answer ltc can follow)', async () => {
    const sfn = new FakeSfn([], [], {
      [EXEC_ARN]: [continued(EXEC_ARN, C2)],
      [C2]: [continued(C2, EXEC_ARN)],
    });
    const h = harness({ sfn });
    expect(await h.run('status', EXEC_ARN)).toBe(70);
    expect(h.stderr.text).toMatch(/continued in .*run-1, which is earlier in its chain/);
  });

  it('stop given the first execution stops the one running now, not the finished first', async () => {
    const sfn = new FakeSfn([], [], {
      [EXEC_ARN]: [continued(EXEC_ARN, C2)],
      [C2]: [describe_('RUNNING', { executionArn: C2 }), describe_('ABORTED', { executionArn: C2 })],
    });
    const h = harness({ sfn });
    expect(await h.run('stop', EXEC_ARN)).toBe(0);
    expect(sfn.stops).toEqual([{ executionArn: C2, cause: 'stopped with ltc stop' }]);
    expect(h.stdout.text).toMatch(new RegExp(`^current +${C2}$`, 'm'));
    expect(h.stdout.text).toMatch(/^status +stopped; the environment is restored by the cleanup path$/m);
    expect(h.stdout.text).toContain(consoleOf(C2));
  });

  it('stop also stops the execution a run continued in between the describe and the stop', async () => {
    const sfn = new FakeSfn([], [], {
      [EXEC_ARN]: [describe_('RUNNING'), continued(EXEC_ARN, C2)],
      [C2]: [describe_('RUNNING', { executionArn: C2 }), describe_('ABORTED', { executionArn: C2 })],
    });
    const h = harness({ sfn });
    expect(await h.run('stop', EXEC_ARN)).toBe(0);
    expect(sfn.stops.map((s) => s.executionArn)).toEqual([EXEC_ARN, C2]);
    expect(h.stdout.text).toMatch(new RegExp(`^current +${C2}$`, 'm'));
  });

  /** What "Continue in new execution" leaves in the history when it is scheduled: the next execution's name. */
  const continuationScheduled = (name: string) => ({
    id: 40,
    timestamp: new Date('2026-11-27T12:00:00Z'),
    type: 'TaskScheduled' as const,
    taskScheduledEventDetails: {
      resourceType: 'states',
      resource: 'startExecution',
      region: 'eu-central-1',
      parameters: JSON.stringify({ Input: { continuation: {} }, StateMachineArn: SM_ARN, Name: name }),
    },
  });

  it('stop also stops the execution a run was starting when the stop came', async () => {
    const sfn = new FakeSfn([], [[continuationScheduled('run-1-c2')]], {
      [EXEC_ARN]: [describe_('RUNNING'), describe_('ABORTED')],
      [C2]: [describe_('RUNNING', { executionArn: C2 }), describe_('ABORTED', { executionArn: C2 })],
    });
    const h = harness({ sfn });
    expect(await h.run('stop', EXEC_ARN)).toBe(0);
    expect(sfn.stops.map((s) => s.executionArn)).toEqual([EXEC_ARN, C2]);
    expect(sfn.historyCalls[0]).toMatchObject({ executionArn: EXEC_ARN, reverseOrder: true });
    expect(h.stdout.text).toMatch(new RegExp(`^current +${C2}$`, 'm'));
  });

  it('stop stops only the one execution when the start it was making never went through', async () => {
    const sfn = new FakeSfn([], [[continuationScheduled('run-1-c2')]], {
      [EXEC_ARN]: [describe_('RUNNING'), describe_('ABORTED')],
    });
    const describeScripted = sfn.describeExecution.bind(sfn);
    sfn.describeExecution = async (input) => {
      if (input.executionArn !== C2) return describeScripted(input);
      const err = new Error(`Execution Does Not Exist: '${C2}'`);
      err.name = 'ExecutionDoesNotExist';
      throw err;
    };
    const h = harness({ sfn });
    expect(await h.run('stop', EXEC_ARN)).toBe(0);
    expect(sfn.stops.map((s) => s.executionArn)).toEqual([EXEC_ARN]);
    expect(h.stdout.text).not.toMatch(/^current/m);
  });

  it('stop of a run that already ended stops nothing and says so', async () => {
    const sfn = new FakeSfn([], [], {
      [EXEC_ARN]: [continued(EXEC_ARN, C2)],
      [C2]: [describe_('SUCCEEDED', { executionArn: C2, output: '{"outcome":"fail"}' })],
    });
    const h = harness({ sfn });
    expect(await h.run('stop', EXEC_ARN)).toBe(0);
    expect(sfn.stops).toEqual([]);
    expect(h.stdout.text).toMatch(/^status +not running \(SUCCEEDED\): nothing to stop$/m);
  });
});
