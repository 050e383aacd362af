/**
 * The one DynamoDB table: connections and their history share a partition, so a connection's
 * history is one Query away. Shared by the store adapter and the CDK construct (whose synthesized
 * template the emulator's table is made from), so the stack, the emulator and the code can never disagree on a key name.
 */
import { type ConnectionStatus, needsOperator } from '../core/connection';

export const TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** TTL attribute (epoch seconds) on history items. */
  ttlAttribute: 'ttl',
  dueIndex: {
    name: 'due-index',
    /**
     * `due#N` on `active` connections, `operator` on those waiting for an operator, absent otherwise:
     * the index is sparse, and a permanent error moves a connection off the schedule.
     */
    partitionKey: 'dueShard',
    /** Epoch milliseconds. */
    sortKey: 'refreshDueAt',
  },
  /**
   * Due-index partitions (`due#0` … `due#15`). Why 16, for 100,000 connections: a refresh rewrites
   * its connection's index item about three times (the lease write changes projected attributes:
   * one write of a ~2 KB item, 2 WCU; the commit moves the sort key: a delete and a put, 4 WCU), so
   * 6 WCU per refresh. The write limiter caps refreshes at 45 per second (the most
   * `secretWritesPerSecond` allows) plus the on-demand function's few: at most about 60 per second,
   * 360 WCU/s on the index, a third of what ONE partition of an index takes (1,000 WCU/s) before it
   * throttles — and an index that throttles throttles the table's writes. 16 shards put about
   * 23 WCU/s on each, 40× under its limit, so a shard stays cool even if a bulk import or a burst of
   * failures (4 WCU each) triples the load. Reads: the planner reads one minute of due connections
   * (at 100,000: about 2,100 items, 4 MB, 500 read units) and whatever is overdue; a backlog of the
   * whole fleet (200 MB) read over 16 shards in parallel is about 13 MB per shard, a second or two,
   * where one partition (3,000 RCU/s, one paged stream) would take ten. More shards only add Query
   * calls to every planner run (two per shard per minute, 0.5 read units each at least).
   *
   * Changing the count: only ever raise it. Items keep the `due#N` they were written with until
   * their next commit, failure or status change rewrites it (`dueShardOf` with the same hash, modulo
   * the new count), and the planner queries `due#0` … `due#<count-1>`, which includes every value
   * a smaller count could have written: nothing is stranded, and within one refresh cycle (about 50
   * minutes) every item sits on its new shard. Lowering it would strand the items of the dropped
   * shards (the planner would no longer read them): never lower it, and never change the hash.
   */
  dueShards: 16,
  /**
   * The due-index partition of connections an operator must act on (NEEDS_OPERATOR_STATUSES): the
   * sweep counts them with one Query instead of a scan, and `listDue` never reads it.
   */
  operatorShard: 'operator',
  /**
   * A second sparse index of the active connections whose last attempt failed (those with a
   * `lastError`), soonest expiry first: the fleet gauges (ConnectionsFailing, ExpiredTokens) read
   * only them. A commit removes the item from it. Keys and the failure count only, so a lease write
   * on a retrying connection does not rewrite it: one small index write per failure.
   */
  retryIndex: {
    name: 'retry-index',
    partitionKey: 'retryPartition',
    sortKey: 'expiresAt',
    /** The one partition value: failures arrive at the refresh rate at most, far under its limit. */
    partition: 'retry',
    /** Attributes projected besides the keys. */
    projected: ['connectionId', 'consecutiveFailures'],
  },
} as const;

export const connectionKey = (connectionId: string) => ({ pk: `CONN#${connectionId}`, sk: 'CONNECTION' });

/** History sort keys order by time; the suffix keeps two attempts of one millisecond apart. */
export const historySortKey = (at: number, suffix: string) =>
  `HIST#${String(at).padStart(15, '0')}#${suffix}`;

export const HISTORY_PREFIX = 'HIST#';

/** How long history is kept. */
export const HISTORY_TTL_DAYS = 30;

/** The due shard of a connection: stable, so a connection stays in one partition. */
export function dueShardOf(connectionId: string): string {
  let hash = 0;
  for (const char of connectionId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return `due#${hash % TABLE_SCHEMA.dueShards}`;
}

/**
 * The due-index partition a connection belongs in for `status` (the one place this invariant
 * lives): its `due#N` shard when active, the operator partition when it waits for an operator,
 * none (off the index) when revoked or disabled.
 */
export function dueShardFor(connectionId: string, status: ConnectionStatus): string | undefined {
  if (status === 'active') return dueShardOf(connectionId);
  return needsOperator(status) ? TABLE_SCHEMA.operatorShard : undefined;
}

/**
 * The retry-index partition of a connection: present while it is active with a `lastError` (the
 * last attempt failed), absent otherwise.
 */
export function retryPartitionFor(status: ConnectionStatus, failed: boolean): string | undefined {
  return status === 'active' && failed ? TABLE_SCHEMA.retryIndex.partition : undefined;
}
