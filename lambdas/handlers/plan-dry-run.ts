import { applicationsInScope, describeChanges, desiredShape } from '../core/plan';
import { plannedTicks } from '../core/run-input';
import type { DryRunPlan, RunState } from '../core/state';
import { step } from './runtime';

/** Reads production and test shapes and says what a real run would change; writes nothing. */
export const handler = step('Plan dry run', async (state: RunState, deps): Promise<DryRunPlan> => {
  const { request } = state.run;
  const changes = await Promise.all(
    applicationsInScope(state.run).map(async (app) => {
      const [from, production] = await Promise.all([
        deps.platform.readShape(app.name, app.test),
        deps.platform.readShape(app.name, app.production),
      ]);
      return {
        application: app.name,
        from,
        to: desiredShape(from, production, request.deployProductionVersions),
      };
    }),
  );
  const ticks = plannedTicks(request);
  return {
    dryRun: true,
    environment: request.environment,
    changes,
    plannedTicks: ticks,
    summary: `dry run: ${describeChanges(changes)}; then ${request.scenario} to ${request.targetOrdersPerMinute} orders/min over ${request.rampUpMinutes} + ${request.plateauMinutes} min in ${ticks} ticks`,
  };
});
