/**
 * The one file that binds the simulation to the product: its deployed settings and its two use
 * cases (the planner's run, the worker's batch), called as the handlers call them. Every other file
 * of the simulation only models the outside world.
 */
import { readRefresherConfig } from '../../../functions/aws/config';
import { ENV } from '../../../functions/aws/names';
import { createRefresherDependencies } from '../../../functions/aws/refresher';
import { type PlannerDependencies, planRefreshes } from '../../../functions/core/plan-refreshes';
import type { Clock, RefreshOrder } from '../../../functions/core/ports';
import type { RefreshPolicy } from '../../../functions/core/refresh-policy';
import {
  type OrderDelivery,
  runRefreshOrders,
  type WorkerDependencies,
} from '../../../functions/core/run-refresh-orders';
import {
  createWritePacer,
  type WritePacer,
  workerConcurrencyFor,
  writeIntervalMs,
} from '../../../functions/core/write-pacer';

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
    /** The event source mapping's maximumConcurrency. */
    readonly maximumConcurrency: number;
    /** Orders of one batch refreshed side by side. */
    readonly ordersConcurrency: number;
    /** How far apart one worker container spaces its secret writes. */
    readonly writeIntervalMs: number;
  };
  readonly queue: { readonly visibilityTimeoutMs: number; readonly maxReceiveCount: number };
  readonly planner: { readonly memoryMb: number; readonly timeoutMs: number; readonly periodMs: number };
}

/** STAND-IN until the engine's settings land: the documented default of `secretWritesPerSecond`. */
const SECRET_WRITES_PER_SECOND = 20;

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
  const concurrency = workerConcurrencyFor(SECRET_WRITES_PER_SECOND);
  return {
    policy,
    zohoTimeoutMs: config.zohoTimeoutMs,
    secretWritesPerSecond: SECRET_WRITES_PER_SECOND,
    worker: {
      memoryMb: 256,
      timeoutMs: 60_000,
      batchSize: 10,
      maximumConcurrency: concurrency,
      ordersConcurrency: 10,
      writeIntervalMs: writeIntervalMs(SECRET_WRITES_PER_SECOND, concurrency),
    },
    queue: { visibilityTimeoutMs: 360_000, maxReceiveCount: 5 },
    planner: { memoryMb: 256, timeoutMs: 60_000, periodMs: 60_000 },
  };
}

/** One planner run, as the planner handler makes it. */
export async function runPlanner(deps: PlannerDependencies): Promise<void> {
  await planRefreshes(deps, { mode: 'scheduled' });
}

/** The write pacer of one worker container, as the worker handler makes it at module scope. */
export function workerWritePacer(clock: Pick<Clock, 'now' | 'sleep'>, settings: ProductSettings): WritePacer {
  return createWritePacer(clock, settings.worker.writeIntervalMs);
}

/**
 * One worker invocation, as the worker handler makes it: the orders of one SQS batch; returns the
 * indexes of the orders to deliver again (the handler's `batchItemFailures`).
 */
export async function runWorkerBatch(
  deps: WorkerDependencies,
  settings: ProductSettings,
  orders: readonly RefreshOrder[],
): Promise<ReadonlySet<number>> {
  const deliveries: OrderDelivery[] = orders.map((order, index) => ({ deliveryId: String(index), order }));
  const outcomes = await runRefreshOrders(deps, deliveries, {
    concurrency: settings.worker.ordersConcurrency,
  });
  const failed = new Set<number>();
  for (const outcome of outcomes) if (outcome.kind === 'retry') failed.add(Number(outcome.deliveryId));
  return failed;
}
