/**
 * The simulated DynamoDB table's state, shared by every simulated invocation: the connection items,
 * the sparse due index (by the store adapter's own shard function), the operator partition, and
 * each item's size for the capacity units. The port facade (sim-store.ts) applies the conditional
 * writes on it; nothing here waits or counts calls.
 */
import { toConnectionItem } from '../../../functions/aws/connection-item';
import { dueShardOf } from '../../../functions/aws/table';
import { type Connection, needsOperator } from '../../../functions/core/connection';
import { DueIndex, type IndexCursor } from './due-index';
import { ConnectionSizeModel, itemBytes } from './item-size';

/** Connections whose size estimate is checked against the exact size at the start. */
const SIZE_CHECKS = 16;

export class ConnectionTable {
  readonly #items: Array<Connection | undefined> = [];
  readonly #indexOf = new Map<string, number>();
  readonly #needingOperator = new Set<number>();
  readonly #poisoned = new Set<string>();
  readonly #dueIndex: DueIndex;
  /** Due shard names (the adapter's `dueShardOf`) and their numbers in the simulated index. */
  readonly #shardNumbers = new Map<string, number>();
  #shardOf = new Int32Array(1024);
  #sizes = new Float64Array(1024);
  #sizeModel: ConnectionSizeModel | undefined;

  constructor(origin: number) {
    this.#dueIndex = new DueIndex(origin, (index) => this.#items[index]);
  }

  get size(): number {
    return this.#items.length;
  }

  /** The dense index of a connection (registers the id on first sight). */
  indexOf(connectionId: string): number {
    let index = this.#indexOf.get(connectionId);
    if (index === undefined) {
      index = this.#items.length;
      this.#indexOf.set(connectionId, index);
      this.#items.push(undefined);
      this.#ensure(index);
      this.#shardOf[index] = this.shardNumber(dueShardOf(connectionId));
    }
    return index;
  }

  get(connectionId: string): Connection | undefined {
    const index = this.#indexOf.get(connectionId);
    return index === undefined ? undefined : this.#items[index];
  }

  at(index: number): Connection | undefined {
    return this.#items[index];
  }

  /** Stores `connection` (its whole new state) and moves it in the due index and operator partition. */
  put(connection: Connection): void {
    this.putAt(this.indexOf(connection.connectionId), connection);
  }

  /** `put` for a connection whose dense index the caller has. */
  putAt(index: number, connection: Connection): void {
    this.#items[index] = connection;
    this.#dueIndex.place(
      index,
      connection.status === 'active' ? this.#shardOf[index] : undefined,
      connection.refreshDueAt,
    );
    if (needsOperator(connection.status)) this.#needingOperator.add(index);
    else this.#needingOperator.delete(index);
    this.#sizes[index] = this.#sizeOf(index, connection);
  }

  /** The item's size in bytes. */
  bytesOf(connectionId: string): number {
    const index = this.#indexOf.get(connectionId);
    return index === undefined ? 0 : (this.#sizes[index] ?? 0);
  }

  bytesAt(index: number): number {
    return this.#sizes[index] ?? 0;
  }

  #sizeOf(index: number, connection: Connection): number {
    if (this.#sizeModel === undefined) {
      this.#sizeModel = new ConnectionSizeModel((c) => itemBytes(toConnectionItem(c)), connection);
    }
    if (index < SIZE_CHECKS) this.#sizeModel.check(connection);
    return this.#sizeModel.bytes(connection);
  }

  /** Makes every conditional write of `connectionId` fail (a poison order for the queue). */
  poison(connectionId: string): void {
    this.#poisoned.add(connectionId);
  }

  isPoisoned(connectionId: string): boolean {
    return this.#poisoned.size > 0 && this.#poisoned.has(connectionId);
  }

  /** Every due shard name seen (each connection's `dueShardOf`). */
  get shardNames(): string[] {
    return [...this.#shardNumbers.keys()];
  }

  /** The simulated index's number of a due shard name (`due#N`). */
  shardNumber(shard: string): number {
    let number = this.#shardNumbers.get(shard);
    if (number === undefined) {
      number = this.#shardNumbers.size;
      this.#shardNumbers.set(shard, number);
    }
    return number;
  }

  /** One page of the due index of `shard` (see DueIndex.query). */
  queryDue(
    shard: number,
    dueBy: number,
    limit: number,
    notBefore?: number,
    cursor?: IndexCursor,
  ): Connection[] {
    return this.#dueIndex.query(shard, dueBy, limit, notBefore, cursor);
  }

  /** Connections waiting for an operator (the index's operator partition). */
  needingOperator(limit: number): Connection[] {
    const found: Connection[] = [];
    for (const index of this.#needingOperator) {
      const connection = this.#items[index];
      if (connection !== undefined) found.push(connection);
      if (found.length === limit) break;
    }
    return found;
  }

  #ensure(index: number): void {
    if (index < this.#sizes.length) return;
    const sizes = new Float64Array(this.#sizes.length * 2);
    sizes.set(this.#sizes);
    this.#sizes = sizes;
    const shards = new Int32Array(this.#shardOf.length * 2);
    shards.set(this.#shardOf);
    this.#shardOf = shards;
  }
}
