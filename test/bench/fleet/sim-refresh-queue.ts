/**
 * The RefreshQueue (the planner's, and the worker's for a retry it queues itself), simulated as the
 * SQS adapter sends: SendMessageBatch of up to 10 orders, several batches in flight at once, each
 * order held back by DelaySeconds until it is due (at most 15 minutes). Each batch is billed per
 * started 64 KB of its payload; a batch the SDK gave up on is sent once more, as the adapter does,
 * and one refused twice is not queued (OrdersNotQueuedError).
 */
import type { EpochMillis } from '../../../functions/core/connection';
import { OrdersNotQueuedError } from '../../../functions/core/errors';
import type { RefreshOrder, RefreshQueue } from '../../../functions/core/ports';
import { type CallContext, SimAwsError } from './aws-calls';
import { type SimEnvironment, SimPort } from './sim-environment';
import type { SimQueue } from './sim-queue';

/** SQS's longest DelaySeconds. */
export const MAX_DELAY_SECONDS = 900;
const BATCH = 10;
/** SendMessageBatch calls the adapter keeps in flight at once. */
const PARALLEL_BATCHES = 8;
/** SQS bills one request per started 64 KB of payload. */
const BILLING_CHUNK_BYTES = 64 * 1024;

export class SimRefreshQueue extends SimPort implements RefreshQueue {
  constructor(
    env: SimEnvironment,
    context: CallContext,
    private readonly queue: SimQueue<RefreshOrder>,
    /** Bytes of one order's message body (measured once from a real snapshot). */
    private readonly orderBytes: number,
  ) {
    super(env, context);
  }

  /** Sends every batch; a batch the SDK gave up on is counted, and OrdersNotQueuedError names them all. */
  async enqueue(orders: readonly RefreshOrder[]): Promise<void> {
    const batches: RefreshOrder[][] = [];
    let notQueued = 0;
    for (let i = 0; i < orders.length; i += BATCH) batches.push(orders.slice(i, i + BATCH));
    let next = 0;
    const sender = async () => {
      while (next < batches.length) {
        const batch = batches[next++] ?? [];
        const delays = batch.map((order) => delaySeconds(order.dueAt, this.env.time.now()));
        // As the adapter does, a batch the SDK gave up on is sent once more.
        if (!(await this.#sent()) && !(await this.#sent())) {
          notQueued += batch.length;
          continue;
        }
        this.context.meter.requests['sqs.SendMessageBatch'] +=
          Math.ceil((batch.length * this.orderBytes) / BILLING_CHUNK_BYTES) - 1;
        for (const [index, order] of batch.entries()) this.queue.send(order, delays[index] ?? 0);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_BATCHES, batches.length) }, sender));
    if (notQueued > 0) throw new OrdersNotQueuedError(notQueued);
  }

  /** One SendMessageBatch: false when the SDK gave up on it. */
  async #sent(): Promise<boolean> {
    try {
      await this.call('sqs.SendMessageBatch');
      return true;
    } catch (error) {
      if (!(error instanceof SimAwsError)) throw error;
      return false;
    }
  }
}

/** DelaySeconds of an order due at `dueAt`, sent at `now`: until due, within SQS's 0..900. */
export function delaySeconds(dueAt: EpochMillis, now: EpochMillis): number {
  return Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil((dueAt - now) / 1000)));
}
