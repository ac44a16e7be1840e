import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { EnvironmentLockedError } from '../../core/errors';
import type {
  JanitorRecord,
  PhaseRecord,
  TickHistogramRecord,
  TickRecord,
  TickWatchRecord,
} from '../../core/records';
import type { RunContext } from '../../core/run-context';
import type { AppShape } from '../../core/shape';
import type { Baseline } from '../../core/verdict';
import { withTransientAws } from './transient';

/**
 * The runs table: the per-environment lock, each run's recorded shape (so a
 * restore works even after the Lambda that recorded it is gone) and its ticks.
 * Keys: `pk` = `LOCK#<env>` or `RUN#<execution>` (a run's first execution; a continuation has only
 * `CONTINUES`, naming its run), `sk` = `LOCK`, `META`, `CONTINUES`, `SHAPE#<app>`, `TICK#<n>`,
 * `WATCH#<n>` (the SLO watch's part of a tick), `HIST#<n>` (its response-time histograms), `PHASE#<startedAt>#<name>`, `JANITOR#<at>`, `FLEET` (the Locust
 * worker fleet's size before the run); the last passing run of an
 * environment and scenario is `pk` = `BASELINE#<env>`, `sk` = `SCENARIO#<scenario>`, and every passing run
 * `sk` = `PASS#<scenario>#<endedAt>` (the baseline history the relative criteria compare with; no expiry).
 * `expiresAt` (epoch seconds) is the table's TTL attribute.
 */
export class RunStore {
  private readonly db: DynamoDBDocumentClient;

