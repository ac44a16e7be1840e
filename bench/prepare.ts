/**
 * `npm run bench:prepare` — how long Deploy + Scale (production's version and size) take for 1, 10 and 50
 * applications on the local Kubernetes control plane (real kube-apiserver, controller-manager, scheduler,
 * etcd, kwok nodes), run as the prepare Maps of the state machine by the local interpreter with the real
 * handlers: all at once, at most 10 at once, and one at a time (MaxConcurrency 1). Two fleets:
 *
 * - **start-up**: each application's pods take their own time to become Ready, spread evenly over
 *   3–15 s (the last application is the slowest), as image pulls, start-up and readiness probes make real
 *   rollouts wait. The goal's measure: all at once against the slowest application prepared alone.
 * - **control-plane bound**: pods Ready at once, so what is measured is only the work of the conductor and
 *   of the local control plane on this machine's cores; beside it the floor — the same changes patched
 *   straight into the API (no state machine, no handlers, no run store) and every rollout awaited with one
 *   list per 100 ms — which is what the control plane alone needs.
 *
 *   npm run bench:prepare                          # 1, 10, 50 applications (~20 min)
 *   npm run bench:prepare -- 1 5                   # other sizes
 *   npm run bench:prepare -- --sequential-all      # one at a time beyond 10 too (50: ~25 min more)
 *   npm run bench:prepare -- --only start-up       # or control-plane: one of the two fleets
 *   LTC_BENCH_STARTUP_S=2-10 npm run bench:prepare # another start-up range, in seconds
 *   LTC_BENCH_JSON=out.json npm run bench:prepare
 *
 * Every measurement starts from the test environment's small shape (Teardown restored the previous one).
 * Needs the binaries of `npm run setup` and the Python venv (moto, for the run store).
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { deploymentPatch, rolloutStatus } from '../lambdas/adapters/kubernetes/deployment-adapter';
import { mergePatch } from '../lambdas/adapters/kubernetes/patch';
import { parseConfig } from '../lambdas/core/config';
import type { RunState } from '../lambdas/core/run-state';
import type { AppShape } from '../lambdas/core/shape';
import { HANDLERS } from '../lambdas/handlers/index';
import { resetDeps } from '../lambdas/runtime/step';
import { createLocalAwsResources, RUNS_TABLE_KEYS } from '../local/aws-resources';
import { type LocalKubernetes, startLocalKubernetes } from '../local/kubernetes/control-plane';
import {
  createFleet,
  type FleetSize,
  fleetTokenEnv,
  image,
  PRODUCTION_SIZE,
  TEST_SIZE,
} from '../local/kubernetes/fleet';
import { motoEnv, startMoto } from '../local/moto';
import { preparePhaseDefinition, runPreparePhase } from '../local/prepare-phase';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? args[onlyAt + 1] : undefined;
if (only !== undefined && only !== 'start-up' && only !== 'control-plane')
  throw new Error(`--only start-up or --only control-plane, not ${only}`);
const SIZES = args
  .filter((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--only')
  .map(Number)
  .filter((n) => n > 0);
const sizes = SIZES.length > 0 ? SIZES : [1, 10, 50];
/** A lower limit than the default, for comparison: what a team sparing a small control plane would set. */
const LOWER_LIMIT = 10;
/** Beyond this many applications, one at a time with start-up times only with --sequential-all. */
const SEQUENTIAL_MAX = 10;
const [STARTUP_MIN_S, STARTUP_MAX_S] = (process.env.LTC_BENCH_STARTUP_S ?? '3-15').split('-').map(Number) as [
  number,
  number,
];
const FLOOR_POLL_MS = 100;

const appNames = (n: number) => Array.from({ length: n }, (_, i) => `app-${String(i).padStart(2, '0')}`);

/** Start-up times spread evenly from the minimum to the maximum: the last application is the slowest. */
function startUpMs(n: number): Record<string, number> {
  return Object.fromEntries(
    appNames(n).map((name, i) => [
      name,
      1000 * (n === 1 ? STARTUP_MAX_S : STARTUP_MIN_S + ((STARTUP_MAX_S - STARTUP_MIN_S) * i) / (n - 1)),
    ]),
  );
}

