/**
 * The read-many side of the DynamoDB ConnectionStore: the due-index sweep, the connections waiting
 * for an operator, the operator's full listing and a connection's history. Every listing paginates: a page is at most 1 MB.
 */
import { type DynamoDBClient, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { Connection, EpochMillis } from '../core/connection';
import type { HistoryEntry, RetryingConnection } from '../core/ports';
import { CONNECTION_SORT_KEY, fromConnectionItem } from './connection-item';
import { CorruptStoredItemError } from './errors';
import { fromHistoryItem } from './history-item';
import { type Item, ItemReader, num, str } from './item-attributes';
import { connectionKey, HISTORY_PREFIX, TABLE_SCHEMA } from './table';

/**
 * Called with an item that cannot be read, which is then skipped: one hand-edited item must not
 * stop the sweep of every other connection. Without a handler the listing fails instead.
 */
export type CorruptItemHandler = (error: CorruptStoredItemError) => void;

/** Every `due#N` partition value of the due index (the operator partition is not one of them). */
export const DUE_SHARDS: readonly string[] = Array.from(
  { length: TABLE_SCHEMA.dueShards },
  (_, i) => `due#${i}`,
);

/** Listings over the table; the store delegates to it. */
export class ConnectionQueries {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  readonly #onCorruptItem: CorruptItemHandler | undefined;

  constructor(client: DynamoDBClient, tableName: string, onCorruptItem?: CorruptItemHandler) {
    this.#client = client;
    this.#tableName = tableName;
    this.#onCorruptItem = onCorruptItem;
  }

  /**
   * Queries every due shard in parallel (each already sorted), then merges: earliest due first, at
   * most `limit`; only what is due in [`notBefore`, `dueBy`] when `notBefore` is given.
   */
  async listDue(dueBy: EpochMillis, limit: number, notBefore?: EpochMillis): Promise<Connection[]> {
    if (limit <= 0) return [];
    const range = { dueBy, ...(notBefore === undefined ? {} : { notBefore }) };
    const shards = await Promise.all(DUE_SHARDS.map((shard) => this.#queryShard(shard, limit, range)));
    return shards
      .flat()
      .sort((a, b) => a.refreshDueAt - b.refreshDueAt || a.connectionId.localeCompare(b.connectionId))
      .slice(0, limit);
  }

  /** The operator partition of the due index (one Query, paged; no scan), at most `limit`. */
  async listNeedingOperator(limit: number): Promise<Connection[]> {
    if (limit <= 0) return [];
    return this.#queryShard(TABLE_SCHEMA.operatorShard, limit);
  }

  /** The retry index (one partition, soonest expiry first), at most `limit`. */
  async listRetrying(limit: number): Promise<RetryingConnection[]> {
    if (limit <= 0) return [];
    const { name, partitionKey, partition } = TABLE_SCHEMA.retryIndex;
    const found: RetryingConnection[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          IndexName: name,
          KeyConditionExpression: `${partitionKey} = :partition`,
          ExpressionAttributeValues: { ':partition': str(partition) },
          ScanIndexForward: true,
          Limit: limit - found.length,
          ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
        }),
      );
      found.push(...this.#readAll(page.Items, fromRetryItem));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined && found.length < limit);
    return found;
  }

  async listAll(): Promise<Connection[]> {
    const connections: Connection[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.#client.send(
        new ScanCommand({
          TableName: this.#tableName,
          // History shares the table; only connection items are wanted.
          FilterExpression: 'sk = :connectionSortKey',
          ExpressionAttributeValues: { ':connectionSortKey': str(CONNECTION_SORT_KEY) },
          ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
        }),
      );
      connections.push(...this.#readAll(page.Items, fromConnectionItem));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return connections.sort((a, b) => a.connectionId.localeCompare(b.connectionId));
  }

  /** Newest first, at most `limit`. */
  async listHistory(connectionId: string, limit: number): Promise<HistoryEntry[]> {
    if (limit <= 0) return [];
    const entries: HistoryEntry[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :historyPrefix)',
          ExpressionAttributeValues: {
            ':pk': str(connectionKey(connectionId).pk),
            ':historyPrefix': str(HISTORY_PREFIX),
          },
          ScanIndexForward: false,
          Limit: limit - entries.length,
          ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
        }),
      );
      entries.push(...this.#readAll(page.Items, fromHistoryItem));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined && entries.length < limit);
    return entries.slice(0, limit);
  }

  /** One due-index partition in due order; only what is due in the range when given. */
  async #queryShard(shard: string, limit: number, range?: DueRange): Promise<Connection[]> {
    const { name } = TABLE_SCHEMA.dueIndex;
    const found: Connection[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          IndexName: name,
          ...dueKeyCondition(shard, range),
          ScanIndexForward: true,
          Limit: limit - found.length,
          ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
        }),
      );
      found.push(...this.#readAll(page.Items, fromConnectionItem));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined && found.length < limit);
    return found;
  }

  #readAll<T>(items: Item[] | undefined, read: (item: Item) => T): T[] {
    const results: T[] = [];
    for (const item of items ?? []) {
      try {
        results.push(read(item));
      } catch (error) {
        if (!(error instanceof CorruptStoredItemError) || this.#onCorruptItem === undefined) throw error;
        this.#onCorruptItem(error);
      }
    }
    return results;
  }
}

/** Due times a due-shard query is limited to (both ends included). */
interface DueRange {
  readonly dueBy: EpochMillis;
  readonly notBefore?: EpochMillis;
}

/** The key condition of a due-shard query: the whole shard, or the due times of `range`. */
function dueKeyCondition(
  shard: string,
  range: DueRange | undefined,
): { KeyConditionExpression: string; ExpressionAttributeValues: Item } {
  const { partitionKey, sortKey } = TABLE_SCHEMA.dueIndex;
  if (range === undefined) {
    return {
      KeyConditionExpression: `${partitionKey} = :shard`,
      ExpressionAttributeValues: { ':shard': str(shard) },
    };
  }
  if (range.notBefore === undefined) {
    return {
      KeyConditionExpression: `${partitionKey} = :shard AND ${sortKey} <= :dueBy`,
      ExpressionAttributeValues: { ':shard': str(shard), ':dueBy': num(range.dueBy) },
    };
  }
  return {
    KeyConditionExpression: `${partitionKey} = :shard AND ${sortKey} BETWEEN :notBefore AND :dueBy`,
    ExpressionAttributeValues: {
      ':shard': str(shard),
      ':notBefore': num(range.notBefore),
      ':dueBy': num(range.dueBy),
    },
  };
}

/** A retry-index item (keys and the projected failure count). */
function fromRetryItem(item: Item): RetryingConnection {
  const read = new ItemReader(item, `retry-index item ${item.pk?.S ?? '(no key)'}`);
  return {
    connectionId: read.string('connectionId'),
    expiresAt: read.number('expiresAt'),
    consecutiveFailures: read.number('consecutiveFailures'),
  };
}
