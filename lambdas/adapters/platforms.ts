import type { Platform } from '../core/config';
import type { AppShape } from '../core/state';
import { EcsPlatformAdapter } from './ecs/ecs-adapter';
import { HttpPlatformAdapter } from './http/http-platform';
import { type KubeConnector, kubeConnector } from './kubernetes/connection';
import { KubernetesPlatformAdapter } from './kubernetes/deployment-adapter';

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

/** One adapter per platform type; the registry hands each call to the adapter of the platform's type. */
export class PlatformRegistry implements PlatformAdapter {
  constructor(private readonly adapters: Readonly<Partial<Record<Platform['type'], PlatformAdapter>>>) {}

  adapterFor(application: string, platform: Platform): PlatformAdapter {
    const adapter = this.adapters[platform.type];
    if (!adapter) throw new Error(`${application}: no adapter for platform type '${platform.type}'`);
    return adapter;
  }

  readShape(application: string, platform: Platform): Promise<AppShape> {
    return this.adapterFor(application, platform).readShape(application, platform);
  }

  applyShape(
    application: string,
    platform: Platform,
    shape: Partial<AppShape>,
    timeoutSeconds: number,
    options?: ApplyOptions,
  ): Promise<AppShape> {
    return this.adapterFor(application, platform).applyShape(
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

/** The adapters of every supported platform type: `http` (agent API), `kubernetes`, `ecs`. */
export function defaultPlatforms(options: DefaultPlatformsOptions = {}): PlatformRegistry {
  // LTC_POLL_MS: a shorter poll for local runs and benchmarks (the defaults suit real clusters).
  const fromEnv = Number(process.env.LTC_POLL_MS);
  const pollMs = options.pollMs ?? (fromEnv > 0 ? fromEnv : undefined);
  return new PlatformRegistry({
    http: new HttpPlatformAdapter(),
    kubernetes: new KubernetesPlatformAdapter({
      connect: options.kube ?? kubeConnector(),
      pollMs,
    }),
    ecs: new EcsPlatformAdapter({ pollMs }),
  });
}
