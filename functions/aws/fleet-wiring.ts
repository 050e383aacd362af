/**
 * The composition root of the refresh workers: the refresher's dependencies plus the refresh queue
 * (SQS, a client of its own so the other functions' bundles never load it) and the write pacer that
 * keeps all of them under `secretWritesPerSecond`. The planner's is planner-wiring.ts (re-exported
 * here for the callers that build both).
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { RefreshQueue } from '../core/ports';
import type { WorkerDependencies } from '../core/run-refresh-orders';
import { createWritePacer, writeIntervalMs } from '../core/write-pacer';
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
 * has passed) and a pacer spacing this container's secret writes `refreshWorkerConcurrency /
 * secretWritesPerSecond` seconds apart. One container runs one invocation at a time and at most
 * `refreshWorkerConcurrency` run at once, so the workers together stay under the limit.
 */
export function createWorkerDependencies(config: RefresherConfig, wiring: FleetWiring): WorkerDependencies {
  const deps = createRefresherDependencies(config, wiring);
  return {
    ...deps,
    queue: refreshQueue(config, wiring),
    writePacer: createWritePacer(
      deps.clock,
      writeIntervalMs(config.secretWritesPerSecond, config.refreshWorkerConcurrency),
    ),
  };
}
