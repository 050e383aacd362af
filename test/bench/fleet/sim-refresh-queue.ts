/**
 * The planner's RefreshQueue, simulated as the SQS adapter sends: SendMessageBatch of up to 10
 * orders, several batches in flight at once, each order held back by DelaySeconds until it is due
 * (at most 15 minutes). Each batch is billed per started 64 KB of its payload.
 */
import type { Connection, EpochMillis } from '../../../functions/core/connection';
import type { CallContext } from './aws-calls';
import { type SimEnvironment, SimPort } from './sim-environment';
import type { SimQueue } from './sim-queue';

/** One order as the planner hands it to the queue (the engine's RefreshOrder). */
export interface SimRefreshOrder {
  readonly connectionId: string;
  readonly dueAt: EpochMillis;
  readonly snapshot?: Connection;
}

/** SQS's longest DelaySeconds. */
export const MAX_DELAY_SECONDS = 900;
const BATCH = 10;
/** SendMessageBatch calls the adapter keeps in flight at once. */
const PARALLEL_BATCHES = 8;
/** SQS bills one request per started 64 KB of payload. */
const BILLING_CHUNK_BYTES = 64 * 1024;

export class SimRefreshQueue extends SimPort {
  constructor(
    env: SimEnvironment,
    context: CallContext,
    private readonly queue: SimQueue<SimRefreshOrder>,
    /** Bytes of one order's message body (measured once from a real snapshot). */
    private readonly orderBytes: number,
  ) {
    super(env, context);
  }

  async enqueue(orders: readonly SimRefreshOrder[]): Promise<void> {
    const batches: SimRefreshOrder[][] = [];
    for (let i = 0; i < orders.length; i += BATCH) batches.push(orders.slice(i, i + BATCH));
    let next = 0;
    const sender = async () => {
      while (next < batches.length) {
        const batch = batches[next++] ?? [];
        const delays = batch.map((order) => delaySeconds(order.dueAt, this.env.time.now()));
        await this.call('sqs.SendMessageBatch');
        this.context.meter.requests['sqs.SendMessageBatch'] +=
          Math.ceil((batch.length * this.orderBytes) / BILLING_CHUNK_BYTES) - 1;
        for (const [index, order] of batch.entries()) this.queue.send(order, delays[index] ?? 0);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_BATCHES, batches.length) }, sender));
  }
}

/** DelaySeconds of an order due at `dueAt`, sent at `now`: until due, within SQS's 0..900. */
export function delaySeconds(dueAt: EpochMillis, now: EpochMillis): number {
  return Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil((dueAt - now) / 1000)));
}
