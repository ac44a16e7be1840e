/**
 * `npm run bench:ramp` — the ramp controller, the previous controller and the seed's algorithm on the simulated
 * systems, side by side: pass counts on tuning seeds and on held-out seeds never looked at while tuning.
 *
 *   npm run bench:ramp                      # seeds 1..40 (tuning) and 5001..5040 (held out)
 *   npm run bench:ramp -- --seeds 100 --first 1 --held-out 5001   # other ranges
 *   npm run bench:ramp -- --systems queueing,spawn --tuning-only --controller-only   # a subset, while tuning
 *   npm run bench:ramp -- --detail          # also each system's median figures over the held-out seeds
 *   npm run bench:ramp -- --trace linear    # also the controllers' ticks on one system (first tuning seed)
 *   npm run bench:ramp -- --short-ticks     # only the demo shop's shape: 240 orders/min on 10-s and 5-s ticks vs 60-s
 *   npm run bench:ramp -- --scenario '{"rampUpSeconds":300}'   # the same systems under another plan or prior
 *   npm run bench:ramp -- --live            # also a real local run on the demo shop (the controller, ~5 min)
 *   npm run bench:ramp -- --live --live-baseline   # …and the seed's algorithm on it too (another ~5 min)
 *   npm run bench:ramp -- --live --live-scenario short --trace live   # the demo's 1 min / 10-s ticks, every tick
 *
 * Goals: within ±3 % of the plan at the end of the ramp-up, overshoot ≤ 5 %, plateau error ≤ 2 %, no saturation
 * on a reachable system and one within 3 ticks of the plan crossing the capacity on an unreachable one, users
 * never beyond twice those the system can use.
 */
import { parseArgs } from 'node:util';
import { type IdealShares, idealShares, outsideShare, tickNoise } from './noise-floor';
import {
  DEFAULT_SCENARIO,
  type RunResult,
  runBaseline,
  runController,
  type Scenario,
  SYSTEMS,
} from './ramp-bench';
import { pct, printTable, ROWS } from './ramp-table';
import type { SystemSpec } from './sim';
import { type BenchSystem, DEMO_SHOP } from './systems';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '40' },
    first: { type: 'string', default: '1' },
    'held-out': { type: 'string', default: '5001' },
    detail: { type: 'boolean', default: false },
    trace: { type: 'string' },
    live: { type: 'boolean', default: false },
    'live-baseline': { type: 'boolean', default: false },
    'live-scenario': { type: 'string', default: 'measured' },
    systems: { type: 'string' },
    'tuning-only': { type: 'boolean', default: false },
    'controller-only': { type: 'boolean', default: false },
    'short-ticks': { type: 'boolean', default: false },
    scenario: { type: 'string' },
  },
});

/** The plan and prior every controller runs: the product's default, or `--scenario`'s fields over it. */
const scenario = scenarioOf(values.scenario);

function scenarioOf(json: string | undefined): Scenario {
  if (!json) return DEFAULT_SCENARIO;
  const fields = JSON.parse(json) as Record<string, unknown>;
  for (const [key, value] of Object.entries(fields)) {
    if (!(key in DEFAULT_SCENARIO) && key !== 'orderDelaySeconds')
      throw new Error(
        `--scenario.${key}: not a scenario field (${Object.keys(DEFAULT_SCENARIO).join(', ')})`,
      );
    if (typeof value !== 'number' || !(value > 0))
      throw new Error(`--scenario.${key}: must be a positive number, got ${JSON.stringify(value)}`);
  }
  return { ...DEFAULT_SCENARIO, ...fields };
}

const seeds = Math.max(1, Number.parseInt(values.seeds ?? '40', 10) || 1);
const tuneFirst = Number.parseInt(values.first ?? '1', 10) || 1;
const heldOutFirst = Number.parseInt(values['held-out'] ?? '5001', 10) || 5001;
/** Systems whose name contains one of the comma-separated words (all when absent). */
const selectedSystems = SYSTEMS.filter(
  (s) => !values.systems || values.systems.split(',').some((word) => s.name.includes(word.trim())),
);

/**
 * The arithmetic of what the noise allows: one tick's count at the target (Poisson, in clumps where they come so)
 * and, where the conversion drifts, how often an ideal controller would meet each goal.
 */
