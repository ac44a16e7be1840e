import { settleLimit } from '../core/concurrency';
import { applicationsInScope } from '../core/plan';
import { shapeDifferences } from '../core/shape';
import type { AppShape, DriftEvent, RunState } from '../core/state';
import { assertWritable, concurrencyOf } from './prepare';
import type { StepDeps } from './runtime';

export interface DriftCheck {
  /** Applications compared (those the run prepared). */
  readonly checked: number;
  /** Empty when the whole prepared shape still holds. */
  readonly events: readonly DriftEvent[];
  /** One line for the tick's output: `shape holds (3 applications)` or what drifted. */
  readonly message: string;
}

export interface DriftOptions {
  /** Submit the prepared shape again where it drifted. Default true. */
  readonly reapply?: boolean;
  /**
   * Wait for the re-applied rollout to complete. Default false: a ramp tick has a minute; the patch is
   * submitted and the next tick's check sees whether it held (a rollout in progress already has the right spec).
   */
  readonly wait?: boolean;
}

/**
 * The drift guard, for the ramp tick to call once per tick: compares every prepared application's current
 * shape on the test platform with the shape Scale (or Deploy) left it in — `state.scale.changes[].to`, else
 * `state.deploy.changes[].to` — and re-applies that shape where a rollout, an HPA edit or a manual change
 * undid it. Never throws for one application: a read or re-apply failure is reported in its event, so a
 * drift never stops the load by itself.
 *
 *     const drift = await checkDrift(state, deps);
 *     if (drift.events.length) → record drift.events with the tick; put drift.message in the tick's message
 */
export async function checkDrift(
  state: RunState,
  deps: Pick<StepDeps, 'platform' | 'now'>,
  options: DriftOptions = {},
): Promise<DriftCheck> {
  const expected = preparedShapes(state);
  const apps = applicationsInScope(state.run).filter((a) => expected.has(a.name));
  const at = deps.now().toISOString();
  const settled = await settleLimit(apps, concurrencyOf(state.run.environment), async (app) => {
    const wanted = expected.get(app.name) as AppShape;
    const actual = await deps.platform.readShape(app.name, app.test);
    const differences = shapeDifferences(wanted, actual);
    if (differences.length === 0) return undefined;
    if (options.reapply === false) return { application: app.name, at, differences, reapplied: false };
    try {
      assertWritable(app.name, app.test, state.run.environment);
      await deps.platform.applyShape(app.name, app.test, wanted, app.readinessTimeoutSeconds, {
        wait: options.wait ?? false,
      });
      return { application: app.name, at, differences, reapplied: true };
    } catch (err) {
      return { application: app.name, at, differences, reapplied: false, error: (err as Error).message };
    }
  });
  const events: DriftEvent[] = settled.flatMap((s, i): DriftEvent[] => {
    if (s.status === 'fulfilled') return s.value ? [s.value] : [];
    const application = apps[i]?.name ?? '?';
    return [{ application, at, differences: [], reapplied: false, error: (s.reason as Error).message }];
  });
  return { checked: apps.length, events, message: describeDrift(apps.length, events) };
}

/** The shape each application was prepared to, by name. */
export function preparedShapes(state: RunState): Map<string, AppShape> {
  const out = new Map<string, AppShape>();
  for (const c of state.deploy?.changes ?? []) out.set(c.application, c.to);
  for (const c of state.scale?.changes ?? []) out.set(c.application, c.to);
  return out;
}

export function describeDrift(checked: number, events: readonly DriftEvent[]): string {
  if (events.length === 0) return `shape holds (${checked} application${checked === 1 ? '' : 's'})`;
  return events
    .map((e) => {
      const fields = e.differences.map((d) => d.field).join(', ') || 'unreadable';
      const action = e.reapplied ? 're-applied' : e.error ? `not re-applied: ${e.error}` : 'not re-applied';
      return `${e.application} drifted (${fields}), ${action}`;
    })
    .join('; ');
}