  constructor(
    private readonly tableName: string,
    client: DynamoDBClient = new DynamoDBClient({}),
  ) {
    this.db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  /**
   * Takes the environment's lock. Idempotent for the same holder (a retried
   * step); an expired lock (a crashed run) can be taken over; a live one cannot.
   */
  async acquireLock(environment: string, holder: string, now: Date, expiresAt: Date): Promise<void> {
    try {
      await withTransientAws('acquire lock', () =>
        this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              pk: `LOCK#${environment}`,
              sk: 'LOCK',
              holder,
              acquiredAt: now.toISOString(),
              expiresAt: epoch(expiresAt),
            },
            ConditionExpression: 'attribute_not_exists(pk) OR holder = :holder OR expiresAt < :now',
            ExpressionAttributeValues: { ':holder': holder, ':now': epoch(now) },
          }),
        ),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      const current = await this.lockHolder(environment);
      throw new EnvironmentLockedError(environment, current ?? 'unknown (released meanwhile: try again)');
    }
  }

  async lockHolder(environment: string): Promise<string | null> {
    const item = await this.item('read lock', `LOCK#${environment}`, 'LOCK');
    return (item?.holder as string | undefined) ?? null;
  }

  /**
   * Moves the lock's expiry to `expiresAt` if `holder` still has it (a run continuing in a new execution);
   * returns whether it did. Never touches a lock another run holds or nobody holds.
   */
  async renewLock(environment: string, holder: string, expiresAt: Date): Promise<boolean> {
    return this.conditionally('renew lock', () =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `LOCK#${environment}`, sk: 'LOCK' },
          UpdateExpression: 'SET expiresAt = :expiresAt',
          ConditionExpression: 'holder = :holder',
          ExpressionAttributeValues: { ':holder': holder, ':expiresAt': epoch(expiresAt) },
        }),
      ),
    );
  }

  /** Releases the lock if this holder has it; returns whether it did. Never frees another run's lock. */
  async releaseLock(environment: string, holder: string): Promise<boolean> {
    return this.conditionally('release lock', () =>
      this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: `LOCK#${environment}`, sk: 'LOCK' },
          ConditionExpression: 'holder = :holder',
          ExpressionAttributeValues: { ':holder': holder },
        }),
      ),
    );
  }

  /** Runs a conditional write; false when its condition did not hold (transient errors are retried). */
  private async conditionally(what: string, write: () => Promise<unknown>): Promise<boolean> {
    try {
      await withTransientAws(what, write);
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  /**
   * Records an application's shape before the run changes it. Only the first
   * record counts: a retried step must not overwrite the original with a
   * shape the run itself already changed.
   */
  async recordShapeOnce(
    executionId: string,
    application: string,
    shape: AppShape,
    expiresAt: Date,
  ): Promise<void> {
    try {
      await withTransientAws('record shape', () =>
        this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              pk: `RUN#${executionId}`,
              sk: `SHAPE#${application}`,
              application,
              shape,
              expiresAt: epoch(expiresAt),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
  }

  /**
   * Records the Locust worker fleet's size before Start load scales it, so that Stop load — and the janitor
   * after an aborted execution — scale it back even when the execution's state is gone. Only the first record
   * counts: a retried Start load reads a fleet it already scaled. Returns the size recorded.
   */
  async recordFleetSizeOnce(executionId: string, workers: number, expiresAt: Date): Promise<number> {
    const recorded = await this.conditionally('record fleet size', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `RUN#${executionId}`, sk: 'FLEET', workers, expiresAt: epoch(expiresAt) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    if (recorded) return workers;
    const first = await this.recordedFleetSize(executionId);
    if (first == null) throw new Error(`run ${executionId}: the fleet size record vanished`);
    return first;
  }

  /** The worker fleet's size before the run, or null when the run never scaled it. */
  async recordedFleetSize(executionId: string): Promise<number | null> {
    const item = await this.item('read fleet size', `RUN#${executionId}`, 'FLEET');
    return (item?.workers as number | undefined) ?? null;
  }

  /**
   * Records the run's context (request and the environment's configuration as it started) at Acquire lock,
   * so the janitor can restore a run that was stopped from outside. Idempotent: a retry writes the same.
   */
  async putRunMeta(run: RunContext, expiresAt: Date): Promise<void> {
    await withTransientAws('record run', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `RUN#${run.executionId}`, sk: 'META', run, expiresAt: epoch(expiresAt) },
        }),
      ),
    );
  }

  /** The run's context as Acquire lock recorded it, or null when the run never got that far. */
  async runMeta(executionId: string): Promise<RunContext | null> {
    const item = await this.item('read run', `RUN#${executionId}`, 'META');
    return (item?.run as RunContext | undefined) ?? null;
  }

  /**
   * Records that `executionId` continues the run `runExecutionId` (written by its Validate), so the janitor
   * finds the run when a continuation ends aborted, timed out or failed.
   */
  async putContinuation(executionId: string, runExecutionId: string, expiresAt: Date): Promise<void> {
    await withTransientAws('record continuation', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: `RUN#${executionId}`,
            sk: 'CONTINUES',
            run: runExecutionId,
            expiresAt: epoch(expiresAt),
          },
        }),
      ),
    );
  }

  /** The run an execution continues, or null when it is no continuation (or never got past Validate). */
  async continuationOf(executionId: string): Promise<string | null> {
    const item = await this.item('read continuation', `RUN#${executionId}`, 'CONTINUES');
    return (item?.run as string | undefined) ?? null;
  }

  /** Keeps what the janitor did, one item per time it acted. */
  async putJanitorRecord(executionId: string, record: JanitorRecord, expiresAt: Date): Promise<void> {
    await withTransientAws('record janitor', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: `RUN#${executionId}`,
            sk: `JANITOR#${record.at}`,
            ...record,
            expiresAt: epoch(expiresAt),
          },
        }),
      ),
    );
  }

  async janitorRecords(executionId: string): Promise<JanitorRecord[]> {
    const items = await this.query(executionId, 'JANITOR#');
    return items.map((i) => strip(i) as unknown as JanitorRecord);
  }

  async recordedShapes(executionId: string): Promise<Map<string, AppShape>> {
    const items = await this.query(executionId, 'SHAPE#');
    return new Map(items.map((i) => [i.application as string, i.shape as AppShape]));
  }

  async putTick(executionId: string, tick: TickRecord, expiresAt: Date): Promise<void> {
    await withTransientAws('record tick', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: `RUN#${executionId}`,
            sk: `TICK#${String(tick.tick).padStart(6, '0')}`,
            ...tick,
            expiresAt: epoch(expiresAt),
          },
        }),
      ),
    );
  }

  /** The ticks in order, each with what the SLO watch added to it. */
  async ticks(executionId: string): Promise<TickRecord[]> {
    const [items, watched] = await Promise.all([
      this.query(executionId, 'TICK#'),
      this.query(executionId, 'WATCH#'),
    ]);
    const watches = new Map(watched.map((w) => [w.tick as number, strip(w)]));
    return items.map((item) => {
      const { tick: _t, at: _a, ...watch } = watches.get(item.tick as number) ?? {};
      return { ...strip(item), ...watch } as unknown as TickRecord;
    });
  }

  /** Records what the watch measured and decided at a tick (idempotent: a retried tick overwrites it). */
  async putTickWatch(executionId: string, record: TickWatchRecord, expiresAt: Date): Promise<void> {
    await withTransientAws('record tick watch', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: `RUN#${executionId}`,
            sk: `WATCH#${String(record.tick).padStart(6, '0')}`,
            ...record,
            expiresAt: epoch(expiresAt),
          },
        }),
      ),
    );
  }

  /** Records a tick's histograms (idempotent: a retried tick overwrites them). */
  async putTickHistograms(executionId: string, record: TickHistogramRecord, expiresAt: Date): Promise<void> {
    await withTransientAws('record tick histograms', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: `RUN#${executionId}`,
            sk: histogramKey(record.tick),
            ...record,
            expiresAt: epoch(expiresAt),
          },
        }),
      ),
    );
  }

  /** The ticks' histograms from tick `from` to tick `to` (inclusive), in order. */
  async tickHistograms(executionId: string, from = 0, to = 999_999): Promise<TickHistogramRecord[]> {
    const items = await this.query(executionId, 'HIST#', [histogramKey(from), histogramKey(to)]);
    return items.map((i) => strip(i) as unknown as TickHistogramRecord);
  }

  /** Records one phase of the run (a step, its start and end) for the report's timeline and cost. */
  async putPhase(executionId: string, phase: PhaseRecord, expiresAt: Date): Promise<void> {
    await withTransientAws('record phase', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: `RUN#${executionId}`,
            sk: `PHASE#${phase.startedAt}#${phase.name}`,
            ...phase,
            expiresAt: epoch(expiresAt),
          },
        }),
      ),
    );
  }

  /** The recorded phases, by start time. */
  async phases(executionId: string): Promise<PhaseRecord[]> {
    const items = await this.query(executionId, 'PHASE#');
    return items.map((i) => strip(i) as unknown as PhaseRecord);
  }

  /**
   * Stores a passing run as the baseline of its environment and scenario (the SLIs' observed values).
   * Kept without expiry: the next run compares with it however long ago it ran.
   */
  async putBaseline(environment: string, scenario: string, baseline: Baseline): Promise<void> {
    await withTransientAws('store baseline', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `BASELINE#${environment}`, sk: `SCENARIO#${scenario}`, ...baseline },
        }),
      ),
    );
    await withTransientAws('store baseline history', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `BASELINE#${environment}`, sk: passKey(scenario, baseline.ref.endedAt), ...baseline },
        }),
      ),
    );
  }

  /** The last `count` passing runs of an environment and scenario, newest first (none when none passed yet). */
  async lastPassingRuns(environment: string, scenario: string, count: number): Promise<Baseline[]> {
    const { Items } = await withTransientAws('read baselines', () =>
      this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': `BASELINE#${environment}`, ':prefix': passKey(scenario, '') },
          ScanIndexForward: false,
          Limit: count,
          ConsistentRead: true,
        }),
      ),
    );
    return (Items ?? []).map(
      (i) => ({ ref: i.ref, values: i.values ?? {}, samples: i.samples ?? {} }) as Baseline,
    );
  }

  /** The last passing run of an environment and scenario, or null when none passed yet. */
  async lastPassingRun(environment: string, scenario: string): Promise<Baseline | null> {
    const item = await this.item('read baseline', `BASELINE#${environment}`, `SCENARIO#${scenario}`);
    if (!item) return null;
    return { ref: item.ref, values: item.values ?? {} } as Baseline;
  }

  /** One item, read consistently; undefined when there is none. */
  private async item(what: string, pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await withTransientAws(what, () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk, sk }, ConsistentRead: true })),
    );
    return Item;
  }

  /** A run's items whose key starts with `prefix` (or, given `between`, lies between two keys). */
  private async query(
    executionId: string,
    prefix: string,
    between?: readonly [string, string],
  ): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await withTransientAws('query run', () =>
        this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: between
              ? 'pk = :pk AND sk BETWEEN :from AND :to'
              : 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: between
              ? { ':pk': `RUN#${executionId}`, ':from': between[0], ':to': between[1] }
              : { ':pk': `RUN#${executionId}`, ':prefix': prefix },
            ExclusiveStartKey: start,
            ConsistentRead: true,
          }),
        ),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }
}

function strip(item: Record<string, unknown>): Record<string, unknown> {
  const { pk: _pk, sk: _sk, expiresAt: _e, ...rest } = item;
  return rest;
}

function histogramKey(tick: number): string {
  return `HIST#${String(tick).padStart(6, '0')}`;
}

/** A passing run in the baseline history: newest last in key order. */
function passKey(scenario: string, endedAt: string): string {
  return `PASS#${scenario}#${endedAt}`;
}

function epoch(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
