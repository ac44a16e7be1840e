import { join } from 'node:path';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { mergePatch } from '../../../lambdas/adapters/kubernetes/patch';
import type { ApplicationConfig } from '../../../lambdas/core/config';
import { type LocalKubernetes, startLocalKubernetes } from '../../../local/kubernetes/control-plane';
import { createFleet, fleetTokenEnv } from '../../../local/kubernetes/fleet';
import { MOTO_ACCOUNT_ID, MOTO_CREDENTIALS, MOTO_REGION } from '../../../local/moto';
import { type FaultProxy, startFaultProxy } from './fault-proxy';

/**
 * A Kubernetes Deployment (with its HPA) and an ECS service for fault tests, each reached by the conductor
 * through a fault-injecting proxy (test/support/faults/fault-proxy.ts) in front of the real server: the test
 * kube-apiserver of a local control plane, and moto's ECS. The state the tests compare is read directly
 * from the servers, never through the proxies.
 */
export interface FaultyPlatforms {
  readonly kubernetes: LocalKubernetes;
  /** In front of the test kube-apiserver (TLS with the API server's own certificate). */
  readonly kubeProxy: FaultProxy;
  /** In front of moto, for ECS only (`AWS_ENDPOINT_URL_ECS`). */
  readonly ecsProxy: FaultProxy;
  /** The Kubernetes application, then the ECS one, as the configuration lists them. */
  readonly applications: readonly ApplicationConfig[];
  /** For the handlers' `process.env`: the Kubernetes tokens and the ECS endpoint (the proxy). */
  readonly env: Readonly<Record<string, string>>;
  /** Every field the conductor manages, as the servers have them. */
  snapshot(): Promise<PlatformSnapshot>;
  /** Puts both applications back into `snapshot` (a dirty scenario must not spoil the next). */
  reset(snapshot: PlatformSnapshot): Promise<void>;
  stop(): Promise<void>;
}

export interface PlatformSnapshot {
  readonly kubernetes: {
    readonly replicas: number | undefined;
    readonly containers: readonly { name: string; image?: string; resources?: unknown }[];
    readonly hpa: { readonly minReplicas?: number; readonly maxReplicas: number };
  };
  readonly ecs: { readonly taskDefinition: string | undefined; readonly desiredCount: number | undefined };
}

/** The applications' names. */
export const FAULTY_APPS = { kubernetes: 'catalog', ecs: 'orders' } as const;
const NAMESPACE = 'shop';
const ROLE = `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/ecs-task`;

