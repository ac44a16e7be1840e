import { mapLimit } from '../core/concurrency';
import {
  DEFAULT_PREPARE_CONCURRENCY,
  type EnvironmentConfig,
  environmentProductionTargets,
  type NodeGroupConfig,
  nodeGroupTarget,
  type Platform,
  platformTarget,
} from '../core/config';
import { ProductionTargetError } from '../core/errors';
import { applicationsInScope } from '../core/plan';
import { recordsExpireAt } from '../core/records';
import type { RunState } from '../core/run-state';
import {
  type AppChange,
  type AppShape,
  hasShape,
  type NodeGroupChange,
  type NodeGroupSize,
} from '../core/shape';
import type { StepDeps } from '../runtime/step';

/** The recorded-shape key of a node group (application names cannot contain `/`). */
export const nodeGroupRecordKey = (name: string) => `nodegroup/${name}`;

/** What the prepare Map hands one invocation for one application in scope. */
export interface ApplicationItemEvent {
  readonly state: RunState;
  readonly application: string;
}
/** What the prepare phase hands the invocation that scales the environment's node groups. */
export interface NodeGroupsItemEvent {
  readonly state: RunState;
  readonly nodeGroups: true;
}

/**
 * Brings the application of a Map item to `target(current, production)`. The shape before is recorded
 * durably first (only the first record counts), so Teardown can restore it even after a retry or a crash.
 */
export async function prepareApplication(
  event: ApplicationItemEvent,
  deps: Pick<StepDeps, 'platform' | 'runs' | 'now'>,
  target: (current: AppShape, production: AppShape) => AppShape,
): Promise<AppChange> {
  const { state } = event;
  const app = applicationsInScope(state.run).find((a) => a.name === event.application);
  if (!app) throw new Error(`${event.application}: not an application in scope of this run`);
  // Every target of the run, not only this application: one Map item must not write while another's
  // target is production.
  assertRunWritable(state);
  const [current, production] = await Promise.all([
    deps.platform.readShape(app.name, app.test),
    deps.platform.readShape(app.name, app.production),
  ]);
  const expiresAt = recordsExpireAt(deps.now());
  await deps.runs.recordShapeOnce(state.run.executionId, app.name, current, expiresAt);
  const wanted = target(current, production);
  const to = hasShape(current, wanted)
    ? current
    : await deps.platform.applyShape(app.name, app.test, wanted, app.readinessTimeoutSeconds);
  return { application: app.name, from: current, to };
}

/**
 * Scales the environment's node groups to production's size (or their fixed size) before the
 * applications, so their pods have nodes. Recorded like applications, under `nodegroup/<name>`.
 */
export async function prepareNodeGroups(
  state: RunState,
  deps: Pick<StepDeps, 'nodeGroups' | 'runs' | 'now'>,
): Promise<NodeGroupChange[]> {
  const env = state.run.environment;
  const groups = env.nodeGroups ?? [];
  const expiresAt = recordsExpireAt(deps.now());
  assertRunWritable(state);
  return mapLimit(groups, concurrencyOf(env), async (g) => {
    const current = await deps.nodeGroups.readSize(g.name, g.test);
    await deps.runs.recordShapeOnce(
      state.run.executionId,
      nodeGroupRecordKey(g.name),
      nodeGroupShape(current),
      expiresAt,
    );
    const wanted = await wantedNodeGroupSize(g, deps);
    const to = await deps.nodeGroups.applySize(g.name, g.test, wanted, g.readinessTimeoutSeconds);
    return { nodeGroup: g.name, from: current, to };
  });
}

/** The size a node group is prepared to: its fixed size, or production's node group's. */
export async function wantedNodeGroupSize(
  g: NodeGroupConfig,
  deps: Pick<StepDeps, 'nodeGroups'>,
): Promise<NodeGroupSize> {
  return g.size ?? deps.nodeGroups.readSize(g.name, g.production ?? g.test);
}

function nodeGroupShape(size: NodeGroupSize): AppShape {
  return { version: 'nodegroup', replicas: size.desiredSize, nodeGroup: size };
}

/**
 * Refuses, before any write, a test platform that is one of the environment's production platforms (or any
 * platform of a production environment). The configuration check refuses it too; this guards a snapshot
 * that was crafted or predates the rule.
 */
export function assertWritable(application: string, platform: Platform, env: EnvironmentConfig): void {
  const target = platformTarget(platform);
  if (env.production || !env.loadTestTarget || environmentProductionTargets(env).has(target)) {
    throw new ProductionTargetError(
      `${application}: ${target} is a production platform; the conductor never writes to production`,
    );
  }
}

/**
 * Every target the run would write to — its applications' test platforms and the environment's node
 * groups — checked with {@link assertWritable} before the first write of a step.
 */
function assertRunWritable(state: RunState): void {
  const env = state.run.environment;
  for (const app of applicationsInScope(state.run)) assertWritable(app.name, app.test, env);
  for (const g of env.nodeGroups ?? []) assertNodeGroupWritable(g, env);
}

/** Refuses, before any write, a node group of a production cluster (as {@link assertWritable}). */
export function assertNodeGroupWritable(g: NodeGroupConfig, env: EnvironmentConfig): void {
  if (env.production || environmentProductionTargets(env).has(nodeGroupTarget(g.test))) {
    throw new ProductionTargetError(
      `node group ${g.name}: ${nodeGroupTarget(g.test)} is production; the conductor never writes to production`,
    );
  }
}

export function concurrencyOf(env: EnvironmentConfig): number {
  return env.prepareConcurrency ?? DEFAULT_PREPARE_CONCURRENCY;
}
