import { request } from 'undici';
import type { Platform } from '../../core/config';
import { TransientError } from '../../core/errors';
import type { AppShape } from '../../core/shape';
import type { PlatformAdapter } from '../platforms';

interface AgentShape extends AppShape {
  readonly ready: boolean;
}

const POLL_MS = 500;

/**
 * The `http` platform: the application exposes the conductor agent API,
 * `GET /_conductor/shape` → `{version, replicas, ready}` and `PUT` with the
 * fields to change.
 */
export class HttpPlatformAdapter implements PlatformAdapter {
  async readShape(application: string, platform: Platform): Promise<AppShape> {
    const { version, replicas } = await this.call(application, platform, 'GET');
    return { version, replicas };
  }

  async applyShape(
    application: string,
    platform: Platform,
    shape: Partial<AppShape>,
    timeoutSeconds: number,
  ): Promise<AppShape> {
    await this.call(application, platform, 'PUT', shape);
    const deadline = Date.now() + timeoutSeconds * 1000;
    for (;;) {
      const now = await this.call(application, platform, 'GET');
      const matches =
        (shape.version === undefined || now.version === shape.version) &&
        (shape.replicas === undefined || now.replicas === shape.replicas);
      if (now.ready && matches) return { version: now.version, replicas: now.replicas };
      if (Date.now() > deadline) {
        throw new Error(
          `${application}: not ready in ${JSON.stringify(shape)} within ${timeoutSeconds} s (now ${JSON.stringify(now)})`,
        );
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  private async call(
    application: string,
    platform: Platform,
    method: 'GET' | 'PUT',
    body?: object,
  ): Promise<AgentShape> {
    if (platform.type !== 'http') throw new Error(`${application}: not an http platform (${platform.type})`);
    const url = new URL('/_conductor/shape', platform.url);
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(url, {
        method,
        headers: { 'content-type': 'application/json' },
        body: body ? JSON.stringify(body) : undefined,
        headersTimeout: 30_000,
        bodyTimeout: 30_000,
      });
    } catch (err) {
      throw new TransientError(`${application}: ${method} ${url} failed: ${(err as Error).message}`);
    }
    const text = await response.body.text();
    if (response.statusCode >= 500)
      throw new TransientError(`${application}: ${method} ${url} answered ${response.statusCode}`);
    if (response.statusCode >= 400) {
      throw new Error(
        `${application}: ${method} ${url} refused with ${response.statusCode}: ${text.slice(0, 200)}`,
      );
    }
    return parseShape(application, text);
  }
}

function parseShape(application: string, text: string): AgentShape {
  let value: Partial<AgentShape>;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${application}: the agent did not answer JSON: ${text.slice(0, 120)}`);
  }
  if (
    typeof value.version !== 'string' ||
    !Number.isInteger(value.replicas) ||
    typeof value.ready !== 'boolean'
  ) {
    throw new Error(
      `${application}: the agent's shape lacks version, replicas or ready: ${text.slice(0, 200)}`,
    );
  }
  return value as AgentShape;
}
