/**
 * The composition root of the refresh workers: the refresher's dependencies plus the refresh queue
 * (SQS, a client of its own so the other functions' bundles never load it) and the write pacing that
 * keeps all of them under `secretWritesPerSecond`. The planner's is planner-wiring.ts (re-exported
 * here for the callers that build both).
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { RefreshQueue } from '../core/ports';
import type { WorkerDependencies } from '../core/run-refresh-orders';
import { writeIntervalMs } from '../core/write-pacer';
import type { RefresherConfig } from './config';
import { refreshQueue } from './planner-wiring';
import { createRefresherDependencies, type RefresherWiring } from './refresher';

export interface FleetWiring extends RefresherWiring {
  /** Replaces the SQS client (tests, the local emulator). */
  readonly sqs?: SQSClient;
  /** Replaces the refresh queue altogether (tests). */
  readonly queue?: RefreshQueue;
}

export { createPlannerDependencies } from './planner-wiring';

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
