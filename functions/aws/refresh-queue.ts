/**
 * RefreshQueue on SQS (a standard queue: at-least-once, per-message delays up to 15 minutes). Orders
 * go in batches of ten, several batches at once, each held back until its due time, so the planner
 * queues a minute of a 100,000-connection fleet (about 2,100 orders) in about 210 calls, 20 at a time.
 * Entries SQS refuses are sent once more; what is still refused is counted in OrdersNotQueuedError
 * (the orders stay due in the table and the planner's catch-up queues them again).
 */
import {
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { OrdersNotQueuedError } from '../core/errors';
import type { Clock, RefreshOrder, RefreshQueue } from '../core/ports';
import { encodeRefreshOrder } from './refresh-order-codec';

/** SQS's limits: ten entries per batch, a delay of at most 15 minutes. */
export const SQS_BATCH_SIZE = 10;
export const SQS_MAX_DELAY_SECONDS = 900;

/** Batches in flight at once: enough to queue a minute's orders in well under a second. */
const PARALLEL_BATCHES = 20;

export interface SqsRefreshQueueOptions {
  /** Created once at module scope by the caller. */
  readonly client: SQSClient;
  readonly queueUrl: string;
  /** @default the system clock */
  readonly clock?: Pick<Clock, 'now'>;
}

/**
 * The delay of an order: until its due time, rounded up (a message never arrives before it is due:
 * the worker would only put it back), and at most SQS's 15 minutes.
 */
export function delaySeconds(dueAt: number, now: number): number {
  return Math.min(SQS_MAX_DELAY_SECONDS, Math.max(0, Math.ceil((dueAt - now) / 1000)));
}

/** The SQS RefreshQueue. */
export class SqsRefreshQueue implements RefreshQueue {
  readonly #client: SQSClient;
  readonly #queueUrl: string;
  readonly #clock: Pick<Clock, 'now'>;

  constructor(options: SqsRefreshQueueOptions) {
    this.#client = options.client;
    this.#queueUrl = options.queueUrl;
    this.#clock = options.clock ?? { now: () => Date.now() };
  }

  async enqueue(orders: readonly RefreshOrder[]): Promise<void> {
    const batches: RefreshOrder[][] = [];
    for (let i = 0; i < orders.length; i += SQS_BATCH_SIZE) batches.push(orders.slice(i, i + SQS_BATCH_SIZE));
    let refused = 0;
    let lastError: unknown;
    let next = 0;
    const lane = async () => {
      for (let i = next++; i < batches.length; i = next++) {
        const result = await this.#send(batches[i] as RefreshOrder[], true);
        refused += result.refused;
        lastError = result.error ?? lastError;
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_BATCHES, batches.length) }, lane));
    if (refused > 0) throw new OrdersNotQueuedError(refused, { cause: lastError });
  }

  /** One batch; the entries SQS refuses (or all, if the call fails) are sent once more. */
  async #send(batch: RefreshOrder[], again: boolean): Promise<{ refused: number; error?: unknown }> {
    const now = this.#clock.now();
    const entries: SendMessageBatchRequestEntry[] = batch.map((order, i) => ({
      Id: String(i),
      MessageBody: encodeRefreshOrder(order),
      DelaySeconds: delaySeconds(order.dueAt, now),
    }));
    let refusedIds: Set<string>;
    let error: unknown;
    try {
      const output = await this.#client.send(
        new SendMessageBatchCommand({ QueueUrl: this.#queueUrl, Entries: entries }),
      );
      refusedIds = new Set((output.Failed ?? []).map((entry) => entry.Id ?? ''));
    } catch (caught) {
      refusedIds = new Set(entries.map((entry) => entry.Id ?? ''));
      error = caught;
    }
    const refused = batch.filter((_, i) => refusedIds.has(String(i)));
    if (refused.length === 0) return { refused: 0 };
    if (again) return this.#send(refused, false);
    return { refused: refused.length, ...(error === undefined ? {} : { error }) };
  }
}
