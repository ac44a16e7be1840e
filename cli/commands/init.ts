import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseCommandArgs } from '../args';
import { type CliDeps, println } from '../deps';
import { EXIT, EXIT_CODES_HELP, UsageError } from '../errors';
import { REPO_ROOT } from '../local-validation';
import { printJson } from '../output';

export const INIT_OPTIONS = { dir: { type: 'string' }, json: { type: 'boolean' } } as const;

export const INIT_HELP = `Usage: ltc init [--dir DIR] [--json]

Writes a starter project into DIR (default: the current folder), which must
be empty: a locustfile importing the conductor plugin with the KPI request
marked, the plugin, a Dockerfile, Kubernetes manifests, a conductor
configuration (ltc.config.json) and an execution input (run.json).
Then: ltc scenario check locust/scenarios/checkout.py
      ltc validate --config ltc.config.json --input run.json
(docs/bring-your-own-scenario.md walks through the rest).

Options:
  --dir DIR   where to write (default: the current folder)
  --json      one JSON document on stdout (schema/cli-output.schema.json)

${EXIT_CODES_HELP}`;

/** Files copied from the project itself, so the starter runs what the conductor's own image runs. */
const COPIED = [
  'locust/conductor_plugin.py',
  'locust/scenarios/checkout.py',
  'locust/Dockerfile',
  'locust/requirements.txt',
  ...readdirSync(join(REPO_ROOT, 'locust/k8s')).map((f) => `locust/k8s/${f}`),
] as const;

/** One staging environment running the starter's `checkout` scenario; replace the placeholders. */
const STARTER_CONFIG = {
  environments: {
    staging: {
      description: 'Your test environment: replace the URLs, cluster and deployment names.',
      maxOrdersPerMinute: 3000,
      scenarios: ['checkout'],
      defaultScenario: 'checkout',
      userClasses: { checkout: { CheckoutUser: 1 } },
      kpi: { name: 'orders', unit: 'orders per minute', requestName: 'checkout: place order' },
      locust: {
        url: 'http://locust-master.load-test.svc.cluster.local:8089',
        initialOrdersPerUserPerMinute: 3,
      },
      applications: [
        {
          name: 'shop',
          test: {
            type: 'kubernetes',
            cluster: { endpoint: 'https://test-cluster.example:6443', tokenEnv: 'TEST_CLUSTER_TOKEN' },
            namespace: 'shop',
            deployment: 'shop',
          },
          production: {
            type: 'kubernetes',
            cluster: { endpoint: 'https://prod-cluster.example:6443', tokenEnv: 'PROD_CLUSTER_TOKEN' },
            namespace: 'shop',
            deployment: 'shop',
          },
        },
      ],
      slos: { maxFailureRatio: 0.01, requests: [{ name: 'checkout: place order', p95Ms: 2000 }] },
    },
  },
};

const STARTER_INPUT = {
  environment: 'staging',
  scenario: 'checkout',
  targetOrdersPerMinute: 600,
  rampUpMinutes: 10,
  plateauMinutes: 20,
};

export async function initCommand(args: readonly string[], deps: CliDeps): Promise<number> {
  const { values } = parseCommandArgs(args, INIT_OPTIONS);
  const dir = resolve(deps.cwd, values.dir ?? '.');
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new UsageError(
      `${dir} is not empty: ltc init writes into an empty folder only, so nothing is overwritten`,
    );
  }
  mkdirSync(join(dir, 'locust/scenarios'), { recursive: true });
  mkdirSync(join(dir, 'locust/k8s'), { recursive: true });
  for (const file of COPIED) copyFileSync(join(REPO_ROOT, file), join(dir, file));
  writeFileSync(join(dir, 'ltc.config.json'), `${JSON.stringify(STARTER_CONFIG, null, 2)}\n`);
  writeFileSync(join(dir, 'run.json'), `${JSON.stringify(STARTER_INPUT, null, 2)}\n`);
  const files = [...COPIED, 'ltc.config.json', 'run.json'];
  if (values.json) {
    printJson(deps.stdout, { command: 'init', exitCode: EXIT.ok, directory: dir, files });
    return EXIT.ok;
  }
  println(deps.stdout, `wrote ${files.length} files to ${dir}:`);
  for (const file of files) println(deps.stdout, `  ${file}`);
  println(deps.stdout, 'next: ltc scenario check locust/scenarios/checkout.py');
  return EXIT.ok;
}
