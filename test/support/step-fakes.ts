import type { RunStore } from '../../lambdas/adapters/aws/run-store';
import type { NodeGroupAdapter } from '../../lambdas/adapters/eks/node-groups';
import type { ApplyOptions, PlatformAdapter } from '../../lambdas/adapters/platforms';
import type {
  ApplicationConfig,
  EksNodeGroupRef,
  EnvironmentConfig,
  Platform,
} from '../../lambdas/core/config';
import type { RampState } from '../../lambdas/core/ramp-state';
import type { RunState } from '../../lambdas/core/run-state';
import type { AppShape, NodeGroupSize } from '../../lambdas/core/shape';
import type { StepDeps } from '../../lambdas/runtime/step';
import { InMemoryRunStore } from './in-memory-run-store';

/** Platforms in memory, keyed by `<namespace>/<deployment>` of a kubernetes platform. */
export class FakePlatforms implements PlatformAdapter {
  readonly shapes = new Map<string, AppShape>();
  readonly applied: { application: string; key: string; shape: Partial<AppShape>; options?: ApplyOptions }[] =
    [];
  inFlight = 0;
  peak = 0;
  applyDelayMs = 0;
  failFor = new Set<string>();

  static key(p: Platform): string {
    if (p.type !== 'kubernetes') throw new Error('fake supports kubernetes platforms');
    return `${p.cluster.endpoint}|${p.namespace}/${p.deployment}`;
  }

  async readShape(_application: string, platform: Platform): Promise<AppShape> {
    const shape = this.shapes.get(FakePlatforms.key(platform));
    if (!shape) throw new Error(`no shape for ${FakePlatforms.key(platform)}`);
    return structuredClone(shape);
  }

  async applyShape(
    application: string,
    platform: Platform,
    shape: Partial<AppShape>,
    _timeout: number,
    options?: ApplyOptions,
  ): Promise<AppShape> {
    const key = FakePlatforms.key(platform);
    this.inFlight++;
    this.peak = Math.max(this.peak, this.inFlight);
    try {
      await new Promise((r) => setTimeout(r, this.applyDelayMs));
      if (this.failFor.has(application)) throw new Error(`${application}: rollout failed`);
      this.applied.push({ application, key, shape, options });
      const next = { ...(this.shapes.get(key) as AppShape), ...structuredClone(shape) };
      this.shapes.set(key, next);
      return structuredClone(next);
    } finally {
      this.inFlight--;
    }
  }
}

export class FakeNodeGroups implements NodeGroupAdapter {
  readonly sizes = new Map<string, NodeGroupSize>();
  async readSize(_name: string, ref: EksNodeGroupRef): Promise<NodeGroupSize> {
    return { ...(this.sizes.get(ref.nodegroup) as NodeGroupSize) };
  }
  async applySize(_name: string, ref: EksNodeGroupRef, size: NodeGroupSize): Promise<NodeGroupSize> {
    this.sizes.set(ref.nodegroup, { ...size });
    return { ...size };
  }
}

export function fakeDeps(parts: {
  platform: FakePlatforms;
  runs?: InMemoryRunStore;
  nodeGroups?: FakeNodeGroups;
}): StepDeps {
  return {
    runs: (parts.runs ?? new InMemoryRunStore()) as unknown as RunStore,
    platform: parts.platform,
    nodeGroups: parts.nodeGroups ?? new FakeNodeGroups(),
    cleanupActions: async () => 'nothing',
    ...({} as Omit<
      StepDeps,
      'runs' | 'platform' | 'nodeGroups' | 'cleanupActions' | 'locust' | 'config' | 'now'
    >),
    reports: undefined as never,
    notifier: undefined as never,
    locust: () => undefined as never,
    config: () => undefined as never,
    now: () => new Date('2026-11-27T10:00:00Z'),
  };
}

export function k8sApp(name: string, opts: { hpa?: boolean } = {}): ApplicationConfig {
  const platform = (endpoint: string, tokenEnv: string) =>
    ({
      type: 'kubernetes',
      cluster: { endpoint, tokenEnv },
      namespace: 'shop',
      deployment: name,
      ...(opts.hpa ? { hpa: name } : {}),
    }) as const;
  return {
    name,
    test: platform('https://test:6443', 'TEST_TOKEN'),
    production: platform('https://prod:6443', 'PROD_TOKEN'),
    readinessTimeoutSeconds: 60,
  };
}

export function runState(
  applications: ApplicationConfig[],
  env: Partial<EnvironmentConfig> = {},
  request: { deployProductionVersions?: boolean } = {},
): RunState {
  const environment = {
    production: false,
    loadTestTarget: true,
    maxOrdersPerMinute: 1000,
    scenarios: ['checkout'],
    defaultScenario: 'checkout',
    locust: {
      url: 'http://locust',
      orderRequestName: 'o',
      usersPerWorker: 1,
      maxUsers: 1,
      initialOrdersPerUserPerMinute: 1,
    },
    applications,
    slos: { maxFailureRatio: 0.01, targetTolerance: 0.1 },
    cleanup: [],
    nodeGroups: [],
    prepareConcurrency: 10,
    restoreVersions: false,
    ...env,
  } as EnvironmentConfig;
  return {
    run: {
      executionId: 'arn:aws:states:us-east-1:1:execution:m:run-1',
      executionName: 'run-1',
      startedAt: '2026-11-27T10:00:00Z',
      maxTicks: 10,
      environment,
      request: {
        environment: 'staging',
        targetOrdersPerMinute: 100,
        rampUpMinutes: 1,
        plateauMinutes: 1,
        scenario: 'checkout',
        deployProductionVersions: request.deployProductionVersions ?? true,
        applications: applications.map((a) => a.name),
        tickSeconds: 60,
        dryRun: false,
      },
    },
  };
}

/**
 * A week-long soak's state as "Continue in new execution" hands it on after the first execution's 2,250
 * ticks: the run's lock, its first execution, the ramp on the plateau.
 */
export function handedOnState(): RunState {
  const base = runState([]);
  const { executionId } = base.run;
  return {
    ...base,
    run: { ...base.run, request: { ...base.run.request, plateauMinutes: 7 * 1440 }, maxTicks: 10_086 },
    lock: { environment: 'staging', holder: executionId, expiresAt: '2026-12-04T12:00:00.000Z' },
    execution: {
      id: executionId,
      name: 'run-1',
      startedAt: '2026-11-27T10:00:00Z',
      number: 1,
      continueAtTick: 2250,
      nextName: 'run-1-c2',
    },
    ramp: {
      tick: 2250,
      phase: 'plateau',
      done: false,
      startedAt: '2026-11-27T10:00:00.000Z',
      nextTickAt: '2026-11-29T00:31:00.000Z',
      targetNow: 100,
      ordersPerMinute: 99,
      users: 30,
      spawnRate: 1,
      workers: 1,
      failureRatio: 0,
      message: '',
      controller: {} as RampState['controller'],
      plateau: { ticks: 2249, orders: 1, minutes: 1, requests: 1, failures: 0 },
    },
  };
}
