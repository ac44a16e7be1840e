import type { LocustClient } from '../adapters/locust/client';
import { appliedUsers, decide, initialControllerState, startTrajectory } from '../core/ramp-controller';
import { NO_PLATEAU, type RampState } from '../core/ramp-state';
import { recordsExpireAt } from '../core/records';
import type { RunState } from '../core/run-state';
import { describeUserClasses, kpiOf, kpiShare, type RunEnvironment, userClassNames } from '../core/scenario';
import { locust } from '../runtime/providers/locust';
import { runs } from '../runtime/providers/runs';
import { step } from '../runtime/step';
import { controllerConfig, fleetOf, observe, tickDueAt, waitForWorkers } from '../use-cases/load';
import { checkMasterOffersScenario } from '../use-cases/scenario';

/** How long Start load waits for the first worker(s) of a fleet it just scaled (its Lambda has 1 min). */
const WORKERS_WAIT_MS = 40_000;

/**
 * Sizes the worker fleet for the first tick (when the conductor manages it), starts the Locust test with
 * the controller's first guess of users and takes the baseline reading the first tick measures against.
 */
export const handler = step(
  'Start load',
  { runs, locust },
  async (state: RunState, deps): Promise<RampState> => {
    const { run } = state;
    const locust = deps.locust(run.environment.locust.url);
    const selection = await selectUserClasses(locust, run.environment, run.request.scenario);
    const config = controllerConfig(run, selection?.kpiShare);
    const first = decide(config, initialControllerState(), null, 0);
    const fleet = fleetOf(run);

    let workers = (await locust.kpi()).workers;
    let workersRequested: number | null = null;
    let workersBefore: number | null = null;
    if (fleet) {
      // Recorded durably before the first change: Stop load and the janitor (after an aborted execution)
      // scale the fleet back to it. A retry keeps the first record, not the size this step already set.
      workersBefore = await deps.runs.recordFleetSizeOnce(
        run.executionId,
        (await fleet.status()).desired,
        recordsExpireAt(deps.now()),
      );
      workersRequested = first.workersNeeded;
      await fleet.scale(workersRequested);
      workers = await waitForWorkers(locust, workersRequested, WORKERS_WAIT_MS);
    }
    if (workers < 1) throw new Error(`Locust at ${run.environment.locust.url} has no worker connected`);

    // Users only where connected workers can host them; the first tick asks for the rest.
    const users = fleet ? Math.min(first.users, workers * config.usersPerWorker) : first.users;
    const startedAt = deps.now();
    await locust.swarm({
      userCount: users,
      spawnRate: first.spawnRate,
      userClasses: userClassNames(run.environment, run.request.scenario),
    });
    const baseline = await observe(locust, startedAt);
    const startedIso = startedAt.toISOString();
    const controller = startTrajectory(
      appliedUsers(first.state, users),
      startedAt.getTime(),
      users,
      first.spawnRate,
    );
    return {
      tick: 0,
      phase: first.phase,
      done: false,
      startedAt: startedIso,
      nextTickAt: tickDueAt(startedIso, 1, run.request.tickSeconds),
      targetNow: first.targetNow,
      ordersPerMinute: null,
      users,
      spawnRate: first.spawnRate,
      workers: baseline.workers,
      workersRequested,
      workersBefore,
      expectedOrdersPerMinute: first.expectedOrdersPerMinute,
      ordersPerUserPerMinute: null,
      saturation: null,
      failureRatio: 0,
      message:
        `started ${run.request.scenario}${selection ? ` (${describeUserClasses(selection.classes)})` : ''}: ${users} users at ${first.spawnRate}/s on ${baseline.workers} workers` +
        (fleet ? ` (${workersRequested} asked of ${fleet.description})` : '') +
        ` — assuming ${config.initialOrdersPerUserPerMinute} ${kpiOf(run.environment).name}/user/min until measured`,
      controller: {
        ...controller,
        // The first interval is measured from this reading.
        last: {
          at: baseline.at,
          orders: baseline.orders,
          requests: baseline.requests,
          failures: baseline.failures,
          users: 0,
          bootId: baseline.bootId,
          generation: baseline.generation,
        },
      },
      plateau: NO_PLATEAU,
      ...(selection ? { kpiShare: selection.kpiShare } : {}),
    };
  },
);

/**
 * Checks again that the master offers the scenario's classes (Acquire lock checked before anything was
 * prepared; the master may have been replaced since) and sets their weights for the test about to start.
 * Returns the classes and weights with the share of users counting the KPI, or null when the scenario maps to
 * none (the master runs its own selection).
 */
async function selectUserClasses(
  locust: LocustClient,
  environment: RunEnvironment,
  scenario: string,
): Promise<{ classes: Readonly<Record<string, number>>; kpiShare: number } | null> {
  const checked = await checkMasterOffersScenario(locust, environment, scenario);
  if (!checked) return null;
  const { classes, offer } = checked;
  for (const [name, weight] of Object.entries(classes)) await locust.setUserClassWeight(name, weight);
  return { classes, kpiShare: kpiShare(classes, offer) };
}
