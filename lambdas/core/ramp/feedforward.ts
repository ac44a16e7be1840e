/**
 * Feed-forward on the plan: the users Locust should run at the end of the coming tick are those the model says
 * deliver what the plan asks for when their orders arrive, `T + J` seconds from now (tick, journey). The change
 * is spread over the tick so that users move along a line, as the plan does; on the plateau the plan stands
 * still and the filter's level is the correction, applied within a few seconds.
 */
import { CAPACITY_Z, MIN_ELASTICITY, optimistic, usersAtElasticity, usersFor } from './model';
import type { ControllerConfig, Estimate } from './types';

/** Seconds over which a correction on the plateau is spawned (or stopped). */
export const PLATEAU_SPREAD_SECONDS = 5;
export const DEFAULT_ORDER_DELAY_SECONDS = 3;

/** Orders per minute the plan wants `elapsedSeconds` after the load started. */
export function plannedRate(config: ControllerConfig, elapsedSeconds: number): number {
  if (config.rampUpSeconds <= 0 || elapsedSeconds >= config.rampUpSeconds)
    return config.targetOrdersPerMinute;
  return (config.targetOrdersPerMinute * Math.max(0, elapsedSeconds)) / config.rampUpSeconds;
}

/**
 * Users for the end of the coming tick, within the model's useful range (elasticity ≥ MIN_ELASTICITY) and
 * below `refusedBy` (users whose orders were refused: past a quota, more users only add refusals);
 * `beyondReach` when the plan needs more than that.
 */
export function usersAhead(
  config: ControllerConfig,
  estimate: Estimate,
  elapsedSeconds: number,
  refusedBy: number | null = null,
): { users: number; needed: number; beyondReach: boolean } {
  const J = config.orderDelaySeconds ?? DEFAULT_ORDER_DELAY_SECONDS;
  const needed = usersFor(estimate, plannedRate(config, elapsedSeconds + config.tickSeconds + J));
  // The useful range on the most optimistic slope the data allow: one noisy interval must not hold users back.
  const reach = Math.min(
    usersAtElasticity(optimistic(estimate, CAPACITY_Z), MIN_ELASTICITY),
    refusedBy ?? Number.POSITIVE_INFINITY,
  );
  return { users: Math.ceil(Math.min(needed, reach) - 1e-9), needed, beyondReach: needed > reach };
}

/**
 * Users per second to command from `current` to `users`: over the tick along the ramp, at once otherwise (the
 * plateau, a saturation's hold and probes), divided by the spawn gain (users Locust moves per user commanded)
 * so that the users really arrive so.
 */
export function spawnRate(
  config: ControllerConfig,
  current: number,
  users: number,
  alongRamp: boolean,
  gain = 1,
): number {
  const spread = alongRamp ? config.tickSeconds : Math.min(config.tickSeconds, PLATEAU_SPREAD_SECONDS);
  return Math.max(0.1, Math.ceil((Math.abs(users - current) / Math.max(1, spread) / gain) * 100) / 100);
}
