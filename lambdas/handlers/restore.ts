import { retryTransient } from '../adapters/aws/transient';
import { settleLimit } from '../core/concurrency';
import { applicationsInScope } from '../core/plan';
import { hasShape, restoreTarget } from '../core/shape';
import type { AppChange, FleetRestore, NodeGroupChange, RunContext, TeardownResult } from '../core/state';
import { fleetOf } from './load';
import { assertWritable, concurrencyOf, nodeGroupRecordKey } from './prepare';
import type { StepDeps } from './runtime';

/**
 * Restores each application's recorded shape — replicas, container resources, HPA bounds, ECS desired
 * count; the versions too when the environment says `restoreVersions` — then the node groups' sizes. Reads
 * the record from the run store, not from the state, so it also works for a run that failed half-way or
 * was stopped. Idempotent: what is already back in shape is left alone. A transient platform error (5xx,
 * throttling, a timeout) is retried in place with backoff before it counts. Every restore is attempted even
 * when one fails; the failure is raised after all settled. Shared by Teardown and the janitor.
 */
export async function restoreRecordedShapes(run: RunContext, deps: StepDeps): Promise<TeardownResult> {
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
export async function stopLocust(run: RunContext, deps: StepDeps): Promise<void> {
  await deps.locust(run.environment.locust.url).stop();
}

/**
 * Scales the Locust worker fleet back to the size recorded before Start load scaled it. Null when the
 * conductor does not size the fleet or the run never scaled it (no record). Idempotent: a fleet already at
 * that size is not asked again. Shared by Stop load and the janitor.
 */
export async function restoreFleetSize(run: RunContext, deps: StepDeps): Promise<FleetRestore | null> {
  const fleet = fleetOf(run);
  if (!fleet) return null;
  const before = await deps.runs.recordedFleetSize(run.executionId);
  if (before == null) return null;
  const { desired } = await fleet.status();
  if (desired !== before) await fleet.scale(before);
  return { fleet: fleet.description, from: desired, to: before };
}
