/**
 * `npm run bench:cold-start` — what each step's Lambda loads on a cold start.
 *
 *   npm run bench:cold-start                # 7 fresh processes per measurement
 *   npm run bench:cold-start -- --runs 15   # more runs, steadier medians
 *
 * Synthesizes the stack with bundling on (config/example.json), so every function is bundled by CDK's own
 * NodejsFunction with the options of cdk/lib/step-handler-function.ts, then measures the CPU time of fresh Node
 * processes requiring each bundle (with the function's NODE_OPTIONS, and without), beside bare Node and beside
 * bare Node requiring the AWS SDK clients that bundle requires (the SDK is external: Lambda's runtime provides
 * it). Also the first error's stack with and without source maps. Method and results: docs/cold-start.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { App } from 'aws-cdk-lib';
import { LoadTestConductorStack } from '../cdk/lib/load-test-conductor-stack';
import { loadConfigFile } from '../lambdas/core/config-file';
import { median } from '../lambdas/core/statistics';

/** Goals (issue 15): the import within 3× bare Node plus its SDK clients; steps without Kubernetes under 1 MB. */
export const MAX_IMPORT_RATIO = 3;
export const MAX_BUNDLE_BYTES_WITHOUT_KUBERNETES = 1_000_000;

export interface BundledFunction {
  /** The function's step (its description after "Load Test Conductor: "). */
  readonly step: string;
  /** The bundle's directory: index.js and its source map. */
  readonly dir: string;
  readonly nodeOptions: string;
}

/** Synthesizes the stack into `outdir` with bundling on, and lists its step functions' bundles. */
export function synthesizeBundles(outdir: string, configFile = 'config/example.json'): BundledFunction[] {
  // Asset metadata (what the CDK CLI asks for) names each function's bundle directory.
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
  new LoadTestConductorStack(app, 'ColdStart', { config: loadConfigFile(configFile) });
  const assembly = app.synth();
  const template = assembly.getStackByName('ColdStart').template as {
    Resources: Record<
      string,
      { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, string> }
    >;
  };
  const out: BundledFunction[] = [];
  for (const r of Object.values(template.Resources)) {
    if (r.Type !== 'AWS::Lambda::Function') continue;
    const description = String(r.Properties.Description ?? '');
    const asset = r.Metadata?.['aws:asset:path'];
    if (!description.startsWith('Load Test Conductor: ') || !asset) continue;
    const env = (r.Properties.Environment as { Variables?: Record<string, string> } | undefined)?.Variables;
    out.push({
      step: description.slice('Load Test Conductor: '.length),
      dir: join(outdir, asset),
      nodeOptions: env?.NODE_OPTIONS ?? '',
    });
  }
  if (out.length === 0) throw new Error('the synthesized stack has no step functions with bundled code');
  return out.sort((a, b) => a.step.localeCompare(b.step));
}

