import { createServer, type Server } from 'node:net';

/**
 * A TCP port on 127.0.0.1 that is free right now: the kernel picks one for a throw-away listener (port 0),
 * which is closed before the port is handed back. Another process could take it in between; callers that
 * start a server on it should treat "address in use" as a reason to ask again.
 */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port as number;
}

/**
 * `count` distinct free ports: every probe listener stays open until all have their port, so two calls in a row
 * cannot hand out the same one (etcd's client and peer ports once did, and etcd exited "address already in use").
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, probeListener));
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

function probeListener(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the port of a probe listener'));
        return;
      }
      resolve(server);
    });
  });
}
