import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConductorConfig } from '../lambdas/core/config';
import { loadConfigFile } from '../lambdas/core/config-file';
import { logger } from '../lambdas/runtime/logger';
import { resetDeps } from '../lambdas/runtime/step';
import { createLocalAwsResources, type LocalAwsResources } from './aws-resources';
import {
  type DemoShop,
  PAYMENT_PROVIDER_SIMULATION,
  type RealPaymentProvider,
  startDemoShop,
  startRealPaymentProvider,
} from './demo-shop';
import { type FleetEndpoint, startFleetEndpoint } from './fleet-endpoint';
import { type Hoverfly, startHoverfly } from './hoverfly';
import { type LocustCluster, startLocustCluster } from './locust-cluster';
import { REPO_ROOT } from './managed-process';
import { type Moto, motoEnv, startMoto } from './moto';
import { type SynthesizedPipeline, synthesizePipeline } from './synth';

export interface LocalEnvironmentOptions {
  /** Locust worker processes. Default: 2. */
  readonly workers?: number;
  /** Replicas of the "production" shop: what Scale brings the test shop to. Default: 3. */
  readonly productionReplicas?: number;
  /** Where processes keep their data and logs. Default: a new temporary folder. */
  readonly workDir?: string;
  /** Work per order of the test shop besides the payment call (ms): lower it to lower its capacity. Default 100. */
  readonly shopOrderWorkMs?: number;
}

/** Versions the demo pretends run in production and in the test environment before a run. */
export const DEMO_VERSIONS = { production: '2.4.0', test: '2.5.0-feature-x' } as const;
export const DEMO_TEST_REPLICAS = 1;
/** A build of the test shop whose "place order" is slower by a known amount (docs/verdict.md's A/B demonstration). */
export const DEMO_SLOW_CHECKOUT = { version: '2.5.1-slow-checkout', delayMs: 250 } as const;
/** Seconds per journey and user in local runs: about 12 orders per user and minute. */
export const LOCAL_PACING_SECONDS = 5;
/** Seconds without a heartbeat before the local Locust master counts a worker missing (Locust's own: 3). */
const LOCAL_HEARTBEAT_LIVENESS_SECONDS = 10;

/**
 * Everything a local run needs, started on 127.0.0.1: the AWS emulator with
 * the stack's table, bucket and topic; a "real" payment provider and its
 * Hoverfly simulation; a read-only "production" shop and the test shop;
 * a Locust master with workers aimed at the test shop. The step handlers'
 * environment variables point at all of it.
 */
export interface LocalEnvironment {
  readonly config: ConductorConfig;
  readonly pipeline: SynthesizedPipeline;
  readonly aws: LocalAwsResources & { readonly endpoint: string };
  readonly moto: Moto;
  readonly shop: DemoShop;
  readonly productionShop: DemoShop;
  readonly paymentProvider: RealPaymentProvider;
  readonly hoverfly: Hoverfly;
  readonly locust: LocustCluster;
  /** Scales `locust`'s worker processes for the ramp tick. */
  readonly fleet: FleetEndpoint;
  readonly workDir: string;
  stop(): Promise<void>;
}

export async function startLocalEnvironment(
  options: LocalEnvironmentOptions = {},
): Promise<LocalEnvironment> {
  const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), 'ltc-local-'));
  const started: { stop(): Promise<void> }[] = [];
  const track = <T extends { stop(): Promise<void> }>(p: T): T => {
    started.push(p);
    return p;
  };
  const stop = async () => {
    await Promise.allSettled(started.reverse().map((p) => p.stop()));
  };
  // Servers started side by side: when one fails, the others still come up; wait for them, so that the
  // clean-up stops them too instead of leaving them (and this process) running.
  const together = async <T extends readonly unknown[]>(
    starts: { [K in keyof T]: Promise<T[K]> },
  ): Promise<T> => {
    const settled = await Promise.allSettled(starts);
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
  };
  try {
    const [moto, paymentProvider, hoverfly] = await together([
      startMoto().then(track),
      startRealPaymentProvider().then(track),
      startHoverfly({
        simulation: PAYMENT_PROVIDER_SIMULATION,
        journalSize: 0,
      }).then(track),
    ]);
    const [productionShop, shop] = await together([
      startDemoShop({
        dataDir: join(workDir, 'production-shop'),
        realPaymentUrl: paymentProvider.url,
        version: DEMO_VERSIONS.production,
        replicas: options.productionReplicas ?? 3,
        readOnly: true,
      }).then(track),
      startDemoShop({
        dataDir: join(workDir, 'test-shop'),
        realPaymentUrl: paymentProvider.url,
        mockPaymentUrl: hoverfly.url,
        version: DEMO_VERSIONS.test,
        replicas: DEMO_TEST_REPLICAS,
        checkoutDelayMs: { [DEMO_SLOW_CHECKOUT.version]: DEMO_SLOW_CHECKOUT.delayMs },
        ...(options.shopOrderWorkMs !== undefined ? { orderWorkMs: options.shopOrderWorkMs } : {}),
      }).then(track),
    ]);
    const locust = track(
      await startLocustCluster({
        // As the image starts it (locust/Dockerfile): every scenario's classes, selected per run.
        scenario: join(REPO_ROOT, 'locust/scenarios'),
        classPicker: true,
        host: shop.url,
        workers: options.workers ?? 2,
        logDir: join(workDir, 'locust'),
        env: {
          // Short journeys, so that a 10 s tick sees many orders and not one burst (see config/local.json).
          LTC_PACING_SECONDS: String(LOCAL_PACING_SECONDS),
          // On a loaded 2-core machine a worker can miss Locust's 3 s of heartbeats; the master then takes
          // it out of the user dispatch (see locust/conductor_plugin.py). Local workers quit when stopped.
          LTC_HEARTBEAT_LIVENESS_SECONDS: String(LOCAL_HEARTBEAT_LIVENESS_SECONDS),
        },
      }),
    );
    // The worker processes, scaled by the ramp tick through this endpoint (locust.workers in config/local.json).
    const fleet = track(await startFleetEndpoint(locust));
    const config = loadConfigFile(join(REPO_ROOT, 'config/local.json'), {
      fleetPort: fleet.port,
      locustPort: new URL(locust.url).port,
      shopAdminPort: new URL(shop.adminUrl).port,
      productionShopAdminPort: new URL(productionShop.adminUrl).port,
    });
    const pipeline = synthesizePipeline(config);
    const resources = await createLocalAwsResources(moto.endpoint, pipeline.runsTable);
    Object.assign(process.env, motoEnv(moto.endpoint), resources, { LTC_CONFIG: JSON.stringify(config) });
    resetDeps();
    // The terminal shows each step's outcome; the handlers' JSON logs are for CloudWatch.
    logger.setLogLevel(
      (process.env.LTC_LOG_LEVEL as 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | undefined) ?? 'SILENT',
    );
    return {
      config,
      pipeline,
      aws: { ...resources, endpoint: moto.endpoint },
      moto,
      shop,
      productionShop,
      paymentProvider,
      hoverfly,
      locust,
      fleet,
      workDir,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
