/**
 * EventBridge "Zoho Token Rejected" (a consumer got a 401) → one deduplicated refresh. Wiring only:
 * configuration and clients are built once per container; the work is in functions/core.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { readRefresherConfig } from '../aws/config';
import { createLogger, logPort, PowertoolsMetricsAdapter } from '../aws/metrics';
import { createRefresherDependencies } from '../aws/refresher';
import { createTokenRejectedHandler } from './token-rejected-handler';

const config = readRefresherConfig();
const logger = createLogger();
const metrics = new PowertoolsMetricsAdapter();
const deps = createRefresherDependencies(config, { metrics, log: logPort(logger) });

export const handler = middy(createTokenRejectedHandler(deps))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics.powertools, { captureColdStartMetric: true }));
