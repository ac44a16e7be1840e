import { Arn, ArnFormat, type CfnElement, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, REPORTS_PREFIX } from '../../lambdas/contracts';
import type { ConductorConfig, EnvironmentConfig } from '../../lambdas/core/config';
import { AGGREGATED } from '../../lambdas/core/slo';
import type { StepId } from '../../statemachine/steps';
import type { StepHandlerFunction } from './step-handler-function';
import { grantPublishing } from './topic-publishing';

export interface LoadTestDashboardsProps {
  readonly config: ConductorConfig;
  /** The namespace the SLO watch publishes to (default LoadTestConductor). */
  readonly namespace?: string;
}

/**
 * One CloudWatch dashboard per load-test environment with the test's key graphs (orders per minute against
 * the target, users and workers, requests per second and failures, latency percentiles per request name as
 * Locust's master reports them, SLO breaches, a capacity search's levels and result) and the SLO alarms: the
 * teams' own alarms named in the configuration, and a "SLO breached" alarm per environment on the watch's
 * metric.
 */
export class LoadTestDashboards extends Construct {
  readonly dashboards: Readonly<Record<string, cloudwatch.Dashboard>>;
  readonly breachAlarms: Readonly<Record<string, cloudwatch.Alarm>>;

  constructor(scope: Construct, id: string, props: LoadTestDashboardsProps) {
    super(scope, id);
    const namespace = props.namespace ?? METRICS_NAMESPACE;
    const dashboards: Record<string, cloudwatch.Dashboard> = {};
    const alarms: Record<string, cloudwatch.Alarm> = {};
    for (const [name, env] of Object.entries(props.config.environments)) {
      if (!env.loadTestTarget) continue;
      const safe = name.replace(/[^A-Za-z0-9-]/g, '-');
      const metric = (
        metricName: string,
        scenario: string,
        statistic: string,
        extra: Record<string, string> = {},
      ) =>
        new cloudwatch.Metric({
          namespace,
          metricName,
          dimensionsMap: { Environment: name, Scenario: scenario, ...extra },
          statistic,
          period: Duration.minutes(1),
          label: env.scenarios.length > 1 ? `${metricName} (${scenario})` : metricName,
        });
      const perScenario = (metricName: string, statistic = 'Average', extra: Record<string, string> = {}) =>
        env.scenarios.map((s) => metric(metricName, s, statistic, extra));

      const breached = new cloudwatch.Alarm(this, `SloBreached-${safe}`, {
        alarmName: `load-test-conductor-${safe}-slo-breached`,
        alarmDescription: `A load test on ${name} breached an SLO for the configured number of ticks (the watch also notifies the topic).`,
        metric: new cloudwatch.MathExpression({
          expression: env.scenarios.map((_, i) => `FILL(b${i}, 0)`).join(' + '),
          usingMetrics: Object.fromEntries(perScenario('SloBreached', 'Maximum').map((m, i) => [`b${i}`, m])),
          period: Duration.minutes(1),
          label: 'SLOs breached',
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarms[name] = breached;

      const teamAlarms = env.slos.alarms.flatMap((s, i) =>
        'name' in s ? [cloudwatch.Alarm.fromAlarmName(this, `TeamAlarm-${safe}-${i}`, s.name)] : [],
      );
      const prefixes = env.slos.alarms.flatMap((s) => ('prefix' in s ? [s.prefix] : []));

      const latencyRequests = [
        AGGREGATED,
        ...env.slos.requests.map((r) => r.name).filter((n) => n !== AGGREGATED),
      ];
      const latencyWidgets = latencyRequests.slice(0, 6).map((request) => {
        const slo = env.slos.requests.find((r) => r.name === request);
        return new cloudwatch.GraphWidget({
          title: `Latency of "${request}" (every response of each tick, ms)`,
          width: 12,
          left: ['LatencyP50', 'LatencyP95', 'LatencyP99'].flatMap((m) =>
            perScenario(m, 'Maximum', { Request: request }),
          ),
          leftAnnotations: [
            ...(slo?.p95Ms !== undefined
              ? [{ value: slo.p95Ms, label: `p95 SLO ${slo.p95Ms} ms`, color: '#ff7f0e' }]
              : []),
            ...(slo?.p99Ms !== undefined
              ? [{ value: slo.p99Ms, label: `p99 SLO ${slo.p99Ms} ms`, color: '#d62728' }]
              : []),
          ],
        });
      });

      const dashboard = new cloudwatch.Dashboard(this, `Dashboard-${safe}`, {
        dashboardName: `load-test-${safe}`,
        defaultInterval: Duration.hours(3),
      });
      dashboard.addWidgets(
        new cloudwatch.TextWidget({
          markdown: `# Load tests on ${name}\n${env.description ?? ''}\nTarget up to ${env.maxOrdersPerMinute} ${env.kpi.unit} · scenarios ${env.scenarios.join(', ')} · grace ${env.slos.graceTicks} tick(s), breach after ${env.slos.breachTicks} tick(s), abort on breach ${env.slos.abortOnBreach ? 'on' : 'off'}`,
          width: 24,
          height: 2,
        }),
      );
      dashboard.addWidgets(
        new cloudwatch.GraphWidget({
          title: `${env.kpi.unit.charAt(0).toUpperCase()}${env.kpi.unit.slice(1)} against the target`,
          width: 12,
          left: [...perScenario('OrdersPerMinute'), ...perScenario('TargetOrdersPerMinute')],
        }),
        new cloudwatch.GraphWidget({
          title: 'Users and workers',
          width: 12,
          left: perScenario('Users', 'Maximum'),
          right: perScenario('Workers', 'Maximum'),
        }),
      );
      dashboard.addWidgets(
        new cloudwatch.GraphWidget({
          title: 'Requests per second and failures (%)',
          width: 12,
          left: perScenario('RequestsPerSecond'),
          right: perScenario('FailureRatio', 'Maximum'),
          rightAnnotations: [
            { value: env.slos.maxFailureRatio * 100, label: 'failure SLO', color: '#d62728' },
          ],
        }),
        new cloudwatch.GraphWidget({
          title: 'SLOs breached / breaching',
          width: 12,
          left: [...perScenario('SloBreached', 'Maximum'), ...perScenario('SloBreaching', 'Maximum')],
        }),
      );
      dashboard.addWidgets(
        new cloudwatch.GraphWidget({
          title: `Capacity search (mode capacity): level held, ${env.kpi.unit} delivered, highest level met, capacity found and its range`,
          width: 24,
          left: [
            ...perScenario('CapacityLevel', 'Maximum'),
            ...perScenario('OrdersPerMinute'),
            ...perScenario('CapacityHighestMet', 'Maximum'),
            ...['CapacityOrdersPerMinute', 'CapacityRangeLow', 'CapacityRangeHigh'].flatMap((m) =>
              perScenario(m, 'Maximum'),
            ),
          ],
        }),
      );
      dashboard.addWidgets(...latencyWidgets);
      dashboard.addWidgets(
        new cloudwatch.AlarmStatusWidget({
          title: 'SLO alarms',
          width: 24,
          height: Math.max(3, Math.ceil((teamAlarms.length + 1) / 4) + 2),
          alarms: [breached, ...teamAlarms],
        }),
      );
      if (prefixes.length > 0) {
        dashboard.addWidgets(
          new cloudwatch.TextWidget({
            markdown: `Also watched during tests: every alarm named ${prefixes.map((p) => `\`${p}*\``).join(', ')} (see the CloudWatch alarms console).`,
            width: 24,
            height: 1,
          }),
        );
      }
      dashboards[name] = dashboard;
    }
    this.dashboards = dashboards;
    this.breachAlarms = alarms;
  }
}

export interface SloGrantsProps {
  readonly config: ConductorConfig;
  readonly functions: Readonly<Record<StepId, StepHandlerFunction>>;
  readonly runsTable: dynamodb.ITable;
  readonly reportsBucket: s3.IBucket;
  readonly topic: sns.ITopic;
  readonly namespace?: string;
}

/**
 * What the SLO watch, the verdict and the report need beyond the backbone's grants:
 * - Ramp tick (the watch): PutMetricData in the conductor's namespace only, DescribeAlarms on the configured
 *   alarm names and prefixes only, publishing breach alarms to the topic;
 * - Release lock: writing the final report below `runs/`.
 */
export function grantSloWatch(scope: Construct, props: SloGrantsProps): void {
  const fn = (s: StepId) => props.functions[s].function;
  const tick = fn('ramp-tick');
  tick.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': props.namespace ?? METRICS_NAMESPACE } },
    }),
  );
  Validations.of(props.functions['ramp-tick']).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'cloudwatch:PutMetricData has no resource-level permissions; the statement is limited to the conductor namespace by condition.',
  });
  const alarmArns = alarmResources(scope, Object.values(props.config.environments));
  if (alarmArns.length > 0) {
    tick.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: alarmArns }),
    );
    for (const arn of alarmArns.filter((a) => a.endsWith('*'))) {
      const resolved = Stack.of(scope).resolve(arn);
      Validations.of(props.functions['ramp-tick']).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${nagArn(resolved)}]`,
        reason:
          'The SLO watch reads the teams’ alarms by the name prefix the configuration names, nothing else.',
      });
    }
  }
  // Only when an SLO breaches: a run within its SLOs never publishes.
  grantPublishing(props.topic, tick, 'RampTickPublishesBreaches');
  const release = fn('release-lock');
  release.addToRolePolicy(
    new iam.PolicyStatement({
      sid: 'ReleaseLockWritesFinalReport',
      actions: ['s3:PutObject'],
      resources: [props.reportsBucket.arnForObjects(`${REPORTS_PREFIX}*`)],
    }),
  );
  const bucketId = Stack.of(scope).resolve(
    Stack.of(scope).getLogicalId(props.reportsBucket.node.defaultChild as CfnElement),
  ) as string;
  Validations.of(props.functions['release-lock']).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${REPORTS_PREFIX}*]`,
    reason: 'The final report of each run goes under its own key below runs/, unknown until the run starts.',
  });
}

function alarmResources(scope: Construct, environments: readonly EnvironmentConfig[]): string[] {
  const arns = new Set<string>();
  for (const env of environments) {
    for (const s of env.slos.alarms) {
      arns.add(
        Arn.format(
          {
            service: 'cloudwatch',
            resource: 'alarm',
            resourceName: 'name' in s ? s.name : `${s.prefix}*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          },
          Stack.of(scope),
        ),
      );
    }
  }
  return [...arns];
}

/** How cdk-nag writes a resolved ARN in a finding id: pseudo parameters as `<AWS::Region>`. */
function nagArn(resolved: unknown): string {
  const join = (resolved as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (!join) return String(resolved);
  return join[1]
    .map((p) => (typeof p === 'string' ? p : `<${(p as { Ref?: string }).Ref ?? JSON.stringify(p)}>`))
    .join(join[0]);
}
