/**
 * The ramp benchmark's simulated systems (bench/sim.ts), each marked reachable or not for the benchmark's plan,
 * and what an unreachable one's figures are judged against: when the plan crosses its capacity.
 */
import { capacityOrdersPerMinute, MAX_USERS, type SystemSpec } from './sim';

export interface BenchSystem extends SystemSpec {
  /**
   * Whether the target can be delivered all along the plan (within {@link MAX_USERS} users on the simulated
   * workers): no saturation may be reported. Otherwise it must be, soon after {@link capacityCrossingSeconds}.
   */
  readonly reachable: boolean;
}

/** A linear ramp to a target, then a plateau (the benchmark's scenario). */
export interface Plan {
  readonly targetOrdersPerMinute: number;
  readonly rampUpSeconds: number;
  readonly plateauSeconds: number;
}

/** Orders per minute the plan asks for `t` seconds after the load started. */
export function plannedOrdersPerMinute(plan: Plan, t: number): number {
  if (plan.rampUpSeconds <= 0 || t >= plan.rampUpSeconds) return plan.targetOrdersPerMinute;
  return (plan.targetOrdersPerMinute * Math.max(0, t)) / plan.rampUpSeconds;
}

/**
 * The first moment (s after the load started, to a second) the plan asks for more than the system can deliver
 * then; null if it never does (the system is reachable).
 */
export function capacityCrossingSeconds(system: SystemSpec, plan: Plan, maxUsers = MAX_USERS): number | null {
  const end = plan.rampUpSeconds + plan.plateauSeconds;
  for (let t = 0; t <= end; t += 1) {
    const asked = plannedOrdersPerMinute(plan, t);
    if (asked > 0 && asked > capacityOrdersPerMinute(system, t, maxUsers)) return t;
  }
  return null;
}

/**
 * The demo shop's shape (config/local.json): ~12 orders per user and minute (3 s think time, 2 s journey, every
 * journey an order), workers reporting every 3 s. Not a row of the table: `--short-ticks` runs it on the
 * end-to-end SLO test's plan (240 orders/min, 5-s ticks) beside 60-s ticks.
 */
export const DEMO_SHOP: BenchSystem = {
  name: 'demo shop',
  description: '12 orders/user/min, reports every 3 s',
  thinkSeconds: 3,
  journeySeconds: 2,
  conversion: 1,
  reachable: true,
};

/** 3 orders per user and minute (17 s think time, 3 s journey, every journey an order). */
const LINEAR = { thinkSeconds: 17, journeySeconds: 3, conversion: 1 } as const;

/**
 * What no controller can foresee of a change at `atSeconds` (on 60-s ticks): the tick it happens in and, when it
 * happens mid-tick, the next one too, which is commanded from a count that holds only part of the change.
 */
function unforeseeableAfter(atSeconds: number): readonly [number, number] {
  const tick = Math.floor(atSeconds / 60) * 60;
  return [tick, tick + (atSeconds === tick ? 60 : 120)];
}

/** A −40 % or +30 % change of conversion at `atSeconds` on the linear system. */
function conversionChange(name: string, description: string, atSeconds: number, factor: number): BenchSystem {
  return {
    name,
    description,
    ...LINEAR,
    conversionChanges: [{ atSeconds, factor }],
    ...(atSeconds >= 600 ? { unforeseeable: unforeseeableAfter(atSeconds) } : {}),
    reachable: true,
  };
}

