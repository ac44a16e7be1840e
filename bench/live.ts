/**
 * `npm run bench:ramp -- --live`: the same figures from a real local run on the demo shop (real Locust, real
 * shop, the synthesized state machine with the real handlers). What was delivered is counted at the shop
 * itself: a sampler reads the shop's test-order count (and Locust's KPI route) every second, apart from the
 * ticks, so the figures are rates over fixed windows of the run's own clock, whenever the ticks ran.
 * `--live-baseline` also runs the seed's algorithm in place of the controller, in the same environment.
 * `--trace live` prints every tick: what the handler read from Locust, what it decided, when it ran.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { LocustClient } from '../lambdas/adapters/locust/client';
import {
  setWorkerFleetFactory,
  type WorkerFleet,
  type WorkerFleetFactory,
} from '../lambdas/adapters/locust/fleet';
import type { RampState } from '../lambdas/core/ramp-state';
import type { RunState } from '../lambdas/core/run-state';
import { deps } from '../lambdas/runtime/step';
import { startLocalEnvironment } from '../local/environment';
import { executeLocally } from '../local/executor';
import { STEPS } from '../statemachine/steps';
import { SeedAlgorithm } from './baseline';
import { outsideShare } from './noise-floor';
import { type Figures, RUNAWAY_FACTOR } from './ramp-bench';
import { pct, printTable } from './ramp-table';

export interface LiveScenario {
  readonly targetOrdersPerMinute: number;
  readonly rampUpMinutes: number;
  readonly plateauMinutes: number;
  readonly tickSeconds: number;
}

/**
 * `measured` (the default): 30-s ticks, so that Locust's 3-s worker reports blur a tick's count by a tenth of
 * what they do at 10 s, and a 1-min window around the end of the ramp with ~560 orders. `short` is the
 * scenario of `npm run demo` (1 min ramp-up, 10-s ticks).
 */
const LIVE_SCENARIOS: Readonly<Record<string, LiveScenario>> = {
  measured: { targetOrdersPerMinute: 600, rampUpMinutes: 2, plateauMinutes: 2.5, tickSeconds: 30 },
  short: { targetOrdersPerMinute: 600, rampUpMinutes: 1, plateauMinutes: 2, tickSeconds: 10 },
};

/** The window around the end of the ramp-up its error is measured over (s): one minute, centred. */
const END_WINDOW_SECONDS = 60;
/** Windows for the time to reach the target and the overshoot (s), as in the simulated tables. */
const RATE_WINDOW_SECONDS = 30;
const SAMPLE_MS = 1000;

type Handler = (input: unknown) => Promise<unknown>;

/** One reading of the sampler: the shop's count and Locust's view at the same moment. */
interface Sample {
  /** Midpoint of the requests (epoch ms). */
  readonly at: number;
  readonly shopOrders: number;
  readonly locustOrders: number;
  readonly users: number;
  readonly state: string;
  readonly workers: number;
  readonly generation: number;
  /** Highest worker CPU (%) and the failure ratio Locust reports, read every few samples. */
  readonly workerCpu: number | null;
  readonly failRatio: number | null;
}

/** One tick as the handler saw it. */
interface TickTrace {
  readonly tick: number;
  /** When the schedule wanted it, when it started and ended (epoch ms). */
  readonly dueAt: number;
  readonly startedAt: number;
  readonly endedAt: number;
  /** What the handler read from Locust (the controller's new baseline; null when it ignored the reading). */
  readonly read: RampState['controller']['last'];
  readonly users: number;
  readonly spawnRate: number;
  readonly workers: number;
  readonly workersRequested: number | null;
  /** Orders per minute the controller measured from Locust's counters since its last reading. */
  readonly locustRate: number | null;
  readonly failureRatio: number;
  readonly message: string;
}

interface LiveRun {
  readonly label: string;
  readonly startedAt: number;
  readonly samples: readonly Sample[];
  readonly ticks: readonly TickTrace[];
  readonly loadBefore: number;
  readonly loadAfter: number;
}

