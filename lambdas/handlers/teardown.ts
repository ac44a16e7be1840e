import { applicationsInScope } from '../core/plan';
import type { AppChange, RunState, TeardownResult } from '../core/state';
import { step } from './runtime';

/**
 * Restores each application's size from the shape recorded before the run
 * changed it (read from the run store, not from the state, so it also works
 * for a run that failed half-way). Versions stay: they are production's.
 * Idempotent: an application already back in shape is left alone.
 */
export const handler = step('Teardown', async (state: RunState, deps): Promise<TeardownResult> => {
  const recorded = await deps.runs.recordedShapes(state.run.executionId);
  const restored = await Promise.all(
    applicationsInScope(state.run)
      .filter((app) => recorded.has(app.name))
      .map(async (app): Promise<AppChange> => {
        const before = recorded.get(app.name);
        if (!before) throw new Error(`${app.name}: no recorded shape`);
        const current = await deps.platform.readShape(app.name, app.test);
        const to =
          current.replicas === before.replicas
            ? current
            : await deps.platform.applyShape(
                app.name,
                app.test,
                { replicas: before.replicas },
                app.readinessTimeoutSeconds,
              );
        return { application: app.name, from: current, to };
      }),
  );
  return { restored };
});
