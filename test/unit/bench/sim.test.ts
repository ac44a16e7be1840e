import { describe, expect, it } from 'vitest';
import { SeedAlgorithm } from '../../../bench/baseline';
import { Simulation, type SystemSpec } from '../../../bench/sim';

const linear: SystemSpec = {
  name: 'linear',
  description: '',
  thinkSeconds: 17,
  journeySeconds: 3,
  conversion: 1,
};

describe('the simulated system and Locust', () => {
  it('is deterministic for a seed', () => {
    const run = (seed: number) => {
      const sim = new Simulation(linear, seed);
      sim.swarm({ users: 100, spawnRate: 10 });
      sim.advance(120);
      return sim.read();
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7).orders).not.toBe(run(8).orders);
  });

  it('spawns at the spawn rate and delivers users × 60/(think + journey) orders per minute', () => {
    const sim = new Simulation(linear, 1);
    sim.swarm({ users: 300, spawnRate: 10 });
    sim.advance(10);
    expect(sim.users).toBe(100);
    sim.advance(60);
    const before = sim.read().orders;
    sim.advance(120);
    const perMinute = (sim.read().orders - before) / 2;
    expect(perMinute).toBeGreaterThan(300 * 3 * 0.93);
    expect(perMinute).toBeLessThan(300 * 3 * 1.07);
  });

  it('shows the master a staircase that lags the orders (worker reports)', () => {
    const sim = new Simulation({ ...linear, reportSeconds: 5, extraLagSeconds: 2 }, 1);
    sim.swarm({ users: 500, spawnRate: 500 });
    sim.advance(60);
    const delivered = sim.delivered.reduce((a, b) => a + b, 0);
    const seen = sim.read().orders;
    // About (report/2 + lag) = 4.5 s of orders are not visible yet.
    expect(seen).toBeLessThan(delivered);
    expect(delivered - seen).toBeGreaterThan(((500 * 3) / 60) * 2);
  });

  it('zeroes the counters on a stats reset (new generation) and on a master restart (new boot, users gone)', () => {
    const sim = new Simulation({ ...linear, resets: [30], restarts: [90] }, 1);
    sim.swarm({ users: 100, spawnRate: 100 });
    sim.advance(29);
    const a = sim.read();
    sim.advance(2);
    const b = sim.read();
    expect(b.generation).toBe(a.generation + 1);
    expect(b.orders).toBeLessThan(a.orders);
    sim.advance(60);
    const c = sim.read();
    expect(c.bootId).not.toBe(b.bootId);
    expect(c.running).toBe(false);
    expect(c.users).toBe(0);
  });

  it('saturates at its capacity: more users, no more orders, failures instead', () => {
    const sim = new Simulation(
      { ...linear, capacity: 1000, queueing: true, thinkSeconds: 16, journeySeconds: 4 },
      1,
    );
    const rate = (users: number) => {
      sim.swarm({ users, spawnRate: 10_000 });
      sim.advance(60);
      const from = sim.delivered.length;
      sim.advance(60);
      return sim.delivered.slice(from).reduce((x, y) => x + y, 0);
    };
    const at1000 = rate(1000);
    const at2000 = rate(2000);
    expect(at1000).toBeLessThan(1000);
    expect(at2000 / at1000).toBeLessThan(1.05);
    expect(sim.read().failures).toBeGreaterThan(0);
  });
});

describe('the seed’s algorithm (baseline), as its pseudo-code says', () => {
  const reading = (orders: number, users: number) => ({
    at: 0,
    orders,
    requests: 0,
    failures: 0,
    users,
    workers: 1,
    bootId: 'b',
    generation: 1,
    running: true,
  });

  it('starts with one user and sets the hatch rate to the user count (its bug)', () => {
    const seed = new SeedAlgorithm({ targetOrdersPerMinute: 3000, rampUpSeconds: 600, tickSeconds: 60 });
    expect(seed.start()).toEqual({ users: 1, spawnRate: 1 });
    const command = seed.tick(reading(3, 1), 60);
    // 3 orders/min from 1 user: 1,000 needed, 999 to create over 9 iterations → 112 users, hatch rate 112.
    expect(command).toEqual({ users: 112, spawnRate: 112 });
  });

  it('falls back to one user on a tick without orders (its other bug)', () => {
    const seed = new SeedAlgorithm({ targetOrdersPerMinute: 3000, rampUpSeconds: 600, tickSeconds: 60 });
    seed.tick(reading(300, 100), 60);
    expect(seed.tick(reading(300, 500), 120)).toEqual({ users: 1, spawnRate: 1 });
    expect(seed.log.at(-1)).toContain('stalled');
  });

  it('re-initialises when Locust reports no users', () => {
    const seed = new SeedAlgorithm({ targetOrdersPerMinute: 3000, rampUpSeconds: 600, tickSeconds: 60 });
    expect(seed.tick(reading(0, 0), 60)).toEqual({ users: 1, spawnRate: 1 });
    expect(seed.log.at(-1)).toContain('initialized');
  });
});
