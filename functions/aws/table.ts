/**
 * The one DynamoDB table: connections and their history share a partition, so a connection's
 * history is one Query away. Shared by the store adapter, the CDK construct and `local init`, so the
 * stack, the emulator and the code can never disagree on a key name.
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
  /** Due-index partitions; spreads a large fleet over several partitions. */
  dueShards: 4,
  /**
   * The due-index partition of connections an operator must act on (NEEDS_OPERATOR_STATUSES): the
   * sweep counts them with one Query instead of a scan, and `listDue` never reads it.
   */
  operatorShard: 'operator',
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
