import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePorts } from '../../../local/ports';

describe('freePorts', () => {
  it('hands out distinct ports that a server can then listen on', async () => {
    for (let round = 0; round < 20; round++) {
      const ports = await freePorts(4);
      expect(new Set(ports).size).toBe(4);
      for (const port of ports) {
        const server = createServer();
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen({ host: '127.0.0.1', port, exclusive: true }, () => resolve());
        });
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    }
  });
});
