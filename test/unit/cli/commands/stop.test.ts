import { describe, expect, it } from 'vitest';
import { describe_, EXEC_ARN, FakeSfn, harness } from '../../../support/cli-fakes';

const CONSOLE =
  'https://eu-central-1.console.aws.amazon.com/states/home?region=eu-central-1#/v2/executions/details/' +
  EXEC_ARN;

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
