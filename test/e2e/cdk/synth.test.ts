import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STEP_IDS, type StepId } from '../../../statemachine/steps';

/**
 * `cdk synth` as a user runs it, offline and without AWS credentials: the CLI,
 * cdk.json's app command, esbuild bundling of every step function and the
 * cdk-nag plugin the app registers (a violation would fail the synth).
 */
const ROOT = resolve('.');
const CDK = join(ROOT, 'node_modules/aws-cdk/bin/cdk');
const dir = mkdtempSync(join(tmpdir(), 'ltc-synth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** No credentials, no instance metadata, and every HTTP(S) request sent to a closed port. */
const OFFLINE_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  AWS_ACCESS_KEY_ID: '',
  AWS_SECRET_ACCESS_KEY: '',
  AWS_SESSION_TOKEN: '',
  AWS_PROFILE: '',
  AWS_CONFIG_FILE: join(dir, 'no-aws-config'),
  AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'),
  AWS_EC2_METADATA_DISABLED: 'true',
  HTTP_PROXY: 'http://127.0.0.1:9',
  HTTPS_PROXY: 'http://127.0.0.1:9',
  NO_PROXY: '',
  CI: 'true',
};

function cdk(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [CDK, ...args],
      { cwd: ROOT, env: OFFLINE_ENV, timeout: 170_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) =>
        done({ code: err ? ((err.code as number | undefined) ?? -1) : 0, stdout, stderr }),
    );
  });
}

describe('cdk synth -q with the default configuration (config/example.json)', () => {
  const out = join(dir, 'cdk.out');
  let result: { code: number; stdout: string; stderr: string };
  // biome-ignore lint/suspicious/noExplicitAny: a CloudFormation template
  let template: any;

  beforeAll(async () => {
    result = await cdk(['synth', '-q', '--no-notices', '-o', out]);
    const file = join(out, 'LoadTestConductor.template.json');
    if (existsSync(file)) template = JSON.parse(readFileSync(file, 'utf8'));
  }, 180_000);

  it('succeeds offline, and cdk-nag (registered by the app) finds nothing', () => {
    expect(result.code, result.stderr).toBe(0);
    expect(template).toBeDefined();
    expect(result.stderr).not.toMatch(/AwsSolutions-/);
    const report = JSON.parse(readFileSync(join(out, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.filter((r: { conclusion: string }) => r.conclusion !== 'success')).toEqual(
      [],
    );
  });

  function bundleOf(step: StepId): string {
    const pascal = step.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());
    const entry = Object.entries(template.Resources).find(
      ([id, r]) =>
        (r as { Type: string }).Type === 'AWS::Lambda::Function' &&
        id.startsWith(`Pipeline${pascal}Function`),
    );
    const asset = (entry?.[1] as { Metadata?: Record<string, string> } | undefined)?.Metadata?.[
      'aws:asset:path'
    ];
    if (!asset) throw new Error(`no bundled asset for ${step}`);
    return join(out, asset, 'index.js');
  }

  it('bundles every step function with esbuild', () => {
    for (const step of STEP_IDS) expect(existsSync(bundleOf(step)), step).toBe(true);
  });

  it('inlines the configuration into the Validate bundle only', () => {
    const locustUrl = 'http://locust-master.load-test.svc.internal:8089';
    for (const step of STEP_IDS) {
      const code = readFileSync(bundleOf(step), 'utf8');
      expect(code.includes(locustUrl), step).toBe(step === 'validate-input');
    }
  });

  it('the Validate bundle validates against the inlined configuration, with no LTC_CONFIG set', async () => {
    const script = `
      const { handler } = require(${JSON.stringify(bundleOf('validate-input'))});
      const execution = { id: 'arn:execution', name: 'run-1', startTime: '2026-11-27T02:00:00.000Z' };
      (async () => {
        const state = await handler({ input: { environment: 'staging', targetOrdersPerMinute: 1200 }, execution });
        const refused = await handler({ input: { environment: 'staging', targetOrdersPerMinute: 6001 }, execution })
          .then(() => null, (err) => err.name + ': ' + err.message);
        console.log(JSON.stringify({ environment: state.run.environment.locust.url, refused }));
      })();
    `;
    const env: NodeJS.ProcessEnv = {
      ...OFFLINE_ENV,
      // The bundle is CommonJS and keeps @aws-sdk/* external, as the Lambda runtime provides it.
      NODE_PATH: join(ROOT, 'node_modules'),
      RUNS_TABLE: 'runs',
      REPORTS_BUCKET: 'reports',
      TOPIC_ARN: 'arn:aws:sns:eu-central-1:123456789012:topic',
      AWS_REGION: 'eu-central-1',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    };
    delete env.LTC_CONFIG;
    const stdout = await new Promise<string>((done, fail) =>
      execFile(process.execPath, ['-e', script], { env, timeout: 30_000 }, (err, so, se) =>
        err ? fail(new Error(`${err.message}\n${se}`)) : done(so),
      ),
    );
    expect(JSON.parse(stdout)).toEqual({
      environment: 'http://locust-master.load-test.svc.internal:8089',
      refused: expect.stringMatching(/^ValidationError: targetOrdersPerMinute: must be at most 6000/),
    });
  });
});

describe('cdk synth -c configFile=… refuses a production environment marked as load-test target', () => {
  it('exits non-zero, naming environments.<name>.loadTestTarget', async () => {
    const config = JSON.parse(readFileSync('config/example.json', 'utf8'));
    config.environments.staging.production = true;
    config.environments.staging.loadTestTarget = true;
    const file = join(dir, 'production-target.json');
    writeFileSync(file, JSON.stringify(config, null, 2));
    const result = await cdk([
      'synth',
      '-q',
      '--no-notices',
      '-c',
      `configFile=${file}`,
      '-o',
      join(dir, 'refused'),
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`${file} is not a valid configuration:`);
    expect(result.stderr).toMatch(
      /environments\.staging\.loadTestTarget: a production environment can never be/,
    );
  }, 120_000);
});