export async function runLiveBenchmark(
  withBaseline: boolean,
  scenarioName = 'measured',
  trace = false,
): Promise<void> {
  const scenario = LIVE_SCENARIOS[scenarioName];
  if (!scenario)
    throw new Error(`unknown live scenario ${scenarioName} (${Object.keys(LIVE_SCENARIOS).join(', ')})`);
  const input = { environment: 'local', ...scenario };
  console.log(
    `\nLive (${scenarioName}): the demo shop with real Locust — ${scenario.targetOrdersPerMinute} orders/min, ` +
      `${scenario.rampUpMinutes} min ramp-up, ${scenario.plateauMinutes} min plateau, ${scenario.tickSeconds} s ticks.`,
  );
  const env = await startLocalEnvironment({ workers: 2 });
  const locust = new LocustClient({ baseUrl: env.locust.url, timeoutMs: 5000 });
  const usersPerWorker = env.config.environments.local?.locust.usersPerWorker ?? 1;
  try {
    const shopOrders = async () => {
      const res = await request(`${env.shop.adminUrl}/_conductor/orders/summary`);
      return ((await res.body.json()) as { test: number }).test;
    };
    const run = async (label: string, wrapTick: (real: Handler) => Handler): Promise<LiveRun> => {
      const samples: Sample[] = [];
      const ticks: TickTrace[] = [];
      let startedAt = 0;
      let sampling = true;
      const sampler = (async () => {
        for (let n = 0; sampling; n++) {
          const before = Date.now();
          try {
            const [shop, kpi, stats] = await Promise.all([
              shopOrders(),
              locust.kpi(),
              n % 5 === 0 ? locust.stats() : null,
            ]);
            samples.push({
              at: (before + Date.now()) / 2,
              shopOrders: shop,
              locustOrders: kpi.orders,
              users: kpi.userCount,
              state: kpi.state,
              workers: kpi.workers,
              generation: kpi.generation,
              workerCpu: stats ? Math.max(0, ...stats.workers.map((w) => w.cpuUsage ?? 0)) : null,
              failRatio: stats ? stats.failRatio : null,
            });
          } catch {
            // A missed sample only widens the interpolation; the figures read no single sample.
          }
          await sleep(Math.max(0, SAMPLE_MS - (Date.now() - before)));
        }
      })();
      const loadBefore = loadavg()[0] ?? 0;
      try {
        const result = await executeLocally(env.pipeline.definition, input, {
          handlers: {
            [STEPS['start-load']]: (real) => async (stepInput) => {
              const out = (await real(stepInput)) as RampState;
              startedAt = Date.parse(out.startedAt);
              return out;
            },
            [STEPS['ramp-tick']]: (real) => async (stepInput) => {
              const begun = Date.now();
              const dueAt = Date.parse((stepInput as RunState).ramp?.nextTickAt ?? '');
              const out = (await wrapTick(real)(stepInput)) as RampState;
              ticks.push({
                tick: out.tick,
                dueAt,
                startedAt: begun,
                endedAt: Date.now(),
                read:
                  'badReadings' in out.controller && out.controller.badReadings > 0
                    ? null
                    : out.controller.last,
                users: out.users,
                spawnRate: out.spawnRate,
                workers: out.workers,
                workersRequested: out.workersRequested ?? null,
                locustRate: out.ordersPerMinute,
                failureRatio: out.failureRatio,
                message: out.message,
              });
              return out;
            },
          },
        });
        if (result.status !== 'SUCCEEDED')
          throw new Error(`live run ${result.status}: ${JSON.stringify(result.error)}`);
      } finally {
        sampling = false;
        await sampler;
      }
      return { label, startedAt, samples, ticks, loadBefore, loadAfter: loadavg()[0] ?? 0 };
    };

    const runs: LiveRun[] = [await run('controller', (real) => real)];
    if (withBaseline) {
      const algorithm = new SeedAlgorithm({
        targetOrdersPerMinute: scenario.targetOrdersPerMinute,
        rampUpSeconds: scenario.rampUpMinutes * 60,
        tickSeconds: scenario.tickSeconds,
      });
      runs.push(
        await run('seed', (real) => async (stepInput) => {
          // The seed's algorithm decides and alone commands users; the rest of the tick (reading, fleet, SLO
          // watch, records) is the real one, its controller deciding in the shadow.
          const state = stepInput as RunState;
          const kpi = await locust.kpi();
          const elapsed = (Date.now() - Date.parse(state.ramp?.startedAt ?? '')) / 1000;
          const command = algorithm.tick(
            {
              at: Date.now(),
              orders: kpi.orders,
              requests: 0,
              failures: 0,
              users: kpi.userCount,
              workers: kpi.workers,
              bootId: kpi.bootId,
              generation: kpi.generation,
              running: true,
            },
            elapsed,
          );
          const out = (await heldBack(() => real(stepInput))) as RampState;
          if (out.done) return out;
          if (!command) return { ...out, users: kpi.userCount, message: "seed's algorithm: no change" };
          // Workers first, as the real tick does: enough for the seed's users (never fewer during the run).
          const workers = Math.max(Math.ceil(command.users / usersPerWorker), env.locust.workerProcesses);
          await env.locust.setWorkers(workers);
          await locust.swarm({ userCount: command.users, spawnRate: command.spawnRate });
          return {
            ...out,
            users: command.users,
            spawnRate: command.spawnRate,
            workersRequested: workers,
            message: `seed's algorithm: ${command.users} users at ${command.spawnRate}/s`,
          };
        }),
      );
    }
    const tracePath = join(env.workDir, 'live-trace.json');
    writeFileSync(tracePath, JSON.stringify({ scenario, runs }, null, 1));

    const analysed = runs.map((r) => analyse(r, scenario));
    const [ours, seed] = analysed;
    printTable(
      `live demo shop (${scenarioName})`,
      'real Locust, real shop; delivered orders counted at the shop every second',
      [
        { name: 'controller', runs: [(ours as Analysis).figures] },
        { name: 'seed', runs: seed ? [seed.figures] : [] },
      ],
      null,
    );
    for (const [i, r] of runs.entries()) printDetails(r, analysed[i] as Analysis, trace);
    console.log(`  trace of every tick and sample: ${tracePath}`);
  } finally {
    await env.stop();
  }
}

