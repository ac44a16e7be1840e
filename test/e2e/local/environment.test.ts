import { afterEach, expect, it } from 'vitest';
import { startLocalEnvironment } from '../../../local/environment';

/** Servers and child processes this process holds (what keeps it from exiting). */
const running = () =>
  process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap' || r === 'ProcessWrap').length;
const motoServer = process.env.LTC_MOTO_SERVER;

afterEach(() => {
  if (motoServer === undefined) delete process.env.LTC_MOTO_SERVER;
  else process.env.LTC_MOTO_SERVER = motoServer;
});

it('stops what did start when one server cannot, so a failed start leaves nothing running', async () => {
  const before = running();
  process.env.LTC_MOTO_SERVER = '/nonexistent/moto_server';
  await expect(startLocalEnvironment()).rejects.toThrow(/moto_server is not installed/);
  // The servers started beside moto come up after it failed; give them the time to, then none may be left.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  expect(running()).toBe(before);
});
