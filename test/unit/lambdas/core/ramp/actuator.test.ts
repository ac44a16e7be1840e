import { describe, expect, it } from 'vitest';
import { NO_SPAWN_EVIDENCE, observeSpawn, spawnGain } from '../../../../../lambdas/core/ramp/actuator';
import { MAX_GROWTH } from '../../../../../lambdas/core/ramp/limits';

const command = (users: number, rate: number) => ({ at: 0, users, rate });

describe('spawn gain', () => {
  it('is 1 without evidence', () => {
    expect(spawnGain(NO_SPAWN_EVIDENCE)).toBe(1);
  });

  it('learns a spawn at half the commanded rate from spawns still under way at the reading', () => {
    let e = NO_SPAWN_EVIDENCE;
    for (let i = 0; i < 5; i++)
      e = observeSpawn(e, command(100 + 120 * (i + 1), 2), 100 + 120 * i, 160 + 120 * i, 60);
    expect(spawnGain(e)).toBeGreaterThan(0.5);
    expect(spawnGain(e)).toBeLessThan(0.65);
  });

  it('does not count a spawn that reached its target (only a lower bound), nor users lost the other way', () => {
    const reached = observeSpawn(NO_SPAWN_EVIDENCE, command(220, 2), 100, 220, 60);
    expect(reached).toEqual(NO_SPAWN_EVIDENCE);
    const lost = observeSpawn(NO_SPAWN_EVIDENCE, command(220, 2), 100, 80, 60);
    expect(lost).toEqual(NO_SPAWN_EVIDENCE);
  });

  it('moves the spawn rate by no more than the growth per tick, whatever the readings', () => {
    let e = NO_SPAWN_EVIDENCE;
    for (let i = 0; i < 20; i++) e = observeSpawn(e, command(10_000, 100), 0, 1, 60);
    expect(spawnGain(e)).toBe(1 / MAX_GROWTH);
  });
});
