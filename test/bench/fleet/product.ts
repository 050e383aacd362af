/**
 * The one file that binds the simulation to the product: its deployed settings and its two use
 * cases (the planner's run, the worker's batch), called exactly as the handlers call them. Every
 * other file of the simulation only models the outside world.
 *
 * STAND-IN until the engine's planner and worker land (issue 10): a planner that queues the next
 * minute's due connections, and a worker that refreshes its orders one after another without a
 * write limiter.
 */
import { readRefresherConfig } from '../../../functions/aws/config';
import { ENV } from '../../../functions/aws/names';
import { createRefresherDependencies } from '../../../functions/aws/refresher';
import type { Connection, EpochMillis } from '../../../functions/core/connection';
import type { ConnectionStore, Log, Metrics } from '../../../functions/core/ports';
import { refreshConnection } from '../../../functions/core/refresh-connection';
import type { RefreshDependencies } from '../../../functions/core/refresh-deps';
import type { RefreshPolicy } from '../../../functions/core/refresh-policy';
import type { Container } from './sim-lambda';
import type { SimRefreshOrder } from './sim-refresh-queue';

/** The deployed settings the simulation runs with. */
export interface ProductSettings {
  readonly policy: RefreshPolicy;
  readonly zohoTimeoutMs: number;
  /** The limit on secret writes per second the workers keep (the check's bound). */
  readonly secretWritesPerSecond: number;
  readonly worker: {
    readonly memoryMb: number;
    readonly timeoutMs: number;
    readonly batchSize: number;
    readonly maximumConcurrency: number;
  };
  readonly queue: { readonly visibilityTimeoutMs: number; readonly maxReceiveCount: number };
  readonly planner: { readonly memoryMb: number; readonly timeoutMs: number; readonly periodMs: number };
}

/** The settings a stack deploys with its defaults. */
export function productSettings(): ProductSettings {
  const config = readRefresherConfig({
    [ENV.tableName]: 'sim-table',
    [ENV.secretPrefix]: 'sim',
    [ENV.keyId]: 'sim-key',
    [ENV.eventBusName]: 'sim-bus',
  });
  const noPorts = undefined as never;
  const { policy } = createRefresherDependencies(config, {
    metrics: { add: () => {} },
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    ports: noPorts,
    zoho: noPorts,
  });
  return {
    policy,
    zohoTimeoutMs: config.zohoTimeoutMs,
    secretWritesPerSecond: 20,
    worker: { memoryMb: 256, timeoutMs: 60_000, batchSize: 10, maximumConcurrency: 10 },
    queue: { visibilityTimeoutMs: 360_000, maxReceiveCount: 5 },
    planner: { memoryMb: 256, timeoutMs: 60_000, periodMs: 60_000 },
  };
}

/** What a planner run needs: the store, the queue, the clock and the observability ports. */
export interface PlannerPorts {
  readonly store: ConnectionStore;
  readonly queue: { enqueue(orders: readonly SimRefreshOrder[]): Promise<void> };
  readonly metrics: Metrics;
  readonly log: Log;
  readonly clock: { now(): EpochMillis };
  readonly policy: RefreshPolicy;
}

/** One planner run, as the planner handler makes it. */
export async function runPlanner(ports: PlannerPorts): Promise<void> {
  const now = ports.clock.now();
  const horizon = (Math.floor(now / 60_000) + 2) * 60_000;
  const due = await ports.store.listDue(horizon - 1, 20_000);
  const overdueSlot = Math.floor(now / 60_000) % 5 === 0;
  const orders = due
    .filter(
      (c: Connection) =>
        c.refreshDueAt >= horizon - 60_000 || (overdueSlot && c.refreshDueAt < now - 120_000),
    )
    .map((c) => ({ connectionId: c.connectionId, dueAt: c.refreshDueAt, snapshot: c }));
  if (orders.length > 0) await ports.queue.enqueue(orders);
}

/**
 * One worker invocation, as the worker handler makes it: the orders of one SQS batch; returns the
 * indexes of the orders that threw (the handler's `batchItemFailures`).
 */
export async function runWorkerBatch(
  deps: RefreshDependencies,
  _container: Container,
  orders: readonly SimRefreshOrder[],
): Promise<ReadonlySet<number>> {
  const failed = new Set<number>();
  for (const [index, order] of orders.entries()) {
    try {
      await refreshConnection(deps, {
        connectionId: order.connectionId,
        trigger: 'scheduled',
        ...(order.snapshot && { snapshot: order.snapshot }),
      });
    } catch {
      failed.add(index);
    }
  }
  return failed;
}
