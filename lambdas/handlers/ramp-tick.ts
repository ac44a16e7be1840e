import {
  advance,
  type CapacityState,
  capacityControllerConfig,
  describeCapacity,
  initialCapacityState,
} from '../core/capacity/search';
import { capacityPlanOf, capacityTick, levelDecision, withoutAbortPolicy } from '../core/capacity/tick';
import { withSloDefaults } from '../core/config';
import { round } from '../core/numbers';
import { appliedUsers, decide } from '../core/ramp-controller';
import { addToPlateau, intervalInPlateau, type RampState, unfollowedUsers } from '../core/ramp-state';
import { recordsExpireAt } from '../core/records';
import type { RunState } from '../core/run-state';
import { userClassNames } from '../core/scenario';
import { cloudwatch } from '../runtime/providers/cloudwatch';
import { locust } from '../runtime/providers/locust';
import { nodeGroups } from '../runtime/providers/node-groups';
import { notifier } from '../runtime/providers/notifier';
import { platform } from '../runtime/providers/platform';
import { runs } from '../runtime/providers/runs';
import { step } from '../runtime/step';
import { checkDrift } from '../use-cases/drift';
import { controllerConfig, fleetOf, readLocust, tickDueAt } from '../use-cases/load';
import { applyWatch, publishCapacityMetrics, watchTick } from '../use-cases/watch';

/**
 * Reads Locust, lets the controller decide the next users, spawn rate and worker count, sizes the worker
 * fleet (up before the users are spawned, never down while the load runs), applies the users
 * and records the tick.
 * The SLO watch checks the same reading and may end the test by policy.
 * Its output is the console's view of where the test stands.
 */
