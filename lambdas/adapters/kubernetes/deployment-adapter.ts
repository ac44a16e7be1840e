import { PatchStrategy, setHeaderOptions, type V1Deployment } from '@kubernetes/client-node';
import type { KubernetesPlatform, Platform } from '../../core/config';
import { RolloutFailedError, RolloutTimeoutError } from '../../core/errors';
import {
  type AppShape,
  type ContainerResources,
  canonical,
  clamp,
  type HpaBounds,
  versionOf,
} from '../../core/shape';
import type { ApplyOptions, PlatformAdapter } from '../platforms';
import type { KubeApis, KubeConnector } from './connection';
import { isConflict, kube, kubernetesError } from './errors';
import { mergePatch } from './patch';

export interface KubernetesAdapterOptions {
  readonly connect: KubeConnector;
  /** Between two reads of a rollout's status. Default 1 s. */
  readonly pollMs?: number;
}

/** Reads and patches tried in one applyShape before a run of 409 Conflicts is given up as transient. */
const CONFLICT_ATTEMPTS = 5;

/** Runs a Kubernetes call, translating its failure as {@link kube} does — except a 409, left for the caller to retry. */
async function conflictAsIs<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (isConflict(err)) throw err;
    throw kubernetesError(what, err);
  }
}

type JsonPatchOp =
  | { op: 'test' | 'replace' | 'add'; path: string; value: unknown }
  | { op: 'remove'; path: string };

/**
 * A Deployment (and its HPA) as a platform: reads images, replicas, container requests/limits and HPA
 * bounds; writes them with one JSON patch on the Deployment (guarded by `test` ops on the container names,
 * so a concurrent edit of the pod template cannot make it patch the wrong container) and a merge patch on
 * the HPA — first, since replicas patched alone are undone by the HPA controller at its next sync when
 * they are outside its bounds. Then waits for the rollout as `kubectl rollout status` does.
 *
 * Reads and writes go to the cluster the platform names, as the identity its reference carries: the
 * production reference's is read-only, and this adapter is only asked to write to test platforms.
 */
export class KubernetesPlatformAdapter implements PlatformAdapter {
  private readonly pollMs: number;

  constructor(private readonly options: KubernetesAdapterOptions) {
    this.pollMs = options.pollMs ?? 1000;
  }

  async readShape(application: string, platform: Platform): Promise<AppShape> {
    const p = kubernetesPlatform(application, platform);
    const apis = await this.options.connect(p.cluster);
    const deployment = await this.readDeployment(application, apis, p);
    const hpa = await this.readHpa(application, apis, p);
    return shapeOf(application, deployment, hpa, p);
  }

  async applyShape(
    application: string,
    platform: Platform,
    shape: Partial<AppShape>,
    timeoutSeconds: number,
    options: ApplyOptions = {},
  ): Promise<AppShape> {
    const p = kubernetesPlatform(application, platform);
    const apis = await this.options.connect(p.cluster);
    const wait = options.wait !== false;
    const deadline = Date.now() + timeoutSeconds * 1000;
    // More replicas and a new pod template in one patch is first a scaling event for the Deployment
    // controller: it scales the old ReplicaSet up to the new count, then replaces every one of those pods.
    // The new template rolled out at the current size, then scaled, starts half the pods in no more waves
    // (and keeps the HPA's new minimum from scaling the old template up meanwhile).
    if (wait && (await this.scalesUpWithNewTemplate(application, apis, p, shape))) {
      await this.patchWithRetries(application, apis, p, templateOf(shape));
      await this.waitForRollout(application, apis, p, timeoutSeconds, deadline);
    }
    await this.patchWithRetries(application, apis, p, shape);
    if (wait) await this.waitForRollout(application, apis, p, timeoutSeconds, deadline);
    return this.readShape(application, platform);
  }

