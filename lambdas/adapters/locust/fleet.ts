/**
 * The Locust worker fleet, sized by the conductor to the users the ramp controller needs
 * (`locust.usersPerWorker` each), before those users are spawned:
 * - Kubernetes: the worker Deployment's `spec.replicas` (a merge patch of its scale subresource);
 * - ECS: the worker service's `desiredCount` (e.g. the Fargate service of cdk/lib/locust-fargate-cluster.ts);
 * - local: worker processes on this machine, through the loopback endpoint the local environment serves
 *   (local/fleet-endpoint.ts): `GET /workers`, `PUT /workers {"workers": n}` (answers once they are connected).
 *
 * `scale` asks for a count and returns; Kubernetes and ECS start workers in their own time (the controller
 * looks one tick ahead and only spawns users on workers that are connected). The handlers never see which
 * platform it is: {@link workerFleet} builds the adapter from the configuration, and tests swap the factory.
 */
import { DescribeServicesCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { request } from 'undici';
import type { LocustWorkersConfig, LocustWorkersLocation } from '../../core/config';
import { TransientError } from '../../core/errors';
import { AwsClients, aws } from '../aws/clients';
import type { KubeConnector } from '../kubernetes/connection';
import { isTransientNetworkError } from './client';

export interface FleetStatus {
  /** Workers asked for (replicas, desired count, processes wanted). */
  readonly desired: number;
  /** Workers running as the platform sees them (ready replicas, running tasks, live processes). */
  readonly running: number;
}

export interface WorkerFleet {
  /** Names the fleet in messages, e.g. `deployment load/locust-worker on eks:eu-central-1/test`. */
  readonly description: string;
  /** Asks for `workers` workers. */
  scale(workers: number): Promise<void>;
  status(): Promise<FleetStatus>;
}

/** The fleet's bounds from the configuration (the schema fills their defaults). */
export function fleetBounds(config: LocustWorkersConfig): { minWorkers: number; maxWorkers: number } {
  return { minWorkers: config.minWorkers, maxWorkers: config.maxWorkers };
}

// ---------------------------------------------------------------------------------------------------------------
// Kubernetes

/**
 * The worker Deployment's replicas. Needs `get` on `deployments` and `patch` on `deployments/scale` in its
 * namespace (the conductor's Role there: kubernetes/rbac.ts `locustWorkersRbac`). The Kubernetes client is
 * imported on the first call: a step that may size a fleet does not evaluate it at its cold start.
 */
export class KubernetesWorkerFleet implements WorkerFleet {
  readonly description: string;

  constructor(
    private readonly config: Extract<LocustWorkersLocation, { type: 'kubernetes' }>,
    private connect?: KubeConnector,
  ) {
    this.description = `deployment ${config.namespace}/${config.deployment}`;
  }

  private async apis() {
    this.connect ??= (await import('../kubernetes/connection')).kubeConnector();
    return this.connect(this.config.cluster);
  }

  async scale(workers: number): Promise<void> {
    checkCount(workers);
    // Modules of ours, not the client's package: importing the package itself would bundle all of it.
    const [apis, { kube }, { mergePatch }] = await Promise.all([
      this.apis(),
      import('../kubernetes/errors'),
      import('../kubernetes/patch'),
    ]);
    const { namespace, deployment: name } = this.config;
    await kube(`Locust workers: scale ${this.description} on ${apis.target} to ${workers}`, () =>
      apis.apps.patchNamespacedDeploymentScale(
        { name, namespace, body: { spec: { replicas: workers } } },
        mergePatch(),
      ),
    );
  }

  async status(): Promise<FleetStatus> {
    const [apis, { kube }] = await Promise.all([this.apis(), import('../kubernetes/errors')]);
    const { namespace, deployment: name } = this.config;
    const d = await kube(`Locust workers: read ${this.description} on ${apis.target}`, () =>
      apis.apps.readNamespacedDeployment({ name, namespace }),
    );
    return { desired: d.spec?.replicas ?? 0, running: d.status?.readyReplicas ?? 0 };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// ECS

/** The worker service's desired count. Needs `ecs:UpdateService` and `ecs:DescribeServices` on that service. */
export class EcsWorkerFleet implements WorkerFleet {
  readonly description: string;

  constructor(
    private readonly config: Extract<LocustWorkersLocation, { type: 'ecs' }>,
    private readonly clients: AwsClients = new AwsClients(),
  ) {
    this.description = `ECS service ${config.service} in ${config.cluster}`;
  }

  async scale(workers: number): Promise<void> {
    checkCount(workers);
    const { cluster, service, region, roleArn } = this.config;
    const ecs = this.clients.ecsFor(region, roleArn);
    await aws(`Locust workers: set the desired count of ${this.description} to ${workers}`, () =>
      ecs.send(new UpdateServiceCommand({ cluster, service, desiredCount: workers })),
    );
  }

  async status(): Promise<FleetStatus> {
    const { cluster, service, region, roleArn } = this.config;
    const ecs = this.clients.ecsFor(region, roleArn);
    const out = await aws(`Locust workers: describe ${this.description}`, () =>
      ecs.send(new DescribeServicesCommand({ cluster, services: [service] })),
    );
    const s = out.services?.[0];
    if (!s) {
      const why = out.failures?.[0]?.reason ?? 'not found';
      throw new Error(`Locust workers: ${this.description}: ${why}`);
    }
    return { desired: s.desiredCount ?? 0, running: s.runningCount ?? 0 };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Local processes

/** Worker processes of the local environment, through its loopback fleet endpoint. */
export class LocalWorkerFleet implements WorkerFleet {
  readonly description: string;
  private readonly url: string;

  constructor(config: Extract<LocustWorkersLocation, { type: 'local' }>) {
    this.url = `${config.url.replace(/\/+$/, '')}/workers`;
    this.description = `local worker processes (${config.url})`;
  }

  async scale(workers: number): Promise<void> {
    checkCount(workers);
    await this.call('PUT', JSON.stringify({ workers }));
  }

  async status(): Promise<FleetStatus> {
    return await this.call('GET');
  }

  private async call(method: 'GET' | 'PUT', body?: string): Promise<FleetStatus> {
    let status: number;
    let text: string;
    try {
      const res = await request(this.url, {
        method,
        body,
        headers: body ? { 'content-type': 'application/json' } : {},
        headersTimeout: 90_000,
        bodyTimeout: 90_000,
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      if (isTransientNetworkError(err)) {
        throw new TransientError(`Locust workers: ${method} ${this.url}: ${(err as Error).message}`, {
          cause: err,
        });
      }
      throw err;
    }
    if (status >= 500)
      throw new TransientError(`Locust workers: ${method} ${this.url} answered ${status}: ${text}`);
    if (status !== 200) throw new Error(`Locust workers: ${method} ${this.url} answered ${status}: ${text}`);
    const reply = JSON.parse(text) as { desired?: unknown; running?: unknown };
    if (typeof reply.desired !== 'number' || typeof reply.running !== 'number') {
      throw new Error(`Locust workers: ${method} ${this.url} answered ${text.slice(0, 200)}`);
    }
    return { desired: reply.desired, running: reply.running };
  }
}

// ---------------------------------------------------------------------------------------------------------------

function checkCount(workers: number): void {
  if (!Number.isSafeInteger(workers) || workers < 0) {
    throw new Error(`Locust workers: a worker count must be an integer ≥ 0, got ${workers}`);
  }
}

export type WorkerFleetFactory = (config: LocustWorkersLocation) => WorkerFleet;

const defaultFactory: WorkerFleetFactory = (config) => {
  switch (config.type) {
    case 'kubernetes':
      return new KubernetesWorkerFleet(config);
    case 'ecs':
      return new EcsWorkerFleet(config);
    case 'local':
      return new LocalWorkerFleet(config);
  }
};

let factory: WorkerFleetFactory = defaultFactory;

/** The fleet adapter for a configuration (one per call: the adapters keep no state worth sharing). */
export function workerFleet(config: LocustWorkersLocation): WorkerFleet {
  return factory(config);
}

/** Swaps the factory (tests, other platforms); `undefined` restores the default. Returns the previous one. */
export function setWorkerFleetFactory(next: WorkerFleetFactory | undefined): WorkerFleetFactory {
  const previous = factory;
  factory = next ?? defaultFactory;
  return previous;
}
