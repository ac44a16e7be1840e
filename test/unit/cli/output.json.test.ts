import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainAwsError } from '../../../cli/aws';
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
import { cliDocument } from '../../support/schema-check';

const VALID = ['--environment', 'staging', '--target', '1200'];
const dir = mkdtempSync(join(tmpdir(), 'ltc-json-'));

const failedVerdict = {
  outcome: 'fail',
  summary: 'fail: p95 latency 1200 ms > 800 ms',
  reasons: ['checkout p95 latency 1200 ms > 800 ms'],
  slis: [
    {
      id: 'latency-p95',
      name: 'checkout p95 latency',
      status: 'fail',
      passed: false,
      threshold: '≤ 800 ms',
      observed: 1200,
      unit: 'ms',
      why: '1200 ms > 800 ms',
    },
    {
      id: 'failure-ratio',
      name: 'failure ratio',
      status: 'pass',
      passed: true,
      threshold: '≤ 1 %',
      observed: 0.1,
      unit: '%',
      why: null,
    },
  ],
  abort: null,
  report: 's3://reports-bucket/runs/staging/run-1/report.html',
};

/** The last state of a run that FAILED after Evaluate judged it: what its history's newest state exit holds. */
function finalStateEvent(state: Record<string, unknown>) {
  return {
    id: 99,
    timestamp: new Date('2026-11-27T11:00:00Z'),
    type: 'ChoiceStateExited' as const,
    stateExitedEventDetails: { name: 'Outcome?', output: JSON.stringify({ run: {}, ...state }) },
  };
}

describe('--json: one document on stdout, valid against schema/cli-output.schema.json', () => {
  it('validate', async () => {
    const h = harness();
    expect(await h.run('validate', ...VALID, '--json')).toBe(0);
    expect(cliDocument(h.stdout.text)).toMatchObject({
      command: 'validate',
      request: { environment: 'staging' },
    });
  });

  it('start (without --wait)', async () => {
    const h = harness();
    expect(await h.run('start', '--state-machine-arn', SM_ARN, ...VALID, '--json')).toBe(0);
    expect(cliDocument(h.stdout.text)).toMatchObject({
      command: 'start',
      executionArn: EXEC_ARN,
      exitCode: 0,
    });
  });

  it('start --wait on a failing run: the verdict, its summary and the failed SLO; progress on stderr', async () => {
    const sfn = new FakeSfn(
      [describe_('RUNNING'), describe_('SUCCEEDED', { output: JSON.stringify(failedVerdict) })],
      [[tickEvent({ tick: 1, ordersPerMinute: 10 })]],
    );
    const h = harness({ sfn });
    expect(await h.run('start', '--state-machine-arn', SM_ARN, ...VALID, '--wait', '--json')).toBe(1);
    const doc = cliDocument(h.stdout.text);
    expect(doc).toMatchObject({
      command: 'start',
      exitCode: 1,
      run: {
        status: 'SUCCEEDED',
        outcome: 'fail',
        verdict: {
          summary: failedVerdict.summary,
          failedSlos: [{ id: 'latency-p95', name: 'checkout p95 latency', observed: 1200 }],
        },
      },
    });
    expect(h.stderr.text).toMatch(/RUNNING\n.*tick 1: 10 orders\/min\n.*SUCCEEDED\n$/);
  });

  it('status of a FAILED run exits 4 and names the failing SLO (from the last state in its history)', async () => {
    const sfn = new FakeSfn(
      [
        describe_('FAILED', {
          stopDate: new Date('2026-11-27T11:00:00Z'),
          error: 'ScaleError',
          cause: 'payments not ready',
        }),
      ],
      [[finalStateEvent({ verdict: failedVerdict, failure: { Error: 'ScaleError' } })]],
    );
    const h = harness({ sfn });
    expect(await h.run('status', EXEC_ARN, '--json')).toBe(4);
    expect(cliDocument(h.stdout.text)).toMatchObject({
      command: 'status',
      exitCode: 4,
      status: 'FAILED',
      outcome: 'fail',
      error: 'ScaleError',
      verdict: { failedSlos: [{ id: 'latency-p95', status: 'fail' }] },
    });
  });

  it.each(['ABORTED', 'TIMED_OUT'])('status of a %s run exits 4', async (status) => {
    const h = harness({ sfn: new FakeSfn([describe_(status)]) });
    expect(await h.run('status', EXEC_ARN, '--json')).toBe(4);
    expect(cliDocument(h.stdout.text)).toMatchObject({ status, verdict: null, exitCode: 4 });
  });

  it('status of a run whose restore is incomplete exits 6 and carries the restore report', async () => {
    const restore = {
      complete: false,
      errors: [{ step: 'Teardown', error: 'scale timed out', at: '2026-11-27T11:00:00Z' }],
      leftovers: [{ kind: 'deployment', name: 'payments', current: 8, recorded: 2 }],
    };
    const h = harness({
      sfn: new FakeSfn([
        describe_('SUCCEEDED', {
          output: JSON.stringify({ outcome: 'pass', reasons: [], slis: [], restore }),
        }),
      ]),
    });
    expect(await h.run('status', EXEC_ARN, '--json')).toBe(6);
    expect(cliDocument(h.stdout.text)).toMatchObject({ outcome: 'pass', restore });
  });

  it('status of a running continued run', async () => {
    const C2 = continuationArn(2);
    const sfn = new FakeSfn([], [[tickEvent({ tick: 7, users: 3 })]], {
      [EXEC_ARN]: [continued(EXEC_ARN, C2)],
      [C2]: [describe_('RUNNING', { executionArn: C2 })],
    });
    const h = harness({ sfn });
    expect(await h.run('status', EXEC_ARN, '--json')).toBe(0);
    expect(cliDocument(h.stdout.text)).toMatchObject({
      currentExecutionArn: C2,
      continuations: 1,
      progress: { tick: 7, users: 3 },
      outcome: null,
    });
  });

  it('stop', async () => {
    const h = harness({ sfn: new FakeSfn([describe_('RUNNING'), describe_('ABORTED')]) });
    expect(await h.run('stop', EXEC_ARN, '--json')).toBe(0);
    expect(cliDocument(h.stdout.text)).toMatchObject({ command: 'stop', stopped: true, status: 'ABORTED' });
  });

  it('local --dry-run', async () => {
    const h = harness();
    expect(await h.run('local', '--target', '600', '--dry-run', '--json')).toBe(0);
    expect(cliDocument(h.stdout.text)).toMatchObject({ command: 'local', dryRun: true, plannedTicks: 91 });
  });

  it('local: the run document, live progress on stderr', async () => {
    const h = harness({
      runLocal: async (options) => {
        options.out?.write('tick 1\n');
        return {
          status: 'SUCCEEDED',
          output: failedVerdict,
          executionName: 'local-1',
          reportPath: '/tmp/r.html',
        };
      },
    });
    expect(await h.run('local', '--target', '600', '--json')).toBe(1);
    expect(cliDocument(h.stdout.text)).toMatchObject({
      command: 'local',
      dryRun: false,
      outcome: 'fail',
      report: '/tmp/r.html',
    });
    expect(h.stderr.text).toBe('tick 1\n');
  });

  it('report', async () => {
    const h = harness({
      sfn: new FakeSfn([describe_('SUCCEEDED', { output: JSON.stringify(failedVerdict) })]),
      cwd: dir,
    });
    h.bucket.objects.set('reports-bucket/runs/staging/run-1/report.html', '<html></html>');
    h.bucket.objects.set('reports-bucket/runs/staging/run-1/summary.json', '{}');
    expect(await h.run('report', EXEC_ARN, '--json')).toBe(0);
    expect(cliDocument(h.stdout.text)).toMatchObject({
      command: 'report',
      report: join(dir, 'reports', 'run-1', 'report.html'),
    });
  });

  it('--version', async () => {
    const h = harness();
    expect(await h.run('--version', '--json')).toBe(0);
    expect(cliDocument(h.stdout.text)).toMatchObject({
      command: 'version',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
    });
  });
});

