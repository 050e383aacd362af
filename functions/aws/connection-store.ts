/**
 * ConnectionStore on DynamoDB (low-level client). Every lease-guarded write is one conditional
 * UpdateItem (the commit: one transaction of that update and the history item); a failed condition
 * is the domain answer "someone else holds it", never an exception — the same move as powertools
 * idempotency's DynamoDBPersistenceLayer.
 */
import { randomBytes } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Connection, ConnectionStatus, EpochMillis, Lease } from '../core/connection';
import {
  ConnectionAlreadyExistsError,
  ConnectionChangedError,
  ConnectionNotFoundError,
} from '../core/errors';
import type {
  ConnectionStore,
  HistoryEntry,
  LeaseMarks,
  RefreshCommit,
  RefreshFailure,
  RetryingConnection,
  StatusChange,
} from '../core/ports';
import {
  connectionItemKey,
  fromConnectionItem,
  toConnectionItem,
  toHistoryItem,
  toItem,
} from './connection-items';
import { ConnectionQueries, type CorruptItemHandler } from './connection-queries';
import {
  acquireLeaseUpdate,
  commitExpression,
  failureExpression,
  type LeaseHeldExpression,
  leaseHeldUpdate,
  statusUpdate,
} from './connection-writes';

/** Tries of a commit that other writes to the item interrupted (a fresh report's counter, say). */
const COMMIT_ATTEMPTS = 3;

export interface DynamoDbConnectionStoreOptions {
  /** Created once at module scope by the caller. */
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Suffix of history sort keys. @default 8 random hex characters */
  readonly historySuffix?: () => string;
  /** See ConnectionQueries. @default undefined (an unreadable item fails the listing) */
  readonly onCorruptItem?: CorruptItemHandler;
}

/** The DynamoDB ConnectionStore. */
export class DynamoDbConnectionStore implements ConnectionStore {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  readonly #historySuffix: () => string;
  readonly #queries: ConnectionQueries;

  constructor(options: DynamoDbConnectionStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#historySuffix = options.historySuffix ?? (() => randomBytes(4).toString('hex'));
    this.#queries = new ConnectionQueries(options.client, options.tableName, options.onCorruptItem);
  }

  listDue(dueBy: EpochMillis, limit: number, notBefore?: EpochMillis): Promise<Connection[]> {
    return this.#queries.listDue(dueBy, limit, notBefore);
  }

  listRetrying(limit: number): Promise<RetryingConnection[]> {
    return this.#queries.listRetrying(limit);
  }

  listNeedingOperator(limit: number): Promise<Connection[]> {
    return this.#queries.listNeedingOperator(limit);
  }

  listAll(): Promise<Connection[]> {
    return this.#queries.listAll();
  }

  listHistory(connectionId: string, limit: number): Promise<HistoryEntry[]> {
    return this.#queries.listHistory(connectionId, limit);
  }

