/**
 * The consumer's settings: what the caller passes, else what `bindConsumer` put into the Lambda's
 * environment (CONSUMER_ENV), so a bound function needs no arguments: `createZohoClient()`. Read
 * when the client is created (module scope, once per container); a setting found nowhere fails
 * there, naming both the option and the variable.
 */
import { CONSUMER_ENV } from '../aws/names';
import { ConfigurationError } from '../core/errors';

/** The settings a caller may leave to the environment. */
export interface ConsumerSettingsInput {
  readonly connectionId?: string;
  readonly eventBusName?: string;
  readonly secretPrefix?: string;
}

export interface ConsumerSettings {
  readonly connectionId: string;
  readonly eventBusName: string;
  /** undefined: the reader's default prefix. */
  readonly secretPrefix: string | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Options first, then the environment; throws ConfigurationError for a required setting found nowhere. */
export function consumerSettings(options: ConsumerSettingsInput, env: Env = process.env): ConsumerSettings {
  const connectionId = options.connectionId ?? fromEnv(env, CONSUMER_ENV.connectionId);
  if (connectionId === undefined) {
    throw new ConfigurationError(
      `connectionId is required: pass it, or set ${CONSUMER_ENV.connectionId} (bindConsumer does for a function bound to one connection)`,
    );
  }
  const eventBusName = options.eventBusName ?? fromEnv(env, CONSUMER_ENV.eventBusName);
  if (eventBusName === undefined || eventBusName === '') {
    throw new ConfigurationError(
      `eventBusName is required: the bus that receives "Zoho Token Rejected" (pass it, or set ${CONSUMER_ENV.eventBusName}; bindConsumer does)`,
    );
  }
  return {
    connectionId,
    eventBusName,
    secretPrefix: options.secretPrefix ?? fromEnv(env, CONSUMER_ENV.secretPrefix),
  };
}

/** A blank variable counts as unset. */
function fromEnv(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}