function printNoise(system: SystemSpec, runs: number): void {
  const s = scenario;
  const orders = (s.targetOrdersPerMinute * s.tickSeconds) / 60;
  const noise = tickNoise(system, orders);
  console.log(
    `  noise: one tick's count of ~${Math.round(orders)} orders is ±${pct(noise)} (1 σ)${system.clump ? `, in clumps of ~${system.clump}` : ''}${system.drift ? `; conversion drifts ±${pct(system.drift)} over ~${(system.driftSeconds ?? 300) / 60} min` : ''}`,
  );
  console.log(
    `  ±3 % is ${(0.03 / noise).toFixed(1)} σ of it: a level read from one tick misses it on ${pct(outsideShare(0.03, noise))} of runs; reading it from more ticks needs the shape of orders vs users known`,
  );
  const knows = idealShares(system, s);
  const learns = idealShares(system, s, { knowsConversion: false });
  if (!knows || !learns) return;
  const of = (share: number) => `${pct(share)} (~${Math.round(share * runs)}/${runs})`;
  const meets = (ideal: IdealShares) =>
    `end of ramp ${of(ideal.endOfRamp)}, overshoot ${of(ideal.overshoot)}, plateau ${of(ideal.plateau)}`;
  console.log('  an ideal controller (optimal filter on the same counts, users set exactly) meets:');
  console.log(`    knowing the mean conversion (only the drift unknown): ${meets(knows)}`);
  console.log(`    learning the conversion from the counts, as a controller must: ${meets(learns)}`);
}

const CONTROLLERS: readonly {
  readonly name: string;
  readonly run: (s: BenchSystem, seed: number) => RunResult;
}[] = [
  { name: 'controller', run: (s, seed) => runController(s, seed, scenario) },
  { name: 'previous', run: (s, seed) => runController(s, seed, scenario, 'previous') },
  { name: 'seed', run: (s, seed) => runBaseline(s, seed, scenario) },
];

/** Pass counts (controller / previous / seed) of each goal, one line per system, over a range of seeds. */
function printPassCounts(title: string, first: number, count: number): Map<string, RunResult[][]> {
  const last = first + count - 1;
  console.log(
    `\n${title}: seeds ${first}..${last} — runs meeting each goal, ${CONTROLLERS.map((c) => c.name).join(' / ')}${scenario === DEFAULT_SCENARIO ? '' : `; scenario ${JSON.stringify(scenario)}`}`,
  );
  const goals = ROWS.filter((r) => r.ok);
  const head = ['system'.padEnd(30), ...goals.map((g) => (g.short ?? g.label).padStart(22))];
  console.log(`  ${head.join(' ')}`);
  const results = new Map<string, RunResult[][]>();
  for (const system of selectedSystems) {
    const runs = CONTROLLERS.slice(0, values['controller-only'] ? 1 : undefined).map((c) => {
      const out: RunResult[] = [];
      for (let seed = first; seed <= last; seed++) out.push(c.run(system, seed));
      return out;
    });
    results.set(system.name, runs);
    const cells = goals.map((g) =>
      runs
        .map((r) => String(r.filter((x) => g.ok?.(x.figures)).length))
        .join(' / ')
        .padStart(22),
    );
    console.log(
      `  ${`${system.name}${system.reachable ? '' : ' (unreachable)'}`.padEnd(30)} ${cells.join(' ')}`,
    );
  }
  return results;
}

/**
 * The end-to-end SLO test's plan on the demo shop's shape (240 orders/min, 1 min up, 2 min plateau, 10-s ticks:
 * ~40 orders a tick), the same on 5-s ticks (~20 orders a tick) and the system on 60-s ticks to 600 orders/min:
 * the plateau's mean error (signed) over the seeds. A bias of one sign is a model error, not noise.
 */