function fmt(seconds: number): string {
  return `${seconds.toFixed(1)} s`;
}

function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
}

/**
 * The floor: Deploy then Scale with no conductor — patches straight into the test API server as its admin
 * (the images; the container resources; then HPA bounds and replicas), each step awaited for every Deployment
 * at once with one list per {@link FLOOR_POLL_MS}. Returns the seconds.
 */
async function direct(k8s: LocalKubernetes, namespace: string, to: FleetSize): Promise<number> {
  const { apps, autoscaling } = k8s.test.as('admin');
  const started = performance.now();
  const patchAll = async (shape: (name: string) => Partial<AppShape>) => {
    const deployments = (await apps.listNamespacedDeployment({ namespace })).items;
    await Promise.all(
      deployments.map(async (d) => {
        const name = d.metadata?.name as string;
        const ops = deploymentPatch(name, d, shape(name), to.hpa);
        if (ops.length === 0) return;
        await apps.patchNamespacedDeployment(
          { name, namespace, body: ops },
          setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
        );
      }),
    );
    for (;;) {
      const list = await apps.listNamespacedDeployment({ namespace });
      if (list.items.every((d) => rolloutStatus(d).complete)) return;
      await new Promise((r) => setTimeout(r, FLOOR_POLL_MS));
    }
  };
  await patchAll((name) => ({ images: { app: image(name, to.version) } }));
  // As the conductor scales up: the new pod template at the current size first, then HPA and replicas.
  const resources = { requests: to.requests, ...(to.limits ? { limits: to.limits } : {}) };
  await patchAll(() => ({ resources: { app: resources } }));
  const hpas = (await autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace })).items;
  await Promise.all(
    hpas.map((h) =>
      autoscaling.patchNamespacedHorizontalPodAutoscaler(
        { name: h.metadata?.name as string, namespace, body: { spec: to.hpa } },
        mergePatch(),
      ),
    ),
  );
  await patchAll(() => ({ replicas: to.replicas }));
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const [k8s, moto] = await Promise.all([startLocalKubernetes({ nodes: 5 }), startMoto()]);
  console.log(`local control plane and moto up in ${fmt((performance.now() - t0) / 1000)}`);
  const results: { fleet: string; applications: number; limit: number; seconds: number; mode: string }[] = [];
  try {
    const resources = await createLocalAwsResources(moto.endpoint, RUNS_TABLE_KEYS);
    const fleets = [
      ...(only === 'control-plane' ? [] : [{ fleet: 'start-up', startUp: true }]),
      ...(only === 'start-up' ? [] : [{ fleet: 'control-plane', startUp: false }]),
    ];
    const environments: Record<string, unknown> = {};
    for (const { fleet, startUp } of fleets) {
      for (const n of sizes) {
        const namespace = `${fleet}-${n}`;
        const apps = await createFleet(k8s, {
          names: appNames(n),
          namespace,
          ...(startUp ? { readyDelayMs: startUpMs(n) } : {}),
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
    const measure = async (
      fleet: string,
      n: number,
      limit: number,
      mode: string,
      applications?: string[],
    ): Promise<number> => {
      run += 1;
      const state = (await HANDLERS['validate-input']({
        input: {
          environment: `${fleet}-${n}`,
          targetOrdersPerMinute: 100,
          rampUpMinutes: 1,
          plateauMinutes: 1,
          ...(applications ? { applications } : {}),
        },
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
      const started = performance.now();
      await runPreparePhase(limited, definition);
      const seconds = (performance.now() - started) / 1000;
      results.push({ fleet, applications: n, limit, seconds, mode });
      // Back to the small shape for the next measurement (Teardown: the recorded shape, versions too), every
      // application at once: Teardown restores `prepareConcurrency` at a time, and this is not measured.
      await HANDLERS.teardown({
        ...state,
        run: { ...state.run, environment: { ...state.run.environment, prepareConcurrency: n } },
      });
      console.log(`  ${fleet}, ${n} application(s), ${mode}: ${fmt(seconds)}`);
      return seconds;
    };

    const startUpRows: string[][] = [];
    const controlPlaneRows: string[][] = [];
    for (const { fleet, startUp } of fleets) {
      for (const n of sizes) {
        const names = appNames(n);
        const slowest = names[n - 1] as string;
        const alone = startUp
          ? await measure(fleet, n, 1, `${slowest} (the slowest) alone`, [slowest])
          : undefined;
        const floor = startUp ? undefined : await direct(k8s, `${fleet}-${n}`, PRODUCTION_SIZE);
        if (floor !== undefined) {
          results.push({ fleet, applications: n, limit: n, seconds: floor, mode: 'floor (API directly)' });
          console.log(`  ${fleet}, ${n} application(s), floor (API directly): ${fmt(floor)}`);
          await direct(k8s, `${fleet}-${n}`, TEST_SIZE);
        }
        const parallel =
          n === 1 && alone !== undefined
            ? alone
            : await measure(fleet, n, Math.min(n, 50), 'Map, all at once');
        const limited =
          n > LOWER_LIMIT ? await measure(fleet, n, LOWER_LIMIT, `Map, ≤${LOWER_LIMIT} at once`) : parallel;
        const runSequential = !startUp || n <= SEQUENTIAL_MAX || flag('--sequential-all');
        const sequential =
          n === 1
            ? parallel
            : runSequential
              ? await measure(fleet, n, 1, 'sequential (one at a time)')
              : undefined;
        const seq = sequential === undefined ? 'not run (--sequential-all)' : fmt(sequential);
        if (startUp && alone !== undefined) {
          startUpRows.push([
            String(n),
            `${slowest}, ${Math.round((startUpMs(n)[slowest] ?? 0) / 1000)} s`,
            fmt(alone),
            fmt(parallel),
            fmt(limited),
            seq,
            `${(parallel / alone).toFixed(2)}×`,
          ]);
        } else if (floor !== undefined) {
          controlPlaneRows.push([
            String(n),
            fmt(floor),
            fmt(parallel),
            fmt(limited),
            seq,
            `${(parallel / floor).toFixed(1)}×`,
          ]);
        }
      }
    }

    console.log(
      '\nprepare = Deploy (production images, rollout) + Scale (replicas, resources, HPA; rollout), through the',
    );
    console.log(
      'prepare Maps with the real handlers, on the local control plane (2 API servers, controller-manager,',
    );
    console.log(`scheduler, kwok nodes) — load average at the end: ${loadAverage()}`);
    if (startUpRows.length > 0) {
      console.log(
        `\nstart-up: each application's pods Ready ${STARTUP_MIN_S}–${STARTUP_MAX_S} s after they start (spread evenly, the last the slowest):\n`,
      );
      table(
        [
          'applications',
          'slowest',
          'slowest alone',
          'Map, all at once',
          `Map, ≤${LOWER_LIMIT} at once`,
          'sequential',
          'all at once / slowest alone',
        ],
        startUpRows,
      );
    }
    if (controlPlaneRows.length > 0) {
      console.log(
        '\ncontrol-plane bound: pods Ready at once, so this measures only CPU work on this machine; the floor is',
      );
      console.log('the same changes patched straight into the API, every rollout awaited, no conductor:\n');
      table(
        [
          'applications',
          'floor (API directly)',
          'Map, all at once',
          `Map, ≤${LOWER_LIMIT} at once`,
          'sequential',
          'all at once / floor',
        ],
        controlPlaneRows,
      );
    }
    if (process.env.LTC_BENCH_JSON)
      writeFileSync(process.env.LTC_BENCH_JSON, JSON.stringify(results, null, 2));
  } finally {
    await k8s.stop();
    await moto.stop();
  }
}

/** The 1, 5 and 15 minute load averages, as the live bench reads them. */
function loadAverage(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
