/**
 * The recorded shape of an application, and the rules that derive the shape a run wants from the test
 * environment's shape and production's. Pure: the platform adapters read and apply shapes; this decides.
 *
 * An {@link AppShape} always has `version` (a summary of the images, or the agent's version) and `replicas`
 * (Kubernetes `spec.replicas`, ECS `desiredCount`). Platforms that know more add:
 * `images` and `resources` by container name, `hpa` bounds (`null`: no HPA), `taskDefinition` (ECS).
 */

/** Requests and limits of one container, as the platform writes them (Kubernetes quantities as strings). */
export interface ContainerResources {
  readonly requests?: Readonly<Record<string, string>>;
  readonly limits?: Readonly<Record<string, string>>;
}

export interface HpaBounds {
  readonly minReplicas: number;
  readonly maxReplicas: number;
}

/** An EKS managed node group's scaling configuration. */
export interface NodeGroupSize {
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredSize: number;
}

/**
 * Version and size of one application on one platform: what is recorded before a run changes it and
 * restored after. `version` and `replicas` always; the rest where the platform has it.
 */
export interface AppShape {
  /** The agent's version, or a summary of the container images. */
  readonly version: string;
  /** Kubernetes `spec.replicas`, ECS `desiredCount`, the agent's replicas. */
  readonly replicas: number;
  /** Container images by container name (Kubernetes, ECS). */
  readonly images?: Readonly<Record<string, string>>;
  /** Requests and limits by container name (Kubernetes); ECS: cpu/memory, the task's under `(task)`. */
  readonly resources?: Readonly<Record<string, ContainerResources>>;
  /** HPA bounds, `null` when the application has none configured (Kubernetes). */
  readonly hpa?: HpaBounds | null;
  /** The task definition ARN the service runs (ECS). */
  readonly taskDefinition?: string;
  /** The scaling configuration (EKS managed node groups, recorded as `nodegroup/<name>`). */
  readonly nodeGroup?: NodeGroupSize;
}

export interface AppChange {
  readonly application: string;
  readonly from: AppShape;
  readonly to: AppShape;
}

export interface NodeGroupChange {
  readonly nodeGroup: string;
  readonly from: NodeGroupSize;
  readonly to: NodeGroupSize;
}

/** The version summary of a set of images: the image itself for one container, else `name=image, …`. */
export function versionOf(images: Readonly<Record<string, string>>): string {
  const entries = Object.entries(images).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 1) return entries[0]?.[1] ?? '';
  return entries.map(([name, image]) => `${name}=${image}`).join(', ');
}

/**
 * Pairs containers of production with those of the test environment: by name, or — when each side has
 * exactly one container — with each other whatever their names. Returns test name → production name.
 */
export function pairContainers(
  test: readonly string[],
  production: readonly string[],
): ReadonlyMap<string, string> {
  if (test.length === 1 && production.length === 1) {
    return new Map([[test[0] as string, production[0] as string]]);
  }
  return new Map(test.filter((n) => production.includes(n)).map((n) => [n, n]));
}

function fromProduction<T>(
  current: Readonly<Record<string, T>> | undefined,
  production: Readonly<Record<string, T>> | undefined,
): Record<string, T> | undefined {
  if (!current) return undefined;
  if (!production) return { ...current };
  const pairs = pairContainers(Object.keys(current), Object.keys(production));
  return Object.fromEntries(
    Object.entries(current).map(([name, value]) => {
      const from = pairs.get(name);
      return [name, from !== undefined && production[from] !== undefined ? production[from] : value];
    }),
  );
}

/** Deploy: production's images (its version) on the test environment's otherwise unchanged shape. */
export function deployTarget(current: AppShape, production: AppShape): AppShape {
  if (!current.images || !production.images) return { ...current, version: production.version };
  const images = fromProduction(current.images, production.images) ?? {};
  return { ...current, images, version: versionOf(images) };
}

/**
 * Scale: production's size — replicas (ECS desired count), container resources and HPA bounds — on the
 * test environment's version. Where only one side has an HPA: production without one has a fixed size, so
 * the test HPA is pinned to it (min = max = production replicas); a test environment without one gets
 * production's current replicas.
 */
export function scaleTarget(current: AppShape, production: AppShape): AppShape {
  const resources = fromProduction(current.resources, production.resources);
  let hpa = current.hpa;
  if (current.hpa && production.hpa) hpa = { ...production.hpa };
  else if (current.hpa && production.hpa === null) {
    hpa = { minReplicas: production.replicas, maxReplicas: production.replicas };
  }
  const replicas = hpa ? clamp(production.replicas, hpa) : production.replicas;
  return {
    ...current,
    replicas,
    ...(resources ? { resources } : {}),
    ...(hpa !== undefined ? { hpa } : {}),
  };
}

