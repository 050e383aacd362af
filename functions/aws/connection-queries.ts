/**
 * The read-many side of the DynamoDB ConnectionStore: the due-index sweep, the connections waiting
 * for an operator, the operator's full listing and a connection's history. Every listing paginates: a page is at most 1 MB.
 */
import { type DynamoDBClient, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { Connection, EpochMillis } from '../core/connection';
import type { HistoryEntry } from '../core/ports';
import { CONNECTION_SORT_KEY, fromConnectionItem } from './connection-item';
import { CorruptStoredItemError } from './errors';
import { fromHistoryItem } from './history-item';
import { type Item, num, str } from './item-attributes';
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

  /** Queries every due shard (each already sorted), then merges: earliest due first, at most `limit`. */
  async listDue(dueBy: EpochMillis, limit: number): Promise<Connection[]> {
    if (limit <= 0) return [];
    const shards = await Promise.all(DUE_SHARDS.map((shard) => this.#queryShard(shard, limit, dueBy)));
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

  /** One due-index partition in due order; only what is due by `dueBy` when given. */
  async #queryShard(shard: string, limit: number, dueBy?: EpochMillis): Promise<Connection[]> {
    const { name, partitionKey, sortKey } = TABLE_SCHEMA.dueIndex;
    const found: Connection[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          IndexName: name,
          KeyConditionExpression:
            dueBy === undefined
              ? `${partitionKey} = :shard`
              : `${partitionKey} = :shard AND ${sortKey} <= :dueBy`,
          ExpressionAttributeValues:
            dueBy === undefined ? { ':shard': str(shard) } : { ':shard': str(shard), ':dueBy': num(dueBy) },
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
