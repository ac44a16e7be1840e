/**
 * The actuator: Locust's users follow the commanded spawn rate with a gain (a slow or loaded worker spawns
 * slower, a fast one faster). The gain is estimated from what Locust reports — users moved over users the
 * command allowed in the interval — where the spawn was still under way at the reading (a spawn that reached
 * its target only bounds the gain from below, and is not counted). The command divides by it, so that the
 * reported users land where the plan wants them.
 */
import { MAX_GROWTH } from './limits';
import type { Command, SpawnGain } from './types';

/** Weight of the prior gain of 1, in users commanded: a few ticks' spawns outweigh it. */
export const SPAWN_PRIOR_USERS = 20;
/** Share of the evidence kept from one interval to the next (a worker's load changes). */
export const SPAWN_MEMORY = 0.7;

export const NO_SPAWN_EVIDENCE: SpawnGain = { moved: 0, allowed: 0 };

/**
 * Adds one interval's evidence: `from` → `to` users reported over `seconds`, under `command`. Counted only when
 * the spawn did not reach its target (its speed was seen) and the users moved the commanded way.
 */
export function observeSpawn(
  evidence: SpawnGain,
  command: Command | null,
  from: number,
  to: number,
  seconds: number,
): SpawnGain {
  if (!command || command.rate <= 0 || seconds <= 0) return evidence;
  const wanted = command.users - from;
  const moved = (to - from) * Math.sign(wanted);
  const allowed = command.rate * seconds;
  // Reached the target (within a user): only a lower bound of the gain. Moved the other way: a lost worker.
  if (Math.abs(wanted) < 2 || moved >= Math.abs(wanted) - 1 || moved < 0) return evidence;
  return {
    moved: SPAWN_MEMORY * evidence.moved + moved,
    allowed: SPAWN_MEMORY * evidence.allowed + Math.min(allowed, Math.abs(wanted)),
  };
}

/**
 * The spawn gain (users moved per user commanded), shrunk towards 1 by the prior; it moves the spawn rate by no
 * more than the users may grow in a tick (a bad reading must not multiply the spawn rate without end).
 */
export function spawnGain(evidence: SpawnGain): number {
  const g = (evidence.moved + SPAWN_PRIOR_USERS) / (evidence.allowed + SPAWN_PRIOR_USERS);
  return Math.min(MAX_GROWTH, Math.max(1 / MAX_GROWTH, g));
}
