/**
 * The refresh worker: the orders of one queue delivery, each run through `refreshConnection` as a
 * scheduled refresh. Classified failures are done (the core recorded them and moved the due time);
 * an order that threw is tried once more a second later, and only one that threw twice is handed back
 * for the queue to deliver again, and after a few deliveries to dead-letter, so a poison connection
 * never holds up the others. A next due time the planner has
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

/**
 * An order that threw is tried once more after this pause, in the same invocation. What throws is
 * an AWS fault the SDK's own retries did not get past (a classified failure is recorded, not
 * thrown), most often gone a second later; handed back, the order would come back only after the
 * queue's visibility timeout, minutes later, which after an outage may be past its token's expiry.
 */
export const ORDER_RETRY_PAUSE_MS = 1_000;

async function runOrder(deps: WorkerDependencies, delivery: OrderDelivery): Promise<OrderOutcome> {
  const { deliveryId, order } = delivery;
  const { connectionId } = order;
  try {
    return await refreshOrder(deps, delivery);
  } catch (first) {
    if (first instanceof ConnectionNotFoundError) return gone(deps, delivery);
    deps.log.warn('A refresh order failed; trying it once more', { connectionId, errorName: nameOf(first) });
  }
  await deps.clock.sleep(ORDER_RETRY_PAUSE_MS);
  try {
    // The snapshot may be stale now (the first try may have taken the lease): read the connection.
    return await refreshOrder(deps, { deliveryId, order: { connectionId, dueAt: order.dueAt } });
  } catch (error) {
    if (error instanceof ConnectionNotFoundError) return gone(deps, delivery);
    const errorName = nameOf(error);
    deps.metrics.add('RefreshOrderFailed', 1, 'Count', errorName);
    deps.log.error('A refresh order failed twice; the queue delivers it again', { connectionId, errorName });
    return { kind: 'retry', deliveryId, connectionId, errorName };
  }
}

async function refreshOrder(
  deps: WorkerDependencies,
  { deliveryId, order }: OrderDelivery,
): Promise<OrderOutcome> {
  const { connectionId } = order;
  const result = await refreshConnection(deps, {
    connectionId,
    trigger: 'scheduled',
    ...(order.snapshot && { snapshot: order.snapshot }),
  });
  await queueIfPlannedPast(deps, order, result);
  return { kind: 'done', deliveryId, connectionId, result };
}

function gone(deps: WorkerDependencies, { deliveryId, order }: OrderDelivery): OrderOutcome {
  deps.log.warn('A refresh order names a connection that no longer exists', {
    connectionId: order.connectionId,
  });
  return { kind: 'done', deliveryId, connectionId: order.connectionId, result: { outcome: 'gone' } };
}

const nameOf = (error: unknown): string => (error instanceof Error ? error.name : typeof error);

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
