/**
 * The one file that binds the simulation to the product: the settings a stack deploys for a fleet
 * of a given size, the functions' composition roots (the same `createPlannerDependencies` and
 * `createWorkerDependencies` the handlers call, with simulated ports), and the two use cases called
 * as the handlers call them. Every other file of the simulation only models the outside world.
 */
import { SECRET_WRITE_CALL_LIMITS } from '../../../functions/aws/client-config';
import { type RefresherConfig, readRefresherConfig } from '../../../functions/aws/config';
import { createPlannerDependencies, createWorkerDependencies } from '../../../functions/aws/fleet-wiring';
import { ENV } from '../../../functions/aws/names';
import type { AwsPorts } from '../../../functions/aws/runtime';
import { DEFAULT_SECRET_WRITES_PER_SECOND, REFRESH_WORKER_BATCH_SIZE } from '../../../functions/aws/settings';
import {
  type PlannerDependencies,
  type PlanSummary,
  planRefreshes,
} from '../../../functions/core/plan-refreshes';
import type {
  Clock,
  Log,
  Metrics,
  RefreshOrder,
  RefreshQueue,
  ZohoAccounts,
} from '../../../functions/core/ports';
import type { RefreshPolicy } from '../../../functions/core/refresh-policy';
import {
  type OrderDelivery,
  runRefreshOrders,
  type WorkerDependencies,
} from '../../../functions/core/run-refresh-orders';
import { type DeployedSettings, deployedSettings } from './deployed-settings';

/** The deployed settings the simulation runs with. */
export interface ProductSettings {
  /** The functions' configuration, read from the environment the stack gives them. */
  readonly config: RefresherConfig;
  readonly worker: {
    readonly memoryMb: number;
    readonly timeoutMs: number;
    /** The event source mapping's batch size and maximumConcurrency. */
    readonly batchSize: number;
    readonly maximumConcurrency: number;
  };
  readonly queue: { readonly visibilityTimeoutMs: number; readonly maxReceiveCount: number };
  readonly planner: { readonly memoryMb: number; readonly timeoutMs: number; readonly periodMs: number };
  /** The SDK's attempts of one PutSecretValue (the workers' write client; other calls: the scenario's). */
  readonly secretWriteSdkAttempts: number;
}

/** Refreshes per connection-hour the write limit is sized for (the default margin's 1.24, rounded up). */
const SIZING_REFRESHES_PER_HOUR = 1.25;
/** Headroom over the steady rate, to catch up after an outage. */
const SIZING_HEADROOM = 1.15;

/**
 * The `secretWritesPerSecond` an operator sets for `connections` (README, ceilings): the default
 * while it serves the fleet, else the steady rate with headroom (100,000 connections: 40).
 */
export function secretWritesPerSecondFor(connections: number): number {
  const needed = Math.ceil(((connections * SIZING_REFRESHES_PER_HOUR) / 3600) * SIZING_HEADROOM);
  return Math.max(DEFAULT_SECRET_WRITES_PER_SECOND, needed);
}

/**
 * The settings a stack deploys for a fleet of `connections` (its `secretWritesPerSecond` sized for
 * it, every other prop at its default), read off the construct's synthesized template; the
 * functions' configuration is read from the worker's environment as its handler reads it.
 */
export function productSettings(connections: number): ProductSettings {
  const secretWritesPerSecond = secretWritesPerSecondFor(connections);
  let settings = synthesized.get(secretWritesPerSecond);
  if (settings === undefined) {
    settings = settingsOf(deployedSettings({ secretWritesPerSecond }));
    synthesized.set(secretWritesPerSecond, settings);
  }
  return settings;
}

/** A synthesis takes seconds: one per write limit per process. */
const synthesized = new Map<number, ProductSettings>();

function settingsOf(deployed: DeployedSettings): ProductSettings {
  const config = readRefresherConfig({
    ...deployed.worker.literalEnvironment,
    // The variables whose values are references to the stack's resources: names only matter to AWS.
    [ENV.tableName]: 'sim-table',
    [ENV.keyId]: 'sim-key',
    [ENV.eventBusName]: 'sim-bus',
    [ENV.refreshQueueUrl]: 'https://sqs.sim/refresh',
  });
  return {
    config,
    worker: {
      memoryMb: deployed.worker.memoryMb,
      timeoutMs: deployed.worker.timeoutMs,
      batchSize: deployed.worker.batchSize,
      maximumConcurrency: deployed.worker.maximumConcurrency,
    },
    queue: deployed.queue,
    planner: {
      memoryMb: deployed.planner.memoryMb,
      timeoutMs: deployed.planner.timeoutMs,
      periodMs: deployed.planner.periodMs,
    },
    secretWriteSdkAttempts: SECRET_WRITE_CALL_LIMITS.maxAttempts,
  };
}

/** The simulated ports a composition root is given instead of the AWS SDK clients. */
export interface SimulatedWiring {
  readonly ports: AwsPorts;
  readonly zoho: ZohoAccounts;
  readonly queue: RefreshQueue;
  readonly clock: Clock;
  readonly metrics: Metrics;
  readonly log: Log;
  /** The simulation's seeded randomness for the policy's jitter and backoff. */
  readonly random: () => number;
}

const seeded = (policy: RefreshPolicy, random: () => number): RefreshPolicy => ({ ...policy, random });

/** The worker's dependencies as its handler builds them at module scope (pacer included). */
export function workerDependencies(settings: ProductSettings, wiring: SimulatedWiring): WorkerDependencies {
  const deps = createWorkerDependencies(settings.config, wiring);
  return { ...deps, policy: seeded(deps.policy, wiring.random) };
}

/** The planner's dependencies as its handler builds them at module scope. */
export function plannerDependencies(settings: ProductSettings, wiring: SimulatedWiring): PlannerDependencies {
  const deps = createPlannerDependencies(settings.config, wiring);
  return { ...deps, policy: seeded(deps.policy as RefreshPolicy, wiring.random) };
}

/** One planner run, as the planner handler makes it; its summary. */
export async function runPlanner(deps: PlannerDependencies): Promise<PlanSummary> {
  return planRefreshes(deps);
}

/**
 * One worker invocation, as the worker handler makes it: the orders of one SQS batch refreshed side
 * by side (the batch size); returns the indexes of the orders to deliver again (the handler's
 * `batchItemFailures`). The handler's JSON decoding of each message is left out: the orders arrive
 * as objects.
 */
export async function runWorkerBatch(
  deps: WorkerDependencies,
  orders: readonly RefreshOrder[],
): Promise<ReadonlySet<number>> {
  const deliveries: OrderDelivery[] = orders.map((order, index) => ({ deliveryId: String(index), order }));
  const outcomes = await runRefreshOrders(deps, deliveries, { concurrency: REFRESH_WORKER_BATCH_SIZE });
  const failed = new Set<number>();
  for (const outcome of outcomes) if (outcome.kind === 'retry') failed.add(Number(outcome.deliveryId));
  return failed;
}
