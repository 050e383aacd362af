/**
 * EventBridge schedule → sweep of the due connections. Wiring only: configuration and clients are
 * built once per container; the work is `sweepDueConnections` in functions/core.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { readRefresherConfig } from '../aws/config';
import { createLogger, logPort, PowertoolsMetricsAdapter } from '../aws/metrics';
import { createRefresherDependencies, sweepReserveMs } from '../aws/refresher';
import { createSweepHandler } from './sweep-handler';

const config = readRefresherConfig();
const logger = createLogger();
const metrics = new PowertoolsMetricsAdapter();
const deps = createRefresherDependencies(config, { metrics, log: logPort(logger) });

export const handler = middy(
  createSweepHandler(deps, { concurrency: config.sweepConcurrency, reserveMs: sweepReserveMs(config) }),
)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics.powertools, { captureColdStartMetric: true }));
