/**
 * `npm run bench:ramp` — the ramp controller against the seed's algorithm on simulated systems, side by side.
 *
 *   npm run bench:ramp                      # all simulated systems, seed 1
 *   npm run bench:ramp -- --seeds 40        # medians over seeds 1..40, and how many seeds meet each goal
 *   npm run bench:ramp -- --seeds 40 --first 101   # seeds 101..140: a set not looked at while tuning
 *   npm run bench:ramp -- --trace linear    # also print the controller's ticks on one system
 *   npm run bench:ramp -- --live            # also a real local run on the demo shop (the controller, ~5 min)
 *   npm run bench:ramp -- --live --live-baseline   # …and the seed's algorithm on it too (another ~5 min)
 *   npm run bench:ramp -- --live --live-scenario short --trace live   # the demo's 1 min / 10-s ticks, every tick
 *
 * Goals (issue 4): within ±3 % of the target at the end of the ramp-up, overshoot ≤ 5 %, plateau error ≤ 2 %,
 * saturation reported within 3 ticks — better than the baseline on every system.
 */
import { parseArgs } from 'node:util';
import { type IdealShares, idealShares, outsideShare, tickNoise } from './noise-floor';
import { DEFAULT_SCENARIO, type RunResult, runBaseline, runController, SYSTEMS } from './ramp-bench';
import { pct, printTable } from './ramp-table';
import type { SystemSpec } from './sim';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1' },
    first: { type: 'string', default: '1' },
    trace: { type: 'string' },
    live: { type: 'boolean', default: false },
    'live-baseline': { type: 'boolean', default: false },
    'live-scenario': { type: 'string', default: 'measured' },
  },
});

const seeds = Math.max(1, Number.parseInt(values.seeds ?? '1', 10) || 1);
const firstSeed = Number.parseInt(values.first ?? '1', 10) || 1;

/**
 * The arithmetic of what the noise allows: one tick's count at the target (Poisson, in clumps where they come so)
 * and, where the conversion drifts, how often an ideal controller would meet each goal.
 */
function printNoise(system: SystemSpec, runs: number): void {
  const s = DEFAULT_SCENARIO;
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

async function main(): Promise<void> {
  const lastSeed = firstSeed + seeds - 1;
  console.log(
    `Ramp benchmark: target 3,000 orders/min, 10 min ramp-up, 10 min plateau, 60 s ticks; ${seeds === 1 ? `seed ${firstSeed}` : `median of seeds ${firstSeed}..${lastSeed}, "goal ok": seeds meeting the goal`}.`,
  );
  console.log('Figures from the orders the system really delivered (not from Locust’s lagging counters).');
  console.log('"!" marks a controller figure that misses its goal.');
  for (const system of SYSTEMS) {
    const ours: RunResult[] = [];
    const base: RunResult[] = [];
    for (let s = firstSeed; s <= lastSeed; s++) {
      ours.push(runController(system, s));
      base.push(runBaseline(system, s));
    }
    printTable(
      system.name,
      system.description,
      ours.map((r) => r.figures),
      base.map((r) => r.figures),
      ours[0]?.trace.saturationMessage ?? null,
    );
    if (!system.capacity || system.capacity >= DEFAULT_SCENARIO.targetOrdersPerMinute)
      printNoise(system, seeds);
    if (values.trace === system.name) {
      for (const t of ours[0]?.trace.ticks ?? [])
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
