/**
 * SQS refresh queue (event source mapping, partial batch responses) → the refresh orders of one
 * batch, each run through `refreshConnection`. Wiring only: configuration, clients and the write
 * pacer are built once per container, so the pacer's spacing holds across the invocations a
 * container runs; the work is `runRefreshOrders` in functions/core.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { readRefresherConfig } from '../aws/config';
import { createWorkerDependencies } from '../aws/fleet-wiring';
import { createLogger, logPort, PowertoolsMetricsAdapter } from '../aws/metrics';
import { REFRESH_WORKER_BATCH_SIZE } from '../aws/settings';
import { createRefreshWorkerHandler } from './refresh-worker-handler';

const config = readRefresherConfig();
const logger = createLogger();
const metrics = new PowertoolsMetricsAdapter();
const deps = createWorkerDependencies(config, { metrics, log: logPort(logger) });

export const handler = middy(createRefreshWorkerHandler(deps, { concurrency: REFRESH_WORKER_BATCH_SIZE }))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics.powertools, { captureColdStartMetric: true }));
