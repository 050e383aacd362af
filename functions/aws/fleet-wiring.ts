/**
 * The composition roots of the planner and the refresh workers: the refresher's dependencies plus
 * the refresh queue (SQS, a client of its own so the other functions' bundles never load it), and
 * for the workers the write pacer that keeps all of them under `secretWritesPerSecond`.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import type { PlannerDependencies } from '../core/plan-refreshes';
import type { RefreshQueue } from '../core/ports';
import type { WorkerDependencies } from '../core/run-refresh-orders';
import { writeIntervalMs } from '../core/write-pacer';
import { awsClientConfig } from './client-config';
import { type RefresherConfig, requireRefreshQueueUrl } from './config';
import { SqsRefreshQueue } from './refresh-queue';
import { createRefresherDependencies, type RefresherWiring } from './refresher';

export interface FleetWiring extends RefresherWiring {
  /** Replaces the SQS client (tests, the local emulator). */
  readonly sqs?: SQSClient;
  /** Replaces the refresh queue altogether (tests). */
  readonly queue?: RefreshQueue;
}

function refreshQueue(config: RefresherConfig, wiring: FleetWiring): RefreshQueue {
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
export function createPlannerDependencies(config: RefresherConfig, wiring: FleetWiring): PlannerDependencies {
  const deps = createRefresherDependencies(config, wiring);
  return {
    ...deps,
    queue: refreshQueue(config, wiring),
    secretWritesPerSecond: config.secretWritesPerSecond,
  };
}

/**
 * What a refresh worker needs: the refresh's dependencies, the queue (for the due times the planner
 * has passed) and the spacing of each invocation's secret writes, `refreshWorkerConcurrency /
 * secretWritesPerSecond` seconds apart. At most `refreshWorkerConcurrency` invocations run at once,
 * so the workers together stay under the limit.
 */
export function createWorkerDependencies(config: RefresherConfig, wiring: FleetWiring): WorkerDependencies {
  const deps = createRefresherDependencies(config, wiring);
  return {
    ...deps,
    queue: refreshQueue(config, wiring),
    writeIntervalMs: writeIntervalMs(config.secretWritesPerSecond, config.refreshWorkerConcurrency),
  };
}
