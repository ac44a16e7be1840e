import type { Platform } from '../core/config';
import type { AppShape } from '../core/shape';
import type { KubeConnector } from './kubernetes/connection';

export interface ApplyOptions {
  /**
   * Wait until the platform has rolled the shape out (default). `false` only submits the change: the drift
   * guard re-applies within a ramp tick and lets the next tick see whether it held.
   */
  readonly wait?: boolean;
}

/** Reads and changes an application's version and size where it runs. */
export interface PlatformAdapter {
  readShape(application: string, platform: Platform): Promise<AppShape>;
  /** Applies the shape and resolves once the application is ready in it, or throws after the timeout. */
  applyShape(
    application: string,
    platform: Platform,
    shape: Partial<AppShape>,
    timeoutSeconds: number,
    options?: ApplyOptions,
  ): Promise<AppShape>;
}

/** Loads a platform type's adapter: its module (and client) only when an application of that type is met. */
export type AdapterLoader = () => Promise<PlatformAdapter>;

/**
 * One adapter per platform type; the registry hands each call to the adapter of the platform's type, loading
 * it on first use.
 */
export class PlatformRegistry implements PlatformAdapter {
  private readonly loaded = new Map<Platform['type'], Promise<PlatformAdapter>>();

  constructor(private readonly adapters: Readonly<Partial<Record<Platform['type'], AdapterLoader>>>) {}

  private async adapterFor(application: string, platform: Platform): Promise<PlatformAdapter> {
    const load = this.adapters[platform.type];
    if (!load) throw new Error(`${application}: no adapter for platform type '${platform.type}'`);
    let adapter = this.loaded.get(platform.type);
    if (!adapter) {
      adapter = load();
      this.loaded.set(platform.type, adapter);
    }
    return adapter;
  }

  async readShape(application: string, platform: Platform): Promise<AppShape> {
    return (await this.adapterFor(application, platform)).readShape(application, platform);
  }

  async applyShape(
    application: string,
    platform: Platform,
    shape: Partial<AppShape>,
    timeoutSeconds: number,
    options?: ApplyOptions,
  ): Promise<AppShape> {
    return (await this.adapterFor(application, platform)).applyShape(
      application,
      platform,
      shape,
      timeoutSeconds,
      options,
    );
  }
}

export interface DefaultPlatformsOptions {
  /** How Kubernetes clusters are reached. Default: {@link kubeConnector} (EKS IAM tokens, token env vars). */
  readonly kube?: KubeConnector;
  /** Between two status reads while waiting for a rollout. */
  readonly pollMs?: number;
}

/**
 * The adapters of every supported platform type: `http` (agent API), `kubernetes`, `ecs`. Each is imported
 * when first used, so a step whose applications are all `http` never loads the Kubernetes client.
 */
export function defaultPlatforms(options: DefaultPlatformsOptions = {}): PlatformRegistry {
  // LTC_POLL_MS: a shorter poll for local runs and benchmarks (the defaults suit real clusters).
  const fromEnv = Number(process.env.LTC_POLL_MS);
  const pollMs = options.pollMs ?? (fromEnv > 0 ? fromEnv : undefined);
  return new PlatformRegistry({
    http: async () => new (await import('./http/http-platform')).HttpPlatformAdapter(),
    kubernetes: async () => {
      const [{ KubernetesPlatformAdapter }, { kubeConnector }] = await Promise.all([
        import('./kubernetes/deployment-adapter'),
        import('./kubernetes/connection'),
      ]);
      return new KubernetesPlatformAdapter({ connect: options.kube ?? kubeConnector(), pollMs });
    },
    ecs: async () => new (await import('./ecs/ecs-adapter')).EcsPlatformAdapter({ pollMs }),
  });
}