interface Window {
  readonly from: number;
  readonly to: number;
  /** Delivered (shop) and counted (Locust) orders per minute over the window. */
  readonly shopRate: number;
  readonly locustRate: number;
  readonly shopOrders: number;
  readonly planned: number;
}

interface Analysis {
  readonly figures: Figures;
  readonly end: Window;
  /** The plateau's tick windows on the schedule (startedAt + n × tick). */
  readonly plateau: readonly Window[];
  readonly ramp: readonly Window[];
  readonly maxWorkerCpu: number;
  readonly failRatio: number;
}

/** Count at `at` by linear interpolation between the samples around it (the series only grows in a run). */
function countAt(samples: readonly Sample[], at: number, pick: (s: Sample) => number): number {
  const i = samples.findIndex((s) => s.at >= at);
  if (i < 0) return pick(samples.at(-1) as Sample);
  if (i === 0) return pick(samples[0] as Sample);
  const a = samples[i - 1] as Sample;
  const b = samples[i] as Sample;
  return pick(a) + ((pick(b) - pick(a)) * (at - a.at)) / (b.at - a.at);
}

/**
 * Runs a tick whose Locust client cannot change users and whose worker fleet cannot be scaled: on the seed's
 * ticks the seed commands both (its controller decides in the shadow, on users it did not choose).
 */
