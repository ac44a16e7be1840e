import { round } from '../core/numbers';
import { decide } from '../core/ramp-controller';
import type { PlateauTotals, RampState, RunState } from '../core/state';
import { controllerConfig, observe, tickDueAt } from './load';
import { step } from './runtime';

/**
 * Reads Locust, lets the controller decide the next users and spawn rate,
 * applies them and records the tick. Its output is the console's view of
 * where the test stands.
 */
export const handler = step('Ramp tick', async (state: RunState, deps): Promise<RampState> => {
  const { run } = state;
  const previous = state.ramp;
  if (!previous) throw new Error('Ramp tick without a started load ($.ramp is missing)');
  const locust = deps.locust(run.environment.locust.url);
  const now = deps.now();
  const observation = await observe(locust, now);
  const config = controllerConfig(run);
  const elapsedSeconds = (now.getTime() - Date.parse(previous.startedAt)) / 1000;
  const decision = decide(config, previous.controller, observation, elapsedSeconds);

  if (decision.phase !== 'done' && (decision.users !== observation.users || !observation.running)) {
    await locust.swarm({ userCount: decision.users, spawnRate: decision.spawnRate });
  }

  // The interval just measured counts for the plateau when it began after the ramp-up.
  const intervalStart = (previous.controller.last?.at ?? now.getTime()) - Date.parse(previous.startedAt);
  const inPlateau = intervalStart >= config.rampUpSeconds * 1000 && decision.delta.minutes > 0;
  const plateau: PlateauTotals = inPlateau
    ? {
        ticks: previous.plateau.ticks + 1,
        orders: previous.plateau.orders + decision.delta.orders,
        minutes: previous.plateau.minutes + decision.delta.minutes,
        requests: previous.plateau.requests + decision.delta.requests,
        failures: previous.plateau.failures + decision.delta.failures,
      }
    : previous.plateau;
  const failureRatio = decision.delta.requests > 0 ? decision.delta.failures / decision.delta.requests : 0;

  const tick = previous.tick + 1;
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
    failureRatio: round(failureRatio, 4),
    message: decision.message,
    controller: decision.state,
    plateau,
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
    },
    new Date(now.getTime() + 30 * 86_400_000),
  );
  return next;
});
