/**
 * The one DynamoDB table: connections and their history share a partition, so a connection's
 * history is one Query away. Shared by the store adapter, the CDK construct and `local init`, so the
 * stack, the emulator and the code can never disagree on a key name.
 */
export const TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** TTL attribute (epoch seconds) on history items. */
  ttlAttribute: 'ttl',
  dueIndex: {
    name: 'due-index',
    /** Present only on `active` connections, so the index is sparse: a permanent error unschedules. */
    partitionKey: 'dueShard',
    /** Epoch milliseconds. */
    sortKey: 'refreshDueAt',
  },
  /** Due-index partitions; spreads a large fleet over several partitions. */
  dueShards: 4,
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
