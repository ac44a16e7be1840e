import type { ApplicationConfig } from './config';
import { type NodeGroupSize, preparedTarget, sameNodeGroupSize } from './shape';
import type { AppChange, AppShape, NodeGroupChange, RunContext } from './state';

/** The applications a run prepares, in the configuration's order. */
export function applicationsInScope(run: RunContext): ApplicationConfig[] {
  return run.environment.applications.filter((a) => run.request.applications.includes(a.name));
}

/**
 * The shape an application should have for the test: production's size, and
 * production's version unless the run tests what is deployed (a feature branch).
 */
export function desiredShape(
  current: AppShape,
  production: AppShape,
  deployProductionVersions: boolean,
): AppShape {
  // Images, resources and HPA bounds too where the platform has them (core/shape.ts).
  return preparedTarget(current, production, deployProductionVersions);
}

function isSameShape(a: AppShape, b: AppShape): boolean {
  return a.version === b.version && a.replicas === b.replicas;
}

/** One line a person reads in the console: what changes, from what to what. */
export function describeChanges(changes: readonly AppChange[]): string {
  if (changes.length === 0) return 'nothing to change';
  return changes
    .map((c) =>
      isSameShape(c.from, c.to)
        ? `${c.application}: already ${c.to.version} × ${c.to.replicas}`
        : `${c.application}: ${c.from.version} × ${c.from.replicas} → ${c.to.version} × ${c.to.replicas}`,
    )
    .join('; ');
}

/** The node groups' part of a plan: `workers: 1 nodes (1–2) → 12 nodes (5–30)`. */
export function describeNodeGroupChanges(changes: readonly NodeGroupChange[]): string {
  const size = (s: NodeGroupSize) => `${s.desiredSize} nodes (${s.minSize}–${s.maxSize})`;
  return changes
    .map((c) =>
      sameNodeGroupSize(c.from, c.to)
        ? `node group ${c.nodeGroup}: already ${size(c.to)}`
        : `node group ${c.nodeGroup}: ${size(c.from)} → ${size(c.to)}`,
    )
    .join('; ');
}
