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
} from '../../support/cli-fakes';

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
