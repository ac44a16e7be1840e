import {
  applicationsInScope,
  type DryRunPlan,
  describeChanges,
  describeNodeGroupChanges,
  desiredShape,
} from '../core/plan';
import { plannedTicks } from '../core/run-input';
import type { RunState } from '../core/run-state';
import { locust } from '../runtime/providers/locust';
import { nodeGroups } from '../runtime/providers/node-groups';
import { platform } from '../runtime/providers/platform';
import { runs } from '../runtime/providers/runs';
import { step } from '../runtime/step';
import { wantedNodeGroupSize } from '../use-cases/prepare';
import { checkMasterOffersScenario } from '../use-cases/scenario';

/** Reads production and test shapes and says what a real run would change; writes nothing. */
export const handler = step(
  'Plan dry run',
  { runs, platform, nodeGroups, locust },
  async (state: RunState, deps): Promise<DryRunPlan> => {
    const { request } = state.run;
    // What a real run would refuse at Acquire lock, the dry run refuses too.
    await checkMasterOffersScenario(
      deps.locust(state.run.environment.locust.url),
      state.run.environment,
      request.scenario,
    );
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
    const nodeGroups = await Promise.all(
      (state.run.environment.nodeGroups ?? []).map(async (g) => {
        const [from, to] = await Promise.all([
          deps.nodeGroups.readSize(g.name, g.test),
          wantedNodeGroupSize(g, deps),
        ]);
        return { nodeGroup: g.name, from, to };
      }),
    );
    const ticks = plannedTicks(request);
    const groups = nodeGroups.length > 0 ? `; ${describeNodeGroupChanges(nodeGroups)}` : '';
    return {
      dryRun: true,
      environment: request.environment,
      changes,
      ...(nodeGroups.length > 0 ? { nodeGroups } : {}),
      plannedTicks: ticks,
      summary: `dry run: ${describeChanges(changes)}${groups}; then ${request.scenario} to ${request.targetOrdersPerMinute} orders/min over ${request.rampUpMinutes} + ${request.plateauMinutes} min in ${ticks} ticks`,
    };
  },
);
