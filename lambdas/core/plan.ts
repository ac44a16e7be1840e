/**
 * Preparing the environment for a run: which applications, the shape each should have, and what the dry run,
 * Deploy, Scale and the drift guard report having found or changed.
 */
import type { ApplicationConfig } from './config';
import type { RunContext } from './run-context';
import {
  type AppChange,
  type AppShape,
  type NodeGroupChange,
  type NodeGroupSize,
  preparedTarget,
  type ShapeDifference,
  sameNodeGroupSize,
} from './shape';

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

export interface DryRunPlan {
  readonly dryRun: true;
  readonly environment: string;
  readonly changes: readonly AppChange[];
  /** The environment's node groups, from their size now to the size Scale would give them. */
  readonly nodeGroups?: readonly NodeGroupChange[];
  readonly plannedTicks: number;
  readonly summary: string;
}

export interface DeployResult {
  readonly skipped: boolean;
  readonly changes: readonly AppChange[];
}

export interface ScaleResult {
  readonly changes: readonly AppChange[];
  /** EKS managed node groups scaled before the applications. */
  readonly nodeGroups?: readonly NodeGroupChange[];
}

/** One application found out of the shape the run prepared (a rollout, an HPA edit, a manual change). */
export interface DriftEvent {
  /** The application, or `nodegroup/<name>` for a node group (as its shape is recorded). */
  readonly application: string;
  /** ISO time of the check. */
  readonly at: string;
  /** What differs: images, resources, HPA bounds, replicas (below the HPA's minimum, or ≠ without one). */
  readonly differences: readonly ShapeDifference[];
  /** Whether the prepared shape was submitted again (the next check shows whether it held). */
  readonly reapplied: boolean;
  /** Why it could not be read or re-applied. */
  readonly error?: string;
}
