import type { ApplicationConfig } from '../core/config';
import { applicationsInScope } from '../core/plan';
import type { AppChange, AppShape, RunState } from '../core/state';
import type { StepDeps } from './runtime';

/** How long recorded shapes are kept after a run (for the report and a late restore). */
const RECORD_DAYS = 30;

/**
 * Brings every application in scope to `target(current, production)`, all in
 * parallel. The shape before is recorded durably first (only the first record
 * counts), so Teardown can restore it even after a retry or a crash.
 */
export async function prepareApplications(
  state: RunState,
  deps: StepDeps,
  target: (current: AppShape, production: AppShape) => AppShape,
): Promise<AppChange[]> {
  const expiresAt = new Date(deps.now().getTime() + RECORD_DAYS * 86_400_000);
  return Promise.all(
    applicationsInScope(state.run).map(async (app: ApplicationConfig) => {
      const [current, production] = await Promise.all([
        deps.platform.readShape(app.name, app.test),
        deps.platform.readShape(app.name, app.production),
      ]);
      await deps.runs.recordShapeOnce(state.run.executionId, app.name, current, expiresAt);
      const wanted = target(current, production);
      const to =
        wanted.version === current.version && wanted.replicas === current.replicas
          ? current
          : await deps.platform.applyShape(app.name, app.test, wanted, app.readinessTimeoutSeconds);
      return { application: app.name, from: current, to };
    }),
  );
}
