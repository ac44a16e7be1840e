import { describe, expect, it } from 'vitest';
import { SeedAlgorithm } from '../../../bench/baseline';
import {
  capacityOrdersPerMinute,
  DEFAULT_GENERATOR_CPU,
  DT,
  Simulation,
  type SystemSpec,
  steadyOrdersPerMinute,
} from '../../../bench/sim';

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

const SEEDS = [1, 2, 3, 4, 5];

/** A simulation at `users` (spawned at once) for `seconds`. */
function running(spec: SystemSpec, seed: number, users: number, seconds: number): Simulation {
  const sim = new Simulation(spec, seed);
  sim.swarm({ users, spawnRate: 10_000 });
  sim.advance(seconds);
  return sim;
}

/** Orders per minute the master's counters show over the next `seconds`. */
function counted(sim: Simulation, seconds: number): number {
  const before = sim.read().orders;
  sim.advance(seconds);
  return ((sim.read().orders - before) / seconds) * 60;
}

/** Orders per minute really delivered over [from, to) seconds. */
function delivered(sim: Simulation, from: number, to: number): number {
  const steps = sim.delivered.slice(Math.round(from / DT), Math.round(to / DT));
  return (steps.reduce((a, b) => a + b, 0) / (steps.length * DT)) * 60;
}