function printShortTicks(first: number, count: number): void {
  const base = { initialOrdersPerUserPerMinute: 12, orderDelaySeconds: DEMO_SHOP.journeySeconds };
  const scenarios: readonly [string, Scenario][] = [
    [
      '10-s ticks, 2-min plateau',
      { ...base, targetOrdersPerMinute: 240, rampUpSeconds: 60, plateauSeconds: 120, tickSeconds: 10 },
    ],
    [
      '5-s ticks, 1-min plateau',
      { ...base, targetOrdersPerMinute: 240, rampUpSeconds: 30, plateauSeconds: 60, tickSeconds: 5 },
    ],
    [
      '5-s ticks, 5-min plateau',
      { ...base, targetOrdersPerMinute: 240, rampUpSeconds: 30, plateauSeconds: 300, tickSeconds: 5 },
    ],
    [
      '60-s ticks, 600/min',
      { ...base, targetOrdersPerMinute: 600, rampUpSeconds: 300, plateauSeconds: 300, tickSeconds: 60 },
    ],
  ];
  console.log(
    `\nDemo shop's shape (${DEMO_SHOP.description}), seeds ${first}..${first + count - 1}: plateau mean error`,
  );
  for (const [name, scenario] of scenarios) {
    const errors: number[] = [];
    const users: number[] = [];
    for (let seed = first; seed < first + count; seed++) {
      const { figures } = runController(DEMO_SHOP, seed, scenario);
      errors.push(figures.plateauMeanError);
      users.push(figures.plateauUsers);
    }
    const mean = errors.reduce((s, e) => s + e, 0) / errors.length;
    const median = [...errors].sort((x, y) => x - y)[Math.floor(errors.length / 2)] as number;
    const sd = Math.sqrt(errors.reduce((s, e) => s + (e - mean) ** 2, 0) / (errors.length - 1));
    const above = errors.filter((e) => e > 0).length;
    const meanUsers = users.reduce((s, u) => s + u, 0) / users.length;
    console.log(
      `  ${name.padEnd(22)} mean ${(100 * mean).toFixed(1).padStart(5)} % ± ${((100 * sd) / Math.sqrt(errors.length)).toFixed(1)} (s.e.), median ${(100 * median).toFixed(1)} %, sd ${(100 * sd).toFixed(1)} %, above the target on ${above}/${errors.length}, plateau users ${meanUsers.toFixed(1)}`,
    );
  }
}

async function main(): Promise<void> {
  if (values['short-ticks']) {
    printShortTicks(tuneFirst, seeds);
    return;
  }
  console.log(
    'Ramp benchmark: target 3,000 orders/min, 10 min ramp-up, 10 min plateau, 60 s ticks; the controller (lambdas/core/ramp/), the previous controller (bench/previous-controller.ts) and the seed’s algorithm on the same simulated systems and seeds.',
  );
  console.log('Figures from the orders the system really delivered (not from Locust’s lagging counters).');
  console.log(
    `Tuning seeds ${tuneFirst}..${tuneFirst + seeds - 1}; held-out seeds ${heldOutFirst}..${heldOutFirst + seeds - 1}, never looked at while tuning.`,
  );
  printPassCounts('Tuning', tuneFirst, seeds);
  const heldOut = values['tuning-only'] ? null : printPassCounts('Held out', heldOutFirst, seeds);
  if (heldOut && values.detail) {
    console.log('\nMedians over the held-out seeds ("!" marks a median that misses its goal):');
    for (const system of selectedSystems) {
      const runs = heldOut.get(system.name) ?? [];
      printTable(
        system.name,
        system.description,
        CONTROLLERS.map((c, i) => ({ name: c.name, runs: (runs[i] ?? []).map((r) => r.figures) })),
        runs[0]?.[0]?.trace.saturationMessage ?? null,
      );
      if (system.reachable) printNoise(system, seeds);
    }
  }
  if (values.trace) {
    const system = SYSTEMS.find((s) => s.name === values.trace);
    for (const c of system ? CONTROLLERS.slice(0, 2) : []) {
      console.log(`\n${values.trace}, ${c.name}, seed ${tuneFirst}:`);
      for (const t of c.run(system as BenchSystem, tuneFirst).trace.ticks)
        console.log(`    tick ${String(t.tick).padStart(2)}  ${t.message}`);
    }
  }
  if (values.live) {
    const { runLiveBenchmark } = await import('./live');
    await runLiveBenchmark(values['live-baseline'], values['live-scenario'], values.trace === 'live');
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
