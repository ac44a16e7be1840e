/**
 * `npm run bench:prepare` — how long Deploy + Scale (production's version and size) take for 1, 10 and 50
 * applications on the local Kubernetes control plane (real kube-apiserver, controller-manager, scheduler,
 * etcd, kwok nodes), run as the prepare Maps of the state machine by the local interpreter with the real
 * handlers, side by side with the same work done one application at a time (MaxConcurrency 1).
 *
 *   npm run bench:prepare                   # 1, 10, 50 applications
 *   npm run bench:prepare -- 1 5            # other sizes
 *   LTC_BENCH_JSON=out.json npm run bench:prepare
 *   LTC_BENCH_READY_MS=2000 npm run bench:prepare   # pods take 2 s to become Ready, as real ones do
 *
 * Every measurement starts from the test environment's small shape (Teardown restored the previous one).
 * Needs the binaries of `npm run setup` and the Python venv (moto, for the run store).
 */
import { writeFileSync } from 'node:fs';
import { parseConfig } from '../lambdas/core/config';
import type { RunState } from '../lambdas/core/state';
import { HANDLERS } from '../lambdas/handlers';
import { resetDeps } from '../lambdas/handlers/runtime';
import { createLocalAwsResources, RUNS_TABLE_KEYS } from '../local/aws-resources';
import { startLocalKubernetes } from '../local/kubernetes/control-plane';
import { createFleet, fleetTokenEnv } from '../local/kubernetes/fleet';
import { motoEnv, startMoto } from '../local/moto';
import { preparePhaseDefinition, runPreparePhase } from '../local/prepare-phase';

const SIZES = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const sizes = SIZES.length > 0 ? SIZES : [1, 10, 50];
const DEFAULT_LIMIT = 10;

async function timePrepare(definition: Record<string, unknown>, state: RunState): Promise<number> {
  const started = performance.now();
  await runPreparePhase(state, definition);
  return (performance.now() - started) / 1000;
}

function fmt(seconds: number): string {
  return `${seconds.toFixed(1)} s`;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const podReadyDelayMs = Number(process.env.LTC_BENCH_READY_MS ?? 0);
  const [k8s, moto] = await Promise.all([startLocalKubernetes({ nodes: 5, podReadyDelayMs }), startMoto()]);
  console.log(`local control plane and moto up in ${fmt((performance.now() - t0) / 1000)}`);
  const results: { applications: number; limit: number; seconds: number; mode: string }[] = [];
  try {
    const resources = await createLocalAwsResources(moto.endpoint, RUNS_TABLE_KEYS);
    const environments: Record<string, unknown> = {};
    for (const n of sizes) {
      const namespace = `bench-${n}`;
      const apps = await createFleet(k8s, {
        names: Array.from({ length: n }, (_, i) => `app-${String(i).padStart(2, '0')}`),
        namespace,
      });
      environments[namespace] = {
        maxOrdersPerMinute: 1000,
        scenarios: ['checkout'],
        defaultScenario: 'checkout',
        locust: { url: 'http://127.0.0.1:1' },
        applications: apps,
        restoreVersions: true,
      };
    }
    const config = parseConfig({ environments });
    Object.assign(process.env, motoEnv(moto.endpoint), resources, fleetTokenEnv(k8s), {
      LTC_CONFIG: JSON.stringify(config),
      LTC_POLL_MS: '200',
      POWERTOOLS_LOG_LEVEL: 'WARN',
    });
    resetDeps();
    const definition = preparePhaseDefinition();
    let run = 0;
    const measure = async (n: number, limit: number, mode: string) => {
      run += 1;
      const state = (await HANDLERS['validate-input']({
        input: { environment: `bench-${n}`, targetOrdersPerMinute: 100, rampUpMinutes: 1, plateauMinutes: 1 },
        execution: {
          id: `arn:aws:states:us-east-1:123456789012:execution:bench:${run}`,
          name: `bench-${run}`,
          startTime: new Date().toISOString(),
        },
      })) as RunState;
      const limited: RunState = {
        ...state,
        run: { ...state.run, environment: { ...state.run.environment, prepareConcurrency: limit } },
      };
      const seconds = await timePrepare(definition, limited);
      results.push({ applications: n, limit, seconds, mode });
      // Back to the small shape for the next measurement (Teardown: the recorded shape, versions too).
      await HANDLERS.teardown(limited);
      console.log(`  ${n} application(s), ${mode}: ${fmt(seconds)}`);
      return seconds;
    };

    const rows: string[][] = [];
    for (const n of sizes) {
      const parallel = await measure(n, Math.min(n, 50), 'Map, all at once');
      const limited =
        n > DEFAULT_LIMIT ? await measure(n, DEFAULT_LIMIT, `Map, ≤${DEFAULT_LIMIT} at once`) : parallel;
      const sequential = n > 1 ? await measure(n, 1, 'sequential (one at a time)') : parallel;
      rows.push([
        String(n),
        fmt(parallel),
        fmt(limited),
        fmt(sequential),
        `${(sequential / parallel).toFixed(1)}×`,
      ]);
    }
    const header = [
      'applications',
      'Map, all at once',
      `Map, ≤${DEFAULT_LIMIT} at once`,
      'sequential',
      'speed-up',
    ];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ');
    console.log(
      '\nprepare = Deploy (production images, rollout) + Scale (replicas, resources, HPA; rollout)',
    );
    console.log(
      `on the local control plane (2 API servers, controller-manager, scheduler, kwok nodes; pods Ready after ${podReadyDelayMs} ms):\n`,
    );
    console.log(line(header));
    for (const r of rows) console.log(line(r));
    if (process.env.LTC_BENCH_JSON)
      writeFileSync(process.env.LTC_BENCH_JSON, JSON.stringify(results, null, 2));
  } finally {
    await k8s.stop();
    await moto.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
