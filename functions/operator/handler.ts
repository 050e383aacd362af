/**
 * Operators' commands (`zoho-tokens refresh|enable|revoke|doctor ID`, by direct Lambda Invoke) →
 * refresh, revoke or check one connection. Its own function, role and reserved concurrency: a storm
 * of consumer reports can never throttle an emergency revoke, and only this role may delete an
 * access-token secret. Wiring only: configuration and clients are built once per container.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { readRefresherConfig } from '../aws/config';
import { createLogger, logPort, PowertoolsMetricsAdapter } from '../aws/metrics';
import { createRefresherDependencies } from '../aws/refresher';
import { createOperatorHandler } from './operator-handler';

const config = readRefresherConfig();
const logger = createLogger();
const metrics = new PowertoolsMetricsAdapter();
const deps = createRefresherDependencies(config, { metrics, log: logPort(logger) });

export const handler = middy(createOperatorHandler(deps))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics.powertools, { captureColdStartMetric: true }));
