/**
 * Locust's counters (orders, requests, response-time histograms) count from the start of a generation: a master
 * restart (new `bootId`) or a stats reset (new `generation`, locust/conductor_plugin.py) starts them again at
 * zero. Two readings can be subtracted only when they belong to the same generation; otherwise the newer one is
 * a new baseline.
 */
export interface CounterGeneration {
  /** Changes when the Locust master restarts. */
  readonly bootId: string;
  /** Changes when Locust's counters are reset. */
  readonly generation: number;
}

/** Whether two readings count from the same start: the same master process and no reset in between. */
export function sameCounterGeneration(a: CounterGeneration, b: CounterGeneration): boolean {
  return a.bootId === b.bootId && a.generation === b.generation;
}
