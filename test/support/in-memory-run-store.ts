import type { RunStore } from '../../lambdas/adapters/aws/run-store';
import { EnvironmentLockedError } from '../../lambdas/core/errors';
import type {
  JanitorRecord,
  PhaseRecord,
  TickHistogramRecord,
  TickRecord,
  TickWatchRecord,
} from '../../lambdas/core/records';
import type { RunContext } from '../../lambdas/core/run-context';
import type { AppShape } from '../../lambdas/core/shape';
import type { Baseline } from '../../lambdas/core/verdict';

type Item = Record<string, unknown>;

/**
 * A stand-in for the DynamoDB run store (a hand-written fake, named as such), for the simulated week and the
 * step handlers' unit tests (test/support/step-fakes.ts): in moto, the week's 2,016 ticks took 125–140 s, most
 * of it the end-of-run queries over ~8,000 items of one partition (moto pages them at 1 MB, re-reading the
 * partition per page). Same keys, order and conditions as lambdas/adapters/aws/run-store.ts, which the other
 * tests of the soak (and every other e2e test) run against moto.
 */
export class InMemoryRunStore implements Pick<RunStore, keyof RunStore> {
  private readonly items = new Map<string, Map<string, Item>>();

  private partition(pk: string): Map<string, Item> {
    const p = this.items.get(pk) ?? new Map<string, Item>();
    this.items.set(pk, p);
    return p;
  }

  private get(pk: string, sk: string): Item | undefined {
    return this.items.get(pk)?.get(sk);
  }

  private put(pk: string, sk: string, item: Item): void {
    this.partition(pk).set(sk, structuredClone(item));
  }

