/**
 * ConnectionStore on the simulated table: the conditions of the DynamoDB adapter (the lease, the
 * expected version and lease sequence, status `active`), applied when the call's latency has passed,
 * and the capacity units each call costs: the table's item, the due index (projection ALL: every
 * change rewrites it, a moved sort key is a delete and a put), the retry index (keys and the failure
 * count), a transaction's double rate. The same operations as the adapter: a commit and its history
 * are one TransactWriteItems.
 */
import { toHistoryItem } from '../../../functions/aws/connection-items';
import {
  type Connection,
  type EpochMillis,
  isLeaseFree,
  type Lease,
} from '../../../functions/core/connection';
import { ConnectionNotFoundError } from '../../../functions/core/errors';
import type {
  ConnectionStore,
  HistoryEntry,
  LeaseMarks,
  RefreshCommit,
  RefreshFailure,
  RetryingConnection,
  StatusChange,
} from '../../../functions/core/ports';
import type { CallContext } from './aws-calls';
import type { ConnectionTable } from './connection-table';
import { itemBytes, readUnits, writeUnits } from './item-size';
import { type SimEnvironment, SimPort } from './sim-environment';

/** A Query page is at most 1 MB. */
const PAGE_BYTES = 1024 * 1024;
/** A retry-index item: keys, the connection id and the failure count. */
const RETRY_INDEX_BYTES = 100;

/** Bytes of a typical history item (measured once from the adapter's own mapping). */
const HISTORY_BYTES = itemBytes(
  toHistoryItem(
    {
      connectionId: 'c-000000',
      at: Date.UTC(2026, 0, 1),
      trigger: 'scheduled',
      outcome: 'refreshed',
      version: 1234,
      durationMs: 420,
      zohoCalls: 1,
    },
    'a1b2c3d4',
  ),
);

/** What DynamoDB answers every write of a poisoned item (one the simulation made unwritable). */
export class PoisonItemError extends Error {
  constructor() {
    super('Item size has exceeded the maximum allowed size (simulated poison item)');
    this.name = 'ValidationException';
  }
}

/** What the simulation learns from the store besides the port's answers. */
export interface StoreObserver {
  /** A commit of a new version went through. */
  onCommitted(connectionId: string): void;
}

export class SimConnectionStore extends SimPort implements ConnectionStore {
  constructor(
    env: SimEnvironment,
    context: CallContext,
    private readonly table: ConnectionTable,
    private readonly observer: StoreObserver,
  ) {
    super(env, context);
  }

  async get(connectionId: string): Promise<Connection | undefined> {
    await this.call('dynamodb.GetItem', connectionId);
    const index = this.table.indexOf(connectionId);
    this.context.meter.readUnits += readUnits(this.table.bytesAt(index));
    return this.table.at(index);
  }

  async create(connection: Connection): Promise<void> {
    await this.call('dynamodb.PutItem');
    this.table.put(connection);
    this.context.meter.writeUnits += 2 * writeUnits(this.table.bytesOf(connection.connectionId));
  }

  async acquireLease(
    seen: Connection,
    lease: Lease,
    now: EpochMillis,
    marks: LeaseMarks = {},
  ): Promise<Connection | undefined> {
    await this.call('dynamodb.UpdateItem', seen.connectionId);
    if (this.table.isPoisoned(seen.connectionId)) throw new PoisonItemError();
    const index = this.table.indexOf(seen.connectionId);
    const item = this.table.at(index);
    if (
      !item ||
      item.version !== seen.version ||
      item.leaseSeq !== seen.leaseSeq ||
      item.status !== 'active' ||
      !isLeaseFree(item, now)
    ) {
      this.#failedWrite(index);
      return undefined;
    }
    return this.#write(index, item, { ...item, ...marks, lease, leaseSeq: item.leaseSeq + 1 });
  }

  async extendLease(connectionId: string, owner: string, until: EpochMillis, now: EpochMillis) {
    return this.#underLease(connectionId, owner, now, (item) => ({ ...item, lease: { owner, until } }));
  }

