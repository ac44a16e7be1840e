import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../../lambdas/adapters/aws/run-store';
import { locustWorkersRbac } from '../../../lambdas/adapters/kubernetes/rbac';
import { workerFleet } from '../../../lambdas/adapters/locust/fleet';
import { type LocustWorkersConfig, parseConfig } from '../../../lambdas/core/config';
import type { RunState } from '../../../lambdas/core/run-state';
import { handler as acquireLock } from '../../../lambdas/handlers/acquire-lock';
import { handler as janitor } from '../../../lambdas/handlers/janitor';
import { handler as validateInput } from '../../../lambdas/handlers/validate-input';
import { resetDeps } from '../../../lambdas/runtime/step';
import {
  applyRbac,
  createNamespace,
  type LocalKubernetes,
  startLocalKubernetes,
} from '../../../local/kubernetes/control-plane';
import {
  DEFAULT_TOKEN_ENV,
  deploymentManifest,
  fleetTokenEnv,
  TEST_SIZE,
} from '../../../local/kubernetes/fleet';
import { type Moto, startMoto } from '../../../local/moto';
import { useMotoAws } from '../../support/moto-aws';

/**
 * The janitor and a Locust worker fleet that is a Kubernetes Deployment, on the real test kube-apiserver (RBAC
 * on, only the conductor's Role for a worker namespace, its token) and the run store on moto. The run is
 * driven by its real handlers up to the lock; the fleet is then grown through the product's fleet adapter,
 * as Start load and a Ramp tick grow it, and the execution is taken as aborted there (the janitor's event).
 * The pipeline itself aborted mid-ramp, with local and ECS fleets, is in janitor.test.ts.
 */
const NS = 'load';
const WORKERS = 'locust-worker';
let k8s: LocalKubernetes;
let moto: Moto;
let workers: LocustWorkersConfig;
const saved = { ...process.env };

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ltc-janitor-k8s-'));
  [k8s, moto] = await Promise.all([
    startLocalKubernetes({ workDir: join(dir, 'cluster'), nodes: 1 }),
    startMoto(),
  ]);
  await createNamespace(k8s.test, NS);
  await applyRbac(k8s.test, locustWorkersRbac(NS));
  await k8s.test
    .as('admin')
    .apps.createNamespacedDeployment({ namespace: NS, body: deploymentManifest(WORKERS, NS, TEST_SIZE) });
  workers = {
    type: 'kubernetes',
    cluster: { endpoint: k8s.test.endpoint, caData: k8s.test.caData, tokenEnv: DEFAULT_TOKEN_ENV.test },
    namespace: NS,
    deployment: WORKERS,
    minWorkers: 1,
    maxWorkers: 4,
  };
  const config = parseConfig({
    environments: {
      load: {
        maxOrdersPerMinute: 1000,
        scenarios: ['checkout'],
        defaultScenario: 'checkout',
        // No Locust master answers here: the janitor notes it and restores all the same.
        locust: { url: 'http://127.0.0.1:1', workers },
        // Never prepared in this test (no shape recorded): the janitor leaves it alone.
        applications: [
          {
            name: 'shop',
            test: { type: 'http', url: 'http://127.0.0.1:2' },
            production: { type: 'http', url: 'http://127.0.0.1:3' },
          },
        ],
      },
    },
  });
  await useMotoAws(moto.endpoint, config, fleetTokenEnv(k8s));
});

afterAll(async () => {
  process.env = saved;
  resetDeps();
  await Promise.allSettled([k8s?.stop(), moto?.stop()]);
});

async function replicas(): Promise<number | undefined> {
  const d = await k8s.test.as('admin').apps.readNamespacedDeployment({ name: WORKERS, namespace: NS });
  return d.spec?.replicas;
}

describe('the janitor and a Kubernetes worker Deployment', () => {
  it('scales the Deployment back to its replicas before a run that grew it, with the conductor’s worker Role; twice changes nothing', async () => {
    const state: RunState = await validateInput({
      input: { environment: 'load', targetOrdersPerMinute: 600, rampUpMinutes: 10, plateauMinutes: 10 },
      execution: {
        id: 'arn:aws:states:us-east-1:123456789012:execution:LoadTestConductor:k8s-fleet',
        name: 'k8s-fleet',
        startTime: new Date().toISOString(),
      },
    });
    await acquireLock(state);
    const runs = new RunStore(process.env.RUNS_TABLE as string);
    const fleet = workerFleet(workers);
    // What Start load and the Ramp ticks do: record the size before, then grow the fleet.
    expect(await replicas()).toBe(1);
    await runs.recordFleetSizeOnce(
      state.run.executionId,
      (await fleet.status()).desired,
      new Date(Date.now() + 86_400_000),
    );
    await fleet.scale(3);
    expect(await replicas()).toBe(3);

    const event = {
      detail: { executionArn: state.run.executionId, status: 'ABORTED', error: null, cause: null },
    };
    const first = await janitor(event);
    expect(first).toMatchObject({ acted: true, lock: 'held', lockReleased: true });
    expect(first.fleet).toEqual({ fleet: `deployment ${NS}/${WORKERS}`, from: 3, to: 1 });
    expect(await replicas()).toBe(1);

    const second = await janitor(event);
    expect(second.acted).toBe(false);
    expect(second.fleet).toEqual({ fleet: `deployment ${NS}/${WORKERS}`, from: 1, to: 1 });
    expect(await replicas()).toBe(1);
  });
});
