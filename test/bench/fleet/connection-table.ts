/**
 * The simulated DynamoDB table's state, shared by every simulated invocation: the connection items,
 * the sparse due index (by the store adapter's own shard function), the operator partition, and
 * each item's size for the capacity units. The port facade (sim-store.ts) applies the conditional
 * writes on it; nothing here waits or counts calls.
 */
import { toConnectionItem } from '../../../functions/aws/connection-items';
import { dueShardOf } from '../../../functions/aws/table';
import { type Connection, needsOperator } from '../../../functions/core/connection';
import { DueIndex, type IndexCursor } from './due-index';
import { ConnectionSizeModel, itemBytes } from './item-size';

/** Connections whose every write compares the size estimate with the exact size. */
const SIZE_CHECKS = 16;

export class ConnectionTable {
  readonly #items: Array<Connection | undefined> = [];
  readonly #indexOf = new Map<string, number>();
  readonly #needingOperator = new Set<number>();
  /** Active connections whose last attempt failed (the retry index). */
  readonly #retrying = new Set<number>();
  readonly #poisoned = new Set<string>();
  readonly #dueIndex: DueIndex;
  /** Due shard names (the adapter's `dueShardOf`) and their numbers in the simulated index. */
  readonly #shardNumbers = new Map<string, number>();
  #shardOf = new Int32Array(1024);
  #sizes = new Float64Array(1024);
  #sizeModel: ConnectionSizeModel | undefined;
  /** The largest error of the size estimate seen (bytes, either way). */
  sizeEstimateMaxError = 0;

  constructor(origin: number) {
    this.#dueIndex = new DueIndex(origin, (index) => this.#items[index]);
  }

  get size(): number {
    return this.#items.length;
  }

  /** The dense index of a connection (registers the id on first sight). */
  indexOf(connectionId: string): number {
    // The simulation's own ids (`c-` and six digits, see fleetConnectionId) carry their index: no
    // hash lookup on the hottest path of the simulation.
    const fast = seededIndex(connectionId);
    if (fast >= 0 && fast < this.#items.length) return fast;
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
    const index = this.indexOf(connectionId);
    return this.#items[index];
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
    if (connection.status === 'active' && connection.lastError !== undefined) this.#retrying.add(index);
    else this.#retrying.delete(index);
    this.#sizes[index] = this.#sizeOf(index, connection);
  }

  /** The item's size in bytes. */
  bytesOf(connectionId: string): number {
    return this.#sizes[this.indexOf(connectionId)] ?? 0;
  }

  bytesAt(index: number): number {
    return this.#sizes[index] ?? 0;
  }

  /** The mean size of the connection items now, in bytes. */
  meanItemBytes(): number {
    let sum = 0;
    for (let index = 0; index < this.#items.length; index++) sum += this.#sizes[index] ?? 0;
    return this.#items.length === 0 ? 0 : sum / this.#items.length;
  }

  #sizeOf(index: number, connection: Connection): number {
    if (this.#sizeModel === undefined) {
      this.#sizeModel = new ConnectionSizeModel((c) => itemBytes(toConnectionItem(c)), connection);
    }
    if (index < SIZE_CHECKS) {
      this.sizeEstimateMaxError = Math.max(
        this.sizeEstimateMaxError,
        Math.abs(this.#sizeModel.error(connection)),
      );
    }
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

  /** Active connections whose last attempt failed, soonest expiry first (the retry index). */
  retrying(limit: number): Connection[] {
    const found: Connection[] = [];
    for (const index of this.#retrying) {
      const connection = this.#items[index];
      if (connection !== undefined) found.push(connection);
    }
    return found.sort((a, b) => a.expiresAt - b.expiresAt).slice(0, limit);
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

/** The id of the `index`-th connection of a simulated fleet. */
export const fleetConnectionId = (index: number): string => `c-${String(index).padStart(6, '0')}`;

/** The index a fleet connection id names, or -1 for any other id. */
export function seededIndex(connectionId: string): number {
  if (connectionId.length !== 8 || connectionId.charCodeAt(0) !== 99 || connectionId.charCodeAt(1) !== 45) {
    return -1;
  }
  let index = 0;
  for (let i = 2; i < 8; i++) {
    const digit = connectionId.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    index = index * 10 + digit;
  }
  return index;
}