async function heldBack<T>(fn: () => Promise<T>): Promise<T> {
  const d = deps();
  const real = d.locust;
  d.locust = (url) =>
    Object.assign(Object.create(real(url)) as LocustClient, {
      swarm: async () => ({ message: 'not sent: the seed commands users', host: null }),
    });
  const fleets: WorkerFleetFactory = setWorkerFleetFactory((config) =>
    Object.assign(Object.create(fleets(config)) as WorkerFleet, { scale: async () => {} }),
  );
  try {
    return await fn();
  } finally {
    d.locust = real;
    setWorkerFleetFactory(fleets);
  }
}

function analyse(r: LiveRun, scenario: LiveScenario): Analysis {
  const target = scenario.targetOrdersPerMinute;
  const start = r.startedAt;
  const rampMs = scenario.rampUpMinutes * 60_000;
  const endMs = rampMs + scenario.plateauMinutes * 60_000;
  const rampEnd = start + rampMs;
  const tickMs = scenario.tickSeconds * 1000;
  // Only samples of this run's load (the cleanup after it deletes the shop's test orders); Locust's counter
  // counts from the run's own generation (before its test starts, the master still holds the last run's).
  const generation = r.ticks.find((t) => t.read)?.read?.generation;
  const samples = r.samples
    .filter((s) => s.at <= start + endMs + 2000)
    .map((s) => (s.generation === generation ? s : { ...s, locustOrders: 0 }));
  const plannedOver = (from: number, to: number) => {
    const at = (t: number) => Math.min(rampMs, Math.max(0, t - start));
    // ∫ plan: the ramp's triangle up to its end, the target after it.
    const integral = (t: number) =>
      (target * at(t) ** 2) / (2 * rampMs) + target * Math.max(0, t - start - rampMs);
    return (integral(to) - integral(from)) / (to - from);
  };
  const window = (from: number, to: number): Window => {
    const shopOrders =
      countAt(samples, to, (s) => s.shopOrders) - countAt(samples, from, (s) => s.shopOrders);
    const locust =
      countAt(samples, to, (s) => s.locustOrders) - countAt(samples, from, (s) => s.locustOrders);
    const minutes = (to - from) / 60_000;
    return {
      from,
      to,
      shopOrders,
      shopRate: shopOrders / minutes,
      locustRate: locust / minutes,
      planned: plannedOver(from, to),
    };
  };
  const ticksIn = (from: number, to: number) => {
    const out: Window[] = [];
    for (let t = from; t + tickMs <= to + 1; t += tickMs) out.push(window(t, t + tickMs));
    return out;
  };
  const ramp = ticksIn(start, rampEnd);
  const plateau = ticksIn(rampEnd, start + endMs);
  const sliding: Window[] = [];
  for (let t = start + RATE_WINDOW_SECONDS * 1000; t <= start + endMs; t += 5000)
    sliding.push(window(t - RATE_WINDOW_SECONDS * 1000, t));
  const reach = sliding.find((w) => Math.abs(w.shopRate / target - 1) <= 0.05);
  const end = window(rampEnd - (END_WINDOW_SECONDS / 2) * 1000, rampEnd + (END_WINDOW_SECONDS / 2) * 1000);
  const mean = plateau.reduce((a, w) => a + w.shopRate, 0) / Math.max(1, plateau.length);
  const usersFrom = r.ticks.filter((t) => t.startedAt >= rampEnd);
  const maxUsers = Math.max(0, ...r.ticks.map((t) => t.users));
  const plateauUsers = usersFrom.reduce((a, t) => a + t.users, 0) / Math.max(1, usersFrom.length);
  const cpu = samples.map((s) => s.workerCpu ?? 0);
  const lastFail = samples.filter((s) => s.failRatio != null).at(-1)?.failRatio ?? 0;
  return {
    figures: {
      reachSeconds: reach ? (reach.to - start) / 1000 : null,
      endOfRampError: end.shopRate / end.planned - 1,
      overshoot: Math.max(0, ...sliding.map((w) => w.shopRate / target - 1)),
      plateauMae:
        plateau.reduce((a, w) => a + Math.abs(w.shopRate / target - 1), 0) / Math.max(1, plateau.length),
      plateauMeanError: mean / target - 1,
      maxUsers,
      plateauUsers,
      saturates: false,
      saturationTicks: null,
      falseSaturation: r.ticks.some((t) => /target unreachable/.test(t.message)),
      // The shop's curve is not known here: users beyond twice the plateau's mean count as running away.
      runaway: maxUsers > RUNAWAY_FACTOR * plateauUsers,
    },
    end,
    ramp,
    plateau,
    maxWorkerCpu: Math.max(0, ...cpu),
    failRatio: lastFail,
  };
}

