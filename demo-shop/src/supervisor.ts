import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { ShopConfig } from './config';
import type { Shape, ShapeChange } from './shape';
import { WORKER_CONFIG_ENV } from './worker-env';

/**
 * Keeps N worker processes (node:cluster) running one version, like a Deployment's ReplicaSet:
 * scales up and down, rolls out a new version (start the new workers, then retire the old ones), and
 * replaces a worker that dies. Shape changes are applied one at a time.
 */

interface Replica {
  worker: Worker;
  version: string;
  listening: boolean;
  retiring: boolean;
}

export interface WorkerInfo {
  pid: number | undefined;
  version: string;
  listening: boolean;
}

const START_TIMEOUT_MS = 30_000;
const RETIRE_TIMEOUT_MS = 10_000;

export class Supervisor {
  private readonly replicas = new Map<number, Replica>();
  private desired: { version: string; replicas: number };
  private changing = false;
  private stopping = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly config: ShopConfig) {
    this.desired = { version: config.version, replicas: config.replicas };
    cluster.setupPrimary({ exec: fileURLToPath(new URL('./worker.ts', import.meta.url)), args: [] });
    cluster.on('exit', (worker, code, signal) => this.onExit(worker, code, signal));
  }

  /** Start the initial workers; resolves once they all listen. */
  start(): Promise<Shape> {
    return this.apply({});
  }

  shape(): Shape & { workers: WorkerInfo[] } {
    const live = this.live();
    const ready =
      !this.changing &&
      live.length === this.desired.replicas &&
      live.every((r) => r.listening && r.version === this.desired.version);
    return {
      version: this.desired.version,
      replicas: this.desired.replicas,
      ready,
      workers: live.map((r) => ({ pid: r.worker.process.pid, version: r.version, listening: r.listening })),
    };
  }

  /** Change version and/or replicas; resolves with the new shape once every worker listens. */
  apply(change: ShapeChange): Promise<Shape & { workers: WorkerInfo[] }> {
    const run = async () => {
      if (this.stopping) throw new Error('the shop is stopping');
      const target = {
        version: change.version ?? this.desired.version,
        replicas: change.replicas ?? this.desired.replicas,
      };
      this.desired = target;
      this.changing = true;
      try {
        const live = this.live();
        const outdated = live.filter((r) => r.version !== target.version);
        if (outdated.length > 0) {
          // Roll out: the new version takes traffic before the old one leaves, so no request is refused.
          const current = live.filter((r) => r.version === target.version);
          await this.spawn(target.version, target.replicas - Math.min(current.length, target.replicas));
          await Promise.all([...outdated, ...current.slice(target.replicas)].map((r) => this.retire(r)));
        } else if (live.length < target.replicas) {
          await this.spawn(target.version, target.replicas - live.length);
        } else if (live.length > target.replicas) {
          await Promise.all(live.slice(target.replicas).map((r) => this.retire(r)));
        }
      } finally {
        this.changing = false;
      }
      return this.shape();
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Retire every worker (they finish the requests in flight). */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.queue;
    await Promise.all([...this.replicas.values()].map((r) => this.retire(r)));
  }

  private live(): Replica[] {
    return [...this.replicas.values()].filter((r) => !r.retiring);
  }

  private async spawn(version: string, count: number): Promise<void> {
    await Promise.all(Array.from({ length: count }, () => this.fork(version)));
  }

  private fork(version: string): Promise<void> {
    const worker = cluster.fork({ [WORKER_CONFIG_ENV]: JSON.stringify({ ...this.config, version }) });
    const replica: Replica = { worker, version, listening: false, retiring: false };
    this.replicas.set(worker.id, replica);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        replica.retiring = true;
        worker.process.kill('SIGKILL');
        reject(new Error(`worker ${worker.process.pid} did not listen within ${START_TIMEOUT_MS} ms`));
      }, START_TIMEOUT_MS);
      const onListening = () => {
        cleanup();
        replica.listening = true;
        resolve();
      };
      const onExit = (code: number | null, signal: string | null) => {
        cleanup();
        reject(
          new Error(`worker ${worker.process.pid} exited before listening (code ${code}, signal ${signal})`),
        );
      };
      const cleanup = () => {
        clearTimeout(timer);
        worker.off('listening', onListening);
        worker.off('exit', onExit);
      };
      worker.once('listening', onListening);
      worker.once('exit', onExit);
    });
  }

  private async retire(replica: Replica): Promise<void> {
    replica.retiring = true;
    const { worker } = replica;
    if (worker.isDead()) return;
    const exited = once(worker, 'exit');
    const timer = setTimeout(() => worker.process.kill('SIGKILL'), RETIRE_TIMEOUT_MS);
    try {
      if (worker.isConnected()) worker.disconnect();
      else worker.process.kill('SIGTERM');
      await exited;
    } finally {
      clearTimeout(timer);
    }
  }

  private onExit(worker: Worker, code: number | null, signal: string | null): void {
    const replica = this.replicas.get(worker.id);
    this.replicas.delete(worker.id);
    if (!replica || replica.retiring || this.stopping) return;
    // A worker died on its own: replace it, as a ReplicaSet would (not while a change is being applied,
    // which replaces workers itself, and not before it ever listened, which fork() reports).
    console.error(`demo-shop: worker ${worker.process.pid} exited (code ${code}, signal ${signal})`);
    if (!replica.listening) return;
    setTimeout(() => {
      if (this.stopping) return;
      void this.apply({}).catch((err: Error) =>
        console.error(`demo-shop: replacing a worker failed: ${err.message}`),
      );
    }, 500);
  }
}
