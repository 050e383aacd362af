/**
 * The logging and metrics of one refresher function: the Log and Metrics ports it hands its use
 * case, created once per container, and the wrapper that does per invocation what Powertools'
 * `injectLambdaContext` and `logMetrics({ captureColdStartMetric: true })` middleware did under
 * middy — the Lambda context on every log line, a `ColdStart` count on a container's first
 * invocation, the invocation's metrics flushed when it ends, whether it succeeds or throws.
 */
import type { Context } from 'aws-lambda';
import { ZohoTokenRefresherError } from '../core/errors';
import { JsonLog } from './json-log';
import { EmfMetrics } from './metrics';
import { type MetricsIdentity, readMetricsIdentity } from './metrics-identity';

/** A function's Log and Metrics ports. */
export interface Observability {
  readonly log: JsonLog;
  readonly metrics: EmfMetrics;
}

/** The ports of the instance named by the environment (metrics-identity.ts); call it at module scope. */
export function createObservability(identity: MetricsIdentity = readMetricsIdentity()): Observability {
  return { log: new JsonLog({ service: identity.service }), metrics: new EmfMetrics(identity) };
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * True on the container's first call only, and only in a container Lambda started for an
 * invocation (`AWS_LAMBDA_INITIALIZATION_TYPE=on-demand`): a provisioned one started ahead of any,
 * so no invocation waited for it — Powertools' rule.
 */
export function coldStartOnce(env: Env = process.env): () => boolean {
  let cold = env.AWS_LAMBDA_INITIALIZATION_TYPE?.trim() === 'on-demand';
  return () => {
    const first = cold;
    cold = false;
    return first;
  };
}

/**
 * How long before Lambda's deadline an invocation gives up, so that its metrics still go out and
 * Lambda records a typed error rather than a bare timeout (middy's `timeoutEarlyInMillis`, which the
 * handlers had before).
 */
export const TIMEOUT_EARLY_MS = 5;

/** The invocation ran into Lambda's deadline (TIMEOUT_EARLY_MS before it). */
export class InvocationTimeoutError extends ZohoTokenRefresherError {
  constructor() {
    super('invocation_timeout', "The invocation ran out of the function's time");
  }
}

/** A Lambda handler: the use case's function with the invocation's context. */
export type LambdaHandler<Event, Result> = (event: Event, context: Context) => Promise<Result>;

/**
 * `handler` observed: per invocation, the Lambda context on every log line from its start, a
 * `ColdStart` count on the container's first, and its metrics flushed when it ends — returned,
 * thrown or out of time. `coldStart` is the container's flag (one per module scope). A wrapper of
 * our own rather than middy: middy's import (Node's web streams with it) cost the cold start more
 * than these lines do.
 */
export function observed<Event, Result>(
  handler: (event: Event, context: Context) => Promise<Result>,
  ports: Observability,
  coldStart: () => boolean = coldStartOnce(),
): LambdaHandler<Event, Result> {
  return async (event, context) => {
    const cold = coldStart();
    ports.log.addContext(context, cold);
    if (cold) ports.metrics.addColdStart(context.functionName);
    let timer: NodeJS.Timeout | undefined;
    try {
      const work = handler(event, context);
      // Outside Lambda (tests, the CLI's in-process runs) a context may have no deadline.
      if (typeof context.getRemainingTimeInMillis !== 'function') return await work;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new InvocationTimeoutError()),
          context.getRemainingTimeInMillis() - TIMEOUT_EARLY_MS,
        );
      });
      return await Promise.race([work, deadline]);
    } finally {
      clearTimeout(timer);
      ports.metrics.flush();
    }
  };
}
