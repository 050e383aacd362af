/**
 * EventBridge schedule (every minute) → one planner run: the next minute's due connections go to the
 * refresh queue, each held back until it is due. Wiring only: configuration and clients are built
 * once per container; the work is `planRefreshes` in functions/core.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { readRefresherConfig } from '../aws/config';
import { createPlannerDependencies } from '../aws/fleet-wiring';
import { createLogger, logPort, PowertoolsMetricsAdapter } from '../aws/metrics';
import { createPlannerHandler } from './planner-handler';

const config = readRefresherConfig();
const logger = createLogger();
const metrics = new PowertoolsMetricsAdapter();
const deps = createPlannerDependencies(config, { metrics, log: logPort(logger) });

export const handler = middy(createPlannerHandler(deps))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics.powertools, { captureColdStartMetric: true }));
