import { describe, expect, it } from 'vitest';
import { ConcurrencyLimiter } from '../../../../demo-shop/src/limiter';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

describe('ConcurrencyLimiter', () => {
  it('runs at most `slots` at once, the rest in order', async () => {
    const limiter = new ConcurrencyLimiter(2, 10);
    const gates = [deferred(), deferred(), deferred()];
    const started: number[] = [];
    const runs = gates.map((g, i) =>
      limiter.run(async () => {
        started.push(i);
        await g.promise;
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(limiter.inUse).toBe(2);
    expect(limiter.queued).toBe(1);
    gates[1]?.resolve();
    await runs[1];
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    gates[0]?.resolve();
    gates[2]?.resolve();
    expect(await Promise.all(runs)).toEqual([{ value: 0 }, { value: 1 }, { value: 2 }]);
    expect(limiter.inUse).toBe(0);
  });

  it('refuses beyond the queue limit', async () => {
    const limiter = new ConcurrencyLimiter(1, 1);
    const gate = deferred();
    const first = limiter.run(() => gate.promise);
    const second = limiter.run(async () => 'queued');
    expect(await limiter.run(async () => 'refused')).toBeUndefined();
    gate.resolve();
    await first;
    expect(await second).toEqual({ value: 'queued' });
  });

  it('frees the slot when the work throws', async () => {
    const limiter = new ConcurrencyLimiter(1, 0);
    await expect(limiter.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limiter.run(async () => 'next')).toEqual({ value: 'next' });
  });
});
