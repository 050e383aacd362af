/**
 * The read-many side of the DynamoDB ConnectionStore: the due-index sweep, the connections waiting
 * for an operator, the operator's full listing and a connection's history, each through the SDK's
 * paginators (a page is at most 1 MB).
 */
import {
  type DynamoDBClient,
  paginateQuery,
  paginateScan,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { Connection, EpochMillis } from '../core/connection';
import type { HistoryEntry, RetryingConnection } from '../core/ports';
import {
  CONNECTION_SORT_KEY,
  fromConnectionItem,
  fromHistoryItem,
  fromRetryItem,
  type Item,
  toItem,
} from './connection-items';
import { CorruptStoredItemError } from './errors';
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
    const query = {
      IndexName: name,
      KeyConditionExpression: `${partitionKey} = :partition`,
      ExpressionAttributeValues: toItem({ ':partition': partition }),
      ScanIndexForward: true,
    };
    return this.#query(query, limit, fromRetryItem);
  }

  async listAll(): Promise<Connection[]> {
    const connections: Connection[] = [];
    const scan = {
      TableName: this.#tableName,
      // History shares the table; only connection items are wanted.
      FilterExpression: 'sk = :connectionSortKey',
      ExpressionAttributeValues: toItem({ ':connectionSortKey': CONNECTION_SORT_KEY }),
    };
    for await (const page of paginateScan({ client: this.#client }, scan)) {
      connections.push(...this.#readAll(page.Items, fromConnectionItem));
    }
    return connections.sort((a, b) => a.connectionId.localeCompare(b.connectionId));
  }

  /** Newest first, at most `limit`. */
  async listHistory(connectionId: string, limit: number): Promise<HistoryEntry[]> {
    if (limit <= 0) return [];
    const query = {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :historyPrefix)',
      ExpressionAttributeValues: toItem({
        ':pk': connectionKey(connectionId).pk,
        ':historyPrefix': HISTORY_PREFIX,
      }),
      ScanIndexForward: false,
    };
    return this.#query(query, limit, fromHistoryItem);
  }

  /** One due-index partition in due order; only what is due in the range when given. */
  #queryShard(shard: string, limit: number, range?: DueRange): Promise<Connection[]> {
    const query = {
      IndexName: TABLE_SCHEMA.dueIndex.name,
      ...dueKeyCondition(shard, range),
      ScanIndexForward: true,
    };
    return this.#query(query, limit, fromConnectionItem);
  }

  /**
   * The first `limit` items a query finds, page after page (a page is at most 1 MB). Every page
   * asks for `limit` items: the last one may read up to a page more than is kept.
   */
  async #query<T>(
    query: Omit<QueryCommandInput, 'TableName' | 'Limit'>,
    limit: number,
    read: (item: Item) => T,
  ): Promise<T[]> {
    const found: T[] = [];
    const input = { TableName: this.#tableName, ...query, Limit: limit };
    for await (const page of paginateQuery({ client: this.#client }, input)) {
      found.push(...this.#readAll(page.Items, read));
      if (found.length >= limit) break;
    }
    return found.slice(0, limit);
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
  const dueTimes =
    range === undefined
      ? ''
      : range.notBefore === undefined
        ? ` AND ${sortKey} <= :dueBy`
        : ` AND ${sortKey} BETWEEN :notBefore AND :dueBy`;
  return {
    KeyConditionExpression: `${partitionKey} = :shard${dueTimes}`,
    ExpressionAttributeValues: toItem({
      ':shard': shard,
      ':dueBy': range?.dueBy,
      ':notBefore': range?.notBefore,
    }),
  };
}
