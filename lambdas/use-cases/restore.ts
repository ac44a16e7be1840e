import { retryTransient } from '../adapters/aws/transient';
import { settleLimit } from '../core/concurrency';
import { applicationsInScope } from '../core/plan';
import type { FleetRestore, Leftover, TeardownResult } from '../core/restore';
import type { RunContext } from '../core/run-context';
import type { RunState } from '../core/run-state';
import {
  type AppChange,
  type AppShape,
  hasShape,
  type NodeGroupChange,
  type NodeGroupSize,
  restoreTarget,
  sameNodeGroupSize,
} from '../core/shape';
import type { StepDeps } from '../runtime/step';
import { fleetOf } from './load';
import { assertWritable, concurrencyOf, nodeGroupRecordKey } from './prepare';

/**
 * Restores each application's recorded shape — replicas, container resources, HPA bounds, ECS desired
 * count; the versions too when the environment says `restoreVersions` — then the node groups' sizes. Reads
 * the record from the run store, not from the state, so it also works for a run that failed half-way or
 * was stopped. Idempotent: what is already back in shape is left alone. A transient platform error (5xx,
 * throttling, a timeout) is retried in place with backoff before it counts. Every restore is attempted even
 * when one fails; the failure is raised after all settled. Shared by Teardown and the janitor.
 */
export async function restoreRecordedShapes(
  run: RunContext,
  deps: Pick<StepDeps, 'runs' | 'platform' | 'nodeGroups'>,
): Promise<TeardownResult> {
  const env = run.environment;
  const recorded = await deps.runs.recordedShapes(run.executionId);
  const apps = applicationsInScope(run).filter((app) => recorded.has(app.name));
  const appResults = await settleLimit(apps, concurrencyOf(env), async (app): Promise<AppChange> => {
    const before = recorded.get(app.name);
    if (!before) throw new Error(`${app.name}: no recorded shape`);
    assertWritable(app.name, app.test, env);
    // Retried in place: a retry of the whole step would redo the applications already restored.
    return retryTransient(async () => {
      const current = await deps.platform.readShape(app.name, app.test);
      const wanted = restoreTarget(before, current, env.restoreVersions ?? false);
      const to = hasShape(current, wanted)
        ? current
        : await deps.platform.applyShape(app.name, app.test, wanted, app.readinessTimeoutSeconds);
      return { application: app.name, from: current, to };
    });
  });
  // Node groups after the applications: their pods must be gone from the extra nodes first.
  const groups = (env.nodeGroups ?? []).filter((g) => recorded.get(nodeGroupRecordKey(g.name))?.nodeGroup);
  const groupResults = await settleLimit(groups, concurrencyOf(env), async (g): Promise<NodeGroupChange> => {
    const size = recorded.get(nodeGroupRecordKey(g.name))?.nodeGroup;
    if (!size) throw new Error(`node group ${g.name}: no recorded size`);
    return retryTransient(async () => {
      const from = await deps.nodeGroups.readSize(g.name, g.test);
      const to = await deps.nodeGroups.applySize(g.name, g.test, size, g.readinessTimeoutSeconds);
      return { nodeGroup: g.name, from, to };
    });
  });
  const failures = [...appResults, ...groupResults].filter(
    (r): r is PromiseRejectedResult => r.status === 'rejected',
  );
  if (failures.length > 0) {
    const first = failures[0]?.reason as Error;
    if (failures.length === 1) throw first;
    const error = new Error(
      `${failures.length} restores failed: ${failures.map((f) => (f.reason as Error).message).join('; ')}`,
    );
    error.name = first.name;
    throw error;
  }
  const restored = appResults.map((r) => (r as PromiseFulfilledResult<AppChange>).value);
  const nodeGroups = groupResults.map((r) => (r as PromiseFulfilledResult<NodeGroupChange>).value);
  return nodeGroups.length > 0 ? { restored, nodeGroups } : { restored };
}

/** Stops every Locust user of the run's environment. Shared by Stop load and the janitor. */
export async function stopLocust(run: RunContext, deps: Pick<StepDeps, 'locust'>): Promise<void> {
  await deps.locust(run.environment.locust.url).stop();
}

/**
 * Scales the Locust worker fleet back to the size recorded before Start load scaled it. Null when the
 * conductor does not size the fleet or the run never scaled it (no record). Idempotent: a fleet already at
 * that size is not asked again. Shared by Stop load and the janitor.
 */