  private async patchWithRetries(
    application: string,
    apis: KubeApis,
    p: KubernetesPlatform,
    shape: Partial<AppShape>,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.patchTo(application, apis, p, shape);
      } catch (err) {
        // 409: the object changed between our read and our patch (a controller, a colleague): read it
        // again and patch from what is there now.
        if (!isConflict(err)) throw err;
        if (attempt >= CONFLICT_ATTEMPTS)
          throw kubernetesError(`${application}: patch, ${attempt} conflicts in a row`, err);
      }
    }
  }

  private async scalesUpWithNewTemplate(
    application: string,
    apis: KubeApis,
    p: KubernetesPlatform,
    shape: Partial<AppShape>,
  ): Promise<boolean> {
    if (shape.replicas === undefined) return false;
    const d = await this.readDeployment(application, apis, p);
    return (
      shape.replicas > (d.spec?.replicas ?? 1) &&
      deploymentPatch(application, d, templateOf(shape), null).length > 0
    );
  }

  /** One read of the Deployment and its HPA and the patches from there; a 409 is thrown as it is. */
  private async patchTo(
    application: string,
    apis: KubeApis,
    p: KubernetesPlatform,
    shape: Partial<AppShape>,
  ): Promise<void> {
    const where = `${application}: deployment ${p.namespace}/${p.deployment} on ${apis.target}`;
    const deployment = await this.readDeployment(application, apis, p);
    const currentHpa = await this.readHpa(application, apis, p);
    let bounds = currentHpa;
    if (shape.hpa && p.hpa && canonical(shape.hpa) !== canonical(currentHpa)) {
      const { minReplicas, maxReplicas } = shape.hpa;
      await conflictAsIs(`${application}: patch HPA ${p.namespace}/${p.hpa} on ${apis.target}`, () =>
        apis.autoscaling.patchNamespacedHorizontalPodAutoscaler(
          { name: p.hpa as string, namespace: p.namespace, body: { spec: { minReplicas, maxReplicas } } },
          mergePatch(),
        ),
      );
      bounds = shape.hpa;
    }
    const ops = deploymentPatch(application, deployment, shape, bounds);
    if (ops.length > 0) {
      await conflictAsIs(`${where}: patch`, () =>
        apis.apps.patchNamespacedDeployment(
          { name: p.deployment, namespace: p.namespace, body: ops },
          setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
        ),
      );
    }
  }

  /**
   * Resolves when the Deployment's rollout is complete: the controller has seen the latest generation,
   * every replica runs the new pod template, no old replica is left and all are available. Throws
   * {@link RolloutTimeoutError} naming the application after `timeoutSeconds`, or
   * {@link RolloutFailedError} as soon as the controller reports ProgressDeadlineExceeded.
   */
  async waitForRollout(
    application: string,
    apis: KubeApis,
    p: KubernetesPlatform,
    timeoutSeconds: number,
    deadline = Date.now() + timeoutSeconds * 1000,
  ): Promise<void> {
    for (;;) {
      const d = await this.readDeployment(application, apis, p);
      const status = rolloutStatus(d);
      if (status.complete) return;
      const where = `${application}: the rollout of deployment ${p.namespace}/${p.deployment} on ${apis.target}`;
      if (status.failed)
        throw new RolloutFailedError(`${where} failed: ${status.failed} (${status.summary})`);
      if (Date.now() >= deadline) {
        throw new RolloutTimeoutError(
          `${where} did not complete within ${timeoutSeconds} s: ${status.summary}`,
        );
      }
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }

  private readDeployment(application: string, apis: KubeApis, p: KubernetesPlatform): Promise<V1Deployment> {
    return kube(`${application}: read deployment ${p.namespace}/${p.deployment} on ${apis.target}`, () =>
      apis.apps.readNamespacedDeployment({ name: p.deployment, namespace: p.namespace }),
    );
  }

  private async readHpa(
    application: string,
    apis: KubeApis,
    p: KubernetesPlatform,
  ): Promise<HpaBounds | null> {
    if (!p.hpa) return null;
    const hpa = await kube(`${application}: read HPA ${p.namespace}/${p.hpa} on ${apis.target}`, () =>
      apis.autoscaling.readNamespacedHorizontalPodAutoscaler({
        name: p.hpa as string,
        namespace: p.namespace,
      }),
    );
    return { minReplicas: hpa.spec?.minReplicas ?? 1, maxReplicas: hpa.spec?.maxReplicas ?? 1 };
  }
}

/** The pod template's part of a shape (images, container resources): no replicas, no HPA bounds. */
function templateOf(shape: Partial<AppShape>): Partial<AppShape> {
  return {
    ...(shape.images ? { images: shape.images } : {}),
    ...(shape.resources ? { resources: shape.resources } : {}),
  };
}

function kubernetesPlatform(application: string, platform: Platform): KubernetesPlatform {
  if (platform.type !== 'kubernetes')
    throw new Error(`${application}: not a kubernetes platform (${platform.type})`);
  return platform;
}

