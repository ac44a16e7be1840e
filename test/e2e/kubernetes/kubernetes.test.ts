import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiException, type V1Deployment } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeConnector } from '../../../lambdas/adapters/kubernetes/connection';
import { rolloutStatus } from '../../../lambdas/adapters/kubernetes/deployment-adapter';
import { mergePatch } from '../../../lambdas/adapters/kubernetes/patch';
import { defaultPlatforms } from '../../../lambdas/adapters/platforms';
import { CONDUCTOR_GROUP, PRODUCTION_READER_GROUP } from '../../../lambdas/contracts';
import { type ConductorConfig, parseConfig } from '../../../lambdas/core/config';
import type { RunState } from '../../../lambdas/core/run-state';
import { handler as cleanup } from '../../../lambdas/handlers/cleanup';
import { handler as planDryRun } from '../../../lambdas/handlers/plan-dry-run';
import { handler as scale } from '../../../lambdas/handlers/scale';
import { handler as teardown } from '../../../lambdas/handlers/teardown';
import { handler as validateInput } from '../../../lambdas/handlers/validate-input';
import { deps } from '../../../lambdas/runtime/step';
import { checkDrift } from '../../../lambdas/use-cases/drift';
import {
  ignoreConflict,
  type LocalKubernetes,
  startLocalKubernetes,
} from '../../../local/kubernetes/control-plane';
import { type EksTokenWebhook, startEksTokenWebhook } from '../../../local/kubernetes/eks-token-webhook';
import {
  createFleet,
  deploymentManifest,
  fleetTokenEnv,
  hpaManifest,
  image,
  PRODUCTION_SIZE,
  TEST_SIZE,
} from '../../../local/kubernetes/fleet';
import { MOTO_ACCOUNT_ID, MOTO_CREDENTIALS, type Moto, startMoto } from '../../../local/moto';
import { runPreparePhase } from '../../../local/prepare-phase';
import { useMotoAws } from '../../support/moto-aws';

/**
 * The conductor's Kubernetes side against a real control plane (etcd 3.6, two kube-apiservers with RBAC,
 * kube-controller-manager, kube-scheduler, kwok nodes), started once for this file, and the real step
 * handlers with the run store on moto. Identities: the conductor's token (its own Role in `shop` only) on
 * the test API server, the read-only token on the production one, an EKS IAM token via a TokenReview webhook.
 * A test that changes a fleet has a namespace of its own (and an environment over it): none sees the
 * Deployments, ReplicaSets or events another one left behind, whatever order they run in.
 */
