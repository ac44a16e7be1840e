import {
  type ContainerDefinition,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  type Service,
  type TaskDefinition,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import type { EcsPlatform, Platform } from '../../core/config';
import { RolloutFailedError, RolloutTimeoutError } from '../../core/errors';
import { type AppShape, type ContainerResources, canonical, versionOf } from '../../core/shape';
import { AwsClients, aws } from '../aws/clients';
import type { ApplyOptions, PlatformAdapter } from '../platforms';

/** The key under which a task's own cpu/memory sit in an ECS shape's `resources`. */
export const TASK_RESOURCES = '(task)';

export interface EcsAdapterOptions {
  readonly clients?: AwsClients;
  /** Between two reads while waiting for the service to be stable. Default 2 s. */
  readonly pollMs?: number;
}

/**
 * An ECS service as a platform. Its version is its task definition's container images; its size the
 * desired count and the cpu/memory of the task and its containers.
 *
 * To deploy production's version the adapter does not copy production's task definition (it carries
 * production's roles, secrets, log groups): it registers a new revision of the *test* service's family
 * with production's images (and, when scaling, production's cpu/memory), then points the service at it.
 * Restoring the version points the service back at the recorded task definition ARN.
 */
export class EcsPlatformAdapter implements PlatformAdapter {
  private readonly clients: AwsClients;
  private readonly pollMs: number;

  constructor(options: EcsAdapterOptions = {}) {
    this.clients = options.clients ?? new AwsClients();
    this.pollMs = options.pollMs ?? 2000;
  }

  async readShape(application: string, platform: Platform): Promise<AppShape> {
    const p = ecsPlatform(application, platform);
    const service = await this.describeService(application, p);
    const taskDefinition = await this.describeTaskDefinition(application, p, service.taskDefinition ?? '');
    return shapeOf(service, taskDefinition);
  }

  async applyShape(
    application: string,
    platform: Platform,
    shape: Partial<AppShape>,
    timeoutSeconds: number,
    options: ApplyOptions = {},
  ): Promise<AppShape> {
    const p = ecsPlatform(application, platform);
    const ecs = this.clients.ecsFor(p.region, p.roleArn);
    const service = await this.describeService(application, p);
    const currentArn = service.taskDefinition ?? '';
    let wantedArn = currentArn;
    if (shape.taskDefinition && shape.taskDefinition !== currentArn) {
      wantedArn = shape.taskDefinition;
    } else {
      const current = await this.describeTaskDefinition(application, p, currentArn);
      const revised = revise(current, shape);
      if (revised) {
        const registered = await aws(`${application}: register a task definition in ${current.family}`, () =>
          ecs.send(new RegisterTaskDefinitionCommand(revised)),
        );
        wantedArn = registered.taskDefinition?.taskDefinitionArn ?? '';
      }
    }
    const desiredCount = shape.replicas ?? service.desiredCount ?? 0;
    if (wantedArn !== currentArn || desiredCount !== service.desiredCount) {
      await aws(`${application}: update ECS service ${p.service}`, () =>
        ecs.send(
          new UpdateServiceCommand({
            cluster: p.cluster,
            service: p.service,
            desiredCount,
            ...(wantedArn !== currentArn ? { taskDefinition: wantedArn } : {}),
          }),
        ),
      );
    }
    if (options.wait !== false)
      await this.waitForStable(application, p, wantedArn, desiredCount, timeoutSeconds);
    return this.readShape(application, platform);
  }

  /**
   * Resolves when the service runs `taskDefinition` with `desiredCount` tasks and one deployment left (the
   * `services-stable` waiter's rule); throws naming the application after the timeout, or at once when ECS
   * reports the deployment FAILED (circuit breaker).
   */
  async waitForStable(
    application: string,
    p: EcsPlatform,
    taskDefinition: string,
    desiredCount: number,
    timeoutSeconds: number,
  ): Promise<void> {
    const deadline = Date.now() + timeoutSeconds * 1000;
    for (;;) {
      const s = await this.describeService(application, p);
      const deployments = s.deployments ?? [];
      const summary = `${s.runningCount ?? 0} of ${s.desiredCount ?? 0} tasks running, ${deployments.length} deployment(s), task definition ${s.taskDefinition}`;
      const primary = deployments.find((d) => d.status === 'PRIMARY');
      if (primary?.rolloutState === 'FAILED') {
        throw new RolloutFailedError(
          `${application}: the deployment of ECS service ${p.service} failed: ${primary.rolloutStateReason ?? ''} (${summary})`,
        );
      }
      if (
        s.taskDefinition === taskDefinition &&
        s.desiredCount === desiredCount &&
        s.runningCount === desiredCount &&
        deployments.length <= 1
      ) {
        return;
      }
      if (Date.now() >= deadline) {
        throw new RolloutTimeoutError(
          `${application}: ECS service ${p.service} in ${p.cluster} was not stable within ${timeoutSeconds} s: ${summary}`,
        );
      }
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }

  private async describeService(application: string, p: EcsPlatform): Promise<Service> {
    const out = await aws(`${application}: describe ECS service ${p.service}`, () =>
      this.clients
        .ecsFor(p.region, p.roleArn)
        .send(new DescribeServicesCommand({ cluster: p.cluster, services: [p.service] })),
    );
    const service = out.services?.[0];
    if (!service || service.status === 'INACTIVE') {
      const why = out.failures?.[0]?.reason ?? (service ? 'INACTIVE' : 'not found');
      throw new Error(`${application}: ECS service ${p.service} in cluster ${p.cluster}: ${why}`);
    }
    return service;
  }

  private async describeTaskDefinition(
    application: string,
    p: EcsPlatform,
    arn: string,
  ): Promise<TaskDefinition> {
    const out = await aws(`${application}: describe task definition ${arn}`, () =>
      this.clients
        .ecsFor(p.region, p.roleArn)
        .send(new DescribeTaskDefinitionCommand({ taskDefinition: arn })),
    );
    if (!out.taskDefinition) throw new Error(`${application}: task definition ${arn} not found`);
    return out.taskDefinition;
  }
}

function ecsPlatform(application: string, platform: Platform): EcsPlatform {
  if (platform.type !== 'ecs') throw new Error(`${application}: not an ecs platform (${platform.type})`);
  return platform;
}

/** The shape of a service running a task definition. */
export function shapeOf(service: Service, td: TaskDefinition): AppShape {
  const containers = td.containerDefinitions ?? [];
  const images = Object.fromEntries(containers.map((c) => [c.name ?? '', c.image ?? '']));
  const resources: Record<string, ContainerResources> = Object.fromEntries(
    containers.map((c) => [c.name ?? '', containerResources(c)]),
  );
  const task = compact({ cpu: td.cpu, memory: td.memory });
  if (task) resources[TASK_RESOURCES] = { limits: task };
  return {
    version: versionOf(images),
    replicas: service.desiredCount ?? 0,
    images,
    resources,
    taskDefinition: td.taskDefinitionArn ?? service.taskDefinition ?? '',
  };
}

function containerResources(c: ContainerDefinition): ContainerResources {
  const requests = compact({ cpu: c.cpu ? String(c.cpu) : undefined, memory: num(c.memoryReservation) });
  const limits = compact({ memory: num(c.memory) });
  return { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) };
}

function num(n: number | undefined): string | undefined {
  return n === undefined || n === null ? undefined : String(n);
}

function compact(o: Record<string, string | undefined>): Record<string, string> | undefined {
  const entries = Object.entries(o).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '');
  return entries.length ? Object.fromEntries(entries) : undefined;
}

