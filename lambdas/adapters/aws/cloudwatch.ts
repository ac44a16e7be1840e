import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  type DescribeAlarmsCommandInput,
  type MetricDatum,
  PutMetricDataCommand,
  type StandardUnit,
} from '@aws-sdk/client-cloudwatch';
import { METRICS_NAMESPACE } from '../../contracts';
import type { AlarmSelector } from '../../core/config';
import type { AlarmReading } from '../../core/slo';
import { withTransientAws } from './transient';

/** The dimensions every metric of a run carries; latency metrics add `Request`. */
export interface MetricDimensions {
  readonly environment: string;
  readonly scenario: string;
}

/** One value of one metric; `request` adds the `Request` dimension (latency and failures per request name). */
export interface MetricValue {
  readonly name: string;
  readonly value: number;
  readonly unit: 'Count' | 'Count/Second' | 'Percent' | 'Milliseconds' | 'None';
  readonly request?: string;
}

/** CloudWatch accepts up to 1,000 data per PutMetricData; stay well below the 1 MB payload too. */
const METRICS_PER_CALL = 500;
/** DescribeAlarms takes at most 100 names per call. */
const NAMES_PER_CALL = 100;

/**
 * The test's metrics (PutMetricData, namespace LoadTestConductor, dimensions Environment + Scenario) and the
 * teams' metric alarms (DescribeAlarms by name or prefix).
 */
export class CloudWatchGateway {
  constructor(
    private readonly cloudwatch: CloudWatchClient = new CloudWatchClient({}),
    private readonly namespace: string = process.env.METRICS_NAMESPACE || METRICS_NAMESPACE,
  ) {}

  async putMetrics(dimensions: MetricDimensions, at: Date, values: readonly MetricValue[]): Promise<void> {
    const data: MetricDatum[] = values
      .filter((v) => Number.isFinite(v.value))
      .map((v) => ({
        MetricName: v.name,
        Timestamp: at,
        Value: v.value,
        Unit: v.unit as StandardUnit,
        Dimensions: [
          { Name: 'Environment', Value: dimensions.environment },
          { Name: 'Scenario', Value: dimensions.scenario },
          ...(v.request !== undefined ? [{ Name: 'Request', Value: v.request.slice(0, 1024) }] : []),
        ],
      }));
    for (let i = 0; i < data.length; i += METRICS_PER_CALL) {
      const batch = data.slice(i, i + METRICS_PER_CALL);
      await withTransientAws('put metrics', () =>
        this.cloudwatch.send(new PutMetricDataCommand({ Namespace: this.namespace, MetricData: batch })),
      );
    }
  }

  /** The current state of every alarm the selectors name, sorted by name; an alarm matched twice is listed once. */
  async alarmStates(selectors: readonly AlarmSelector[]): Promise<AlarmReading[]> {
    const found = new Map<string, AlarmReading>();
    const names = selectors.flatMap((s) => ('name' in s ? [s.name] : []));
    for (let i = 0; i < names.length; i += NAMES_PER_CALL) {
      await this.describe({ AlarmNames: names.slice(i, i + NAMES_PER_CALL) }, found);
    }
    for (const s of selectors) {
      if ('prefix' in s) await this.describe({ AlarmNamePrefix: s.prefix }, found);
    }
    return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  private async describe(input: DescribeAlarmsCommandInput, into: Map<string, AlarmReading>): Promise<void> {
    let token: string | undefined;
    do {
      const page = await withTransientAws('describe alarms', () =>
        this.cloudwatch.send(
          new DescribeAlarmsCommand({
            ...input,
            // Metric alarms only: composite alarms need cloudwatch:DescribeAlarms on "*", the conductor's
            // role is scoped to the configured names and prefixes.
            MaxRecords: 100,
            NextToken: token,
          }),
        ),
      );
      for (const a of page.MetricAlarms ?? []) {
        if (!a.AlarmName) continue;
        const state = a.StateValue === 'ALARM' || a.StateValue === 'OK' ? a.StateValue : 'INSUFFICIENT_DATA';
        into.set(a.AlarmName, {
          name: a.AlarmName,
          state,
          ...(a.StateReason ? { reason: a.StateReason.slice(0, 300) } : {}),
        });
      }
      token = page.NextToken;
    } while (token);
  }
}
