/**
 * Maps over `items` with at most `limit` calls in flight, keeping the order of the results. Every item runs
 * even when another failed (a half-prepared environment must still be fully known); the first failure, in
 * item order, is thrown after all settled — with every failure's message when several failed.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const settled = await settleLimit(items, limit, fn);
  const failures = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failures.length === 1) throw failures[0]?.reason;
  if (failures.length > 1) {
    const first = failures[0]?.reason as Error;
    const all = failures.map((f) => (f.reason as Error)?.message ?? String(f.reason)).join('; ');
    const error = new Error(`${failures.length} of ${items.length} failed: ${all}`);
    error.name = first?.name ?? 'Error';
    throw error;
  }
  return settled.map((s) => (s as PromiseFulfilledResult<R>).value);
}

/** Like `Promise.allSettled` over `items.map(fn)`, with at most `limit` calls in flight. */
export async function settleLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = { status: 'fulfilled', value: await fn(items[i] as T, i) };
      } catch (reason) {
        results[i] = { status: 'rejected', reason };
      }
    }
  };
  const workers = Math.max(1, Math.min(Math.floor(limit) || 1, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}