/**
 * The registration of a new revision of `current` with the images and resources of `shape`, or undefined
 * when `current` already has them.
 */
export function revise(
  current: TaskDefinition,
  shape: Partial<AppShape>,
): RegisterTaskDefinitionInput | undefined {
  const containers = (current.containerDefinitions ?? []).map((c) => {
    const name = c.name ?? '';
    const image = shape.images?.[name] ?? c.image;
    const r = shape.resources?.[name];
    if (!r) return { ...c, image };
    return {
      ...c,
      image,
      cpu: r.requests?.cpu !== undefined ? Number(r.requests.cpu) : undefined,
      memoryReservation: r.requests?.memory !== undefined ? Number(r.requests.memory) : undefined,
      memory: r.limits?.memory !== undefined ? Number(r.limits.memory) : undefined,
    };
  });
  const task = shape.resources?.[TASK_RESOURCES]?.limits;
  const next: TaskDefinition = {
    ...current,
    containerDefinitions: containers,
    ...(task ? { cpu: task.cpu, memory: task.memory } : {}),
  };
  const unchanged =
    canonical(shapeOf({ desiredCount: 0 }, { ...current, taskDefinitionArn: '' })) ===
    canonical(shapeOf({ desiredCount: 0 }, { ...next, taskDefinitionArn: '' }));
  if (unchanged) return undefined;
  const {
    taskDefinitionArn: _arn,
    revision: _rev,
    status: _status,
    requiresAttributes: _ra,
    compatibilities: _c,
    registeredAt: _at,
    registeredBy: _by,
    deregisteredAt: _dAt,
    deleteRequestedAt: _del,
    ...input
  } = next;
  return {
    ...input,
    family: current.family,
    containerDefinitions: containers,
  } as RegisterTaskDefinitionInput;
}

type RegisterTaskDefinitionInput = ConstructorParameters<typeof RegisterTaskDefinitionCommand>[0];
