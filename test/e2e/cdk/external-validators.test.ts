import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadTestConductorStack } from '../../../cdk/lib/load-test-conductor-stack';
import { loadConfigFile } from '../../../lambdas/core/config-file';
import { resolveIntrinsics } from '../../../local/synth';
import { validateAsl } from '../../support/asl';

/**
 * The template of every example configuration through cfn-lint (from PyPI, in the project's venv:
 * test/requirements.txt) and its state machine definition through asl-validator: validators nobody on this
 * project wrote, which know CloudFormation's and Step Functions' rules the emulators do not enforce.
 *
 * Every file in config/ is an example, except config/local.json: the local runner's template, whose
 * {{placeholders}} the CDK app refuses to deploy. Lookups (the Fargate example's VPC) are answered with
 * realistic IDs, as `cdk synth` with credentials caches them in cdk.context.json; without them CDK's dummy
 * IDs (vpc-12345, p-12345) would be what cfn-lint judged.
 */
const CFN_LINT = resolve('.venv/bin/cfn-lint');

/** Rules not applied, each with why its finding is wrong for these templates. */
const SUPPRESSED: Readonly<Record<string, string>> = {
  W3005:
    "aws-cdk-lib's lambda.Function adds its role to DependsOn besides the role's GetAtt; the dependency is redundant, not wrong, and not ours to remove.",
};

const EXAMPLES = readdirSync('config')
  .filter((f) => f.endsWith('.json') && f !== 'local.json')
  .sort();

const ACCOUNT = '123456789012';
const REGION = 'eu-central-1';

interface MissingContext {
  readonly key: string;
  readonly provider: string;
  readonly props: Record<string, unknown>;
}

/** What a lookup would return from a real account: IDs of the formats AWS uses. */
function lookupAnswer(missing: MissingContext): unknown {
  switch (missing.provider) {
    case 'vpc-provider': {
      const filter = (missing.props.filter ?? {}) as Record<string, string>;
      const vpcId = filter['vpc-id'] ?? 'vpc-0a1b2c3d4e5f67890';
      const subnets = (kind: string, third: number) =>
        ['a', 'b'].map((az, i) => ({
          subnetId: `subnet-0${kind}${i}a1b2c3d4e5f6789`.slice(0, 24),
          cidr: `10.0.${third + i}.0/24`,
          availabilityZone: `${REGION}${az}`,
          routeTableId: `rtb-0${kind}${i}a1b2c3d4e5f6789`.slice(0, 21),
        }));
      if (missing.props.returnAsymmetricSubnets) {
        return {
          vpcId,
          vpcCidrBlock: '10.0.0.0/16',
          availabilityZones: [],
          subnetGroups: [
            { name: 'Private', type: 'Private', subnets: subnets('1', 1) },
            { name: 'Public', type: 'Public', subnets: subnets('2', 101) },
          ],
        };
      }
      const priv = subnets('1', 1);
      const pub = subnets('2', 101);
      return {
        vpcId,
        vpcCidrBlock: '10.0.0.0/16',
        availabilityZones: priv.map((s) => s.availabilityZone),
        privateSubnetIds: priv.map((s) => s.subnetId),
        privateSubnetNames: ['Private'],
        privateSubnetRouteTableIds: priv.map((s) => s.routeTableId),
        publicSubnetIds: pub.map((s) => s.subnetId),
        publicSubnetNames: ['Public'],
        publicSubnetRouteTableIds: pub.map((s) => s.routeTableId),
      };
    }
    case 'security-group':
      return {
        securityGroupId: (missing.props.securityGroupId as string | undefined) ?? 'sg-0a1b2c3d4e5f67890',
        allowAllOutbound: true,
      };
    default:
      throw new Error(`no realistic answer for the ${missing.provider} lookup ${missing.key}: add one here`);
  }
}

/** The stack's template for a configuration, synthesized as with credentials (lookups answered). */
function templateOf(file: string): Record<string, unknown> {
  const config = loadConfigFile(`config/${file}`);
  const synth = (context: Record<string, unknown>) => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
    new LoadTestConductorStack(app, 'LoadTestConductor', {
      config,
      env: { account: ACCOUNT, region: REGION },
    });
    return app.synth();
  };
  let assembly = synth({});
  const missing = (assembly.manifest.missing ?? []) as MissingContext[];
  if (missing.length > 0) {
    assembly = synth(Object.fromEntries(missing.map((m) => [m.key, lookupAnswer(m)])));
  }
  return assembly.getStackByName('LoadTestConductor').template as Record<string, unknown>;
}

interface LintFinding {
  readonly Rule: { readonly Id: string };
  readonly Level: string;
  readonly Message: string;
  readonly Filename: string;
  readonly Location: { readonly Path: readonly (string | number)[] };
}

describe('external validators over every example configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ltc-validators-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const templates: Record<string, Record<string, unknown>> = {};
  let findings: LintFinding[] = [];

  beforeAll(async () => {
    for (const file of EXAMPLES) {
      templates[file] = templateOf(file);
      writeFileSync(join(dir, file), JSON.stringify(templates[file]));
    }
    const stdout = await new Promise<string>((done, fail) =>
      execFile(
        CFN_LINT,
        [
          '--format',
          'json',
          '--regions',
          REGION,
          '--ignore-checks',
          ...Object.keys(SUPPRESSED),
          '--',
          ...EXAMPLES.map((f) => join(dir, f)),
        ],
        { maxBuffer: 64 * 1024 * 1024, timeout: 300_000 },
        // cfn-lint exits non-zero when it finds anything: the findings are judged below.
        (err, out, stderr) => (out || !err ? done(out) : fail(new Error(`cfn-lint did not run: ${stderr}`))),
      ),
    );
    findings = JSON.parse(stdout) as LintFinding[];
  }, 600_000);

  it('covers every configuration in config/ but the local template', () => {
    expect(EXAMPLES).toEqual(
      expect.arrayContaining(['example.json', 'example-eks-ecs.json', 'example-fargate.json']),
    );
    expect(Object.keys(templates)).toEqual(EXAMPLES);
  });

  it.each(EXAMPLES)(
    'cfn-lint finds nothing in the template of config/%s (suppressed rules aside)',
    (file) => {
      const own = findings
        .filter((f) => f.Filename.endsWith(`/${file}`))
        .map((f) => `${f.Level} ${f.Rule.Id} at ${f.Location.Path.join('/')}: ${f.Message}`);
      expect(own, own.join('\n')).toEqual([]);
    },
  );

  it('runs cfn-lint for real: an invalid template is reported', async () => {
    const broken = join(dir, 'broken.yaml');
    writeFileSync(
      broken,
      'Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      DelaySeconds: 9000\n',
    );
    const stdout = await new Promise<string>((done) =>
      execFile(CFN_LINT, ['--format', 'json', '--', broken], (_err, out) => done(out)),
    );
    expect((JSON.parse(stdout) as LintFinding[]).map((f) => f.Rule.Id)).toContain('E3034');
  });

  it.each(EXAMPLES)('asl-validator finds no error in the state machine of config/%s', (file) => {
    const machines = Object.values(
      templates[file]?.Resources as Record<
        string,
        { Type: string; Properties: { DefinitionString: unknown } }
      >,
    ).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine');
    expect(machines).toHaveLength(1);
    const result = validateAsl(JSON.parse(resolveIntrinsics(machines[0]?.Properties.DefinitionString)));
    expect(result.errorsText('\n')).toBe('');
  });

  it('every suppressed rule says why', () => {
    for (const [rule, reason] of Object.entries(SUPPRESSED)) expect(reason.length, rule).toBeGreaterThan(40);
  });
});
