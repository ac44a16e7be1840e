import { describe, expect, it } from 'vitest';
import { describeNodeGroupChanges } from '../../../../lambdas/core/plan';
import {
  type AppShape,
  canonical,
  deployTarget,
  hasShape,
  nodeGroupDifferences,
  pairContainers,
  preparedTarget,
  restoreTarget,
  scaleTarget,
  shapeDifferences,
  versionOf,
} from '../../../../lambdas/core/shape';

const test: AppShape = {
  version: 'shop:2.5.0-feature',
  replicas: 1,
  images: { shop: 'shop:2.5.0-feature' },
  resources: { shop: { requests: { cpu: '100m', memory: '128Mi' } } },
  hpa: { minReplicas: 1, maxReplicas: 2 },
};
const production: AppShape = {
  version: 'shop:2.4.0',
  replicas: 6,
  images: { shop: 'shop:2.4.0' },
  resources: { shop: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } } },
  hpa: { minReplicas: 6, maxReplicas: 20 },
};

describe('shapes', () => {
  it('summarises images as a version', () => {
    expect(versionOf({ a: 'x:1' })).toBe('x:1');
    expect(versionOf({ b: 'y:2', a: 'x:1' })).toBe('a=x:1, b=y:2');
  });

  it('pairs containers by name, or one with one whatever the names', () => {
    expect([...pairContainers(['app'], ['main'])]).toEqual([['app', 'main']]);
    expect([...pairContainers(['app', 'sidecar'], ['app', 'proxy'])]).toEqual([['app', 'app']]);
  });

  it('deploys production images and keeps the test size', () => {
    const t = deployTarget(test, production);
    expect(t.images).toEqual({ shop: 'shop:2.4.0' });
    expect(t.version).toBe('shop:2.4.0');
    expect(t.replicas).toBe(1);
    expect(t.resources).toEqual(test.resources);
    expect(t.hpa).toEqual(test.hpa);
  });

  it('deploys only paired containers: a test-only sidecar keeps its image', () => {
    const t = deployTarget(
      { ...test, images: { shop: 'shop:t', envoy: 'envoy:1' } },
      { ...production, images: { shop: 'shop:p', other: 'x:1' } },
    );
    expect(t.images).toEqual({ shop: 'shop:p', envoy: 'envoy:1' });
  });

  it('scales replicas, resources and HPA bounds to production and keeps the version', () => {
    const t = scaleTarget(test, production);
    expect(t).toEqual({ ...test, replicas: 6, resources: production.resources, hpa: production.hpa });
  });

  it('pins a test HPA to production replicas when production has none', () => {
    const t = scaleTarget(test, { ...production, hpa: null, replicas: 4 });
    expect(t.hpa).toEqual({ minReplicas: 4, maxReplicas: 4 });
    expect(t.replicas).toBe(4);
  });

  it('clamps replicas into the HPA bounds', () => {
    const t = scaleTarget(test, { ...production, replicas: 30 });
    expect(t.replicas).toBe(20);
  });

  it('keeps the http platform behaviour: version and replicas only', () => {
    expect(preparedTarget({ version: 't', replicas: 1 }, { version: 'p', replicas: 3 }, true)).toEqual({
      version: 'p',
      replicas: 3,
    });
    expect(preparedTarget({ version: 't', replicas: 1 }, { version: 'p', replicas: 3 }, false)).toEqual({
      version: 't',
      replicas: 3,
    });
  });

  it('restores the recorded size and, only when asked, the recorded version', () => {
    const now = preparedTarget(test, production, true);
    expect(restoreTarget(test, now, true)).toEqual(test);
    const sizeOnly = restoreTarget(test, now, false);
    expect(sizeOnly.images).toEqual(production.images);
    expect(sizeOnly.replicas).toBe(1);
    expect(sizeOnly.resources).toEqual(test.resources);
    expect(sizeOnly.hpa).toEqual(test.hpa);
  });

  it('finds drift in images, resources, HPA bounds and replicas below the HPA minimum', () => {
    const prepared = preparedTarget(test, production, true);
    expect(shapeDifferences(prepared, prepared)).toEqual([]);
    // The HPA scaled out under load: not drift.
    expect(shapeDifferences(prepared, { ...prepared, replicas: 12 })).toEqual([]);
    const reset = { ...test, version: test.version };
    expect(shapeDifferences(prepared, reset).map((d) => d.field)).toEqual([
      'images',
      'resources',
      'hpa',
      'replicas',
    ]);
    // Without an HPA any replica change is drift.
    const fixed = { ...prepared, hpa: null };
    expect(shapeDifferences(fixed, { ...fixed, replicas: 5 }).map((d) => d.field)).toEqual(['replicas']);
  });

  it('compares canonically: key order and empty request maps do not matter', () => {
    expect(canonical({ b: 1, a: { limits: {}, requests: { cpu: '1' } } })).toBe(
      canonical({ a: { requests: { cpu: '1' } }, b: 1 }),
    );
    expect(hasShape(test, { ...test })).toBe(true);
    expect(hasShape(test, { ...test, replicas: 2 })).toBe(false);
  });
});

describe('node group sizes: drift and the plan', () => {
  const prepared = { minSize: 5, maxSize: 30, desiredSize: 12 };

  it('drifts when the bounds changed or it has fewer nodes than prepared, not when it has more', () => {
    expect(nodeGroupDifferences(prepared, { ...prepared, desiredSize: 20 })).toEqual([]);
    expect(nodeGroupDifferences(prepared, { ...prepared, desiredSize: 3 })).toEqual([
      { field: 'desiredSize', expected: 12, actual: 3 },
    ]);
    expect(nodeGroupDifferences(prepared, { minSize: 1, maxSize: 30, desiredSize: 12 })).toEqual([
      { field: 'minSize', expected: 5, actual: 1 },
    ]);
  });

  it('describes each node group from → to, or that it already has its size', () => {
    expect(
      describeNodeGroupChanges([
        { nodeGroup: 'workers', from: { minSize: 1, maxSize: 2, desiredSize: 1 }, to: prepared },
        { nodeGroup: 'batch', from: prepared, to: prepared },
      ]),
    ).toBe('node group workers: 1 nodes (1–2) → 12 nodes (5–30); node group batch: already 12 nodes (5–30)');
  });
});
