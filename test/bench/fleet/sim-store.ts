/**
 * ConnectionStore on the simulated table: the conditions of the DynamoDB adapter (the lease, the
 * expected version and lease sequence, status `active`), applied when the call's latency has passed,
 * with the capacity units each write and read costs (table and due index, projection ALL).
 */
import { toHistoryItem } from '../../../functions/aws/history-item';
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
  StatusChange,
} from '../../../functions/core/ports';
import type { ConnectionTable } from './connection-table';
import { itemBytes, readUnits, writeUnits } from './item-size';
import { SimPort } from './sim-environment';

/** A Query page is at most 1 MB. */
const PAGE_BYTES = 1024 * 1024;

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
    env: ConstructorParameters<typeof SimPort>[0],
    context: ConstructorParameters<typeof SimPort>[1],
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

  async commitRefresh(connectionId: string, owner: string, commit: RefreshCommit, now: EpochMillis) {
    const committed = await this.#underLease(connectionId, owner, now, (item) => {
      const { lease: _lease, lastError: _lastError, keptToken: _kept, ...rest } = item;
      return { ...rest, ...commit, consecutiveFailures: 0 };
    });
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

  async listDue(dueBy: EpochMillis, limit: number, notBefore?: EpochMillis): Promise<Connection[]> {
    const shards = this.table.shardNames;
    const pages = await Promise.all(shards.map((shard) => this.queryDue(shard, dueBy, limit, notBefore)));
    return pages
      .flat()
      .sort((a, b) => a.refreshDueAt - b.refreshDueAt)
      .slice(0, limit);
  }

  /** Every due connection of one shard up to `limit`, page by page (1 MB each), as the adapter pages. */
  async queryDue(
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
      const page = this.#page(
        this.table.queryDue(
          number,
          dueBy,
          limit - found.length,
          notBefore,
          last && { dueAt: last.refreshDueAt, connectionId: last.connectionId },
        ),
      );
      found.push(...page.items);
      if (!page.more || found.length >= limit) return found;
    }
  }

  async listNeedingOperator(limit: number): Promise<Connection[]> {
    await this.call('dynamodb.Query');
    const found = this.table.needingOperator(limit);
    this.#billQuery(found);
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

  /** A conditional write under the lease: `change` applies only if `owner` holds an unexpired lease. */
  async #underLease(
    connectionId: string,
    owner: string,
    now: EpochMillis,
    change: (item: Connection) => Connection,
  ): Promise<boolean> {
    await this.call('dynamodb.UpdateItem', connectionId);
    const index = this.table.indexOf(connectionId);
    const item = this.table.at(index);
    if (item?.lease?.owner !== owner || item.lease.until <= now || item.status !== 'active') {
      this.#failedWrite(index);
      return false;
    }
    this.#write(index, item, change(item));
    return true;
  }

  /** Stores the new state and bills it: the table's write, and the index's (projection ALL). */
  #write(index: number, before: Connection, after: Connection): Connection {
    const beforeBytes = this.table.bytesAt(index);
    this.table.putAt(index, after);
    const afterBytes = this.table.bytesAt(index);
    let units = writeUnits(Math.max(beforeBytes, afterBytes));
    const wasIndexed = before.status === 'active';
    const isIndexed = after.status === 'active';
    const keyMoved = wasIndexed !== isIndexed || before.refreshDueAt !== after.refreshDueAt;
    // A changed index key is a delete and a put on the index; any other change one update.
    if (keyMoved)
      units += (wasIndexed ? writeUnits(beforeBytes) : 0) + (isIndexed ? writeUnits(afterBytes) : 0);
    else if (isIndexed) units += writeUnits(afterBytes);
    this.context.meter.writeUnits += units;
    return after;
  }

  /** A write whose condition failed still costs the item's write units. */
  #failedWrite(index: number): void {
    this.context.meter.writeUnits += writeUnits(this.table.bytesAt(index));
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

  #billQuery(items: readonly Connection[]): void {
    const bytes = items.reduce((sum, item) => sum + this.table.bytesOf(item.connectionId), 0);
    this.context.meter.readUnits += readUnits(bytes) / 2;
  }
}
