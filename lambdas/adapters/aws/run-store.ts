import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { EnvironmentLockedError } from '../../core/errors';
import type { AppShape } from '../../core/state';
import { withTransientAws } from './transient';

/** One tick as kept for the report: what was measured and what was decided. */
export interface TickRecord {
  readonly tick: number;
  readonly at: string;
  readonly phase: string;
  readonly targetNow: number;
  readonly ordersPerMinute: number | null;
  readonly users: number;
  readonly workers: number;
  readonly failureRatio: number;
  readonly message: string;
}

/**
 * The runs table: the per-environment lock, each run's recorded shape (so a
 * restore works even after the Lambda that recorded it is gone) and its ticks.
 * Keys: `pk` = `LOCK#<env>` or `RUN#<execution>`, `sk` = `LOCK`, `META`, `SHAPE#<app>`, `TICK#<n>`.
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
    const { Item } = await withTransientAws('read lock', () =>
      this.db.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk: `LOCK#${environment}`, sk: 'LOCK' },
          ConsistentRead: true,
        }),
      ),
    );
    return (Item?.holder as string | undefined) ?? null;
  }

  /** Releases the lock if this holder has it; returns whether it did. Never frees another run's lock. */
  async releaseLock(environment: string, holder: string): Promise<boolean> {
    try {
      await withTransientAws('release lock', () =>
        this.db.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: { pk: `LOCK#${environment}`, sk: 'LOCK' },
            ConditionExpression: 'holder = :holder',
            ExpressionAttributeValues: { ':holder': holder },
          }),
        ),
      );
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

  async ticks(executionId: string): Promise<TickRecord[]> {
    const items = await this.query(executionId, 'TICK#');
    return items.map(({ pk: _pk, sk: _sk, expiresAt: _e, ...tick }) => tick as unknown as TickRecord);
  }

  private async query(executionId: string, prefix: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await withTransientAws('query run', () =>
        this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': `RUN#${executionId}`, ':prefix': prefix },
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

function epoch(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