describe('--json: errors as one document on stderr, nothing on stdout', () => {
  const cases: [string, string[], Record<string, unknown>, number][] = [
    [
      'an unknown flag',
      ['status', EXEC_ARN, '--regoin', 'x', '--json'],
      { kind: 'usage', message: "unknown flag '--regoin' (did you mean --region?)" },
      2,
    ],
    [
      'an unknown command',
      ['stauts', '--json'],
      { kind: 'usage', message: "unknown command 'stauts' (did you mean status?)" },
      2,
    ],
    [
      'invalid input',
      ['validate', '--environment', 'staging', '--target', '99999', '--json'],
      { kind: 'input', problems: [{ field: 'targetOrdersPerMinute', value: 99999 }] },
      2,
    ],
    [
      'a missing config',
      ['validate', ...VALID, '--config', '/nonexistent/c.json', '--json'],
      { kind: 'config' },
      3,
    ],
  ];
  it.each(cases)('%s', async (_what, argv, error, code) => {
    const h = harness();
    expect(await h.run(...argv)).toBe(code);
    expect(h.stdout.text).toBe('');
    expect(cliDocument(h.stderr.text)).toMatchObject({ error: { ...error, exitCode: code } });
  });

  it('an AWS error names the service, endpoint and fix', async () => {
    const sfn = new FakeSfn();
    sfn.describeExecution = async () => {
      throw explainAwsError(
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
        'sfn',
        'eu-central-1',
        { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' },
        'DescribeExecution',
      );
    };
    const h = harness({ sfn });
    expect(await h.run('status', EXEC_ARN, '--json')).toBe(5);
    expect(cliDocument(h.stderr.text)).toMatchObject({
      error: {
        kind: 'aws',
        service: 'Step Functions',
        endpoint: 'http://127.0.0.1:9',
        code: 'ECONNREFUSED',
        exitCode: 5,
      },
    });
  });

  it('caps a long problem list at 100 and counts the rest', async () => {
    const path = join(dir, 'many.json');
    writeFileSync(
      path,
      JSON.stringify({
        environment: 'staging',
        targetOrdersPerMinute: 10,
        applications: Array.from({ length: 250 }, (_, i) => `app-${i}`),
      }),
    );
    const h = harness();
    expect(await h.run('validate', '--input', path, '--json')).toBe(2);
    const doc = cliDocument(h.stderr.text) as { error: { problems: unknown[]; problemsOmitted: number } };
    expect(doc.error.problems).toHaveLength(100);
    expect(doc.error.problemsOmitted).toBe(150);
  });
});
