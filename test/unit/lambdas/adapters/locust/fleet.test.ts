import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AwsClients } from '../../../../../lambdas/adapters/aws/clients';
import type { KubeApis } from '../../../../../lambdas/adapters/kubernetes/connection';
import {
  EcsWorkerFleet,
  KubernetesWorkerFleet,
  LocalWorkerFleet,
  setWorkerFleetFactory,
  workerFleet,
} from '../../../../../lambdas/adapters/locust/fleet';
import { startFleetEndpoint } from '../../../../../local/fleet-endpoint';
import type { LocustCluster } from '../../../../../local/locust-cluster';

afterEach(() => {
  setWorkerFleetFactory(undefined);
});

describe('Kubernetes worker fleet', () => {
  it('merge-patches the worker Deployment’s scale and reads ready replicas', async () => {
    const patch = vi.fn(async () => ({}));
    const read = vi.fn(async () => ({ spec: { replicas: 4 }, status: { readyReplicas: 3 } }));
    const apis = {
      target: 'kubernetes:https://k8s.test',
      apps: { patchNamespacedDeploymentScale: patch, readNamespacedDeployment: read },
    } as unknown as KubeApis;
    const fleet = new KubernetesWorkerFleet(
      {
        type: 'kubernetes',
        cluster: { endpoint: 'https://k8s.test', tokenEnv: 'T' },
        namespace: 'load',
        deployment: 'locust-worker',
      },
      async () => apis,
    );
    await fleet.scale(4);
    expect(patch).toHaveBeenCalledWith(
      { name: 'locust-worker', namespace: 'load', body: { spec: { replicas: 4 } } },
      expect.anything(),
    );
    expect(await fleet.status()).toEqual({ desired: 4, running: 3 });
    await expect(fleet.scale(-1)).rejects.toThrow(/integer ≥ 0/);
  });
});

describe('ECS worker fleet', () => {
  it('sets the worker service’s desired count, as the configured role and region', async () => {
    const sent: { name: string; input: unknown }[] = [];
    const send = vi.fn(async (command: { constructor: { name: string }; input: unknown }) => {
      sent.push({ name: command.constructor.name, input: command.input });
      return { services: [{ desiredCount: 5, runningCount: 2 }] };
    });
    const ecsFor = vi.fn(() => ({ send }));
    const fleet = new EcsWorkerFleet(
      { type: 'ecs', cluster: 'load', service: 'locust-worker', region: 'eu-west-1' },
      { ecsFor } as unknown as AwsClients,
    );
    await fleet.scale(5);
    expect(ecsFor).toHaveBeenCalledWith('eu-west-1', undefined);
    expect(sent[0]).toEqual({
      name: 'UpdateServiceCommand',
      input: { cluster: 'load', service: 'locust-worker', desiredCount: 5 },
    });
    expect(await fleet.status()).toEqual({ desired: 5, running: 2 });
  });
});

describe('local worker fleet through the local environment’s endpoint', () => {
  it('scales the worker processes and answers once they are connected', async () => {
    let processes = 1;
    const cluster = {
      get workerProcesses() {
        return processes;
      },
      setWorkers: vi.fn(async (n: number) => {
        processes = n;
      }),
    } as unknown as LocustCluster;
    const endpoint = await startFleetEndpoint(cluster);
    try {
      const fleet = workerFleet({ type: 'local', url: endpoint.url });
      expect(fleet).toBeInstanceOf(LocalWorkerFleet);
      expect(await fleet.status()).toEqual({ desired: 1, running: 1 });
      await fleet.scale(3);
      expect(cluster.setWorkers).toHaveBeenCalledWith(3);
      expect(await fleet.status()).toEqual({ desired: 3, running: 3 });
      expect(endpoint.requests).toEqual([3]);
      await expect(fleet.scale(99)).rejects.toThrow(/400/);
    } finally {
      await endpoint.stop();
    }
  });

  it('the factory can be swapped (tests, other platforms)', () => {
    const fake = {
      description: 'fake',
      scale: async () => {},
      status: async () => ({ desired: 0, running: 0 }),
    };
    setWorkerFleetFactory(() => fake);
    expect(workerFleet({ type: 'local', url: 'http://127.0.0.1:1' })).toBe(fake);
  });
});
