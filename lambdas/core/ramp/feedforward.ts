/**
 * Feed-forward on the plan: the users Locust should run at the end of the coming tick are those the model says
 * deliver what the plan asks for when their orders arrive, `T + J` seconds from now (tick, journey). The change
 * is spread over the tick so that users move along a line, as the plan does; on the plateau the plan stands
 * still and the filter's level is the correction, applied within a few seconds.
 */
import { usersAtElasticity, usersFor } from './model';
import type { ControllerConfig, Estimate } from './types';

/** Seconds over which a correction on the plateau is spawned (or stopped). */
export const PLATEAU_SPREAD_SECONDS = 5;
/** Elasticity the model is followed down to: nearer the capacity its inverse swings with small errors of k. */
export const MIN_ELASTICITY = 0.25;
export const DEFAULT_ORDER_DELAY_SECONDS = 3;

/** Orders per minute the plan wants `elapsedSeconds` after the load started. */
export function plannedRate(config: ControllerConfig, elapsedSeconds: number): number {
  if (config.rampUpSeconds <= 0 || elapsedSeconds >= config.rampUpSeconds)
    return config.targetOrdersPerMinute;
  return (config.targetOrdersPerMinute * Math.max(0, elapsedSeconds)) / config.rampUpSeconds;
}

/**
 * Users for the end of the coming tick. Near the capacity k is taken at its lower bound (`kLow`, optimistic):
 * an uncertain slope must not stop a reachable ramp; the saturation check decides when the target is out of
 * reach, and the growth guard bounds what an optimistic slope asks for.
 */
export function usersAhead(
  config: ControllerConfig,
  estimate: Estimate,
  kLow: number,
  elapsedSeconds: number,
): number {
  const J = config.orderDelaySeconds ?? DEFAULT_ORDER_DELAY_SECONDS;
  const wanted = plannedRate(config, elapsedSeconds + config.tickSeconds + J);
  const optimistic = { a: estimate.a, k: Math.max(0, kLow) };
  return Math.ceil(
    Math.min(usersFor(estimate, wanted), usersAtElasticity(optimistic, MIN_ELASTICITY)) - 1e-9,
  );
}

/** Users per second to get from `current` to `users`: over the tick on the ramp, at once on the plateau. */
export function spawnRate(config: ControllerConfig, current: number, users: number, inRamp: boolean): number {
  const spread = inRamp ? config.tickSeconds : Math.min(config.tickSeconds, PLATEAU_SPREAD_SECONDS);
  return Math.max(0.1, Math.ceil((Math.abs(users - current) / Math.max(1, spread)) * 100) / 100);
}
