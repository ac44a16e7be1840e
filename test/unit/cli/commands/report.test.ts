/** `ltc report` with an in-memory bucket (MemoryBucket, a fake); test/e2e/cli/ltc-moto.test.ts runs it against moto's S3. */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../../cli/main';
import {
  continuationArn,
  continued,
  describe_,
  EXEC_ARN,
  FakeSfn,
  harness,
} from '../../../support/cli-fakes';

const verdict = (report: string) => JSON.stringify({ outcome: 'pass', reasons: [], slis: [], report });

function withReport(sfn: FakeSfn, folder = 'reports/runs/staging/run-1') {
  const dir = mkdtempSync(join(tmpdir(), 'ltc-report-'));
  const h = harness({ sfn, cwd: dir });
  h.bucket.objects.set(`${folder}/report.html`, '<html>report</html>');
  h.bucket.objects.set(`${folder}/summary.json`, '{"verdict":{}}');
  return { h, dir };
}

describe('ltc report', () => {
  it("downloads report.html and summary.json from where the verdict says, prints the report's path", async () => {
    const { h, dir } = withReport(
      new FakeSfn([
        describe_('SUCCEEDED', { output: verdict('s3://reports/runs/staging/run-1/report.html') }),
      ]),
    );
    expect(await h.run('report', EXEC_ARN)).toBe(0);
    const folder = join(dir, 'reports', 'run-1');
    expect(readFileSync(join(folder, 'report.html'), 'utf8')).toBe('<html>report</html>');
    expect(readFileSync(join(folder, 'summary.json'), 'utf8')).toBe('{"verdict":{}}');
    expect(h.stdout.text).toBe(
      [
        `report   ${folder}/report.html`,
        `summary  ${folder}/summary.json`,
        'from     s3://reports/runs/staging/run-1/',
        '',
      ].join('\n'),
    );
    expect(h.opened).toEqual([]);
    expect(h.regions).toEqual(['eu-central-1', 'eu-central-1']);
  });

  it('--open opens it, --out puts it elsewhere', async () => {
    const { h, dir } = withReport(
      new FakeSfn([
        describe_('SUCCEEDED', { output: verdict('s3://reports/runs/staging/run-1/report.html') }),
      ]),
    );
    expect(await h.run('report', EXEC_ARN, '--open', '--out', 'elsewhere')).toBe(0);
    expect(h.opened).toEqual([join(dir, 'elsewhere', 'run-1', 'report.html')]);
  });

  it('a desktop that cannot open it: a warning with the path, the download stands, exit 0', async () => {
    const { h, dir } = withReport(
      new FakeSfn([
        describe_('SUCCEEDED', { output: verdict('s3://reports/runs/staging/run-1/report.html') }),
      ]),
    );
    const deps = {
      ...h.deps,
      open: async () => Promise.reject(new Error('cannot open it with xdg-open: ENOENT')),
    };
    expect(await main(['report', EXEC_ARN, '--open', '--json'], deps)).toBe(0);
    const path = join(dir, 'reports', 'run-1', 'report.html');
    expect(JSON.parse(h.stdout.text)).toMatchObject({ report: path, opened: false });
    expect(h.stderr.text).toBe(
      `ltc report: cannot open it with xdg-open: ENOENT; the report is at ${path}\n`,
    );
  });

  it("given the first execution of a continued run, fetches the run's report (named after the first)", async () => {
    const C2 = continuationArn(2);
    const { h } = withReport(
      new FakeSfn([], [], {
        [EXEC_ARN]: [continued(EXEC_ARN, C2)],
        [C2]: [
          describe_('SUCCEEDED', {
            executionArn: C2,
            output: verdict('s3://reports/runs/staging/run-1/report.html'),
          }),
        ],
      }),
    );
    expect(await h.run('report', EXEC_ARN, '--json')).toBe(0);
    expect(JSON.parse(h.stdout.text)).toMatchObject({
      currentExecutionArn: C2,
      location: 's3://reports/runs/staging/run-1/',
    });
  });

  it('a run without a verdict is looked up in --bucket from its input', async () => {
    const { h } = withReport(
      new FakeSfn([describe_('ABORTED', { input: '{"environment":"staging","targetOrdersPerMinute":10}' })]),
      'my-bucket/runs/staging/run-1',
    );
    expect(await h.run('report', EXEC_ARN, '--bucket', 'my-bucket')).toBe(0);
    expect(h.bucket.reads).toEqual([
      'my-bucket/runs/staging/run-1/report.html',
      'my-bucket/runs/staging/run-1/summary.json',
    ]);
  });

  it('a continuation without a verdict: the run state in its input names the environment and first execution', async () => {
    const C2 = continuationArn(2);
    const state = { run: { executionName: 'run-1', request: { environment: 'staging' } } };
    const { h } = withReport(
      new FakeSfn([], [], {
        [C2]: [describe_('FAILED', { executionArn: C2, input: JSON.stringify(state) })],
      }),
      'my-bucket/runs/staging/run-1',
    );
    expect(await h.run('report', C2, '--bucket', 'my-bucket', '--json')).toBe(0);
    expect(JSON.parse(h.stdout.text).location).toBe('s3://my-bucket/runs/staging/run-1/');
    expect(h.bucket.reads).toHaveLength(2);
  });

  it('no verdict and no bucket: says to pass --bucket, exit 2', async () => {
    const h = harness({ sfn: new FakeSfn([describe_('RUNNING', { input: '{"environment":"staging"}' })]) });
    expect(await h.run('report', EXEC_ARN)).toBe(2);
    expect(h.stderr.text).toMatch(
      /--bucket: the run has no verdict naming its report yet; pass --bucket or set LTC_REPORTS_BUCKET/,
    );
  });

  it('a running run whose report is not written yet: says so, names the object, exit 5', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ltc-report-'));
    const h = harness({
      sfn: new FakeSfn([describe_('RUNNING', { input: '{"environment":"staging"}' })]),
      env: { LTC_REPORTS_BUCKET: 'b' },
      cwd: dir,
    });
    expect(await h.run('report', EXEC_ARN)).toBe(5);
    expect(h.stderr.text).toBe(
      'ltc report: S3 (memory) has no s3://b/runs/staging/run-1/report.html: the run is still running: its report is written when it ends\n',
    );
    expect(existsSync(join(dir, 'reports'))).toBe(false);
  });

  it('refuses a report folder that is not a name', async () => {
    const h = harness({
      sfn: new FakeSfn([describe_('SUCCEEDED', { output: verdict('s3://b/runs/staging/../report.html') })]),
    });
    expect(await h.run('report', EXEC_ARN)).toBe(2);
    expect(h.stderr.text).toMatch(/is not a name/);
  });

  it.each([[[]], [['not-an-arn']], [[EXEC_ARN, 'extra']]])('usage errors: %j', async (args) => {
    const h = harness();
    expect(await h.run('report', ...args)).toBe(2);
    expect(h.regions).toEqual([]);
  });
});
