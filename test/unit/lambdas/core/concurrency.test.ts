import { describe, expect, it } from 'vitest';
import { mapLimit, settleLimit } from '../../../../lambdas/core/concurrency';

describe('mapLimit', () => {
  it('keeps at most `limit` calls in flight and the results in order', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3, 0], 2, async (n) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, n * 3));
      inFlight--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 0]);
    expect(peak).toBe(2);
  });

  it('runs every item even when one fails, then throws it', async () => {
    const ran: number[] = [];
    await expect(
      mapLimit([1, 2, 3], 1, async (n) => {
        ran.push(n);
        if (n === 1) throw new TypeError('one failed');
        return n;
      }),
    ).rejects.toThrow('one failed');
    expect(ran).toEqual([1, 2, 3]);
  });

  it('names every failure when several fail, keeping the first error name', async () => {
    class Boom extends Error {
      override readonly name = 'Boom';
    }
    const err = await mapLimit([1, 2], 5, async (n): Promise<number> => {
      throw new Boom(`app${n}`);
    }).then(
      () => new Error('resolved'),
      (e: Error) => e,
    );
    expect(err.name).toBe('Boom');
    expect(err.message).toBe('2 of 2 failed: app1; app2');
  });

  it('settles an empty list', async () => {
    expect(await settleLimit([], 3, async () => 1)).toEqual([]);
  });
});