/** The simulated systems; times fit the benchmark's scenario (10 min ramp-up to 3,000/min, 10 min plateau). */
export const SYSTEMS: readonly BenchSystem[] = [
  {
    name: 'linear',
    description: '3 orders/user/min whatever the load',
    ...LINEAR,
    reachable: true,
  },
  {
    name: 'queueing',
    description:
      'latency grows with load (R = R₀/(1−ρ), capacity 4,500/min): orders per user fall ~30 % by the target',
    thinkSeconds: 16,
    journeySeconds: 4,
    conversion: 1,
    capacity: 4500,
    queueing: true,
    reachable: true,
  },
  {
    name: 'noisy',
    description: 'orders in clumps of ~5, ±2 % slow drift, half of the journeys convert',
    thinkSeconds: 17,
    journeySeconds: 3,
    conversion: 0.5,
    clump: 5,
    drift: 0.02,
    reachable: true,
  },
  {
    name: 'conversion step',
    description: 'conversion drops by 30 % at minute 15 (mid-plateau)',
    ...LINEAR,
    conversionChanges: [{ atSeconds: 900, factor: 0.7 }],
    unforeseeable: unforeseeableAfter(900),
    reachable: true,
  },
  conversionChange(
    'conversion drop, early ramp',
    'conversion falls 40 % at 2:50 (a payment method fails): ~1,670 users needed instead of 1,000',
    170,
    0.6,
  ),
  conversionChange(
    'conversion drop, late ramp',
    'conversion falls 40 % at 7:20, late in the ramp: ~1,670 users needed by its end',
    440,
    0.6,
  ),
  conversionChange(
    'conversion drop, plateau',
    'conversion falls 40 % at 13:40 (mid-plateau): ~1,670 users needed from then on',
    820,
    0.6,
  ),
  conversionChange(
    'conversion rise, early ramp',
    'conversion rises 30 % at 2:20 (a discount goes live): ~770 users suffice',
    140,
    1.3,
  ),
  conversionChange(
    'conversion rise, late ramp',
    'conversion rises 30 % at 7:10, late in the ramp: ~770 users suffice at its end',
    430,
    1.3,
  ),
  conversionChange(
    'conversion rise, plateau',
    'conversion rises 30 % at 15:20 (mid-plateau): ~770 users suffice from then on',
    920,
    1.3,
  ),
  {
    name: 'conversion dip',
    description: 'conversion falls 40 % at 6:10 (during the ramp) and recovers at 14:10 (on the plateau)',
    ...LINEAR,
    conversionChanges: [
      { atSeconds: 370, factor: 0.6 },
      { atSeconds: 850, factor: 1 / 0.6 },
    ],
    unforeseeable: unforeseeableAfter(850),
    reachable: true,
  },
  {
    name: 'warm-up',
    description:
      'starts at 40 % of its speed (cold caches, JIT, instances starting), warm within ~3 min (time constant); queueing, capacity 4,500/min warm',
    thinkSeconds: 16,
    journeySeconds: 4,
    conversion: 1,
    capacity: 4500,
    queueing: true,
    warmUp: { initialShare: 0.4, seconds: 180 },
    reachable: true,
  },
  {
    name: 'GC pauses',
    description:
      'an 8-s stop-the-world pause every 3 min from 1:50: no order completes, then the held ones complete at once; a tick’s reading every 3 min misses ~5–10 % of its orders (the workers’ reports lag), the next one gets them',
    ...LINEAR,
    pauses: { firstAtSeconds: 110, everySeconds: 180, durationSeconds: 8 },
    reachable: true,
  },
  {
    name: 'lost worker',
    description:
      'one of 4 workers dies at 7:25 with its users (Locust reports ¾ of them), is back at 12:35 and gets its share again',
    ...LINEAR,
    lostWorker: { worker: 2, atSeconds: 445, backAtSeconds: 755 },
    reachable: true,
  },
  {
    name: 'slow spawn ×0.5',
    description: 'users spawn and stop at half the commanded rate',
    ...LINEAR,
    spawnRateFactor: 0.5,
    reachable: true,
  },
  {
    name: 'fast spawn ×2',
    description: 'users spawn and stop at twice the commanded rate',
    ...LINEAR,
    spawnRateFactor: 2,
    reachable: true,
  },
  {
    name: 'loaded worker',
    description: 'one of 4 workers, overloaded, starts each user it is given 20 s late',
    ...LINEAR,
    lateWorker: { worker: 3, delaySeconds: 20 },
    reachable: true,
  },
  {
    name: 'busy generators',
    description: 'each user costs its worker 0.28 % CPU: ~73 % at the target, the generators keep up',
    ...LINEAR,
    generatorCpu: { basePercent: 3, percentPerUser: 0.28 },
    reachable: true,
  },
  {
    name: 'stats lag + reset',
    description: 'workers report every 5 s, +2 s lag; counters reset at 5:30 and 14:30',
    ...LINEAR,
    reportSeconds: 5,
    extraLagSeconds: 2,
    resets: [330, 870],
    reachable: true,
  },
  {
    name: 'stall',
    description: 'no order goes through for one minute (13:00–14:00)',
    ...LINEAR,
    outage: [780, 840],
    unforeseeable: [780, 840],
    reachable: true,
  },
  {
    name: 'background errors 1 %',
    description: '1 % of requests fail whatever the load (timeouts, a flaky page): failures, yet no limit',
    ...LINEAR,
    errorRatio: 0.01,
    reachable: true,
  },
  {
    name: 'soft knee 5 % above',
    description:
      'the soft knee with less coherence cost (κ 1.8e-7): orders peak ~3,160/min (105 %) at ~2,350 users; the target takes ~1,700, where an added user brings only 0.3 of an average one’s orders',
    ...LINEAR,
    scalability: { contention: 1e-4, coherence: 1.8e-7 },
    reachable: true,
  },
  {
    name: 'capacity < target',
    description: 'saturates at ~2,000 orders/min (70 % of the target); orders beyond fail',
    thinkSeconds: 16,
    journeySeconds: 4,
    conversion: 1,
    capacity: 2100,
    queueing: true,
    reachable: false,
  },
  {
    name: 'soft knee',
    description:
      'contention and coherence costs (universal scalability law, σ 1e-4, κ 4e-7): orders per user fall from the start, peak ~2,200/min (73 %) at ~1,500 users, fewer beyond',
    ...LINEAR,
    scalability: { contention: 1e-4, coherence: 4e-7 },
    reachable: false,
  },
  {
    name: 'hard limit 50 %',
    description:
      'a quota of 1,500 orders/min (e.g. the payment provider): orders beyond are refused at once, latency unchanged',
    ...LINEAR,
    capacity: 1500,
    reachable: false,
  },
  {
    name: 'generators’ CPU',
    description:
      'each user costs its worker 0.5 % CPU: 4 workers reach 100 % at ~780 users (~2,330 orders/min), users slow down beyond',
    ...LINEAR,
    generatorCpu: { basePercent: 3, percentPerUser: 0.5 },
    reachable: false,
  },
];
