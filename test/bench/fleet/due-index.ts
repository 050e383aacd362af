/**
 * The due index of the simulated table (DynamoDB's sparse GSI, partition = due shard, sort key =
 * refreshDueAt): per shard, buckets of one minute holding the connections due in it, and the sorted
 * list of the buckets that hold any, so that a query for "due by T" touches only non-empty minutes
 * up to T however long ago the oldest stuck connection fell due, and a move costs two set operations.
 */
import type { Connection } from '../../../functions/core/connection';

const BUCKET_MS = 60_000;

/** Where one query stopped: the sort key and id of the last item returned (LastEvaluatedKey). */
export interface IndexCursor {
  readonly dueAt: number;
  readonly connectionId: string;
}

interface Shard {
  /** Per minute since the origin, the dense indexes of the connections due in it. */
  readonly buckets: Array<Set<number> | undefined>;
  /** The minutes whose bucket is not empty, ascending. */
  readonly nonEmpty: number[];
}

export class DueIndex {
  readonly #origin: number;
  readonly #shards: Shard[] = [];
  /** Per connection (dense index), its bucket, or -1 when it is not in the index. */
  #bucketOf = new Int32Array(0);
  #shardOf = new Int32Array(0);

  constructor(
    origin: number,
    private readonly items: (index: number) => Connection | undefined,
  ) {
    this.#origin = origin;
  }

  /** Puts connection `index` in `shard` at `dueAt`, or takes it out of the index (shard undefined). */
  place(index: number, shard: number | undefined, dueAt: number): void {
    this.#ensure(index);
    const oldBucket = this.#bucketOf[index] ?? -1;
    const oldShard = this.#shardOf[index] ?? 0;
    const bucket = shard === undefined ? -1 : Math.max(0, Math.floor((dueAt - this.#origin) / BUCKET_MS));
    if (oldBucket === bucket && (shard === undefined || oldShard === shard)) return;
    if (oldBucket >= 0) this.#remove(oldShard, oldBucket, index);
    this.#bucketOf[index] = bucket;
    if (shard === undefined) return;
    this.#shardOf[index] = shard;
    this.#add(shard, bucket, index);
  }

  /**
   * The connections of `shard` due at or before `dueBy` (and not before `notBefore`), earliest first
   * (ties by id), after `cursor`, at most `limit`: one page of a Query on the index.
   */
  query(
    shard: number,
    dueBy: number,
    limit: number,
    notBefore = Number.NEGATIVE_INFINITY,
    cursor?: IndexCursor,
  ): Connection[] {
    const { buckets, nonEmpty } = this.#shard(shard);
    const first = Math.floor((notBefore - this.#origin) / BUCKET_MS);
    const last = Math.floor((dueBy - this.#origin) / BUCKET_MS);
    const found: Connection[] = [];
    for (let i = lowerBound(nonEmpty, first); i < nonEmpty.length && found.length < limit; i++) {
      const bucket = nonEmpty[i] ?? 0;
      if (bucket > last) break;
      const inBucket: Connection[] = [];
      for (const index of buckets[bucket] ?? []) {
        const connection = this.items(index);
        if (
          connection !== undefined &&
          connection.refreshDueAt <= dueBy &&
          connection.refreshDueAt >= notBefore &&
          after(connection, cursor)
        ) {
          inBucket.push(connection);
        }
      }
      inBucket.sort(byDue);
      for (const connection of inBucket) {
        found.push(connection);
        if (found.length === limit) break;
      }
    }
    return found;
  }

  #add(shard: number, bucket: number, index: number): void {
    const { buckets, nonEmpty } = this.#shard(shard);
    let set = buckets[bucket];
    if (set === undefined) {
      set = new Set();
      buckets[bucket] = set;
    }
    if (set.size === 0) nonEmpty.splice(lowerBound(nonEmpty, bucket), 0, bucket);
    set.add(index);
  }

  #remove(shard: number, bucket: number, index: number): void {
    const { buckets, nonEmpty } = this.#shard(shard);
    const set = buckets[bucket];
    if (set === undefined || !set.delete(index) || set.size > 0) return;
    nonEmpty.splice(lowerBound(nonEmpty, bucket), 1);
  }

  #shard(shard: number): Shard {
    while (this.#shards.length <= shard) this.#shards.push({ buckets: [], nonEmpty: [] });
    return this.#shards[shard] as Shard;
  }

  #ensure(index: number): void {
    if (index < this.#bucketOf.length) return;
    const size = Math.max(1024, this.#bucketOf.length * 2, index + 1);
    const buckets = new Int32Array(size).fill(-1);
    buckets.set(this.#bucketOf);
    this.#bucketOf = buckets;
    const shards = new Int32Array(size);
    shards.set(this.#shardOf);
    this.#shardOf = shards;
  }
}

/** The first position in ascending `sorted` whose value is >= `value`. */
function lowerBound(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((sorted[mid] ?? 0) < value) low = mid + 1;
    else high = mid;
  }
  return low;
}

const byDue = (a: Connection, b: Connection): number =>
  a.refreshDueAt - b.refreshDueAt || (a.connectionId < b.connectionId ? -1 : 1);

const after = (connection: Connection, cursor: IndexCursor | undefined): boolean =>
  cursor === undefined ||
  connection.refreshDueAt > cursor.dueAt ||
  (connection.refreshDueAt === cursor.dueAt && connection.connectionId > cursor.connectionId);
