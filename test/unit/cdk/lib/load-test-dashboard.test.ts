import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { LoadTestConductorStack } from '../../../../cdk/lib/load-test-conductor-stack';
import { type ConductorConfig, withSloDefaults } from '../../../../lambdas/core/config';
import { loadConfigFile } from '../../../../lambdas/core/config-file';

/** The example configuration with SLOs: the teams' alarms by name and by prefix, latency per request. */
function configWithSlos(): ConductorConfig {
  const config = loadConfigFile('config/example.json');
  const staging = config.environments.staging;
  if (!staging) throw new Error('config/example.json has no staging environment');
  return {
    ...config,
    environments: {
      ...config.environments,
      staging: {
        ...staging,
        slos: withSloDefaults({
          alarms: [{ name: 'checkout-5xx' }, { prefix: 'payments-' }],
          requests: [{ name: 'checkout: place order', p95Ms: 800, p99Ms: 1500 }],
          abortOnBreach: true,
        }),
      },
    },
  };
}

const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const stack = new LoadTestConductorStack(app, 'LoadTestConductor', {
  config: configWithSlos(),
  env: { account: '123456789012', region: 'eu-central-1' },
});
const template = Template.fromStack(stack);
const json = template.toJSON() as {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
};

function body(): string {
  const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  return JSON.stringify(Stack.of(stack).resolve(dashboard?.Properties?.DashboardBody));
}

describe('the CloudWatch dashboard per environment', () => {
  it('exists once per load-test environment', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'load-test-staging' });
  });

  it('has the key graphs with the environment and scenario dimensions', () => {
    const text = body();
    for (const title of [
      'Orders per minute against the target',
      'Users and workers',
      'Requests per second and failures (%)',
      'SLOs breached / breaching',
      'SLO alarms',
    ]) {
      expect(text, title).toContain(title);
    }
    expect(text).toMatch(/Latency of \W+Aggregated\W+ \(every response of each tick, ms\)/);
    expect(text).toMatch(/Latency of \W+checkout: place order\W+ \(every response of each tick, ms\)/);
    for (const metric of [
      'OrdersPerMinute',
      'TargetOrdersPerMinute',
      'Users',
      'Workers',
      'LatencyP95',
      'FailureRatio',
    ]) {
      expect(text, metric).toContain(metric);
    }
    expect(text).toContain('\\"Environment\\",\\"staging\\",\\"Scenario\\",\\"checkout\\"');
    expect(text).toContain('payments-*');
  });

  it("graphs a capacity search's level, the highest level met and the capacity found with its range", () => {
    const text = body();
    expect(text).toContain('Capacity search (mode capacity)');
    for (const metric of [
      'CapacityLevel',
      'CapacityHighestMet',
      'CapacityOrdersPerMinute',
      'CapacityRangeLow',
      'CapacityRangeHigh',
    ]) {
      expect(text, metric).toContain(`\\"${metric}\\"`);
    }
  });

  it('shows the SLO alarms: the SLO-breached alarm on the watch metric and the teams’ alarms by name', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'load-test-conductor-staging-slo-breached',
      Threshold: 1,
    });
    const text = body();
    expect(text).toContain(':alarm:checkout-5xx');
  });
});

describe('the SLO watch permissions', () => {
  const statements = Object.values(json.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement);

  it('PutMetricData only in the conductor namespace', () => {
    const put = statements.filter((s) => s.Action === 'cloudwatch:PutMetricData');
    expect(put).toEqual([
      {
        Action: 'cloudwatch:PutMetricData',
        Condition: { StringEquals: { 'cloudwatch:namespace': 'LoadTestConductor' } },
        Effect: 'Allow',
        Resource: '*',
      },
    ]);
  });

  it('DescribeAlarms only on the configured alarm names and prefixes', () => {
    const describe = statements.filter((s) => s.Action === 'cloudwatch:DescribeAlarms');
    expect(describe).toHaveLength(1);
    const resources = JSON.stringify(describe[0]?.Resource);
    expect(resources).toContain(':alarm:checkout-5xx');
    expect(resources).toContain(':alarm:payments-*');
    expect(resources).not.toContain('"*"');
  });
});
