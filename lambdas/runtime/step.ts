import { Logger } from '@aws-lambda-powertools/logger';
import { CloudWatchGateway } from '../adapters/aws/cloudwatch';
import { Notifier } from '../adapters/aws/notifier';
import { ReportStore } from '../adapters/aws/report-store';
import { RunStore } from '../adapters/aws/run-store';
import { type CleanupRunner, defaultCleanupRunner } from '../adapters/cleanup-actions';
import { EksNodeGroupAdapter, type NodeGroupAdapter } from '../adapters/eks/node-groups';
import { LocustClient } from '../adapters/locust/client';
import { defaultPlatforms, type PlatformAdapter } from '../adapters/platforms';
import { type ConductorConfig, parseConfig } from '../core/config';
import { recordStepPhase } from '../use-cases/phases';

/** What the step handlers need from the outside world; built from the Lambda's environment. */
export interface StepDeps {
  readonly runs: RunStore;
  readonly reports: ReportStore;
  readonly notifier: Notifier;
  /** The test's metrics and the teams' alarms (the SLO watch). */
  readonly cloudwatch: CloudWatchGateway;
  /** Every platform type (http, kubernetes, ecs), chosen per application by the registry. */
  readonly platform: PlatformAdapter;
  /** EKS managed node groups. */
  readonly nodeGroups: NodeGroupAdapter;
  /** Cleanup actions other than `http` (which the Cleanup step calls itself): `sql`, `kubernetes-job`. */
  readonly cleanupActions: CleanupRunner;
  locust(url: string): LocustClient;
  config(): ConductorConfig;
  now(): Date;
}

export const logger = new Logger({ serviceName: 'load-test-conductor' });

let cached: StepDeps | undefined;

/**
 * Dependencies from environment variables: `RUNS_TABLE`, `REPORTS_BUCKET`,
 * `TOPIC_ARN`, `LTC_CONFIG` (the configuration as JSON; inlined at bundle time
 * in AWS). Built once per Lambda container.
 */
export function deps(): StepDeps {
  if (cached) return cached;
  let config: ConductorConfig | undefined;
  cached = {
    runs: new RunStore(requireEnv('RUNS_TABLE')),
    reports: new ReportStore(requireEnv('REPORTS_BUCKET')),
    notifier: new Notifier(requireEnv('TOPIC_ARN')),
    cloudwatch: new CloudWatchGateway(),
    platform: defaultPlatforms(),
    nodeGroups: new EksNodeGroupAdapter(),
    cleanupActions: defaultCleanupRunner(),
    locust: (url) => new LocustClient({ baseUrl: url }),
    config: () => {
      // Written out as `process.env.LTC_CONFIG`: esbuild's `define` only replaces that exact
      // expression, so a dynamic `process.env[name]` would miss the configuration inlined in AWS.
      config ??= parseConfig(JSON.parse(process.env.LTC_CONFIG || missingEnv('LTC_CONFIG')));
      return config;
    },
    now: () => new Date(),
  };
  return cached;
}

/** Forgets the built dependencies, so a changed environment is read again (the local runner, tests). */
export function resetDeps(): void {
  cached = undefined;
}

function requireEnv(name: string): string {
  return process.env[name] || missingEnv(name);
}

function missingEnv(name: string): never {
  throw new Error(`environment variable ${name} is not set`);
}

/**
 * Test hook: runs around every step with its name, so a test can attribute the AWS calls made inside it to
 * that step (test/e2e/iam/aws-call-recorder.ts). Never set in AWS: a step then runs as is.
 */
export const stepHooks: { around?: <O>(name: string, run: () => Promise<O>) => Promise<O> } = {};

/** Steps that record their own phase (they write the report, which must already show it). */
const RECORD_OWN_PHASE = new Set(['Evaluate', 'Release lock']);

/**
 * Wraps a step's logic as a Lambda handler: dependencies injected, the step's
 * phase recorded for the report's timeline (never failing the step), the
 * error logged with the step's name and rethrown unchanged (its `name` is the
 * error code Step Functions sees).
 */
export function step<I, O>(
  name: string,
  run: (input: I, deps: StepDeps) => Promise<O>,
): (input: I) => Promise<O> {
  const handle = async (input: I): Promise<O> => {
    const d = deps();
    const startedAt = d.now();
    const record = (outcome: 'succeeded' | 'failed', detail?: string) =>
      RECORD_OWN_PHASE.has(name) ? undefined : recordStepPhase(name, input, startedAt, outcome, d, detail);
    try {
      const output = await run(input, d);
      await record('succeeded');
      return output;
    } catch (err) {
      logger.error(`${name} failed`, err as Error);
      await record('failed', `${(err as Error).name}: ${(err as Error).message}`);
      throw err;
    }
  };
  return (input) => (stepHooks.around ? stepHooks.around(name, () => handle(input)) : handle(input));
}