  /** Items of a run whose sort key starts with `prefix`, in sort-key order (as a DynamoDB query). */
  private query(executionId: string, prefix: string): Item[] {
    return [...(this.items.get(`RUN#${executionId}`) ?? new Map<string, Item>()).entries()]
      .filter(([sk]) => sk.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, item]) => structuredClone(item));
  }

  async acquireLock(environment: string, holder: string, now: Date, expiresAt: Date): Promise<void> {
    const lock = this.get(`LOCK#${environment}`, 'LOCK');
    if (lock && lock.holder !== holder && (lock.expiresAt as number) >= epoch(now))
      throw new EnvironmentLockedError(environment, String(lock.holder));
    this.put(`LOCK#${environment}`, 'LOCK', {
      holder,
      acquiredAt: now.toISOString(),
      expiresAt: epoch(expiresAt),
    });
  }

  async lockHolder(environment: string): Promise<string | null> {
    return (this.get(`LOCK#${environment}`, 'LOCK')?.holder as string | undefined) ?? null;
  }

  async renewLock(environment: string, holder: string, expiresAt: Date): Promise<boolean> {
    const lock = this.get(`LOCK#${environment}`, 'LOCK');
    if (lock?.holder !== holder) return false;
    lock.expiresAt = epoch(expiresAt);
    return true;
  }

  async releaseLock(environment: string, holder: string): Promise<boolean> {
    if (this.get(`LOCK#${environment}`, 'LOCK')?.holder !== holder) return false;
    this.items.get(`LOCK#${environment}`)?.delete('LOCK');
    return true;
  }

  async recordShapeOnce(executionId: string, application: string, shape: AppShape): Promise<void> {
    if (!this.get(`RUN#${executionId}`, `SHAPE#${application}`))
      this.put(`RUN#${executionId}`, `SHAPE#${application}`, { application, shape });
  }

  async recordFleetSizeOnce(executionId: string, workers: number): Promise<number> {
    if (!this.get(`RUN#${executionId}`, 'FLEET')) this.put(`RUN#${executionId}`, 'FLEET', { workers });
    return this.get(`RUN#${executionId}`, 'FLEET')?.workers as number;
  }

  async recordedFleetSize(executionId: string): Promise<number | null> {
    return (this.get(`RUN#${executionId}`, 'FLEET')?.workers as number | undefined) ?? null;
  }

  async putRunMeta(run: RunContext): Promise<void> {
    this.put(`RUN#${run.executionId}`, 'META', { run });
  }

  async runMeta(executionId: string): Promise<RunContext | null> {
    return (structuredClone(this.get(`RUN#${executionId}`, 'META')?.run) as RunContext | undefined) ?? null;
  }

  async putContinuation(executionId: string, runExecutionId: string): Promise<void> {
    this.put(`RUN#${executionId}`, 'CONTINUES', { run: runExecutionId });
  }

  async continuationOf(executionId: string): Promise<string | null> {
    return (this.get(`RUN#${executionId}`, 'CONTINUES')?.run as string | undefined) ?? null;
  }

  async putJanitorRecord(executionId: string, record: JanitorRecord): Promise<void> {
    this.put(`RUN#${executionId}`, `JANITOR#${record.at}`, { ...record });
  }

  async janitorRecords(executionId: string): Promise<JanitorRecord[]> {
    return this.query(executionId, 'JANITOR#') as unknown as JanitorRecord[];
  }

  async recordedShapes(executionId: string): Promise<Map<string, AppShape>> {
    return new Map(
      this.query(executionId, 'SHAPE#').map((i) => [i.application as string, i.shape as AppShape]),
    );
  }

  async putTick(executionId: string, tick: TickRecord): Promise<void> {
    this.put(`RUN#${executionId}`, `TICK#${String(tick.tick).padStart(6, '0')}`, { ...tick });
  }

  async ticks(executionId: string): Promise<TickRecord[]> {
    const watches = new Map(this.query(executionId, 'WATCH#').map((w) => [w.tick as number, w]));
    return this.query(executionId, 'TICK#').map((item) => {
      const { tick: _t, at: _a, ...watch } = watches.get(item.tick as number) ?? {};
      return { ...item, ...watch } as unknown as TickRecord;
    });
  }

  async putTickWatch(executionId: string, record: TickWatchRecord): Promise<void> {
    this.put(`RUN#${executionId}`, `WATCH#${String(record.tick).padStart(6, '0')}`, { ...record });
  }

  async putTickHistograms(executionId: string, record: TickHistogramRecord): Promise<void> {
    this.put(`RUN#${executionId}`, `HIST#${String(record.tick).padStart(6, '0')}`, { ...record });
  }

  async tickHistograms(executionId: string, from = 0, to = 999_999): Promise<TickHistogramRecord[]> {
    const key = (tick: number) => `HIST#${String(tick).padStart(6, '0')}`;
    // A key range, as DynamoDB's BETWEEN: a week's soak has thousands of ticks and reads a few per tick.
    return [...(this.items.get(`RUN#${executionId}`) ?? new Map<string, Item>()).entries()]
      .filter(([sk]) => sk >= key(from) && sk <= key(to))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, item]) => structuredClone(item) as unknown as TickHistogramRecord);
  }

  async putPhase(executionId: string, phase: PhaseRecord): Promise<void> {
    this.put(`RUN#${executionId}`, `PHASE#${phase.startedAt}#${phase.name}`, { ...phase });
  }

  async phases(executionId: string): Promise<PhaseRecord[]> {
    return this.query(executionId, 'PHASE#') as unknown as PhaseRecord[];
  }

  async putBaseline(environment: string, scenario: string, baseline: Baseline): Promise<void> {
    this.put(`BASELINE#${environment}`, `SCENARIO#${scenario}`, { ...baseline });
    this.put(`BASELINE#${environment}`, `PASS#${scenario}#${baseline.ref.endedAt}`, { ...baseline });
  }

  async lastPassingRuns(environment: string, scenario: string, count: number): Promise<Baseline[]> {
    return [...(this.items.get(`BASELINE#${environment}`) ?? new Map<string, Item>()).entries()]
      .filter(([sk]) => sk.startsWith(`PASS#${scenario}#`))
      .sort(([a], [b]) => (a < b ? 1 : a > b ? -1 : 0))
      .slice(0, count)
      .map(([, item]) => structuredClone(item) as unknown as Baseline);
  }

  async lastPassingRun(environment: string, scenario: string): Promise<Baseline | null> {
    const item = this.get(`BASELINE#${environment}`, `SCENARIO#${scenario}`);
    return item ? ({ ref: item.ref, values: item.values ?? {} } as Baseline) : null;
  }
}

function epoch(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
