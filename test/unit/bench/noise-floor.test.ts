import { describe, expect, it } from 'vitest';
import { countDispersion, idealShares, outsideShare, tickNoise } from '../../../bench/noise-floor';
import { DEFAULT_SCENARIO, SYSTEMS } from '../../../bench/ramp-bench';
import { Simulation } from '../../../bench/sim';

const system = (name: string) => {
  const s = SYSTEMS.find((x) => x.name === name);
  if (!s) throw new Error(name);
  return s;
};

describe('the noise arithmetic of the ramp benchmark', () => {
  it('gives the noise the simulation really has: one tick’s count on the noisy system', () => {
    // The noisy system without its drift, at a steady 2,000 users (about 3,000 orders a minute).
    const spec = { ...system('noisy'), drift: undefined };
    const counts: number[] = [];
    for (let seed = 1; seed <= 4; seed++) {
      const sim = new Simulation(spec, seed);
      sim.swarm({ users: 2000, spawnRate: 2000 });
      sim.advance(60);
      let last = sim.read().orders;
      for (let k = 0; k < 25; k++) {
        sim.advance(60);
        const now = sim.read().orders;
        counts.push(now - last);
        last = now;
      }
    }
    const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
    const sd = Math.sqrt(counts.reduce((a, b) => a + (b - mean) ** 2, 0) / (counts.length - 1));
    expect(countDispersion(spec)).toBeCloseTo(5.8, 5);
    // 100 counts: the sample's standard deviation is within ±20 % of the arithmetic's.
    expect(sd / mean / tickNoise(spec, mean)).toBeGreaterThan(0.8);
    expect(sd / mean / tickNoise(spec, mean)).toBeLessThan(1.2);
  });

  it('puts ±3 % at 1.6 σ of a plain Poisson count of 3,000 orders: ~10 % of runs outside', () => {
    const sd = tickNoise(system('linear'), 3000);
    expect(sd).toBeCloseTo(1 / Math.sqrt(3000), 6);
    expect(outsideShare(0.03, sd)).toBeCloseTo(0.1, 1);
    expect(outsideShare(1.96, 1)).toBeCloseTo(0.05, 3);
  });

  it('finds the noisy system’s goals out of reach on some runs even for an ideal controller, and none without drift', () => {
    const ideal = idealShares(system('noisy'), DEFAULT_SCENARIO, { runs: 400 });
    expect(ideal?.plateau).toBeGreaterThan(0.7);
    expect(ideal?.plateau).toBeLessThan(0.97);
    expect(ideal?.endOfRamp).toBeLessThan(0.97);
    expect(idealShares(system('linear'), DEFAULT_SCENARIO)).toBeNull();
  });

  it('puts the ideal that learns the conversion from the counts below the one that knows it, on every goal', () => {
    const knows = idealShares(system('noisy'), DEFAULT_SCENARIO, { runs: 400 });
    const learns = idealShares(system('noisy'), DEFAULT_SCENARIO, { runs: 400, knowsConversion: false });
    expect(learns?.endOfRamp).toBeLessThan((knows?.endOfRamp ?? 0) - 0.05);
    expect(learns?.overshoot).toBeLessThan(knows?.overshoot ?? 0);
    expect(learns?.plateau).toBeLessThan((knows?.plateau ?? 0) - 0.05);
    // Still far better than one tick's count alone would allow (±3 % is 0.7 σ of it).
    expect(learns?.endOfRamp).toBeGreaterThan(0.6);
  });
});