/** The managed containers of the pod template: those the platform lists, or all. */
function managedContainers(application: string, d: V1Deployment, p: KubernetesPlatform) {
  const all = d.spec?.template.spec?.containers ?? [];
  if (!p.containers) return all;
  return p.containers.map((name) => {
    const c = all.find((x) => x.name === name);
    if (!c) {
      throw new Error(
        `${application}: deployment ${p.namespace}/${p.deployment} has no container '${name}' (has ${all.map((x) => x.name).join(', ')})`,
      );
    }
    return c;
  });
}

/** The shape of a Deployment (and its HPA's bounds). */
export function shapeOf(
  application: string,
  d: V1Deployment,
  hpa: HpaBounds | null,
  p: KubernetesPlatform,
): AppShape {
  const containers = managedContainers(application, d, p);
  const images = Object.fromEntries(containers.map((c) => [c.name, c.image ?? '']));
  const resources = Object.fromEntries(containers.map((c) => [c.name, resourcesOf(c.resources)]));
  return { version: versionOf(images), replicas: d.spec?.replicas ?? 1, images, resources, hpa };
}

function resourcesOf(r: { requests?: Record<string, string>; limits?: Record<string, string> } | undefined) {
  const out: { requests?: Record<string, string>; limits?: Record<string, string> } = {};
  if (r?.requests && Object.keys(r.requests).length > 0) out.requests = { ...r.requests };
  if (r?.limits && Object.keys(r.limits).length > 0) out.limits = { ...r.limits };
  return out as ContainerResources;
}

/** The JSON patch that brings a Deployment to `shape` (empty when it already has it). */
export function deploymentPatch(
  application: string,
  d: V1Deployment,
  shape: Partial<AppShape>,
  hpa: HpaBounds | null,
): JsonPatchOp[] {
  const containers = d.spec?.template.spec?.containers ?? [];
  const ops: JsonPatchOp[] = [];
  const indexOf = (name: string) => {
    const i = containers.findIndex((c) => c.name === name);
    if (i < 0) throw new Error(`${application}: the pod template has no container '${name}'`);
    return i;
  };
  const tested = new Set<number>();
  const guard = (i: number) => {
    if (tested.has(i)) return;
    tested.add(i);
    ops.push({ op: 'test', path: `/spec/template/spec/containers/${i}/name`, value: containers[i]?.name });
  };
  for (const [name, image] of Object.entries(shape.images ?? {})) {
    const i = indexOf(name);
    if (containers[i]?.image === image) continue;
    guard(i);
    ops.push({ op: 'replace', path: `/spec/template/spec/containers/${i}/image`, value: image });
  }
  for (const [name, resources] of Object.entries(shape.resources ?? {})) {
    const i = indexOf(name);
    if (canonical(resourcesOf(containers[i]?.resources)) === canonical(resources)) continue;
    guard(i);
    ops.push({ op: 'add', path: `/spec/template/spec/containers/${i}/resources`, value: resources });
  }
  if (shape.replicas !== undefined) {
    const wanted = hpa ? clamp(shape.replicas, hpa) : shape.replicas;
    if ((d.spec?.replicas ?? 1) !== wanted) ops.push({ op: 'add', path: '/spec/replicas', value: wanted });
  }
  return ops;
}

export interface RolloutStatus {
  readonly complete: boolean;
  /** The controller's reason when it gave up. */
  readonly failed?: string;
  readonly summary: string;
}

/** `kubectl rollout status` for a Deployment, from one read of it. */
export function rolloutStatus(d: V1Deployment): RolloutStatus {
  const generation = d.metadata?.generation ?? 0;
  const s = d.status ?? {};
  const wanted = d.spec?.replicas ?? 1;
  const observed = s.observedGeneration ?? 0;
  const updated = s.updatedReplicas ?? 0;
  const total = s.replicas ?? 0;
  const available = s.availableReplicas ?? 0;
  const summary =
    observed < generation
      ? `the controller has not seen generation ${generation} yet (observed ${observed})`
      : `${updated} of ${wanted} replicas updated, ${available} available, ${Math.max(total - updated, 0)} old pending termination`;
  const progressing = s.conditions?.find((c) => c.type === 'Progressing');
  if (observed >= generation && progressing?.reason === 'ProgressDeadlineExceeded') {
    return { complete: false, failed: progressing.message ?? 'ProgressDeadlineExceeded', summary };
  }
  // Stricter than kubectl at scale-down: the surplus pods must be gone too, so a restored size is real.
  return {
    complete: observed >= generation && updated === wanted && total === wanted && available >= wanted,
    summary,
  };
}
