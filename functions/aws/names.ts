import { describeIdInput } from '../core/connection';
import { InvalidInputError } from '../core/errors';
import { ReservedClientNameError } from './errors';

/**
 * Names shared by the stack, the functions, the CLI and the consumer library. The secret name of
 * an access token is part of the contract: `<prefix>/<connectionId>/access-token`.
 */
export const DEFAULT_SECRET_PREFIX = 'zoho-token-refresher';
export const DEFAULT_STACK_NAME = 'ZohoTokenRefresher';
export const METRICS_NAMESPACE = 'ZohoTokenRefresher';
export const SERVICE_NAME = 'zoho-token-refresher';
/** Dimension carrying a failure's reason (the error code) on the per-reason copy of a metric. */
export const REASON_DIMENSION = 'reason';
export const REFRESHER_EVENT_SOURCE = 'zoho-token-refresher';
export const TOKEN_REJECTED_DETAIL_TYPE = 'Zoho Token Rejected';

/**
 * Consumers report under `zoho-token-refresher.consumer.<connectionId>` (contract). The connection
 * is in the source because IAM can constrain PutEvents by `events:source` but not by anything in
 * the detail: a grant for one connection allows exactly that connection's source.
 */
export const CONSUMER_EVENT_SOURCE_PREFIX = 'zoho-token-refresher.consumer.';

/** The source a consumer reports a rejected token of `connectionId` under. */
export const consumerEventSource = (connectionId: string) => `${CONSUMER_EVENT_SOURCE_PREFIX}${connectionId}`;

/**
 * What follows the consumer prefix in an event's source (unvalidated: parse it as a connection
 * id), or undefined when the source is not a consumer's.
 */
export function sourceConnection(source: unknown): string | undefined {
  return typeof source === 'string' && source.startsWith(CONSUMER_EVENT_SOURCE_PREFIX)
    ? source.slice(CONSUMER_EVENT_SOURCE_PREFIX.length)
    : undefined;
}

export const accessTokenSecretName = (prefix: string, connectionId: string) =>
  `${prefix}/${connectionId}/access-token`;

/** Client app secrets live under `_clients/`; connection ids cannot start with `_`, so names never clash. */
export const clientSecretName = (prefix: string, clientRef: string) => `${prefix}/_clients/${clientRef}`;

const CLIENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * No client app may be named so. The all-connections grant matches `<prefix>/`, a `*`, then
 * `/access-token-??????`, and IAM's `*` spans `/`: it matches the client secret
 * `<prefix>/_clients/access-token-<6 random characters>`. A hand-written pattern ending in
 * `/access-token*` would match any client name starting so. Compared without case, so a near miss
 * is refused too, whatever IAM's case rules.
 */
export const RESERVED_CLIENT_NAME_PREFIX = 'access-token';

/**
 * A client app name as `clients put`, `add` and `connect` take it: the shape of a connection id
 * (it lands in a secret name), and never reserved (ReservedClientNameError).
 */
export function parseClientName(value: unknown): string {
  if (typeof value !== 'string' || !CLIENT_NAME.test(value)) {
    throw new InvalidInputError(
      `client name must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit (got ${describeIdInput(value)})`,
    );
  }
  if (value.toLowerCase().startsWith(RESERVED_CLIENT_NAME_PREFIX)) throw new ReservedClientNameError(value);
  return value;
}

/** Local (emulator) resource names: the documented defaults of the workshop's `init` (dev/resources). */
export const LOCAL_DEFAULTS = {
  region: 'us-east-1',
  tableName: 'zoho-token-refresher',
  eventBusName: 'zoho-token-refresher',
  keyAlias: 'alias/zoho-token-refresher',
  secretPrefix: DEFAULT_SECRET_PREFIX,
  rejectedQueueName: 'zoho-token-refresher-rejected',
  /** The planner's orders to the refresh workers, and where the ones that keep failing go. */
  refreshQueueName: 'zoho-token-refresher-refresh',
  refreshDeadLetterQueueName: 'zoho-token-refresher-refresh-dlq',
  /** The dead-letter queue of the bus's rules and the functions' async invocations. */
  deadLetterQueueName: 'zoho-token-refresher-dlq',
  alarmTopicName: 'zoho-token-refresher-alarms',
} as const;

/** Environment variables of the refresher functions, read once at cold start. */
export const ENV = {
  tableName: 'TABLE_NAME',
  secretPrefix: 'SECRET_PREFIX',
  keyId: 'REFRESH_TOKEN_KEY_ID',
  eventBusName: 'EVENT_BUS_NAME',
  refreshMarginSeconds: 'REFRESH_MARGIN_SECONDS',
  refreshJitterSeconds: 'REFRESH_JITTER_SECONDS',
  secretWritesPerSecond: 'SECRET_WRITES_PER_SECOND',
  refreshWorkerConcurrency: 'REFRESH_WORKER_CONCURRENCY',
  /** The planner's and the workers' refresh queue (SQS URL); the other functions have none. */
  refreshQueueUrl: 'REFRESH_QUEUE_URL',
  zohoBudget: 'ZOHO_BUDGET',
  sweepConcurrency: 'SWEEP_CONCURRENCY',
  zohoTimeoutMs: 'ZOHO_TIMEOUT_MS',
  allowedAccountsServers: 'ALLOWED_ACCOUNTS_SERVERS',
  secretKmsKeyId: 'SECRET_KMS_KEY_ID',
  /**
   * The connect endpoint's public base URL, when it is deployed: the connect function's redirect
   * URI override, and where the refreshers point re-authorisation links.
   */
  connectBaseUrl: 'CONNECT_BASE_URL',
  /** Powertools' own names: the namespace and `service` dimension of the instance (metrics-identity.ts). */
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  serviceName: 'POWERTOOLS_SERVICE_NAME',
} as const;

/**
 * Environment variables of a consumer Lambda, set by the construct's `bindConsumer` and read by
 * the consumer library whenever an option is not given (functions/consumer/environment.ts). Named
 * apart from the consumer's own settings: a function may well have a SECRET_PREFIX of its own.
 */
export const CONSUMER_ENV = {
  /** Set only when the function is bound to one connection. */
  connectionId: 'ZOHO_TOKENS_CONNECTION_ID',
  secretPrefix: 'ZOHO_TOKENS_SECRET_PREFIX',
  eventBusName: 'ZOHO_TOKENS_EVENT_BUS_NAME',
} as const;
