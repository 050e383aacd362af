/**
 * The connect endpoint (Lambda Function URL, auth NONE: the customer's browser calls it) →
 * `GET /connect` and `GET /callback` of the hosted Zoho consent flow. Wiring only: configuration
 * and clients are built once per container. The event is never logged: its query holds the link's
 * state and Zoho's code.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { readRefresherConfig } from '../aws/config';
import { createConnectDependencies } from '../aws/connect-wiring';
import { createLogger, logPort, PowertoolsMetricsAdapter } from '../aws/metrics';
import { ENV } from '../aws/names';
import { createConnectHandler } from './connect-handler';

const config = readRefresherConfig();
const logger = createLogger();
const metrics = new PowertoolsMetricsAdapter();
const baseUrl = process.env[ENV.connectBaseUrl] || undefined;
const deps = createConnectDependencies(config, {
  metrics,
  log: logPort(logger),
  ...(baseUrl === undefined ? {} : { baseUrl }),
});

export const handler = middy(createConnectHandler(deps))
  .use(injectLambdaContext(logger, { logEvent: false }))
  .use(logMetrics(metrics.powertools, { captureColdStartMetric: true }));
