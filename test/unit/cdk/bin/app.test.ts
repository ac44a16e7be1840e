import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../lambdas/core/config';
import { ValidationError } from '../../../../lambdas/core/errors';

/**
 * A configuration that marks an environment as production and also as a
 * load-test target is refused before anything is synthesized: by the
 * configuration parser, and so by the CDK app with a non-zero exit.
 */
const example = JSON.parse(readFileSync('config/example.json', 'utf8'));

function withProductionEnvironment(extra: Record<string, unknown>) {
  const config = structuredClone(example);
  config.environments.production = {
    description: 'The real shop.',
    production: true,
    ...extra,
    maxOrdersPerMinute: 100_000,
    scenarios: ['checkout'],
    defaultScenario: 'checkout',
    locust: { url: 'http://locust.production.internal:8089' },
    applications: [
      {
        name: 'checkout',
        test: { type: 'http', url: 'http://checkout.blue.production.internal:9090' },
        production: { type: 'http', url: 'http://checkout.green.production.internal:9090' },
      },
    ],
  };
  return config;
}

const refused = withProductionEnvironment({ loadTestTarget: true });
const accepted = withProductionEnvironment({});

describe('parseConfig', () => {
  it('refuses production: true with loadTestTarget: true, naming environments.<name>.loadTestTarget', () => {
    let error: unknown;
    try {
      parseConfig(refused);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems).toContainEqual({
      field: 'environments.production.loadTestTarget',
      rule: expect.stringMatching(/production environment can never be a load-test target/),
    });
  });

  it('accepts a production environment that is not a target (loadTestTarget then defaults to false)', () => {
    const config = parseConfig(accepted);
    expect(config.environments.production).toMatchObject({ production: true, loadTestTarget: false });
  });
});

describe('the CDK app (cdk/bin/app.ts) with -c configFile=…', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ltc-app-'));
  const files = { refused: join(dir, 'refused.json') };
  writeFileSync(files.refused, JSON.stringify(refused, null, 2));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * Runs the app as `cdk synth` would, minus the CLI: the CLI hands `-c key=value`
   * to the app as the CDK_CONTEXT_JSON environment variable, which `new App()` reads.
   * (The e2e tier runs the real CLI: test/e2e/cdk/synth.test.ts.)
   */
  function runApp(configFile: string): Promise<{ code: number; stderr: string }> {
    // Should the app ever accept the file, it must not spend a minute bundling.
    const context = { configFile, 'aws:cdk:bundling-stacks': [] };
    const {
      CDK_OUTDIR: _ignored,
      CDK_DEFAULT_ACCOUNT: _a,
      CDK_DEFAULT_REGION: _r,
      ...inherited
    } = process.env;
    const env: NodeJS.ProcessEnv = { ...inherited, CDK_CONTEXT_JSON: JSON.stringify(context) };
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'cdk/bin/app.ts'],
        { env, timeout: 60_000 },
        (err, _stdout, stderr) =>
          resolve({ code: err ? ((err.code as number | undefined) ?? -1) : 0, stderr }),
      );
    });
  }

  let refusedRun: { code: number; stderr: string };
  let templateRun: { code: number; stderr: string };
  let fargateRun: { code: number; stderr: string };
  let privateRun: { code: number; stderr: string };
  beforeAll(async () => {
    [refusedRun, templateRun, fargateRun, privateRun] = await Promise.all([
      runApp(files.refused),
      runApp('config/local.json'),
      runApp('config/example-fargate.json'),
      runApp('config/example-private-network.json'),
    ]);
  }, 90_000);

  it('synthesizes a network with given subnets without an account or region: nothing to look up', () => {
    expect(privateRun.code, privateRun.stderr).toBe(0);
  });

  it('needs an account and region to look up the VPC of locust.fargate, and says so', () => {
    expect(fargateRun.code).not.toBe(0);
    expect(fargateRun.stderr).toMatch(
      /^environments\.staging\.locust\.fargate: looking up VPC vpc-0a1b2c3d4e5f67890 needs the account and region/m,
    );
  });

  it('refuses the local template, whose URLs still hold {{placeholders}}', () => {
    expect(templateRun.code).not.toBe(0);
    expect(templateRun.stderr).toContain('config/local.json has an unfilled placeholder {{locustPort}}');
  });

  it('exits non-zero and names environments.production.loadTestTarget', () => {
    expect(refusedRun.code).not.toBe(0);
    expect(refusedRun.stderr).toContain(`${files.refused} is not a valid configuration:`);
    expect(refusedRun.stderr).toMatch(
      /^ {2}environments\.production\.loadTestTarget: a production environment can never be a load-test target/m,
    );
  });
});