function printDetails(r: LiveRun, a: Analysis, trace: boolean): void {
  const poisson = 1 / Math.sqrt(Math.max(1, a.end.shopOrders));
  const rates = (ws: readonly Window[], pick: (w: Window) => number) =>
    ws.map((w) => pick(w).toFixed(0)).join(' ');
  // Users are paced (one journey every few seconds each): a window's count is below Poisson noise. The spread
  // of the plateau's tick windows bounds it from above (it holds the controller's corrections too).
  const plateauRates = a.plateau.map((w) => w.shopRate);
  const mean = plateauRates.reduce((s, x) => s + x, 0) / Math.max(1, plateauRates.length);
  const sd = Math.sqrt(
    plateauRates.reduce((s, x) => s + (x - mean) ** 2, 0) / Math.max(1, plateauRates.length - 1),
  );
  const tickPoisson =
    1 / Math.sqrt(Math.max(1, (mean * (a.plateau[0] ? a.plateau[0].to - a.plateau[0].from : 0)) / 60_000));
  console.log(
    `\n  ${r.label}: load average ${r.loadBefore.toFixed(2)} at the start, ${r.loadAfter.toFixed(2)} at the end; workers' CPU at most ${a.maxWorkerCpu.toFixed(0)} %, failures ${pct(a.failRatio, false)}`,
  );
  console.log(
    `    end of ramp: ${a.end.shopOrders.toFixed(0)} orders over the ${END_WINDOW_SECONDS} s around it, ${a.end.shopRate.toFixed(0)}/min vs ${a.end.planned.toFixed(0)}/min planned (${pct(a.figures.endOfRampError, true)}); ` +
      `Poisson noise of that count ±${pct(poisson)} (1 σ): ±3 % is ${(0.03 / poisson).toFixed(1)} σ, missed by chance on ${pct(outsideShare(0.03, poisson))} of runs if orders were Poisson`,
  );
  console.log(
    `    plateau ticks spread ±${pct(sd / Math.max(1, mean))} (sd) where Poisson would be ±${pct(tickPoisson)}: paced users count below Poisson`,
  );
  console.log(
    `    per tick at the shop:   ramp ${rates(a.ramp, (w) => w.shopRate)} | plateau ${rates(a.plateau, (w) => w.shopRate)} orders/min`,
  );
  console.log(
    `    per tick Locust counted: ramp ${rates(a.ramp, (w) => w.locustRate)} | plateau ${rates(a.plateau, (w) => w.locustRate)} orders/min`,
  );
  console.log(
    `    planned:                 ramp ${rates(a.ramp, (w) => w.planned)} | plateau ${rates(a.plateau, (w) => w.planned)}`,
  );
  if (!trace) return;
  const t0 = r.startedAt;
  const sec = (at: number) => ((at - t0) / 1000).toFixed(1).padStart(6);
  for (const t of r.ticks) {
    const users = countAt(r.samples, t.startedAt, (s) => s.users);
    console.log(
      `    tick ${String(t.tick).padStart(2)} due ${sec(t.dueAt)} ran ${sec(t.startedAt)}..${sec(t.endedAt)} read ${t.read ? `orders ${t.read.orders} users ${t.read.users} gen ${t.read.generation} at ${sec(t.read.at)}` : 'ignored'} (Locust had ${users.toFixed(0)} users) → ${t.users} users @${t.spawnRate}/s, workers ${t.workers}/${t.workersRequested ?? '—'}; ${t.message}`,
    );
  }
}
