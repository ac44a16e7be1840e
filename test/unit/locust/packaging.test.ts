/**
 * Static checks on the Locust packaging: one Locust version everywhere, a master that is never public,
 * workers the conductor scales, scenarios the conductor can steer.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const read = (p: string): string => readFileSync(join(root, p), 'utf8');
const python = join(root, '.venv', 'bin', 'python');

const pinned = /^locust==(\S+)$/m.exec(read('locust/requirements.txt'))?.[1];

interface K8sObject {
  kind: string;
  metadata?: { name?: string };
  spec?: Record<string, unknown>;
}

/** Parse the manifests with the venv's PyYAML (installed with moto); no YAML dependency on the Node side. */
function manifests(): K8sObject[] {
  const dir = join(root, 'locust', 'k8s');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .map((f) => join(dir, f));
  const script =
    'import json, sys, yaml\n' +
    'print(json.dumps([d for f in sys.argv[1:] for d in yaml.safe_load_all(open(f)) if d]))';
  return JSON.parse(execFileSync(python, ['-c', script, ...files], { encoding: 'utf8' })) as K8sObject[];
}

describe('Locust packaging', () => {
  it('pins one Locust version in requirements, Dockerfile and kustomization', () => {
    expect(pinned).toMatch(/^2\.4\d\.\d+$/);
    expect(read('locust/requirements.txt')).toMatch(/^moto\[server\]==5\.2\.\d+$/m);
    expect(read('locust/Dockerfile')).toMatch(new RegExp(`^FROM locustio/locust:${pinned}$`, 'm'));
    expect(read('locust/k8s/kustomization.yaml')).toContain(`newTag: ${pinned}`);
    for (const f of ['master.yaml', 'worker.yaml']) {
      expect(read(`locust/k8s/${f}`)).toContain(`image: ltc-locust:${pinned}`);
    }
  });

  it('scenarios define no LoadTestShape and import the conductor plugin', () => {
    for (const f of ['checkout.py', 'browse.py']) {
      const src = read(`locust/scenarios/${f}`);
      expect(src).not.toMatch(/class \w+\(LoadTestShape\)/);
      expect(src).toContain('from conductor_plugin import');
      expect(src).toContain('default_headers = load_test_headers()');
      expect(src).toContain('jittered_pacing(pacing_seconds())');
    }
    expect(read('locust/scenarios/checkout.py')).toContain('name=ORDER_REQUEST_NAME');
    expect(read('locust/conductor_plugin.py')).toContain(
      'DEFAULT_ORDER_REQUEST_NAME = "checkout: place order"',
    );
  });

  it('setup-python.sh is executable and strict', () => {
    const script = join(root, 'scripts', 'setup-python.sh');
    expect(statSync(script).mode & 0o111).not.toBe(0);
    expect(read('scripts/setup-python.sh')).toContain('set -euo pipefail');
  });

  describe('Kubernetes manifests', () => {
    // Parsed with the venv's PyYAML: a missing venv fails here rather than skipping these checks.
    if (!existsSync(python)) throw new Error(`${python} is missing: run \`npm run setup\` first`);
    const objects = manifests();
    const find = (kind: string, name: string): K8sObject | undefined =>
      objects.find((o) => o.kind === kind && o.metadata?.name === name);

    it('has a master and a worker Deployment, a ClusterIP Service and no autoscaler or public entry', () => {
      expect(objects.map((o) => o.kind).sort()).toEqual(
        ['Deployment', 'Deployment', 'NetworkPolicy', 'NetworkPolicy', 'Service', 'ServiceAccount'].sort(),
      );
      const service = find('Service', 'locust-master');
      expect(service?.spec?.type).toBe('ClusterIP');
      const ports = ((service?.spec?.ports ?? []) as { port: number }[]).map((p) => p.port).sort();
      expect(ports).toEqual([5557, 8089]);
    });

    it('leaves worker replicas to the conductor and never runs headless or with --reset-stats', () => {
      const worker = find('Deployment', 'locust-worker');
      expect(worker?.spec).toBeDefined();
      expect(worker?.spec).not.toHaveProperty('replicas');
      for (const name of ['locust-master', 'locust-worker']) {
        const args = JSON.stringify(find('Deployment', name)?.spec);
        expect(args).not.toContain('--headless');
        expect(args).not.toContain('--reset-stats');
        expect(args).not.toContain('--autostart');
      }
    });

    it('admits 8089 on the master only from the conductor, 5557 only from workers', () => {
      const policy = find('NetworkPolicy', 'locust-master')?.spec as {
        policyTypes: string[];
        ingress: { ports: { port: number }[]; from: Record<string, unknown>[] }[];
      };
      expect(policy.policyTypes).toContain('Ingress');
      const rule = (port: number) => policy.ingress.find((r) => r.ports.some((p) => p.port === port));
      const web = rule(8089);
      expect(web?.from.length).toBeGreaterThan(0);
      expect(JSON.stringify(web?.from)).toContain('load-test-conductor');
      expect(JSON.stringify(rule(5557)?.from)).toContain('"app.kubernetes.io/component":"worker"');
      expect(policy.ingress).toHaveLength(2);
    });
  });
});
