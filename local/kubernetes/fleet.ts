import type { V1Deployment, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { conductorRbac, productionReaderRbac } from '../../lambdas/adapters/kubernetes/rbac';
import type { ApplicationConfig, KubernetesPlatform } from '../../lambdas/core/config';
import {
  applyRbac,
  createNamespace,
  ignoreConflict,
  type LocalApiServer,
  type LocalKubernetes,
  POD_READY_DELAY_ANNOTATION,
} from './control-plane';

/**
 * A fleet of applications on the local control plane, as a real system would have them: each a Deployment
 * (and optionally an HPA) in production — the version and size to copy — and the same in the test
 * environment at a feature-branch version and a small size. Namespaces get the conductor's own RBAC.
 */
export interface FleetOptions {
  readonly names: readonly string[];
  /** Namespace on both API servers. Default `shop`. */
  readonly namespace?: string;
  /** Give each application an HPA. Default true. */
  readonly hpa?: boolean;
  /** Add a sidecar container (same image everywhere). Default false. */
  readonly sidecar?: boolean;
  /** Environment variable names for the tokens the config references. */
  readonly tokenEnv?: { readonly test: string; readonly production: string };
  readonly production?: Partial<FleetSize>;
  readonly test?: Partial<FleetSize>;
  /**
   * How long each application's pods take to become Ready (start-up, readiness probe), by name, in ms;
   * the others are Ready at once. On the pod template in both environments, so it survives every rollout.
   */
  readonly readyDelayMs?: Readonly<Record<string, number>>;
}

export interface FleetSize {
  readonly version: string;
  readonly replicas: number;
  readonly requests: Record<string, string>;
  readonly limits?: Record<string, string>;
  readonly hpa: { readonly minReplicas: number; readonly maxReplicas: number };
}

export const PRODUCTION_SIZE: FleetSize = {
  version: '2.4.0',
  replicas: 6,
  requests: { cpu: '500m', memory: '512Mi' },
  limits: { cpu: '1', memory: '1Gi' },
  hpa: { minReplicas: 6, maxReplicas: 20 },
};
export const TEST_SIZE: FleetSize = {
  version: '2.5.0-feature-x',
  replicas: 1,
  requests: { cpu: '100m', memory: '128Mi' },
  hpa: { minReplicas: 1, maxReplicas: 2 },
};
export const DEFAULT_TOKEN_ENV = {
  test: 'LTC_K8S_TEST_TOKEN',
  production: 'LTC_K8S_PRODUCTION_TOKEN',
} as const;

export function image(name: string, version: string): string {
  return `registry.local/${name}:${version}`;
}

export interface ManifestOptions {
  /** Add a sidecar container (same image everywhere). */
  readonly sidecar?: boolean;
  /** How long the pods take to become Ready, in ms (kwok's {@link POD_READY_DELAY_ANNOTATION}). */
  readonly readyDelayMs?: number;
}

export function deploymentManifest(
  name: string,
  namespace: string,
  size: FleetSize,
  { sidecar = false, readyDelayMs }: ManifestOptions = {},
): V1Deployment {
  const annotations =
    readyDelayMs === undefined
      ? undefined
      : { [POD_READY_DELAY_ANNOTATION]: `${Math.round(readyDelayMs)}ms` };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      replicas: size.replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name }, ...(annotations ? { annotations } : {}) },
        spec: {
          terminationGracePeriodSeconds: 0,
          containers: [
            {
              name: 'app',
              image: image(name, size.version),
              resources: {
                requests: { ...size.requests },
                ...(size.limits ? { limits: { ...size.limits } } : {}),
              },
            },
            ...(sidecar ? [{ name: 'proxy', image: 'registry.local/envoy:1.30' }] : []),
          ],
        },
      },
    },
  };
}

export function hpaManifest(name: string, namespace: string, size: FleetSize): V2HorizontalPodAutoscaler {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name, namespace },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: size.hpa.minReplicas,
      maxReplicas: size.hpa.maxReplicas,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
        },
      ],
    },
  };
}

/** Creates the namespaces, the RBAC and every application on both API servers; returns their configuration. */
export async function createFleet(
  cluster: LocalKubernetes,
  options: FleetOptions,
): Promise<ApplicationConfig[]> {
  const namespace = options.namespace ?? 'shop';
  const hpa = options.hpa ?? true;
  const tokenEnv = options.tokenEnv ?? DEFAULT_TOKEN_ENV;
  const sizes = {
    production: { ...PRODUCTION_SIZE, ...options.production },
    test: { ...TEST_SIZE, ...options.test },
  };
  await Promise.all([
    createNamespace(cluster.production, namespace),
    createNamespace(cluster.test, namespace),
  ]);
  await applyRbac(cluster.test, conductorRbac(namespace));
  await applyRbac(cluster.production, productionReaderRbac(namespace));
  for (const server of [cluster.production, cluster.test]) {
    const size = server.name === 'production' ? sizes.production : sizes.test;
    await createAll(server, options.names, namespace, size, hpa, (name) => ({
      sidecar: options.sidecar,
      readyDelayMs: options.readyDelayMs?.[name],
    }));
  }
  return options.names.map((name) => ({
    name,
    readinessTimeoutSeconds: 120,
    test: platform(cluster.test, tokenEnv.test, namespace, name, hpa),
    production: platform(cluster.production, tokenEnv.production, namespace, name, hpa),
  }));
}

async function createAll(
  server: LocalApiServer,
  names: readonly string[],
  namespace: string,
  size: FleetSize,
  hpa: boolean,
  manifestOptions: (name: string) => ManifestOptions,
): Promise<void> {
  const admin = server.as('admin');
  // A few at a time: the API server is on the same two cores as everything else.
  for (let i = 0; i < names.length; i += 10) {
    await Promise.all(
      names.slice(i, i + 10).map(async (name) => {
        await ignoreConflict(() =>
          admin.apps.createNamespacedDeployment({
            namespace,
            body: deploymentManifest(name, namespace, size, manifestOptions(name)),
          }),
        );
        if (hpa) {
          await ignoreConflict(() =>
            admin.autoscaling.createNamespacedHorizontalPodAutoscaler({
              namespace,
              body: hpaManifest(name, namespace, size),
            }),
          );
        }
      }),
    );
  }
}

export function platform(
  server: LocalApiServer,
  tokenEnv: string,
  namespace: string,
  name: string,
  hpa: boolean,
): KubernetesPlatform {
  return {
    type: 'kubernetes',
    cluster: { endpoint: server.endpoint, caData: server.caData, tokenEnv },
    namespace,
    deployment: name,
    ...(hpa ? { hpa: name } : {}),
  };
}

/** The tokens the fleet's configuration names, for `process.env`. */
export function fleetTokenEnv(
  cluster: LocalKubernetes,
  tokenEnv: { test: string; production: string } = DEFAULT_TOKEN_ENV,
): Record<string, string> {
  return {
    [tokenEnv.test]: cluster.test.tokens.conductor as string,
    [tokenEnv.production]: cluster.production.tokens.reader as string,
  };
}
