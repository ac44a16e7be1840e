import { settleLimit } from '../core/concurrency';
import { applicationsInScope, type DriftEvent } from '../core/plan';
import type { RunState } from '../core/run-state';
import { type AppShape, type NodeGroupSize, nodeGroupDifferences, shapeDifferences } from '../core/shape';
import type { StepDeps } from '../runtime/step';
import { assertNodeGroupWritable, assertWritable, concurrencyOf, nodeGroupRecordKey } from './prepare';

export interface DriftCheck {
  /** Applications and node groups compared (those the run prepared). */
  readonly checked: number;
  /** Empty when the whole prepared shape still holds. */
  readonly events: readonly DriftEvent[];
  /** One line for the tick's output: `shape holds (3 applications)` or what drifted. */
  readonly message: string;
}

/**
 * The drift guard, for the ramp tick to call once per tick: compares every prepared application's current
 * shape on the test platform with the shape Scale (or Deploy) left it in — `state.scale.changes[].to`, else
 * `state.deploy.changes[].to` — and re-applies that shape where a rollout, an HPA edit or a manual change
 * undid it. The node groups Scale sized (`state.scale.nodeGroups[].to`) too: scaled back down or their
 * bounds changed. Never throws for one of them: a read or re-apply failure is reported in its event, so a
 * drift never stops the load by itself. A re-apply does not wait for its rollout: a ramp tick has a minute; the
 * patch is submitted and the next tick's check sees whether it held (a rollout in progress already has the
 * right spec).
 *
 *     const drift = await checkDrift(state, deps);
 *     if (drift.events.length) → record drift.events with the tick; put drift.message in the tick's message
 */
export async function checkDrift(
  state: RunState,
  deps: Pick<StepDeps, 'platform' | 'nodeGroups' | 'now'>,
): Promise<DriftCheck> {
  const expected = preparedShapes(state);
  const apps = applicationsInScope(state.run).filter((a) => expected.has(a.name));
  const at = deps.now().toISOString();
  const settled = await settleLimit(apps, concurrencyOf(state.run.environment), async (app) => {
    const wanted = expected.get(app.name) as AppShape;
    const actual = await deps.platform.readShape(app.name, app.test);
    return driftEvent(app.name, at, shapeDifferences(wanted, actual), async () => {
      assertWritable(app.name, app.test, state.run.environment);
      await deps.platform.applyShape(app.name, app.test, wanted, app.readinessTimeoutSeconds, {
        wait: false,
      });
    });
  });
  const appEvents = driftEvents(
    settled,
    apps.map((a) => a.name),
    at,
  );
  const groups = await checkNodeGroups(state, deps, at);
  const events = [...appEvents, ...groups.events];
  const checked = apps.length + groups.checked;
  return { checked, events, message: describeDrift(apps.length, groups.checked, events) };
}

/** The node groups' part of the drift guard: each one as Scale left it, re-applied where it drifted. */
async function checkNodeGroups(
  state: RunState,
  deps: Pick<StepDeps, 'nodeGroups'>,
  at: string,
): Promise<{ checked: number; events: DriftEvent[] }> {
  const env = state.run.environment;
  const prepared = new Map((state.scale?.nodeGroups ?? []).map((c) => [c.nodeGroup, c.to]));
  const groups = (env.nodeGroups ?? []).filter((g) => prepared.has(g.name));
  const settled = await settleLimit(
    groups,
    concurrencyOf(env),
    async (g): Promise<DriftEvent | undefined> => {
      const wanted = prepared.get(g.name) as NodeGroupSize;
      const differences = nodeGroupDifferences(wanted, await deps.nodeGroups.readSize(g.name, g.test));
      return driftEvent(nodeGroupRecordKey(g.name), at, differences, async () => {
        assertNodeGroupWritable(g, env);
        await deps.nodeGroups.applySize(g.name, g.test, wanted, g.readinessTimeoutSeconds, {
          wait: false,
        });
      });
    },
  );
  const events = driftEvents(
    settled,
    groups.map((g) => nodeGroupRecordKey(g.name)),
    at,
  );
  return { checked: groups.length, events };
}

/** What one check found: nothing, or the drift and whether `reapply` submitted the prepared shape again. */
async function driftEvent(
  application: string,
  at: string,
  differences: DriftEvent['differences'],
  reapply: () => Promise<void>,
): Promise<DriftEvent | undefined> {
  if (differences.length === 0) return undefined;
  try {
    await reapply();
    return { application, at, differences, reapplied: true };
  } catch (err) {
    return { application, at, differences, reapplied: false, error: (err as Error).message };
  }
}

/** The events of settled checks, by name: a check that threw (its read failed) is an event too. */
function driftEvents(
  settled: readonly PromiseSettledResult<DriftEvent | undefined>[],
  names: readonly string[],
  at: string,
): DriftEvent[] {
  return settled.flatMap((s, i): DriftEvent[] => {
    if (s.status === 'fulfilled') return s.value ? [s.value] : [];
    const application = names[i] ?? '?';
    return [{ application, at, differences: [], reapplied: false, error: (s.reason as Error).message }];
  });
}

/** The shape each application was prepared to, by name. */
function preparedShapes(state: RunState): Map<string, AppShape> {
  const out = new Map<string, AppShape>();
  for (const c of state.deploy?.changes ?? []) out.set(c.application, c.to);
  for (const c of state.scale?.changes ?? []) out.set(c.application, c.to);
  return out;
}

function describeDrift(applications: number, nodeGroups: number, events: readonly DriftEvent[]): string {
  if (events.length === 0) {
    const groups = nodeGroups > 0 ? `, ${nodeGroups} node group${nodeGroups === 1 ? '' : 's'}` : '';
    return `shape holds (${applications} application${applications === 1 ? '' : 's'}${groups})`;
  }
  return events
    .map((e) => {
      const fields = e.differences.map((d) => d.field).join(', ') || 'unreadable';
      const action = e.reapplied ? 're-applied' : e.error ? `not re-applied: ${e.error}` : 'not re-applied';
      return `${e.application} drifted (${fields}), ${action}`;
    })
    .join('; ');
}
