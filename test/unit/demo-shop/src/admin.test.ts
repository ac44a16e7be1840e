import { describe, expect, it, vi } from 'vitest';
import { createAdminHandler } from '../../../../demo-shop/src/admin';
import type { JsonRequest } from '../../../../demo-shop/src/http';
import { parseShapeChange } from '../../../../demo-shop/src/shape';

describe('parseShapeChange (PUT /_conductor/shape)', () => {
  it.each([
    [{ replicas: 3 }, { replicas: 3 }],
    [{ version: '1.4.2' }, { version: '1.4.2' }],
    [
      { version: 'v2.0.0-rc.1+build.7', replicas: 16 },
      { version: 'v2.0.0-rc.1+build.7', replicas: 16 },
    ],
    [{ replicas: 1 }, { replicas: 1 }],
  ])('accepts %j', (body, value) => {
    expect(parseShapeChange(body)).toEqual({ ok: true, value });
  });

  it.each([
    [{ replicas: 0 }, /replicas/],
    [{ replicas: 17 }, /replicas must be an integer from 1 to 16/],
    [{ replicas: 2.5 }, /replicas/],
    [{ replicas: '3' }, /replicas/],
    [{ version: '' }, /version/],
    [{ version: 142 }, /version/],
    [{ version: '-rc' }, /version/],
    [{ version: 'a b' }, /version/],
    [{ version: 'x'.repeat(65) }, /version/],
    [{ replica: 3 }, /unknown field\(s\): replica /],
    [{ replicas: 3, cpu: '2' }, /cpu/],
    [{}, /version and\/or replicas/],
    [[], /JSON object/],
    [null, /JSON object/],
    [undefined, /JSON object/],
    ['replicas=3', /JSON object/],
  ])('rejects %j naming the problem', (body, message) => {
    const parsed = parseShapeChange(body);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(message);
  });
});

describe('admin API handler', () => {
  const shape = { version: '1.4.2', replicas: 2, ready: true };
  const deps = (readOnly: boolean) => ({
    readOnly,
    shape: vi.fn(() => shape),
    applyShape: vi.fn(async (c: { replicas?: number; version?: string }) => ({ ...shape, ...c })),
    ordersSummary: vi.fn(() => ({ total: 5, test: 3 })),
    deleteTestData: vi.fn(() => ({ orders: 3, checkouts: 3, carts: 4 })),
  });
  const req = (method: string, path: string, body?: unknown): JsonRequest => ({
    method,
    path,
    headers: {},
    body,
  });

  it('reads and changes the shape', async () => {
    const d = deps(false);
    const handler = createAdminHandler(d);
    expect(await handler(req('GET', '/_conductor/shape'))).toEqual({ status: 200, body: shape });
    expect(await handler(req('PUT', '/_conductor/shape', { replicas: 4 }))).toEqual({
      status: 200,
      body: { ...shape, replicas: 4 },
    });
    expect(d.applyShape).toHaveBeenCalledWith({ replicas: 4 });
  });

  it('answers 400 for bad input without touching the workers', async () => {
    const d = deps(false);
    const res = await createAdminHandler(d)(req('PUT', '/_conductor/shape', { replicas: 99 }));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: expect.stringMatching(/^replicas/) });
    expect(d.applyShape).not.toHaveBeenCalled();
  });

  it('answers 500 when applying fails', async () => {
    const d = deps(false);
    d.applyShape.mockRejectedValueOnce(new Error('worker 42 exited before listening'));
    const res = await createAdminHandler(d)(req('PUT', '/_conductor/shape', { replicas: 2 }));
    expect(res).toEqual({ status: 500, body: { error: expect.stringMatching(/worker 42/) } });
  });

  it('a read-only instance answers GETs and refuses every change with 403', async () => {
    const d = deps(true);
    const handler = createAdminHandler(d);
    expect((await handler(req('GET', '/_conductor/shape'))).status).toBe(200);
    expect((await handler(req('GET', '/_conductor/orders/summary'))).body).toEqual({ total: 5, test: 3 });
    expect((await handler(req('PUT', '/_conductor/shape', { replicas: 4 }))).status).toBe(403);
    expect((await handler(req('PUT', '/_conductor/shape', { nonsense: true }))).status).toBe(403);
    expect((await handler(req('DELETE', '/_conductor/test-data'))).status).toBe(403);
    expect(d.applyShape).not.toHaveBeenCalled();
    expect(d.deleteTestData).not.toHaveBeenCalled();
  });

  it('runs the cleanup action', async () => {
    const res = await createAdminHandler(deps(false))(req('DELETE', '/_conductor/test-data'));
    expect(res).toEqual({ status: 200, body: { deleted: { orders: 3, checkouts: 3, carts: 4 } } });
  });

  it('answers 405 and 404 for the rest', async () => {
    const handler = createAdminHandler(deps(false));
    expect((await handler(req('POST', '/_conductor/shape'))).status).toBe(405);
    expect((await handler(req('GET', '/_conductor/test-data'))).status).toBe(405);
    expect((await handler(req('DELETE', '/_conductor/orders/summary'))).status).toBe(405);
    expect((await handler(req('GET', '/_conductor/nope'))).status).toBe(404);
  });
});
