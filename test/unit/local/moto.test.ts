import { afterEach, describe, expect, it } from 'vitest';
import { motoEnv, motoServerBinary, startMoto } from '../../../local/moto';

describe('startMoto (used by the CLI e2e test)', () => {
  const saved = process.env.LTC_MOTO_SERVER;
  afterEach(() => {
    if (saved === undefined) delete process.env.LTC_MOTO_SERVER;
    else process.env.LTC_MOTO_SERVER = saved;
  });

  it('defaults to .venv/bin/moto_server', () => {
    expect(motoServerBinary({})).toMatch(/\/\.venv\/bin\/moto_server$/);
  });

  it('fails with a clear "npm run setup" message when moto_server is missing', async () => {
    process.env.LTC_MOTO_SERVER = '/nonexistent/moto_server';
    await expect(startMoto()).rejects.toThrow(
      'moto_server is not installed: /nonexistent/moto_server is missing. Run `npm run setup` once to create .venv.',
    );
  });

  it('gives a child process the endpoint, a region and the fake credentials', () => {
    expect(motoEnv('http://127.0.0.1:5000', 'eu-west-1')).toEqual({
      AWS_ENDPOINT_URL: 'http://127.0.0.1:5000',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
    });
  });
});