export const handler = step(
  'Ramp tick',
  { runs, locust, platform, nodeGroups, cloudwatch, notifier },
  async (state: RunState, deps): Promise<RampState> => {
    const { run } = state;
    const previous = state.ramp;
    if (!previous) throw new Error('Ramp tick without a started load ($.ramp is missing)');
    const locust = deps.locust(run.environment.locust.url);
    const now = deps.now();
    const { observation, stats } = await readLocust(locust, now);
    const config = controllerConfig(run, previous.kpiShare);
    const elapsedSeconds = (now.getTime() - Date.parse(previous.startedAt)) / 1000;
    // Mode capacity: the search sets the plan the controller follows (docs/capacity-mode.md).
    const capacityPlan = capacityPlanOf(run.request, withSloDefaults(run.environment.slos));
    const search = capacityPlan ? (previous.capacity ?? initialCapacityState()) : null;
    const plan = (s: CapacityState | null) => (s ? capacityControllerConfig(config, s) : config);
    const measured = decide(plan(search), previous.controller, observation, elapsedSeconds);
    const inPlateau = intervalInPlateau(previous, now, config.rampUpSeconds, measured.delta);
    // Metrics and SLOs on the same reading; an abort by policy adds no workers or users.
    const watch = await watchTick(
      search ? withoutAbortPolicy(state) : state,
      {
        tick: previous.tick + 1,
        at: now,
        phase: measured.phase,
        stats,
        ordersPerMinute: measured.ordersPerMinute,
        targetNow: measured.targetNow,
        users: measured.users,
        workers: observation.workers,
        interval: measured.delta,
        plateau: inPlateau,
      },
      deps,
    );
    const capacity =
      capacityPlan && search
        ? advance(
            capacityPlan,
            search,
            capacityTick(config, {
              tick: previous.tick + 1,
              elapsedSeconds,
              decision: measured,
              workers: observation.workers,
              tracks: watch.slo.tracks,
            }),
          )
        : null;
    // A new level (or the search's end) is decided on the same reading, with its plan.
    const newLevel =
      capacity !== null && (capacity.phase !== search?.phase || capacity.level !== search?.level);
    const decided = newLevel
      ? decide(plan(capacity), previous.controller, observation, elapsedSeconds)
      : measured;
    // A held level runs the users the search fits for it from the measured curve (docs/capacity-mode.md).
    const decision = capacity ? levelDecision(config, capacity, decided, observation.users) : decided;
    const running = decision.phase !== 'done' && !watch.abort;
    const notFollowing = unfollowedUsers(previous, observation);
    const capacityWarning = capacity ? await publishCapacityMetrics(state, now, capacity, deps) : null;
    const notes = [decision.notes, notFollowing ?? [], capacityWarning ?? []].flat();
    const capacityText =
      capacity && capacityPlan ? describeCapacity(capacity, capacityPlan.parameters.holdTicks) : null;
    const message = [capacityText, decision.message, notFollowing].filter(Boolean).join('; ');
    // The drift guard: a rollout or an HPA edit during the test must not silently shrink the system.
    const drift = running ? await checkDrift(state, deps) : null;
    const driftEvents = drift?.events ?? [];

    // Workers first: the controller only spawns users on connected workers and asks one tick ahead. The fleet
    // only grows while the load runs: Locust moves users at once when a worker joins or leaves, and the moved
    // users restart together, in step for the rest of the run (bursts of orders). Stop load scales it down.
    const fleet = fleetOf(run);
    let workersRequested = previous.workersRequested ?? null;
    const wanted = decision.workersNeeded;
    if (fleet && running && (workersRequested == null || wanted > workersRequested)) {
      await fleet.scale(wanted);
      workersRequested = wanted;
    }
    if (running && (decision.users !== observation.users || !observation.running)) {
      await locust.swarm({
        userCount: decision.users,
        spawnRate: decision.spawnRate,
        userClasses: userClassNames(run.environment, run.request.scenario),
      });
    }

    const plateau = inPlateau ? addToPlateau(previous.plateau, decision.delta) : previous.plateau;
    const failureRatio = decision.delta.requests > 0 ? decision.delta.failures / decision.delta.requests : 0;

    const tick = previous.tick + 1;
    const controllerState = decision.state;
    const next: RampState = {
      tick,
      phase: decision.phase,
      done: decision.phase === 'done',
      startedAt: previous.startedAt,
      nextTickAt: tickDueAt(previous.startedAt, tick + 1, run.request.tickSeconds),
      targetNow: round(decision.targetNow),
      ordersPerMinute: decision.ordersPerMinute == null ? null : round(decision.ordersPerMinute),
      users: decision.users,
      spawnRate: decision.spawnRate,
      workers: observation.workers,
      workersRequested,
      workersBefore: previous.workersBefore ?? null,
      expectedOrdersPerMinute: round(decision.expectedOrdersPerMinute),
      ordersPerUserPerMinute:
        decision.ordersPerUserPerMinute == null ? null : round(decision.ordersPerUserPerMinute, 3),
      saturation: decision.saturation,
      notes,
      failureRatio: round(failureRatio, 4),
      message: driftEvents.length > 0 ? `${message}; ${drift?.message}` : message,
      drift: driftEvents,
      controller: running ? controllerState : appliedUsers(controllerState, 0),
      plateau,
      ...(previous.kpiShare !== undefined ? { kpiShare: previous.kpiShare } : {}),
      ...(capacity ? { capacity } : {}),
    };
    await deps.runs.putTick(
      run.executionId,
      {
        tick,
        at: now.toISOString(),
        phase: next.phase,
        targetNow: next.targetNow,
        ordersPerMinute: next.ordersPerMinute,
        users: next.users,
        workers: next.workers,
        failureRatio: next.failureRatio,
        message: next.message,
        spawnRate: next.spawnRate,
        workersRequested,
        expectedOrdersPerMinute: next.expectedOrdersPerMinute,
        ordersPerUserPerMinute: next.ordersPerUserPerMinute,
        elasticity: round(decision.elasticity, 3),
        saturation: decision.saturation,
        notes,
        drift: driftEvents,
      },
      recordsExpireAt(now),
    );
    return applyWatch(next, watch);
  },
);
