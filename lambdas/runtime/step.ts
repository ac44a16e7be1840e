import type { CloudWatchGateway } from '../adapters/aws/cloudwatch';
import type { Notifier } from '../adapters/aws/notifier';
import type { ReportStore } from '../adapters/aws/report-store';
import type { RunStore } from '../adapters/aws/run-store';
import type { CleanupRunner } from '../adapters/cleanup-actions';
import type { NodeGroupAdapter } from '../adapters/eks/node-groups';
import type { LocustClient } from '../adapters/locust/client';
import type { PlatformAdapter } from '../adapters/platforms';
import type { ConductorConfig } from '../core/config';
import { recordStepPhase } from '../use-cases/phases';
import { logger } from './logger';

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

type Provided = Exclude<keyof StepDeps, 'now'>;

/**
 * How a step builds the dependencies it uses, one factory each (lambdas/runtime/providers/): a step's bundle
 * holds only the adapters and clients of the factories it names.
 */
export type Providers = { readonly [K in Provided]?: () => StepDeps[K] };

/** A step's dependencies: those it named, and the clock. */
export type DepsOf<P extends Providers> = Pick<StepDeps, Extract<keyof P, Provided> | 'now'>;

const registered = new Map<Provided, () => unknown>();
let cached: Record<string, unknown> | undefined;

/** Every step names the same factory for a dependency (the one of runtime/providers/): one container serves all. */
function register(step: string, providers: Providers): void {
  for (const [key, make] of Object.entries(providers) as [Provided, () => unknown][]) {
    const known = registered.get(key);
    if (known && known !== make)
      throw new Error(`${step}: another step builds '${key}' with another factory`);
    registered.set(key, make);
  }
}

/**
 * The dependencies of the steps loaded in this process (in a Lambda, its one step's), built from the
 * environment (`RUNS_TABLE`, `REPORTS_BUCKET`, `TOPIC_ARN`, `LTC_CONFIG`) when first asked for, and kept for the
 * container's life. Tests and the local runner may replace a member (they load every step).
 */
export function deps(): StepDeps {
  cached ??= { now: () => new Date() };
  for (const [key, make] of registered) if (!(key in cached)) cached[key] = make();
  return cached as unknown as StepDeps;
}

/** Forgets the built dependencies, so a changed environment is read again (the local runner, tests). */
export function resetDeps(): void {
  cached = undefined;
}

/**
 * Test hook: runs around every step with its name, so a test can attribute the AWS calls made inside it to
 * that step (test/support/iam/aws-call-recorder.ts). Never set in AWS: a step then runs as is.
 */
export const stepHooks: { around?: <O>(name: string, run: () => Promise<O>) => Promise<O> } = {};

/** Steps that record their own phase (they write the report, which must already show it). */
const RECORD_OWN_PHASE = new Set(['Evaluate', 'Release lock']);

/**
 * Wraps a step's logic as a Lambda handler: the dependencies it names injected (`providers`, which also
 * records the run's phases), the step's phase recorded for the report's timeline (never failing the step),
 * the error logged with the step's name and rethrown unchanged (its `name` is the error code Step Functions
 * sees).
 */
export function step<I, O, P extends Providers & { readonly runs: () => RunStore }>(
  name: string,
  providers: P,
  run: (input: I, deps: DepsOf<P>) => Promise<O>,
): (input: I) => Promise<O> {
  register(name, providers);
  const handle = async (input: I): Promise<O> => {
    const d = deps() as DepsOf<P>;
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