  async recordFreshRejection(connectionId: string, at: EpochMillis): Promise<void> {
    await this.call('dynamodb.UpdateItem', connectionId);
    const index = this.table.indexOf(connectionId);
    const item = this.table.at(index);
    if (!item) throw new ConnectionNotFoundError(connectionId);
    this.#write(index, item, {
      ...item,
      freshRejections: item.freshRejections + 1,
      lastFreshRejectionAt: at,
    });
  }

  async recordZohoCall(
    connectionId: string,
    owner: string,
    recentZohoCalls: readonly EpochMillis[],
    leaseUntil: EpochMillis,
    now: EpochMillis,
  ): Promise<boolean> {
    return this.#underLease(connectionId, owner, now, (item) => ({
      ...item,
      recentZohoCalls,
      lease: { owner, until: leaseUntil },
    }));
  }

  /** One TransactWriteItems: the lease-guarded update and the history item, both or neither. */
  async commitRefresh(connectionId: string, owner: string, commit: RefreshCommit, now: EpochMillis) {
    const { history: _history, ...fields } = commit;
    const committed = await this.#underLease(
      connectionId,
      owner,
      now,
      (item) => {
        const { lease: _lease, lastError: _lastError, keptToken: _kept, ...rest } = item;
        return { ...rest, ...fields, consecutiveFailures: 0 };
      },
      'dynamodb.TransactWriteItems',
    );
    if (committed) this.observer.onCommitted(connectionId);
    return committed;
  }

  async recordFailure(connectionId: string, owner: string, failure: RefreshFailure, now: EpochMillis) {
    return this.#underLease(connectionId, owner, now, (item) => {
      const { lease: _lease, ...rest } = item;
      return { ...rest, ...failure };
    });
  }

  async releaseLease(connectionId: string, owner: string, now: EpochMillis) {
    return this.#underLease(connectionId, owner, now, (item) => {
      const { lease: _lease, ...rest } = item;
      return rest;
    });
  }

  /** One paged Query per due shard, in parallel, as the adapter reads them; merged earliest first. */
  async listDue(dueBy: EpochMillis, limit: number, notBefore?: EpochMillis): Promise<Connection[]> {
    const shards = this.table.shardNames;
    const pages = await Promise.all(shards.map((shard) => this.#queryDue(shard, dueBy, limit, notBefore)));
    return pages
      .flat()
      .sort((a, b) => a.refreshDueAt - b.refreshDueAt)
      .slice(0, limit);
  }

  async listRetrying(limit: number): Promise<RetryingConnection[]> {
    await this.call('dynamodb.Query');
    const found = this.table.retrying(limit);
    this.context.meter.readUnits += readUnits(found.length * RETRY_INDEX_BYTES) / 2;
    return found.map(({ connectionId, expiresAt, consecutiveFailures }) => ({
      connectionId,
      expiresAt,
      consecutiveFailures,
    }));
  }

  async listNeedingOperator(limit: number): Promise<Connection[]> {
    await this.call('dynamodb.Query');
    const found = this.table.needingOperator(limit);
    const bytes = found.reduce((sum, item) => sum + this.table.bytesOf(item.connectionId), 0);
    this.context.meter.readUnits += readUnits(bytes) / 2;
    return found;
  }

  async listAll(): Promise<Connection[]> {
    throw new Error('listAll: the fleet simulation never scans the table');
  }

  async setStatus(connectionId: string, status: Connection['status'], changes: StatusChange = {}) {
    await this.call('dynamodb.UpdateItem');
    const index = this.table.indexOf(connectionId);
    const item = this.table.at(index);
    if (!item) throw new ConnectionNotFoundError(connectionId);
    const { lease: _lease, ...rest } = item;
    const { expectedStatus: _expected, lastError, ...other } = changes;
    this.#write(index, item, {
      ...rest,
      // A status change invalidates every snapshot taken before it, as the adapter's does.
      leaseSeq: item.leaseSeq + 1,
      ...other,
      status,
      ...(lastError === null ? { consecutiveFailures: 0 } : lastError ? { lastError } : {}),
    });
  }

  async appendHistory(entry: HistoryEntry): Promise<void> {
    await this.call('dynamodb.PutItem', entry.connectionId);
    this.context.meter.writeUnits += writeUnits(HISTORY_BYTES);
  }

  async listHistory(): Promise<HistoryEntry[]> {
    return [];
  }

  /** Every due connection of one shard up to `limit`, page by page (1 MB each), as the adapter pages. */
  async #queryDue(
    shard: string,
    dueBy: EpochMillis,
    limit: number,
    notBefore?: EpochMillis,
  ): Promise<Connection[]> {
    const number = this.table.shardNumber(shard);
    const found: Connection[] = [];
    for (;;) {
      await this.call('dynamodb.Query');
      const last = found.at(-1);
      const cursor = last && { dueAt: last.refreshDueAt, connectionId: last.connectionId };
      const page = this.#page(this.table.queryDue(number, dueBy, limit - found.length, notBefore, cursor));
      found.push(...page.items);
      if (!page.more || found.length >= limit) return found;
    }
  }

  /** A conditional write under the lease: `change` applies only if `owner` holds an unexpired lease. */
  async #underLease(
    connectionId: string,
    owner: string,
    now: EpochMillis,
    change: (item: Connection) => Connection,
    api: 'dynamodb.UpdateItem' | 'dynamodb.TransactWriteItems' = 'dynamodb.UpdateItem',
  ): Promise<boolean> {
    await this.call(api, connectionId);
    const index = this.table.indexOf(connectionId);
    const item = this.table.at(index);
    const transaction = api === 'dynamodb.TransactWriteItems';
    if (item?.lease?.owner !== owner || item.lease.until <= now || item.status !== 'active') {
      this.#failedWrite(index, transaction);
      return false;
    }
    this.#write(index, item, change(item), transaction);
    return true;
  }

  /**
   * Stores the new state and bills it: the table's write (twice the units in a transaction, and the
   * history item with it), then each index the change touches.
   */
  #write(index: number, before: Connection, after: Connection, transaction = false): Connection {
    const beforeBytes = this.table.bytesAt(index);
    this.table.putAt(index, after);
    const afterBytes = this.table.bytesAt(index);
    const table = writeUnits(Math.max(beforeBytes, afterBytes));
    let units = transaction ? 2 * (table + writeUnits(HISTORY_BYTES)) : table;
    units += dueIndexUnits(before, after, beforeBytes, afterBytes);
    units += retryIndexUnits(before, after);
    this.context.meter.writeUnits += units;
    return after;
  }

  /** A write whose condition failed still costs the item's write units. */
  #failedWrite(index: number, transaction = false): void {
    this.context.meter.writeUnits += (transaction ? 2 : 1) * writeUnits(this.table.bytesAt(index));
  }

  /** Cuts a query's result at 1 MB, and bills what the page read (eventually consistent: half). */
  #page(items: Connection[]): { items: Connection[]; more: boolean } {
    let bytes = 0;
    let count = 0;
    for (const item of items) {
      const size = this.table.bytesOf(item.connectionId);
      if (bytes + size > PAGE_BYTES) break;
      bytes += size;
      count++;
    }
    this.context.meter.readUnits += readUnits(bytes) / 2;
    return count === items.length ? { items, more: false } : { items: items.slice(0, count), more: true };
  }
}

/** The due index (active connections, projection ALL): a moved key is a delete and a put. */
function dueIndexUnits(before: Connection, after: Connection, beforeBytes: number, afterBytes: number) {
  const was = before.status === 'active';
  const is = after.status === 'active';
  if (was && is && before.refreshDueAt === after.refreshDueAt) return writeUnits(afterBytes);
  return (was ? writeUnits(beforeBytes) : 0) + (is ? writeUnits(afterBytes) : 0);
}

/** The retry index (active connections with a last error; keys and the failure count). */
function retryIndexUnits(before: Connection, after: Connection) {
  const was = before.status === 'active' && before.lastError !== undefined;
  const is = after.status === 'active' && after.lastError !== undefined;
  if (!was && !is) return 0;
  if (was !== is) return 1;
  if (before.expiresAt !== after.expiresAt) return 2;
  return before.consecutiveFailures === after.consecutiveFailures ? 0 : 1;
}