export async function startFaultyPlatforms(options: {
  readonly motoEndpoint: string;
  readonly workDir: string;
}): Promise<FaultyPlatforms> {
  const kubernetes = await startLocalKubernetes({ workDir: join(options.workDir, 'cluster'), nodes: 1 });
  const stoppable: { stop(): Promise<void> }[] = [kubernetes];
  const stop = async () => {
    for (const s of stoppable.reverse()) await s.stop();
  };
  try {
    const pki = join(kubernetes.workDir, 'pki');
    const kubeProxy = await startFaultProxy({
      upstream: kubernetes.test.endpoint,
      upstreamCa: Buffer.from(kubernetes.test.caData, 'base64').toString(),
      tls: { certFile: join(pki, 'serving.crt'), keyFile: join(pki, 'serving.key') },
    });
    stoppable.push(kubeProxy);
    const ecsProxy = await startFaultProxy({ upstream: options.motoEndpoint });
    stoppable.push(ecsProxy);

    const [fleetApp] = await createFleet(kubernetes, {
      names: [FAULTY_APPS.kubernetes],
      namespace: NAMESPACE,
    });
    if (fleetApp?.test.type !== 'kubernetes') throw new Error('no Kubernetes application');
    const kubeApp: ApplicationConfig = {
      ...fleetApp,
      readinessTimeoutSeconds: 60,
      test: { ...fleetApp.test, cluster: { ...fleetApp.test.cluster, endpoint: kubeProxy.url } },
    };

    const ecs = new ECSClient({
      endpoint: options.motoEndpoint,
      region: MOTO_REGION,
      credentials: MOTO_CREDENTIALS,
    });
    const testTaskDefinition = await createEcsService(ecs, 'staging', '2.5.0-feature-x', 1);
    await createEcsService(ecs, 'production', '2.4.0', 4);
    const ecsApp: ApplicationConfig = {
      name: FAULTY_APPS.ecs,
      readinessTimeoutSeconds: 60,
      test: { type: 'ecs', cluster: 'staging', service: FAULTY_APPS.ecs, region: MOTO_REGION },
      production: { type: 'ecs', cluster: 'production', service: FAULTY_APPS.ecs, region: MOTO_REGION },
    };

    const admin = kubernetes.test.as('admin');
    const name = FAULTY_APPS.kubernetes;
    const snapshot = async (): Promise<PlatformSnapshot> => {
      const d = await admin.apps.readNamespacedDeployment({ name, namespace: NAMESPACE });
      const h = await admin.autoscaling.readNamespacedHorizontalPodAutoscaler({ name, namespace: NAMESPACE });
      const svc = (
        await ecs.send(new DescribeServicesCommand({ cluster: 'staging', services: [FAULTY_APPS.ecs] }))
      ).services?.[0];
      return {
        kubernetes: {
          replicas: d.spec?.replicas,
          containers: (d.spec?.template.spec?.containers ?? []).map((c) => ({
            name: c.name,
            image: c.image,
            resources: c.resources,
          })),
          hpa: { minReplicas: h.spec?.minReplicas, maxReplicas: h.spec?.maxReplicas ?? 0 },
        },
        ecs: { taskDefinition: svc?.taskDefinition, desiredCount: svc?.desiredCount },
      };
    };
    const reset = async (s: PlatformSnapshot) => {
      await admin.autoscaling.patchNamespacedHorizontalPodAutoscaler(
        { name, namespace: NAMESPACE, body: { spec: s.kubernetes.hpa } },
        mergePatch(),
      );
      await admin.apps.patchNamespacedDeployment(
        {
          name,
          namespace: NAMESPACE,
          body: [
            { op: 'replace', path: '/spec/replicas', value: s.kubernetes.replicas },
            { op: 'replace', path: '/spec/template/spec/containers', value: s.kubernetes.containers },
          ],
        },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      );
      await ecs.send(
        new UpdateServiceCommand({
          cluster: 'staging',
          service: FAULTY_APPS.ecs,
          taskDefinition: s.ecs.taskDefinition ?? testTaskDefinition,
          desiredCount: s.ecs.desiredCount,
        }),
      );
    };
    return {
      kubernetes,
      kubeProxy,
      ecsProxy,
      applications: [kubeApp, ecsApp],
      env: { ...fleetTokenEnv(kubernetes), AWS_ENDPOINT_URL_ECS: ecsProxy.url },
      snapshot,
      reset,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** A Fargate service in its own cluster, running one revision of its family. */
async function createEcsService(ecs: ECSClient, cluster: string, version: string, desiredCount: number) {
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const large = cluster === 'production';
  const registered = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: `${FAULTY_APPS.ecs}-${cluster}`,
      taskRoleArn: ROLE,
      executionRoleArn: ROLE,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: large ? '1024' : '256',
      memory: large ? '2048' : '512',
      containerDefinitions: [
        { name: 'app', image: `registry.local/${FAULTY_APPS.ecs}:${version}`, essential: true },
      ],
    }),
  );
  const taskDefinition = registered.taskDefinition?.taskDefinitionArn as string;
  await ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName: FAULTY_APPS.ecs,
      taskDefinition,
      desiredCount,
      launchType: 'FARGATE',
    }),
  );
  return taskDefinition;
}