/** Both preparation steps in one: what a run (or its dry run) brings the test environment to. */
export function preparedTarget(
  current: AppShape,
  production: AppShape,
  deployProductionVersions: boolean,
): AppShape {
  return scaleTarget(deployProductionVersions ? deployTarget(current, production) : current, production);
}

/**
 * What Teardown restores: the recorded size (replicas, resources, HPA bounds) always, and the recorded
 * version (images, task definition) only when asked to — by default the test environment keeps production's
 * version after a run.
 */
export function restoreTarget(recorded: AppShape, current: AppShape, restoreVersions: boolean): AppShape {
  if (restoreVersions) return recorded;
  const { images: _i, taskDefinition: _t, version: _v, ...size } = recorded;
  return {
    ...size,
    version: current.version,
    ...(current.images ? { images: current.images } : {}),
    ...(current.taskDefinition ? { taskDefinition: current.taskDefinition } : {}),
  };
}

export function clamp(replicas: number, hpa: HpaBounds): number {
  return Math.min(Math.max(replicas, hpa.minReplicas), hpa.maxReplicas);
}

/** One field of a shape that is not what was wanted. */
export interface ShapeDifference {
  readonly field:
    | 'version'
    | 'replicas'
    | 'images'
    | 'resources'
    | 'hpa'
    | 'taskDefinition'
    | 'minSize'
    | 'maxSize'
    | 'desiredSize';
  readonly expected: unknown;
  readonly actual: unknown;
}

/**
 * The fields of `actual` that differ from `expected`, comparing only what `expected` sets. Replicas under an
 * HPA are the HPA's to change: they only count when below the HPA's minimum (or above its maximum).
 */
export function shapeDifferences(expected: AppShape, actual: AppShape): ShapeDifference[] {
  const out: ShapeDifference[] = [];
  const differs = (a: unknown, b: unknown) => canonical(a) !== canonical(b);
  if (expected.images) {
    if (differs(expected.images, actual.images)) {
      out.push({ field: 'images', expected: expected.images, actual: actual.images });
    }
  } else if (expected.version !== actual.version) {
    out.push({ field: 'version', expected: expected.version, actual: actual.version });
  }
  if (expected.resources && differs(expected.resources, actual.resources)) {
    out.push({ field: 'resources', expected: expected.resources, actual: actual.resources });
  }
  if (expected.hpa !== undefined && differs(expected.hpa, actual.hpa ?? null)) {
    out.push({ field: 'hpa', expected: expected.hpa, actual: actual.hpa ?? null });
  }
  const bounds = expected.hpa ?? null;
  const replicasOff = bounds
    ? actual.replicas < bounds.minReplicas || actual.replicas > bounds.maxReplicas
    : actual.replicas !== expected.replicas;
  if (replicasOff) out.push({ field: 'replicas', expected: expected.replicas, actual: actual.replicas });
  return out;
}

export function sameNodeGroupSize(a: NodeGroupSize, b: NodeGroupSize): boolean {
  return a.minSize === b.minSize && a.maxSize === b.maxSize && a.desiredSize === b.desiredSize;
}

/**
 * How a node group is off the size it was prepared to: its bounds changed, or it has fewer nodes than
 * wanted. More nodes is not drift (a cluster autoscaler may add them within the bounds).
 */
export function nodeGroupDifferences(expected: NodeGroupSize, actual: NodeGroupSize): ShapeDifference[] {
  const out: ShapeDifference[] = [];
  for (const field of ['minSize', 'maxSize'] as const) {
    if (actual[field] !== expected[field])
      out.push({ field, expected: expected[field], actual: actual[field] });
  }
  if (actual.desiredSize < expected.desiredSize) {
    out.push({ field: 'desiredSize', expected: expected.desiredSize, actual: actual.desiredSize });
  }
  return out;
}

/** Whether the platform already has the wanted shape (nothing to apply). */
export function hasShape(actual: AppShape, wanted: AppShape): boolean {
  return shapeDifferences(wanted, actual).length === 0 && actual.replicas === wanted.replicas;
}

/** JSON with sorted keys and empty request/limit maps dropped: equal shapes give equal strings. */
export function canonical(value: unknown): string {
  return JSON.stringify(normalise(value));
}

function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && !(isEmptyObject(v) && v !== null))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, normalise(v)]);
    return Object.fromEntries(entries);
  }
  return value;
}

function isEmptyObject(v: unknown): boolean {
  return !!v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0;
}