export async function restoreFleetSize(
  run: RunContext,
  deps: Pick<StepDeps, 'runs'>,
): Promise<FleetRestore | null> {
  const fleet = fleetOf(run);
  if (!fleet) return null;
  const before = await deps.runs.recordedFleetSize(run.executionId);
  if (before == null) return null;
  const { desired } = await fleet.status();
  if (desired !== before) await fleet.scale(before);
  return { fleet: fleet.description, from: desired, to: before };
}

/**
 * What is not back in its recorded shape after a restore step failed: applications and node groups when
 * Teardown did not succeed, the worker fleet when Stop load did not. Each with its current shape (read now)
 * and its recorded one (the run store's record, else the state's own account of what Deploy and Scale
 * changed), where they can be read; one that cannot be read counts as left. Never throws: it is what a person
 * reads when other things already failed.
 */
export async function leftoversAfterRestore(
  state: RunState,
  deps: Pick<StepDeps, 'runs' | 'platform' | 'nodeGroups'>,
): Promise<Leftover[]> {
  const { run } = state;
  const leftovers: Leftover[] = [];
  if (state.restoreErrors?.teardown || !state.teardown) {
    const recorded = await recordedOrFromState(state, deps);
    const apps = applicationsInScope(run).filter((app) => recorded.apps.has(app.name));
    for (const app of apps) {
      const before = recorded.apps.get(app.name) as AppShape;
      const current = await readOrNull(() => deps.platform.readShape(app.name, app.test));
      const back =
        current &&
        hasShape(current, restoreTarget(before, current, run.environment.restoreVersions ?? false));
      if (!back)
        leftovers.push({
          kind: 'application',
          name: app.name,
          ...(current ? { current } : {}),
          recorded: before,
        });
    }
    for (const group of run.environment.nodeGroups ?? []) {
      const before = recorded.nodeGroups.get(group.name);
      if (!before) continue;
      const current = await readOrNull(() => deps.nodeGroups.readSize(group.name, group.test));
      if (!current || !sameNodeGroupSize(current, before))
        leftovers.push({
          kind: 'nodeGroup',
          name: group.name,
          ...(current ? { current } : {}),
          recorded: before,
        });
    }
  }
  const fleet = fleetOf(run);
  if (state.restoreErrors?.stopLoad && fleet) {
    const before = await readOrNull(() => deps.runs.recordedFleetSize(run.executionId));
    const desired = await readOrNull(async () => (await fleet.status()).desired);
    // A fleet the run never scaled (recorded as none) has nothing to restore.
    const neverScaled = before === null && desired !== null;
    if (!neverScaled && (before === null || desired !== before))
      leftovers.push({
        kind: 'workerFleet',
        name: fleet.description,
        ...(desired !== null ? { current: { workers: desired } } : {}),
        ...(before !== null ? { recorded: { workers: before } } : {}),
      });
  }
  return leftovers;
}

async function readOrNull<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return (await read()) ?? null;
  } catch {
    return null;
  }
}

/**
 * The shapes recorded before the run changed them. The run store's record when it can be read; otherwise
 * what the state says Deploy and Scale found before they changed anything (`from` of their first change).
 */
async function recordedOrFromState(
  state: RunState,
  deps: Pick<StepDeps, 'runs' | 'nodeGroups'>,
): Promise<{ apps: Map<string, AppShape>; nodeGroups: Map<string, NodeGroupSize> }> {
  const stored = await readOrNull(() => deps.runs.recordedShapes(state.run.executionId));
  const apps = new Map<string, AppShape>();
  const nodeGroups = new Map<string, NodeGroupSize>();
  if (stored) {
    for (const group of state.run.environment.nodeGroups ?? []) {
      const size = stored.get(nodeGroupRecordKey(group.name))?.nodeGroup;
      if (size) nodeGroups.set(group.name, size);
    }
    for (const [name, shape] of stored) if (!shape.nodeGroup) apps.set(name, shape);
    return { apps, nodeGroups };
  }
  for (const change of [...(state.deploy?.changes ?? []), ...(state.scale?.changes ?? [])])
    if (!apps.has(change.application)) apps.set(change.application, change.from);
  for (const change of state.scale?.nodeGroups ?? [])
    if (!nodeGroups.has(change.nodeGroup)) nodeGroups.set(change.nodeGroup, change.from);
  return { apps, nodeGroups };
}