/** The packages a bundle leaves to the runtime: `require("@aws-sdk/…")` in the minified output. */
export function sdkPackagesOf(bundle: string): string[] {
  return [
    ...new Set([...bundle.matchAll(/require\("(@aws-sdk\/[^"]+)"\)/g)].map((m) => m[1] as string)),
  ].sort();
}

/**
 * CPU time (user + system, ms) one fresh Node process spent until `script` returned: its start-up and what the
 * script loaded. CPU time, not wall time: on a shared machine a process waits for a core for longer than it
 * computes, and the wait says nothing about the bundle.
 */
function cpuMs(script: string, env: NodeJS.ProcessEnv): number {
  const measured = `${script};const u=process.cpuUsage();process.stdout.write(String((u.user+u.system)/1000));`;
  const result = spawnSync(process.execPath, ['-e', measured], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.status !== 0) throw new Error(`node -e ${script}: exit ${result.status}: ${result.stderr}`);
  return Number(result.stdout);
}

/** CPU time (ms) from calling the handler with no environment to its error's stack formatted (so, mapped). */
function firstErrorMs(bundleDir: string, env: NodeJS.ProcessEnv): number {
  // An unset environment makes every step throw from inside the bundle (the deps read RUNS_TABLE, LTC_CONFIG, …).
  const script = `const h = require(${JSON.stringify(join(bundleDir, 'index.js'))}).handler;
const start = process.cpuUsage();
Promise.resolve().then(() => h({})).then(() => { throw new Error('the step did not fail'); }, (e) => {
  void String(e.stack);
  const u = process.cpuUsage(start);
  process.stdout.write(String((u.user + u.system) / 1000));
});`;
  const result = spawnSync(process.execPath, ['-e', script], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.status !== 0)
    throw new Error(`first error in ${bundleDir}: exit ${result.status}: ${result.stderr}`);
  return Number(result.stdout);
}

const requireAll = (modules: readonly string[]) =>
  modules.map((m) => `require(${JSON.stringify(m)});`).join('');

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
  const runs = Math.max(1, Number.parseInt(values.runs ?? '7', 10) || 7);
  const outdir = mkdtempSync(join(tmpdir(), 'ltc-cold-start-'));
  try {
    const built = Date.now();
    const functions = synthesizeBundles(outdir);
    console.log(
      `Synthesized and bundled ${functions.length} functions in ${((Date.now() - built) / 1000).toFixed(0)} s.`,
    );
    // The bundles sit outside the repository (so index.js is CommonJS, as in Lambda); the SDK from its node_modules.
    const base: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NODE_PATH: join(process.cwd(), 'node_modules'),
    };
    const rows = functions.map((f) => {
      const code = readFileSync(join(f.dir, 'index.js'), 'utf8');
      return {
        ...f,
        bytes: statSync(join(f.dir, 'index.js')).size,
        mapBytes: statSync(join(f.dir, 'index.js.map')).size,
        sdk: sdkPackagesOf(code),
        kubernetes: code.includes('kubernetes.io') || code.includes('KubeConfig'),
        bare: [] as number[],
        withSdk: [] as number[],
        imported: [] as number[],
        importedNoMaps: [] as number[],
        errorMapped: [] as number[],
        errorPlain: [] as number[],
      };
    });
    const bare: number[] = [];
    // Round-robin: a slow moment of the machine spreads over every function instead of hitting one.
    for (let i = 0; i < runs; i++) {
      bare.push(cpuMs('', base));
      for (const r of rows) {
        const bundle = requireAll([join(r.dir, 'index.js')]);
        r.withSdk.push(cpuMs(requireAll(r.sdk), base));
        r.imported.push(cpuMs(bundle, { ...base, NODE_OPTIONS: r.nodeOptions }));
        r.importedNoMaps.push(cpuMs(bundle, base));
        r.errorMapped.push(firstErrorMs(r.dir, { ...base, NODE_OPTIONS: '--enable-source-maps' }));
        r.errorPlain.push(firstErrorMs(r.dir, base));
      }
    }
    const bareMs = median(bare);
    console.log(
      `\nCPU ms of a fresh process until the import returned, median of ${runs}; bare Node ${bareMs.toFixed(0)} ms; Node ${process.version}.`,
    );
    console.log(
      '"!" marks a figure that misses its goal (import ≤ 3× Node + its SDK clients; < 1 MB without Kubernetes).',
    );
    const w = [15, 10, 9, 5, 4, 12, 10, 9, 7, 12, 9];
    const line = (cells: readonly string[]) =>
      `  ${cells.map((c, i) => (i === 0 ? c.padEnd(w[0] as number) : c.padStart(w[i] as number))).join(' ')}`;
    console.log(
      line([
        'function',
        'bundle',
        'map',
        'k8s',
        'sdk',
        'node+sdk ms',
        'import ms',
        'ratio',
        '1st error ms',
        'no maps',
      ]),
    );
    let failures = 0;
    for (const r of rows) {
      const withSdk = median(r.withSdk);
      const imported = median(r.imported);
      const ratio = imported / withSdk;
      const sizeOk = r.kubernetes || r.bytes < MAX_BUNDLE_BYTES_WITHOUT_KUBERNETES;
      const ratioOk = ratio <= MAX_IMPORT_RATIO;
      if (!sizeOk || !ratioOk) failures += 1;
      console.log(
        line([
          r.step,
          `${(r.bytes / 1e6).toFixed(2)} MB${sizeOk ? ' ' : '!'}`,
          `${(r.mapBytes / 1e6).toFixed(2)} MB`,
          r.kubernetes ? 'yes' : 'no',
          String(r.sdk.length),
          withSdk.toFixed(0),
          imported.toFixed(0),
          median(r.importedNoMaps).toFixed(0),
          `${ratio.toFixed(1)}×${ratioOk ? ' ' : '!'}`,
          median(r.errorMapped).toFixed(0),
          median(r.errorPlain).toFixed(0),
        ]),
      );
    }
    console.log(
      `\n${failures === 0 ? 'Every function meets both goals.' : `${failures} function(s) miss a goal.`} "import": with the function's NODE_OPTIONS (${rows[0]?.nodeOptions || 'none'}), "no maps": without; "1st error": the handler called with no environment until its error's stack is formatted, with --enable-source-maps and without.`,
    );
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