describe('the simulation’s features', () => {
  it('stays deterministic for a seed with every feature on', () => {
    const everything: SystemSpec = {
      ...linear,
      capacity: 4500,
      queueing: true,
      conversionChanges: [{ atSeconds: 30, factor: 0.6 }],
      warmUp: { initialShare: 0.4, seconds: 60 },
      scalability: { contention: 1e-4, coherence: 4e-7 },
      pauses: { firstAtSeconds: 20, everySeconds: 40, durationSeconds: 5 },
      lostWorker: { worker: 1, atSeconds: 50, backAtSeconds: 90 },
      lateWorker: { worker: 3, delaySeconds: 10 },
      spawnRateFactor: 0.5,
      generatorCpu: { basePercent: 3, percentPerUser: 0.5 },
    };
    const run = (seed: number) => {
      const sim = new Simulation(everything, seed);
      const readings = [];
      for (let k = 1; k <= 12; k++) {
        sim.swarm({ users: 100 * k, spawnRate: 50 });
        sim.advance(10);
        readings.push(sim.read());
      }
      return readings;
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7).at(-1)?.orders).not.toBe(run(8).at(-1)?.orders);
    const cpu = (seed: number) => run(seed).map((r) => r.workerCpuPercent);
    expect(cpu(7)).not.toEqual(cpu(8));
  });

  it('reports the users the workers run and each connected worker’s CPU, as Locust’s /stats/requests does', () => {
    for (const seed of SEEDS) {
      const sim = running(linear, seed, 400, 10);
      const r = sim.read();
      expect(r.users).toBe(400);
      expect(r.workers).toBe(4);
      expect(r.workerCpuPercent).toHaveLength(4);
      const expected = DEFAULT_GENERATOR_CPU.basePercent + 100 * DEFAULT_GENERATOR_CPU.percentPerUser;
      for (const cpu of r.workerCpuPercent) expect(Math.abs(cpu / expected - 1)).toBeLessThan(0.12);
    }
  });

  it('changes orders per user by each conversion change’s factor, the changes compounding', () => {
    const dip: SystemSpec = {
      ...linear,
      conversionChanges: [
        { atSeconds: 180, factor: 0.6 },
        { atSeconds: 360, factor: 1 / 0.6 },
      ],
    };
    for (const seed of SEEDS) {
      const sim = running(dip, seed, 1000, 60);
      const before = counted(sim, 120);
      sim.advance(15); // the workers' reports of the step's time
      const during = counted(sim, 150);
      sim.advance(30);
      const after = counted(sim, 150);
      expect(during / before, `seed ${seed}`).toBeCloseTo(0.6, 1);
      expect(after / before, `seed ${seed}`).toBeCloseTo(1, 1);
    }
  });

  it('warms up: the same users deliver fewer orders early, as predicted, and the warm rate by the plateau', () => {
    const warm: SystemSpec = {
      ...linear,
      thinkSeconds: 16,
      journeySeconds: 4,
      capacity: 4500,
      queueing: true,
      warmUp: { initialShare: 0.4, seconds: 180 },
    };
    for (const seed of SEEDS) {
      const sim = running(warm, seed, 1000, 600);
      const early = delivered(sim, 30, 90);
      const late = delivered(sim, 540, 600);
      expect(early / late, `seed ${seed}`).toBeLessThan(0.8);
      expect(early / steadyOrdersPerMinute(warm, 1000, 60)).toBeCloseTo(1, 1);
      expect(late / steadyOrdersPerMinute(warm, 1000, 570)).toBeCloseTo(1, 1);
      expect(late / steadyOrdersPerMinute({ ...warm, warmUp: undefined }, 1000, 570)).toBeGreaterThan(0.95);
    }
  });

  it('pauses: no order completes during a pause, the held ones complete at its end, none lost', () => {
    const pauses = { firstAtSeconds: 100, everySeconds: 170, durationSeconds: 8 };
    for (const seed of SEEDS) {
      const sim = running({ ...linear, pauses }, seed, 1000, 440);
      const plain = running(linear, seed, 1000, 440);
      for (const start of [100, 270]) {
        expect(delivered(sim, start, start + 8)).toBe(0);
        // The burst: the pause's 8 s of orders in one step.
        const burst = (sim.delivered[Math.round((start + 8) / DT)] ?? 0) / DT;
        expect(burst).toBeGreaterThan((3000 / 60) * 8 * 0.9);
      }
      // Over whole periods, as many orders as without pauses.
      expect(delivered(sim, 60, 400) / delivered(plain, 60, 400)).toBeCloseTo(1, 2);
      // The master's counter stands still while the pause holds (after the reports already on their way).
      const standing = running({ ...linear, pauses }, seed, 1000, 274);
      const at274 = standing.read().orders;
      standing.advance(4);
      expect(standing.read().orders).toBe(at274);
    }
  });

  it('loses a worker: its users vanish from the reading, return on the next /swarm, and it gets its share back', () => {
    const lost: SystemSpec = { ...linear, lostWorker: { worker: 2, atSeconds: 100, backAtSeconds: 200 } };
    for (const seed of SEEDS) {
      const sim = running(lost, seed, 800, 99);
      expect(sim.read()).toMatchObject({ users: 800, workers: 4 });
      sim.advance(10);
      const gone = sim.read();
      expect(gone.workers).toBe(3);
      expect(gone.workerCpuPercent).toHaveLength(3);
      expect(gone.users).toBe(600);
      // Without rebalancing, the master hands the lost users to the others only on the next /swarm.
      sim.advance(30);
      expect(sim.read().users).toBe(600);
      expect(counted(sim, 30) / 2400).toBeLessThan(0.8);
      sim.swarm({ users: 800, spawnRate: 20 });
      sim.advance(20);
      expect(sim.read()).toMatchObject({ users: 800, workers: 3 });
      sim.advance(70); // back at 200 s: the users are spread over the 4 workers again
      const back = sim.read();
      expect(back).toMatchObject({ users: 800, workers: 4 });
      const [first, , third] = back.workerCpuPercent;
      expect(Math.abs((third ?? 0) / (first ?? 1) - 1)).toBeLessThan(0.15);
    }
  });

  it('gives a worker back its share even when no /swarm came while it was lost', () => {
    const lost: SystemSpec = { ...linear, lostWorker: { worker: 0, atSeconds: 60, backAtSeconds: 120 } };
    for (const seed of SEEDS) {
      const sim = running(lost, seed, 400, 119);
      expect(sim.read().users).toBe(300);
      sim.advance(10);
      expect(sim.read()).toMatchObject({ users: 400, workers: 4 });
    }
  });

  it('spawns at the commanded rate × spawnRateFactor: Locust reports users lagging or leading the command', () => {
    for (const seed of SEEDS) {
      const spawned = (factor: number) => {
        const sim = new Simulation({ ...linear, spawnRateFactor: factor }, seed);
        sim.swarm({ users: 1000, spawnRate: 10 });
        sim.advance(30);
        return sim.read().users;
      };
      // 300 commanded by 30 s (the master shows each worker's last report, ≤ 3.5 s old).
      expect(spawned(1)).toBeGreaterThan(260);
      expect(spawned(1)).toBeLessThanOrEqual(300);
      expect(spawned(0.5)).toBeLessThanOrEqual(150);
      expect(spawned(0.5)).toBeGreaterThan(125);
      expect(spawned(2)).toBeGreaterThan(530);
    }
  });

  it('a loaded worker starts its quarter of the users late', () => {
    const late: SystemSpec = { ...linear, lateWorker: { worker: 3, delaySeconds: 20 } };
    for (const seed of SEEDS) {
      const sim = running(late, seed, 400, 10);
      expect(sim.read().users).toBe(300);
      expect(sim.users).toBe(300);
      sim.advance(15);
      expect(sim.read().users).toBe(400);
    }
  });

  it('slows users down on workers above 100 % CPU, and reports them at ~100 %', () => {
    const bound: SystemSpec = { ...linear, generatorCpu: { basePercent: 3, percentPerUser: 0.5 } };
    for (const seed of SEEDS) {
      // 150 users a worker: 78 % CPU, full pace.
      const below = running(bound, seed, 600, 60);
      const belowRate = counted(below, 120) / 600;
      expect(belowRate).toBeCloseTo(3, 0);
      for (const cpu of below.read().workerCpuPercent) expect(cpu).toBeLessThan(90);
      // 400 users a worker: 203 % CPU demanded, users at 100/203 of their pace.
      const above = running(bound, seed, 1600, 60);
      const aboveRate = counted(above, 120) / 1600;
      expect(aboveRate / belowRate).toBeCloseTo(100 / 203, 1);
      for (const cpu of above.read().workerCpuPercent) expect(cpu).toBeGreaterThan(90);
      for (const cpu of above.read().workerCpuPercent) expect(cpu).toBeLessThanOrEqual(100);
    }
  });

  it('a hard limit refuses the orders beyond it at once; a soft knee bends the orders per user from the start', () => {
    const hard: SystemSpec = { ...linear, capacity: 1500 };
    const soft: SystemSpec = { ...linear, scalability: { contention: 1e-4, coherence: 4e-7 } };
    for (const seed of SEEDS) {
      expect(counted(running(hard, seed, 400, 60), 120) / 400).toBeCloseTo(3, 0);
      const over = running(hard, seed, 1000, 60);
      expect(counted(over, 120) / 1500).toBeCloseTo(1, 1);
      expect(over.read().failures).toBeGreaterThan(0);
      const perUser = [250, 500, 1000].map((u) => counted(running(soft, seed, u, 60), 120) / u);
      expect(perUser[1]).toBeLessThan((perUser[0] ?? 0) * 0.97);
      expect(perUser[2]).toBeLessThan((perUser[1] ?? 0) * 0.9);
      // Past its peak (~1,500 users) more users deliver fewer orders.
      expect(counted(running(soft, seed, 3000, 60), 120)).toBeLessThan(
        counted(running(soft, seed, 1500, 60), 120),
      );
    }
  });

  it('finds the capacity the simulation really delivers at most', () => {
    const cases: [SystemSpec, number][] = [
      [{ ...linear, capacity: 1500 }, 1500],
      [{ ...linear, thinkSeconds: 16, journeySeconds: 4, capacity: 2100, queueing: true }, 1995],
      [{ ...linear, scalability: { contention: 1e-4, coherence: 4e-7 } }, 2199],
      [{ ...linear, generatorCpu: { basePercent: 3, percentPerUser: 0.5 } }, 2397],
    ];
    for (const [spec, capacity] of cases) {
      expect(capacityOrdersPerMinute(spec, 0) / capacity).toBeCloseTo(1, 2);
      for (const users of [500, 1000, 2000, 4000]) {
        const sim = running(spec, 1, users, 60);
        expect(counted(sim, 120)).toBeLessThan(capacity * 1.04);
      }
    }
    // 20,000 users at most, on 4 workers whose CPU then slows them (~500 % demanded) to ~12,000 orders/min.
    expect(capacityOrdersPerMinute(linear, 0)).toBeCloseTo(11_952, -1);
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
