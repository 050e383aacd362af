/**
 * The refresh worker: the orders of one queue delivery, each run through `refreshConnection` as a
 * scheduled refresh. Classified failures are done (the core recorded them and moved the due time);
 * only an order that threw is handed back for the queue to deliver again, and after a few deliveries
 * to dead-letter, so a poison connection never holds up the others. A next due time the planner has
 * already planned past (a quick retry, a token shorter than a period) is queued here, with its delay.
 */
import type { EpochMillis } from './connection';
import { ConnectionNotFoundError } from './errors';
import { plannedUntil } from './plan-refreshes';
import type { RefreshOrder, RefreshQueue } from './ports';
import { type RefreshResult, refreshConnection } from './refresh-connection';
import type { RefreshDependencies } from './refresh-deps';
import { createWritePacer } from './write-pacer';

/** The refresh use case's dependencies plus the queue, for the due times the planner has passed. */
export interface WorkerDependencies extends RefreshDependencies {
  readonly queue: RefreshQueue;
  /**
   * How far apart this worker spaces its secret writes (writeIntervalMs): each delivery batch gets
   * a write pacer of its own, its first slot one interval after the batch starts. Without it the
   * writes are not paced (or `writePacer` is used as given).
   */
  readonly writeIntervalMs?: number;
}

/** One order as the queue delivered it; `deliveryId` names it in the answer (SQS: the message id). */
export interface OrderDelivery {
  readonly deliveryId: string;
  readonly order: RefreshOrder;
}

export type OrderOutcome =
  /** Finished: refreshed, skipped, failed and recorded, or the connection no longer exists. */
  | {
      readonly kind: 'done';
      readonly deliveryId: string;
      readonly connectionId: string;
      readonly result: RefreshResult | { readonly outcome: 'gone' };
    }
  /** Threw: to be delivered again (a batch item failure). */
  | {
      readonly kind: 'retry';
      readonly deliveryId: string;
      readonly connectionId: string;
      readonly errorName: string;
    };

export interface RunOrdersOptions {
  /** Orders refreshed side by side; the write pacer still spaces their secret writes. */
  readonly concurrency: number;
}

/** Runs the deliveries; one outcome per delivery, in their order. Never throws for an order. */
export async function runRefreshOrders(
  deps: WorkerDependencies,
  deliveries: readonly OrderDelivery[],
  options: RunOrdersOptions,
): Promise<OrderOutcome[]> {
  const outcomes: OrderOutcome[] = new Array(deliveries.length);
  const batch: WorkerDependencies =
    deps.writeIntervalMs === undefined
      ? deps
      : { ...deps, writePacer: createWritePacer(deps.clock, deps.writeIntervalMs) };
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < deliveries.length; i = next++) {
      const delivery = deliveries[i] as OrderDelivery;
      outcomes[i] = await runOrder(batch, delivery);
    }
  };
  const lanes = Math.max(1, Math.min(options.concurrency, deliveries.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  return outcomes;
}

async function runOrder(
  deps: WorkerDependencies,
  { deliveryId, order }: OrderDelivery,
): Promise<OrderOutcome> {
  const { connectionId } = order;
  try {
    const result = await refreshConnection(deps, {
      connectionId,
      trigger: 'scheduled',
      ...(order.snapshot && { snapshot: order.snapshot }),
    });
    await queueIfPlannedPast(deps, order, result);
    return { kind: 'done', deliveryId, connectionId, result };
  } catch (error) {
    if (error instanceof ConnectionNotFoundError) {
      deps.log.warn('A refresh order names a connection that no longer exists', { connectionId });
      return { kind: 'done', deliveryId, connectionId, result: { outcome: 'gone' } };
    }
    const errorName = error instanceof Error ? error.name : typeof error;
    deps.metrics.add('RefreshOrderFailed', 1, 'Count', errorName);
    deps.log.error('A refresh order failed; the queue delivers it again', { connectionId, errorName });
    return { kind: 'retry', deliveryId, connectionId, errorName };
  }
}

/** The next due time of a result, when the worker knows it. */
function nextDueOf(order: RefreshOrder, result: RefreshResult): EpochMillis | undefined {
  switch (result.outcome) {
    case 'refreshed':
    case 'adopted':
      return result.refreshDueAt;
    case 'failed':
      return result.permanent ? undefined : result.retryAt;
    case 'skipped':
      // Delivered early (the queue's delay rounds to seconds; clocks differ): due later, as planned.
      return result.reason === 'not_due' ? order.snapshot?.refreshDueAt : undefined;
  }
}

/**
 * Queues the connection again when its next due time falls before what the planner has planned up
 * to: the planner would not see it until its catch-up. One SendMessage, only off the normal path.
 * A failure here is logged, not thrown: the catch-up still finds the connection.
 */
async function queueIfPlannedPast(deps: WorkerDependencies, order: RefreshOrder, result: RefreshResult) {
  const dueAt = nextDueOf(order, result);
  if (dueAt === undefined || dueAt >= plannedUntil(deps.clock.now())) return;
  try {
    await deps.queue.enqueue([{ connectionId: order.connectionId, dueAt }]);
  } catch (error) {
    deps.log.warn('Could not queue the next attempt; the planner catches it up', {
      connectionId: order.connectionId,
      errorName: error instanceof Error ? error.name : typeof error,
    });
  }
}
