/**
 * `bindConsumer`: a consumer Lambda gets the consumer grant and the environment variables the
 * consumer library reads when no option is given (CONSUMER_ENV), so that the function needs no
 * configuration of its own: `createZohoClient()`. One method adds both, as the
 * aws-solutions-constructs patterns do, so the variables can never name a refresher the role may
 * not read.
 */
import type * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { CONSUMER_ENV } from '../functions/aws/names';
import { ConfigurationError } from '../functions/core/errors';
import { ALL_CONNECTIONS } from './consumer-access';

interface Binding {
  readonly refresher: IConstruct;
  readonly connectionId: string;
}

/** A function holds one refresher's settings in its environment: the bindings made so far. */
const BINDINGS = new WeakMap<lambda.Function, Binding>();

/**
 * Records that `fn` is bound to `connectionId` (or every connection) of `refresher`. Binding it
 * again the same way is harmless; binding it to another connection or refresher would overwrite the
 * variables the first binding set, so it throws ConfigurationError instead.
 */
export function claimBinding(refresher: IConstruct, fn: lambda.Function, connectionId: string): void {
  const earlier = BINDINGS.get(fn);
  if (earlier === undefined) {
    BINDINGS.set(fn, { refresher, connectionId });
    return;
  }
  if (earlier.refresher === refresher && earlier.connectionId === connectionId) return;
  const what =
    earlier.refresher === refresher
      ? `connection '${earlier.connectionId}'`
      : `the refresher ${earlier.refresher.node.path}`;
  throw new ConfigurationError(
    `ZohoTokenRefresher: ${fn.node.path} is already bound to ${what}; a function reads one refresher's settings from its environment: bind it once, with '${ALL_CONNECTIONS}' for several connections of one refresher (and pass connectionId to createZohoClient), or use grantReadToken and options for anything else`,
  );
}

/** The variables of a bound function: the connection only when bound to one. */
export function consumerEnvironment(
  secretPrefix: string,
  eventBus: events.IEventBus,
  connectionId: string,
): Record<string, string> {
  return {
    ...(connectionId === ALL_CONNECTIONS ? {} : { [CONSUMER_ENV.connectionId]: connectionId }),
    [CONSUMER_ENV.secretPrefix]: secretPrefix,
    [CONSUMER_ENV.eventBusName]: eventBus.eventBusName,
  };
}
