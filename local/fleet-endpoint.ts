/**
 * The local environment's worker fleet endpoint: lets the ramp tick scale the local Locust worker processes
 * as it scales a worker Deployment or ECS service elsewhere (lambdas/adapters/locust/fleet.ts, `type: local`).
 * Bound to 127.0.0.1 on a free port.
 *
 * - `GET /workers` → `{"desired": n, "running": n}`
 * - `PUT /workers` `{"workers": n}` → starts or stops processes and answers once the master counts `n`
 *   connected workers: `{"desired": n, "running": n}`; 400 for a bad count.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { LocustCluster } from './locust-cluster';

export interface FleetEndpoint {
  /** e.g. `http://127.0.0.1:41234` */
  readonly url: string;
  readonly port: number;
  /** Every count asked for, in order (tests check the controller's requests). */
  readonly requests: readonly number[];
  stop(): Promise<void>;
}

/** Upper bound: this machine has 2 cores; more processes than this only fight for them. */
export const LOCAL_MAX_WORKERS = 8;

export async function startFleetEndpoint(cluster: LocustCluster): Promise<FleetEndpoint> {
  let desired = cluster.workerProcesses;
  const requests: number[] = [];
  const server: Server = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url !== '/workers') return reply(404, { message: 'only /workers' });
    if (req.method === 'GET') return reply(200, { desired, running: cluster.workerProcesses });
    if (req.method !== 'PUT') return reply(405, { message: 'GET or PUT' });
    readBody(req)
      .then(async (text) => {
        const workers = (JSON.parse(text || '{}') as { workers?: unknown }).workers;
        if (
          typeof workers !== 'number' ||
          !Number.isInteger(workers) ||
          workers < 0 ||
          workers > LOCAL_MAX_WORKERS
        ) {
          return reply(400, { message: `workers must be an integer 0..${LOCAL_MAX_WORKERS}` });
        }
        requests.push(workers);
        desired = workers;
        await cluster.setWorkers(workers);
        reply(200, { desired, running: cluster.workerProcesses });
      })
      .catch((err: Error) => reply(500, { message: err.message }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
    });
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}
