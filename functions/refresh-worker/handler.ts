/**
 * SQS refresh queue (event source mapping, partial batch responses) → the refresh orders of one
 * batch, each run through `refreshConnection`. Wiring only: configuration, clients and the write
 * pacer are built once per container, so the pacer's spacing holds across the invocations a
 * container runs; the work is `runRefreshOrders` in functions/core.
 */
import { readRefresherConfig } from '../aws/config';
import { createWorkerDependencies } from '../aws/fleet-wiring';
import { createObservability, observed } from '../aws/lambda-observability';
import { REFRESH_WORKER_BATCH_SIZE } from '../aws/settings';
import { createRefreshWorkerHandler } from './refresh-worker-handler';

const config = readRefresherConfig();
const observability = createObservability();
const deps = createWorkerDependencies(config, observability);

export const handler = observed(
  createRefreshWorkerHandler(deps, { concurrency: REFRESH_WORKER_BATCH_SIZE }),
  observability,
);