const NS = 'shop';
const OWN = { hpaUndo: 'hpa-undo', deploy: 'deploy', drift: 'drift', scaleUp: 'scale-up' } as const;
let k8s: LocalKubernetes;
let moto: Moto;
let webhook: EksTokenWebhook;
let config: ConductorConfig;
let run = 0;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ltc-k8s-e2e-'));
  webhook = await startEksTokenWebhook({
    clusters: { 'ltc-test': [CONDUCTOR_GROUP], 'ltc-production': [PRODUCTION_READER_GROUP] },
    credentials: MOTO_CREDENTIALS,
    arn: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/load-test-conductor`,
    kubeconfigPath: join(dir, 'webhook.kubeconfig'),
  });
  [k8s, moto] = await Promise.all([
    startLocalKubernetes({ workDir: join(dir, 'cluster'), testTokenWebhookKubeconfig: webhook.kubeconfig }),
    startMoto(),
  ]);
  const both = ['checkout', 'payments'];
  const [apps, deployApps, driftApps, scaleUpApps] = await Promise.all([
    createFleet(k8s, { names: both, namespace: NS, sidecar: true }),
    createFleet(k8s, { names: both, namespace: OWN.deploy, sidecar: true }),
    createFleet(k8s, { names: both, namespace: OWN.drift, sidecar: true }),
    createFleet(k8s, { names: ['payments'], namespace: OWN.scaleUp, sidecar: true }),
    createFleet(k8s, { names: ['payments'], namespace: OWN.hpaUndo, sidecar: true }),
  ]);
  // An application whose pods can never be scheduled: its rollout cannot complete.
  const stuck = deploymentManifest('stuck', NS, TEST_SIZE);
  const podSpec = stuck.spec?.template.spec;
  if (podSpec) podSpec.nodeSelector = { 'no-such-node': 'true' };
  await k8s.test.as('admin').apps.createNamespacedDeployment({ namespace: NS, body: stuck });
  await k8s.production.as('admin').apps.createNamespacedDeployment({
    namespace: NS,
    body: deploymentManifest('stuck', NS, PRODUCTION_SIZE),
  });
  // A cleanup CronJob whose Job kwok completes.
  await k8s.test.as('admin').batch.createNamespacedCronJob({
    namespace: NS,
    body: {
      metadata: { name: 'purge-test-orders' },
      spec: {
        schedule: '0 0 1 1 *',
        suspend: true,
        jobTemplate: {
          spec: {
            template: {
              spec: {
                restartPolicy: 'Never',
                containers: [{ name: 'purge', image: 'registry.local/purge:1' }],
              },
            },
          },
        },
      },
    },
  });
  const checkout = defined(apps[0]);
  const payments = defined(apps[1]);
  const stuckApp = {
    ...checkout,
    name: 'stuck',
    readinessTimeoutSeconds: 10,
    test: { ...checkout.test, deployment: 'stuck', hpa: undefined },
    production: { ...checkout.production, deployment: 'stuck', hpa: undefined },
  };
  const base = {
    maxOrdersPerMinute: 1000,
    scenarios: ['checkout'],
    defaultScenario: 'checkout',
    locust: { url: 'http://127.0.0.1:1' },
  };
  config = parseConfig({
    environments: {
      'k8s-shop': {
        ...base,
        applications: [checkout, payments],
        restoreVersions: true,
        cleanup: [
          {
            type: 'kubernetes-job',
            name: 'purge test orders',
            cluster: checkout.test.type === 'kubernetes' ? checkout.test.cluster : undefined,
            namespace: NS,
            fromCronJob: 'purge-test-orders',
            timeoutSeconds: 60,
          },
        ],
      },
      'k8s-stuck': { ...base, applications: [stripHpa(stuckApp)] },
      'k8s-deploy': { ...base, applications: deployApps, restoreVersions: true },
      'k8s-drift': { ...base, applications: driftApps, restoreVersions: true },
      'k8s-scale-up': { ...base, applications: scaleUpApps, restoreVersions: true },
    },
  });
  await useMotoAws(moto.endpoint, config, { ...fleetTokenEnv(k8s), LTC_POLL_MS: '250' });
});

afterAll(async () => {
  await k8s?.stop();
  await moto?.stop();
  await webhook?.stop();
});

function defined<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('missing fixture');
  return value;
}

function stripHpa<T extends { test: object; production: object }>(app: T): T {
  const { hpa: _t, ...test } = app.test as { hpa?: string };
  const { hpa: _p, ...production } = app.production as { hpa?: string };
  return { ...app, test, production };
}

async function start(environment: string, input: Record<string, unknown> = {}): Promise<RunState> {
  run += 1;
  return validateInput({
    input: { environment, targetOrdersPerMinute: 100, rampUpMinutes: 1, plateauMinutes: 1, ...input },
    execution: {
      id: `arn:aws:states:us-east-1:${MOTO_ACCOUNT_ID}:execution:LoadTestConductor:k8s-${run}-${Date.now()}`,
      name: `k8s-${run}`,
      startTime: new Date().toISOString(),
    },
  });
}

/** Deploy and Scale as the pipeline runs them: the prepare Maps, with the real handlers. */
const prepare = (state: RunState): Promise<RunState> => runPreparePhase(state);

const admin = () => k8s.test.as('admin');
const readDeployment = (name: string, namespace = NS) =>
  admin().apps.readNamespacedDeployment({ name, namespace });
const readHpa = (name: string, namespace = NS) =>
  admin().autoscaling.readNamespacedHorizontalPodAutoscaler({ name, namespace });

/** Every field the conductor manages, as the API server has it. */
async function specOf(name: string, namespace = NS) {
  const d = await readDeployment(name, namespace);
  const h = await readHpa(name, namespace);
  return { replicas: d.spec?.replicas, template: d.spec?.template, hpa: h.spec };
}

async function livePods(name: string, namespace = NS) {
  const pods = await admin().core.listNamespacedPod({ namespace, labelSelector: `app=${name}` });
  return pods.items.filter((p) => !p.metadata?.deletionTimestamp);
}

async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (${(last as Error).message})` : ''}`);
}

async function rolledOut(name: string, namespace = NS): Promise<V1Deployment> {
  return eventually(`${namespace}/${name} rolled out`, async () => {
    const d = await readDeployment(name, namespace);
    return rolloutStatus(d).complete ? d : undefined;
  });
}

describe('Kubernetes: production version and size on the test cluster, restored after', () => {
  it('the HPA controller undoes replicas patched alone (why the conductor patches the HPA too)', async () => {
    const ns = OWN.hpaUndo;
    await rolledOut('payments', ns);
    await admin().apps.patchNamespacedDeployment(
      { name: 'payments', namespace: ns, body: { spec: { replicas: 5 } } },
      mergePatch(),
    );
    const back = await eventually('HPA back to its maximum', async () => {
      const d = await readDeployment('payments', ns);
      return d.spec?.replicas === TEST_SIZE.hpa.maxReplicas ? d : undefined;
    });
    expect(back.spec?.replicas).toBe(2);
  });

  it('deploys production images, scales replicas, resources and HPA, rolls real pods, and restores every field', async () => {
    const ns = OWN.deploy;
    await Promise.all([rolledOut('checkout', ns), rolledOut('payments', ns)]);
    const before = { checkout: await specOf('checkout', ns), payments: await specOf('payments', ns) };
    const state = await start('k8s-deploy');

    const plan = await planDryRun(state);
    expect(plan.summary).toContain('checkout');
    expect(await specOf('checkout', ns)).toEqual(before.checkout); // the dry run wrote nothing

    const started = Date.now();
    const prepared = await prepare(state);
    const prepareSeconds = (Date.now() - started) / 1000;

    for (const name of ['checkout', 'payments']) {
      const d = await readDeployment(name, ns);
      expect(rolloutStatus(d).complete).toBe(true);
      const [app, proxy] = d.spec?.template.spec?.containers ?? [];
      expect(app?.image).toBe(image(name, PRODUCTION_SIZE.version));
      expect(app?.resources).toEqual({ requests: PRODUCTION_SIZE.requests, limits: PRODUCTION_SIZE.limits });
      expect(proxy?.image).toBe('registry.local/envoy:1.30');
      expect(d.spec?.replicas).toBe(6);
      expect((await readHpa(name, ns)).spec).toMatchObject(PRODUCTION_SIZE.hpa);
      // The controller-manager really rolled the pods and kwok made them Ready.
      const pods = await livePods(name, ns);
      expect(pods).toHaveLength(6);
      for (const p of pods) {
        expect(p.spec?.containers[0]?.image).toBe(image(name, PRODUCTION_SIZE.version));
        expect(p.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
        expect(p.spec?.nodeName).toMatch(/^kwok-node-/);
      }
    }
    expect(prepared.scale?.changes.map((c) => [c.application, c.from.replicas, c.to.replicas])).toEqual([
      ['checkout', 1, 6],
      ['payments', 1, 6],
    ]);
    // The HPA has not undone the size: its bounds are production's too. That nothing happens can only be
    // seen over time: two and a half of the local controller-manager's 2 s HPA sync periods.
    await new Promise((r) => setTimeout(r, 5000));
    expect((await readDeployment('checkout', ns)).spec?.replicas).toBe(6);

    const down = await teardown(prepared);
    expect(down.restored.map((c) => [c.application, c.to.replicas, c.to.version])).toEqual([
      ['checkout', 1, `app=${image('checkout', TEST_SIZE.version)}, proxy=registry.local/envoy:1.30`],
      ['payments', 1, `app=${image('payments', TEST_SIZE.version)}, proxy=registry.local/envoy:1.30`],
    ]);
    // Field by field: the pod template (images, resources, everything), replicas and the HPA's spec.
    expect(await specOf('checkout', ns)).toEqual(before.checkout);
    expect(await specOf('payments', ns)).toEqual(before.payments);
    const pods = await eventually('pods back to one', async () => {
      const p = await livePods('checkout', ns);
      return p.length === 1 ? p : undefined;
    });
    expect(pods[0]?.spec?.containers[0]?.image).toBe(image('checkout', TEST_SIZE.version));
    console.log(
      `prepare (deploy + scale) of 2 applications on the local cluster: ${prepareSeconds.toFixed(1)} s`,
    );
  });

  it('detects a rollout that reset a Deployment during the test and re-applies the prepared shape', async () => {
    const ns = OWN.drift;
    const before = await specOf('checkout', ns);
    const prepared = await prepare(await start('k8s-drift'));
    expect(await checkDrift(prepared, deps())).toMatchObject({ checked: 2, events: [] });

    // A pipeline re-applies the test environment's manifests mid-test: HPA 1–2, small pods, old image.
    // The HPA first: with production's bounds still on, its controller would scale the replaced
    // Deployment back to 6 before the check, and the drift would depend on who came first.
    const hpa = await readHpa('checkout', ns);
    await admin().autoscaling.replaceNamespacedHorizontalPodAutoscaler({
      name: 'checkout',
      namespace: ns,
      body: { ...hpaManifest('checkout', ns, TEST_SIZE), metadata: hpa.metadata },
    });
    await admin().apps.replaceNamespacedDeployment({
      name: 'checkout',
      namespace: ns,
      body: deploymentManifest('checkout', ns, TEST_SIZE, { sidecar: true }),
    });

    const drift = await checkDrift(prepared, deps());
    expect(drift.events).toHaveLength(1);
    expect(drift.events[0]).toMatchObject({ application: 'checkout', reapplied: true });
    expect(drift.events[0]?.differences.map((d) => d.field)).toEqual([
      'images',
      'resources',
      'hpa',
      'replicas',
    ]);
    expect(drift.message).toBe('checkout drifted (images, resources, hpa, replicas), re-applied');

    const d = await rolledOut('checkout', ns);
    expect(d.spec?.replicas).toBe(6);
    expect(d.spec?.template.spec?.containers[0]?.image).toBe(image('checkout', PRODUCTION_SIZE.version));
    expect((await readHpa('checkout', ns)).spec).toMatchObject(PRODUCTION_SIZE.hpa);
    expect(await checkDrift(prepared, deps())).toMatchObject({ events: [] });

    await teardown(prepared);
    expect(await specOf('checkout', ns)).toEqual(before);
  });

  it('scales up with a new pod template by rolling the template out at the current size first', async () => {
    const ns = OWN.scaleUp;
    await rolledOut('payments', ns);
    const replicaSets = await admin().apps.listNamespacedReplicaSet({
      namespace: ns,
      labelSelector: 'app=payments',
    });
    const current = defined(replicaSets.items.find((rs) => (rs.spec?.replicas ?? 0) > 0)?.metadata?.name);
    const state = await start('k8s-scale-up', { deployProductionVersions: false });
    await scale({ state, application: 'payments' });
    const events = await admin().core.listNamespacedEvent({
      namespace: ns,
      fieldSelector: 'involvedObject.kind=Deployment,involvedObject.name=payments',
    });
    const scaledUp = events.items
      .map((e) => e.message ?? '')
      .filter((m) => m.startsWith('Scaled up replica set'));
    // In one patch, the Deployment controller would first scale the old ReplicaSet up to 6 pods.
    expect(scaledUp).not.toContain(`Scaled up replica set ${current} from 1 to ${PRODUCTION_SIZE.replicas}`);
    expect((await readDeployment('payments', ns)).spec?.replicas).toBe(PRODUCTION_SIZE.replicas);
    await teardown(state);
    expect((await rolledOut('payments', ns)).spec?.replicas).toBe(TEST_SIZE.replicas);
  });

  it('names the application when its rollout does not complete within its timeout', async () => {
    const state = await start('k8s-stuck', { deployProductionVersions: false });
    const started = Date.now();
    const err = await scale({ state, application: 'stuck' }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.name).toBe('RolloutTimeoutError');
    expect(err?.message).toMatch(
      /^stuck: the rollout of deployment shop\/stuck on kubernetes:https:\/\/127\.0\.0\.1:\d+ did not complete within 10 s: \d+ of 1 replicas updated, 0 available/,
    );
    expect(Date.now() - started).toBeLessThan(20_000);
    // Teardown puts the recorded size back (and says that this rollout cannot complete either).
    await expect(teardown(state)).rejects.toMatchObject({ name: 'RolloutTimeoutError' });
    expect((await readDeployment('stuck')).spec?.replicas).toBe(1);
  });
});

describe('Kubernetes: the simulated pods start up at their own pace', () => {
  it('a pod becomes Ready no earlier than the start-up time its template annotates (kwok durationFrom)', async () => {
    const startUpMs = 3000;
    await admin().apps.createNamespacedDeployment({
      namespace: NS,
      body: deploymentManifest('slow-start', NS, TEST_SIZE, { readyDelayMs: startUpMs }),
    });
    await rolledOut('slow-start');
    const [pod] = await livePods('slow-start');
    const created = defined(pod?.metadata?.creationTimestamp).getTime();
    const ready = defined(pod?.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True'));
    // Both are whole seconds: the difference still cannot be below the delay.
    expect(defined(ready.lastTransitionTime).getTime() - created).toBeGreaterThanOrEqual(startUpMs);
    await admin().apps.deleteNamespacedDeployment({ name: 'slow-start', namespace: NS });
  });
});

describe('Kubernetes: least privilege and production safety', () => {
  it('the production identity can read but not write (RBAC answers 403)', async () => {
    const reader = k8s.production.as('reader');
    const d = await reader.apps.readNamespacedDeployment({ name: 'checkout', namespace: NS });
    expect(d.spec?.replicas).toBe(6);
    const denied = await reader.apps
      .patchNamespacedDeployment(
        { name: 'checkout', namespace: NS, body: { spec: { replicas: 1 } } },
        mergePatch(),
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(denied).toBeInstanceOf(ApiException);
    expect((denied as ApiException<unknown>).code).toBe(403);
    // Through the conductor's adapter too: a clear, non-retried error.
    const app = defined(config.environments['k8s-shop']?.applications[0]);
    const err = await defaultPlatforms()
      .applyShape('checkout', app.production, { replicas: 1, hpa: { minReplicas: 1, maxReplicas: 2 } }, 10)
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect(err?.name).toBe('KubernetesForbiddenError');
    expect(err?.message).toMatch(
      /^checkout: patch HPA shop\/checkout on kubernetes:https:\/\/127\.0\.0\.1:\d+: HTTP 403/,
    );
    expect(
      (await k8s.production.as('admin').apps.readNamespacedDeployment({ name: 'checkout', namespace: NS }))
        .spec?.replicas,
    ).toBe(6);
  });

  it("the conductor's own Role is enough in its namespace and nothing outside it", async () => {
    const conductor = k8s.test.as('conductor');
    await ignoreConflict(() => admin().core.createNamespace({ body: { metadata: { name: 'other-team' } } }));
    await ignoreConflict(() =>
      admin().apps.createNamespacedDeployment({
        namespace: 'other-team',
        body: deploymentManifest('ledger', 'other-team', TEST_SIZE),
      }),
    );
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 200,
        (e: ApiException<unknown>) => e.code,
      );
    expect(
      await code(conductor.apps.readNamespacedDeployment({ name: 'ledger', namespace: 'other-team' })),
    ).toBe(403);
    expect(await code(conductor.core.listNamespacedSecret({ namespace: NS }))).toBe(403);
    expect(await code(conductor.apps.deleteNamespacedDeployment({ name: 'checkout', namespace: NS }))).toBe(
      403,
    );
    expect(await code(conductor.apps.readNamespacedDeployment({ name: 'checkout', namespace: NS }))).toBe(
      200,
    );
    // Its token means nothing to the production API server.
    const onProduction = k8s.production.as('admin');
    const stranger = (await import('../../../lambdas/adapters/kubernetes/connection')).makeApis(
      k8s.production.endpoint,
      k8s.production.caData,
      k8s.test.tokens.conductor as string,
    );
    expect(await code(stranger.apps.readNamespacedDeployment({ name: 'checkout', namespace: NS }))).toBe(401);
    expect(onProduction).toBeDefined();
  });

  it('refuses a production target: in the configuration, and at run time before any write', async () => {
    const env = config.environments['k8s-shop'];
    const checkout = defined(env?.applications[0]);
    const bad = { ...checkout, test: checkout.production };
    expect(() =>
      parseConfig({
        environments: {
          x: { ...env, applications: [bad], cleanup: [], nodeGroups: [] },
        },
      }),
    ).toThrow(/must differ from production: the conductor writes to the test platform/);

    const state = await start('k8s-shop');
    const crafted: RunState = {
      ...state,
      run: {
        ...state.run,
        environment: { ...state.run.environment, applications: [bad] },
        request: { ...state.run.request, applications: ['checkout'] },
      },
    };
    const prod = k8s.production.as('admin');
    const rvBefore = (await prod.apps.readNamespacedDeployment({ name: 'checkout', namespace: NS })).metadata
      ?.resourceVersion;
    await expect(scale({ state: crafted, application: 'checkout' })).rejects.toMatchObject({
      name: 'ProductionTargetError',
      message: expect.stringMatching(
        /^checkout: kubernetes:https:\/\/127\.0\.0\.1:\d+ is a production platform; the conductor never writes to production$/,
      ),
    });
    const rvAfter = (await prod.apps.readNamespacedDeployment({ name: 'checkout', namespace: NS })).metadata
      ?.resourceVersion;
    expect(rvAfter).toBe(rvBefore);
    expect((await deps().runs.recordedShapes(state.run.executionId)).size).toBe(0);
  });
});

describe('Kubernetes: EKS IAM tokens and cleanup jobs', () => {
  it('reads and writes through an EKS IAM token (presigned STS GetCallerIdentity) with an injected endpoint and CA', async () => {
    const kube = kubeConnector({
      // moto's DescribeCluster gives a random endpoint: point the EKS names at the local API servers.
      describeEks: async (eks) => ({
        endpoint: eks.name === 'ltc-test' ? k8s.test.endpoint : k8s.production.endpoint,
        caData: k8s.test.caData,
      }),
    });
    const platforms = defaultPlatforms({ kube, pollMs: 250 });
    const test = {
      type: 'kubernetes',
      cluster: { eks: { name: 'ltc-test', region: 'us-east-1' } },
      namespace: NS,
      deployment: 'payments',
      hpa: 'payments',
    } as const;
    const shape = await platforms.readShape('payments', test);
    expect(shape.images?.app).toBe(image('payments', TEST_SIZE.version));
    const reviewed = webhook.reviews.length;
    const after = await platforms.applyShape(
      'payments',
      test,
      { ...shape, hpa: { minReplicas: 2, maxReplicas: 3 }, replicas: 2 },
      60,
    );
    expect(after.replicas).toBe(2);
    await platforms.applyShape('payments', test, shape, 60);
    expect(
      webhook.reviews.slice(0, reviewed + 1).some((r) => r.cluster === 'ltc-test' && r.authenticated),
    ).toBe(true);

    // A token signed for the production cluster carries the read-only group: the test cluster's RBAC refuses writes.
    const asReader = defaultPlatforms({
      kube: kubeConnector({
        describeEks: async () => ({ endpoint: k8s.test.endpoint, caData: k8s.test.caData }),
      }),
    });
    const err = await asReader
      .applyShape(
        'payments',
        { ...test, cluster: { eks: { name: 'ltc-production', region: 'us-east-1' } } },
        { replicas: 3 },
        10,
      )
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect(err?.name).toBe('KubernetesForbiddenError');
    expect(webhook.reviews.some((r) => r.cluster === 'ltc-production')).toBe(true);
  });

  it('runs a cleanup Job from a CronJob template and reports it; a retry finds the same Job', async () => {
    const state = await start('k8s-shop');
    const first = await cleanup(state);
    expect(first.actions).toEqual([
      {
        name: 'purge test orders',
        result: expect.stringMatching(
          /^job shop\/ltc-purge-test-orders-[0-9a-f]{10} completed \(1 pod succeeded\)$/,
        ),
      },
    ]);
    const again = await cleanup(state);
    expect(again.actions[0]?.result).toBe(first.actions[0]?.result);
    const jobs = await admin().batch.listNamespacedJob({
      namespace: NS,
      labelSelector: 'app.kubernetes.io/managed-by=load-test-conductor',
    });
    expect(
      jobs.items.filter(
        (j) => j.metadata?.annotations?.['load-test-conductor/execution'] === state.run.executionId,
      ),
    ).toHaveLength(1);
  });
});
