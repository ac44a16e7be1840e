import { createServer } from 'node:net';

/**
 * A TCP port on 127.0.0.1 that is free right now: the kernel picks one for a throw-away listener (port 0),
 * which is closed before the port is handed back. Another process could take it in between; callers that
 * start a server on it should treat "address in use" as a reason to ask again.
 */
export function freePort(): Promise<number> {
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
      server.close((err) => (err ? reject(err) : resolve(address.port)));
    });
  });
}
