/**
 * The composition root of the planner: the connection store and the refresh queue, nothing more.
 * The planner reads the due index and sends refresh orders; it never calls Zoho, KMS, Secrets
 * Manager or EventBridge, so its bundle carries none of their clients (a smaller bundle is a
 * shorter cold start, every minute a new container starts).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { PlannerDependencies } from '../core/plan-refreshes';
import {
  type Clock,
  type ConnectionStore,
  type Log,
  type Metrics,
  type RefreshQueue,
  systemClock,
} from '../core/ports';
import { DEFAULT_REFRESH_POLICY } from '../core/refresh-policy';
import { awsClientConfig } from './client-config';
import { type RefresherConfig, requireRefreshQueueUrl } from './config';
import { SqsRefreshQueue } from './refresh-queue';
import { createConnectionStore } from './store-wiring';

/** What the planner's root takes; the workers' (fleet-wiring.ts) is a superset of it. */
export interface PlannerWiring {
  readonly metrics: Metrics;
  readonly log: Log;
  /** Replaces the DynamoDB client (tests, the local emulator). */
  readonly clients?: { readonly dynamodb?: DynamoDBClient };
  /** Replaces the connection store (tests). */
  readonly ports?: { readonly store: ConnectionStore };
  /** Replaces the SQS client (tests, the local emulator). */
  readonly sqs?: SQSClient;
  /** Replaces the refresh queue altogether (tests). */
  readonly queue?: RefreshQueue;
  readonly clock?: Clock;
}

/** The refresh queue of the configuration (REFRESH_QUEUE_URL), on its own SQS client unless given. */
export function refreshQueue(config: RefresherConfig, wiring: PlannerWiring): RefreshQueue {
  return (
    wiring.queue ??
    new SqsRefreshQueue({
      client: wiring.sqs ?? new SQSClient(awsClientConfig()),
      queueUrl: requireRefreshQueueUrl(config),
      ...(wiring.clock && { clock: wiring.clock }),
    })
  );
}

/** What the planner needs: the store, the queue, metrics, log, clock and the failing threshold. */
export function createPlannerDependencies(
  config: RefresherConfig,
  wiring: PlannerWiring,
): PlannerDependencies {
  const store =
    wiring.ports?.store ??
    createConnectionStore(
      config,
      wiring.clients?.dynamodb ?? new DynamoDBClient(awsClientConfig()),
      wiring.log,
    );
  return {
    store,
    queue: refreshQueue(config, wiring),
    metrics: wiring.metrics,
    log: wiring.log,
    clock: wiring.clock ?? systemClock,
    // The configured margin: it decides which orders can be held back, and for how long.
    policy: { ...DEFAULT_REFRESH_POLICY, marginMs: config.refreshMarginSeconds * 1000 },
    secretWritesPerSecond: config.secretWritesPerSecond,
  };
}
