/**
 * `npm run bench:ramp -- --live`: the same figures from a real local run on the demo shop (real Locust, real
 * shop, the synthesized state machine with the real handlers). What was delivered is counted at the shop
 * itself (its test orders, read at every tick), not from Locust's counters.
 * `--live-baseline` also runs the seed's algorithm in place of the controller (another ~4 min).
 */
import { request } from 'undici';
import type { RampState, RunState } from '../lambdas/core/state';
import { startLocalEnvironment } from '../local/environment';
import { executeLocally } from '../local/executor';
import { STEPS } from '../statemachine/steps';
import { SeedAlgorithm } from './baseline';
import { pct, printTable } from './ramp';
import type { Figures } from './ramp-bench';

const INPUT = {
  environment: 'local',
  targetOrdersPerMinute: 600,
  rampUpMinutes: 1,
  plateauMinutes: 2,
  tickSeconds: 10,
};

type Handler = (input: unknown) => Promise<unknown>;

interface Point {
  readonly at: number;
  readonly shopOrders: number;
  readonly users: number;
  /** What Locust's counters said over the tick (the controller's measurement), orders/min. */
  readonly locustRate: number | null;
}

export async function runLiveBenchmark(withBaseline: boolean): Promise<void> {
  console.log(
    '\nLive: the demo shop with real Locust — 600 orders/min, 1 min ramp-up, 2 min plateau, 10 s ticks.',
  );
  const env = await startLocalEnvironment({ workers: 2 });
  try {
    const shopOrders = async () => {
      const res = await request(`${env.shop.adminUrl}/_conductor/orders/summary`);
      return ((await res.body.json()) as { test: number }).test;
    };
    const run = async (
      wrapTick: (real: Handler, points: Point[]) => Handler,
    ): Promise<{ figures: Figures; points: Point[] }> => {
      const points: Point[] = [];
      const result = await executeLocally(env.pipeline.definition, INPUT, {
        handlers: {
          [STEPS['start-load']]: (real) => async (input) => {
            const out = (await real(input)) as RampState;
            points.push({
              at: Date.parse(out.startedAt),
              shopOrders: await shopOrders(),
              users: out.users,
              locustRate: null,
            });
            return out;
          },
          [STEPS['ramp-tick']]: (real) => async (input) => {
            const at = Date.now();
            const orders = await shopOrders();
            const out = (await wrapTick(real, points)(input)) as RampState;
            points.push({ at, shopOrders: orders, users: out.users, locustRate: out.ordersPerMinute });
            return out;
          },
        },
      });
      if (result.status !== 'SUCCEEDED')
        throw new Error(`live run ${result.status}: ${JSON.stringify(result.error)}`);
      return { figures: liveFigures(points), points };
    };
    const ours = await run((real) => real);
    let seed: Figures | null = null;
    if (withBaseline) {
      const algorithm = new SeedAlgorithm({ targetOrdersPerMinute: 600, rampUpSeconds: 60, tickSeconds: 10 });
      seed = (
        await run((real) => async (input) => {
          // The seed's algorithm decides; Locust is driven the same way, the rest of the tick is the real one.
          const state = input as RunState;
          const kpi = await (await request(`${env.locust.url}/conductor/kpi`)).body.json();
          const k = kpi as { orders: number; userCount: number };
          const elapsed = (Date.now() - Date.parse(state.ramp?.startedAt ?? '')) / 1000;
          const command = algorithm.tick(
            {
              at: Date.now(),
              orders: k.orders,
              requests: 0,
              failures: 0,
              users: k.userCount,
              workers: 2,
              bootId: '',
              generation: 0,
              running: true,
            },
            elapsed,
          );
          const out = (await real(input)) as RampState;
          if (command && !out.done) {
            await request(`${env.locust.url}/swarm`, {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: new URLSearchParams({
                user_count: String(command.users),
                spawn_rate: String(command.spawnRate),
              }).toString(),
            }).then((r) => r.body.dump());
            return { ...out, users: command.users };
          }
          return out;
        })
      ).figures;
    }
    printTable(
      'live demo shop',
      'real Locust, real shop; delivered orders counted at the shop at each tick',
      [ours.figures],
      seed ? [seed] : [],
      null,
    );
    const ticks = ours.points.slice(1);
    console.log(
      `  (per tick at the shop:   ${ticks.map((p, i) => rate(ours.points[i] as Point, p).toFixed(0)).join(' ')} orders/min)`,
    );
    // The controller steers by Locust's counters: where they part from the shop's, Locust missed orders.
    console.log(
      `  (per tick Locust counted: ${ticks.map((p) => p.locustRate?.toFixed(0) ?? '—').join(' ')} orders/min; users ${ticks.map((p) => p.users).join(' ')})`,
    );
    console.log(`  plateau mean vs target ${pct(ours.figures.plateauMeanError, true)}`);
  } finally {
    await env.stop();
  }
}

function rate(a: Point, b: Point): number {
  return ((b.shopOrders - a.shopOrders) / (b.at - a.at)) * 60_000;
}

/** Mean planned orders per minute between two instants (epoch ms) of a load that started at `start`. */
function plannedOver(start: number, from: number, to: number): number {
  const target = INPUT.targetOrdersPerMinute;
  const rampMs = INPUT.rampUpMinutes * 60_000;
  const at = (t: number) => Math.min(rampMs, Math.max(0, t - start));
  // ∫ plan over [from, to]: the ramp's triangle up to its end, the target after it.
  const integral = (t: number) =>
    (target * at(t) ** 2) / (2 * rampMs) + target * Math.max(0, t - start - rampMs);
  return to > from ? (integral(to) - integral(from)) / (to - from) : target;
}

function liveFigures(points: readonly Point[]): Figures {
  const target = INPUT.targetOrdersPerMinute;
  const start = points[0]?.at ?? 0;
  const rampEnd = start + INPUT.rampUpMinutes * 60_000;
  const ticks = points
    .slice(1)
    .map((p, i) => ({ from: (points[i] as Point).at, to: p.at, rate: rate(points[i] as Point, p) }));
  const reach = ticks.find((t) => Math.abs(t.rate / target - 1) <= 0.05);
  const straddle = ticks.find((t) => t.to >= rampEnd) ?? ticks.at(-1);
  const plateau = ticks.filter((t) => t.from >= rampEnd - 1000);
  const mean = plateau.reduce((a, t) => a + t.rate, 0) / Math.max(1, plateau.length);
  return {
    reachSeconds: reach ? (reach.to - start) / 1000 : null,
    // Against what the plan asked for over that tick (as in the simulated tables), not the target.
    endOfRampError: straddle ? straddle.rate / plannedOver(start, straddle.from, straddle.to) - 1 : -1,
    overshoot: Math.max(0, ...ticks.map((t) => t.rate / target - 1)),
    plateauMae: plateau.reduce((a, t) => a + Math.abs(t.rate / target - 1), 0) / Math.max(1, plateau.length),
    plateauMeanError: mean / target - 1,
    maxUsers: Math.max(0, ...points.map((p) => p.users)),
    plateauUsers: plateau.length
      ? points.filter((p) => p.at >= rampEnd).reduce((a, p) => a + p.users, 0) /
        Math.max(1, points.filter((p) => p.at >= rampEnd).length)
      : 0,
    saturates: false,
    saturationTicks: null,
    falseSaturation: false,
  };
}