  async get(connectionId: string): Promise<Connection | undefined> {
    const output = await this.#client.send(
      new GetItemCommand({
        TableName: this.#tableName,
        Key: connectionItemKey(connectionId),
        ConsistentRead: true,
      }),
    );
    return output.Item === undefined ? undefined : fromConnectionItem(output.Item);
  }

  async create(connection: Connection): Promise<void> {
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: toConnectionItem(connection),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new ConnectionAlreadyExistsError(connection.connectionId);
      }
      throw error;
    }
  }

  async acquireLease(
    seen: Connection,
    lease: Lease,
    now: EpochMillis,
    marks: LeaseMarks = {},
  ): Promise<Connection | undefined> {
    try {
      const output = await this.#client.send(
        new UpdateItemCommand(acquireLeaseUpdate(this.#tableName, seen, lease, now, marks)),
      );
      return output.Attributes === undefined ? undefined : fromConnectionItem(output.Attributes);
    } catch (error) {
      // Another caller won the race, or the connection moved on: not an error for the caller.
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  recordZohoCall(
    connectionId: string,
    owner: string,
    recentZohoCalls: readonly EpochMillis[],
    leaseUntil: EpochMillis,
    now: EpochMillis,
  ): Promise<boolean> {
    return this.#updateUnderLease(connectionId, owner, now, {
      update: 'SET recentZohoCalls = :calls, leaseUntil = :leaseUntil',
      values: { ':calls': recentZohoCalls, ':leaseUntil': leaseUntil },
    });
  }

  extendLease(connectionId: string, owner: string, until: EpochMillis, now: EpochMillis): Promise<boolean> {
    return this.#updateUnderLease(connectionId, owner, now, {
      update: 'SET leaseUntil = :leaseUntil',
      values: { ':leaseUntil': until },
    });
  }

  async recordFreshRejection(connectionId: string, at: EpochMillis): Promise<void> {
    // A counter, not a lease-guarded write: it changes nothing a refresh relies on.
    await this.#client.send(
      new UpdateItemCommand({
        TableName: this.#tableName,
        Key: connectionItemKey(connectionId),
        UpdateExpression: 'SET lastFreshRejectionAt = :at ADD freshRejections :one',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: toItem({ ':at': at, ':one': 1 }),
      }),
    );
  }

  /**
   * One TransactWriteItems: the lease-guarded update and the history item, both or neither. A
   * transaction that another write to the item interrupted (TransactionConflict) is tried again.
   */
  async commitRefresh(
    connectionId: string,
    owner: string,
    commit: RefreshCommit,
    now: EpochMillis,
  ): Promise<boolean> {
    const update = leaseHeldUpdate(
      this.#tableName,
      connectionId,
      owner,
      now,
      commitExpression(connectionId, commit),
    );
    const history = {
      TableName: this.#tableName,
      Item: toHistoryItem(commit.history, this.#historySuffix()),
    };
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#client.send(
          new TransactWriteItemsCommand({ TransactItems: [{ Update: update }, { Put: history }] }),
        );
        return true;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const codes = (error.CancellationReasons ?? []).map((reason) => reason.Code);
        if (codes.includes('ConditionalCheckFailed')) return false;
        if (!codes.includes('TransactionConflict') || attempt >= COMMIT_ATTEMPTS) throw error;
      }
    }
  }

  recordFailure(
    connectionId: string,
    owner: string,
    failure: RefreshFailure,
    now: EpochMillis,
  ): Promise<boolean> {
    return this.#updateUnderLease(connectionId, owner, now, failureExpression(connectionId, failure));
  }

  releaseLease(connectionId: string, owner: string, now: EpochMillis): Promise<boolean> {
    return this.#updateUnderLease(connectionId, owner, now, {
      update: 'REMOVE leaseOwner, leaseUntil',
      values: {},
    });
  }

  /**
   * Operator actions. The status decides the due-index partition (`dueShardFor`): `active` puts the
   * connection back on the schedule. `lastError: null` clears the last error and the failure count
   * (a fresh start, e.g. after a new refresh token). Throws ConnectionNotFoundError for an unknown id
   * and ConnectionChangedError when the stored status is no longer `changes.expectedStatus`.
   */
  async setStatus(connectionId: string, status: ConnectionStatus, changes: StatusChange = {}): Promise<void> {
    try {
      await this.#client.send(
        new UpdateItemCommand(statusUpdate(this.#tableName, connectionId, status, changes)),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // The failed condition hands back the stored item (ALL_OLD): present means it changed meanwhile.
      if (error.Item !== undefined && changes.expectedStatus !== undefined) {
        throw new ConnectionChangedError(connectionId, changes.expectedStatus);
      }
      throw new ConnectionNotFoundError(connectionId);
    }
  }

  async appendHistory(entry: HistoryEntry): Promise<void> {
    await this.#client.send(
      new PutItemCommand({ TableName: this.#tableName, Item: toHistoryItem(entry, this.#historySuffix()) }),
    );
  }

  async #updateUnderLease(
    connectionId: string,
    owner: string,
    now: EpochMillis,
    expression: LeaseHeldExpression,
  ) {
    try {
      await this.#client.send(
        new UpdateItemCommand(leaseHeldUpdate(this.#tableName, connectionId, owner, now, expression)),
      );
      return true;
    } catch (error) {
      // The lease expired or was taken over (its holder owns the connection now), or an operator
      // took the connection out of `active`: either way this writer must stop.
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
