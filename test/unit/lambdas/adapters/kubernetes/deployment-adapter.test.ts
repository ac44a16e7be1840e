import type { V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  deploymentPatch,
  rolloutStatus,
  shapeOf,
} from '../../../../../lambdas/adapters/kubernetes/deployment-adapter';
import type { KubernetesPlatform } from '../../../../../lambdas/core/config';

const platform: KubernetesPlatform = {
  type: 'kubernetes',
  cluster: { endpoint: 'https://127.0.0.1:6443', tokenEnv: 'T' },
  namespace: 'shop',
  deployment: 'checkout',
  hpa: 'checkout',
};

function deployment(over: Partial<V1Deployment> = {}): V1Deployment {
  return {
    metadata: { name: 'checkout', namespace: 'shop', generation: 3 },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'checkout' } },
      template: {
        spec: {
          containers: [
            { name: 'envoy', image: 'envoy:1.30' },
            { name: 'app', image: 'checkout:2.5.0', resources: { requests: { cpu: '100m' } } },
          ],
        },
      },
    },
    status: { observedGeneration: 3, replicas: 2, updatedReplicas: 2, availableReplicas: 2 },
    ...over,
  };
}

describe('Kubernetes Deployment shape', () => {
  it('reads images, resources, replicas and HPA bounds', () => {
    expect(shapeOf('checkout', deployment(), { minReplicas: 2, maxReplicas: 4 }, platform)).toEqual({
      version: 'app=checkout:2.5.0, envoy=envoy:1.30',
      replicas: 2,
      images: { envoy: 'envoy:1.30', app: 'checkout:2.5.0' },
      resources: { envoy: {}, app: { requests: { cpu: '100m' } } },
      hpa: { minReplicas: 2, maxReplicas: 4 },
    });
  });

  it('manages only the listed containers, and names a missing one', () => {
    const shape = shapeOf('checkout', deployment(), null, { ...platform, containers: ['app'] });
    expect(shape.images).toEqual({ app: 'checkout:2.5.0' });
    expect(shape.version).toBe('checkout:2.5.0');
    expect(() => shapeOf('checkout', deployment(), null, { ...platform, containers: ['web'] })).toThrow(
      /checkout: deployment shop\/checkout has no container 'web' \(has envoy, app\)/,
    );
  });

  it('patches only what differs, each container guarded by a test of its name', () => {
    const ops = deploymentPatch(
      'checkout',
      deployment(),
      {
        images: { app: 'checkout:2.4.0', envoy: 'envoy:1.30' },
        resources: { app: { requests: { cpu: '500m' }, limits: { cpu: '1' } }, envoy: {} },
        replicas: 6,
      },
      { minReplicas: 6, maxReplicas: 20 },
    );
    expect(ops).toEqual([
      { op: 'test', path: '/spec/template/spec/containers/1/name', value: 'app' },
      { op: 'replace', path: '/spec/template/spec/containers/1/image', value: 'checkout:2.4.0' },
      {
        op: 'add',
        path: '/spec/template/spec/containers/1/resources',
        value: { requests: { cpu: '500m' }, limits: { cpu: '1' } },
      },
      { op: 'add', path: '/spec/replicas', value: 6 },
    ]);
  });

  it('clamps replicas into the HPA bounds (the HPA controller would undo anything outside)', () => {
    expect(deploymentPatch('c', deployment(), { replicas: 50 }, { minReplicas: 1, maxReplicas: 8 })).toEqual([
      { op: 'add', path: '/spec/replicas', value: 8 },
    ]);
    expect(deploymentPatch('c', deployment(), { replicas: 2 }, null)).toEqual([]);
  });

  it('refuses a container the pod template does not have', () => {
    expect(() => deploymentPatch('checkout', deployment(), { images: { web: 'x' } }, null)).toThrow(
      "checkout: the pod template has no container 'web'",
    );
  });
});

describe('rollout status', () => {
  it('is complete when the latest generation is observed and every replica is updated and available', () => {
    expect(rolloutStatus(deployment()).complete).toBe(true);
  });

  it('waits for the controller to observe the new generation', () => {
    const s = rolloutStatus(deployment({ metadata: { generation: 4 } }));
    expect(s.complete).toBe(false);
    expect(s.summary).toBe('the controller has not seen generation 4 yet (observed 3)');
  });

  it('waits for updated, available replicas and for old ones to go', () => {
    const rolling = deployment({
      status: { observedGeneration: 3, replicas: 3, updatedReplicas: 1, availableReplicas: 2 },
    });
    expect(rolloutStatus(rolling)).toEqual({
      complete: false,
      summary: '1 of 2 replicas updated, 2 available, 2 old pending termination',
    });
    const scalingDown = deployment({
      status: { observedGeneration: 3, replicas: 5, updatedReplicas: 5, availableReplicas: 5 },
    });
    expect(rolloutStatus(scalingDown).complete).toBe(false);
  });

  it('reports a rollout the controller gave up on', () => {
    const stuck = deployment({
      status: {
        observedGeneration: 3,
        replicas: 2,
        updatedReplicas: 1,
        conditions: [
          {
            type: 'Progressing',
            status: 'False',
            reason: 'ProgressDeadlineExceeded',
            message: 'ReplicaSet "x" has timed out progressing.',
          },
        ],
      },
    });
    expect(rolloutStatus(stuck).failed).toBe('ReplicaSet "x" has timed out progressing.');
  });
});
