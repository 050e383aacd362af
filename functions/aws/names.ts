/**
 * Names shared by the stack, the functions, the CLI and the consumer library. The secret name of
 * an access token is part of the contract: `<prefix>/<connectionId>/access-token`.
 */
export const DEFAULT_SECRET_PREFIX = 'zoho-token-refresher';
export const DEFAULT_STACK_NAME = 'ZohoTokenRefresher';
export const METRICS_NAMESPACE = 'ZohoTokenRefresher';
export const SERVICE_NAME = 'zoho-token-refresher';
export const REFRESHER_EVENT_SOURCE = 'zoho-token-refresher';
export const CONSUMER_EVENT_SOURCE = 'zoho-token-refresher.consumer';
export const TOKEN_REJECTED_DETAIL_TYPE = 'Zoho Token Rejected';

export const accessTokenSecretName = (prefix: string, connectionId: string) =>
  `${prefix}/${connectionId}/access-token`;

/** Client app secrets live under `_clients/`; connection ids cannot start with `_`, so names never clash. */
export const clientSecretName = (prefix: string, clientRef: string) => `${prefix}/_clients/${clientRef}`;

/** Local (emulator) resource names: the documented defaults of `zoho-tokens local init`. */
export const LOCAL_DEFAULTS = {
  region: 'us-east-1',
  tableName: 'zoho-token-refresher',
  eventBusName: 'zoho-token-refresher',
  keyAlias: 'alias/zoho-token-refresher',
  secretPrefix: DEFAULT_SECRET_PREFIX,
  rejectedQueueName: 'zoho-token-refresher-rejected',
  alarmTopicName: 'zoho-token-refresher-alarms',
} as const;

/** Environment variables of the three refresher functions, read once at cold start. */
export const ENV = {
  tableName: 'TABLE_NAME',
  secretPrefix: 'SECRET_PREFIX',
  keyId: 'REFRESH_TOKEN_KEY_ID',
  eventBusName: 'EVENT_BUS_NAME',
  refreshMarginSeconds: 'REFRESH_MARGIN_SECONDS',
  zohoBudget: 'ZOHO_BUDGET',
  sweepConcurrency: 'SWEEP_CONCURRENCY',
  zohoTimeoutMs: 'ZOHO_TIMEOUT_MS',
  allowedAccountsServers: 'ALLOWED_ACCOUNTS_SERVERS',
  secretKmsKeyId: 'SECRET_KMS_KEY_ID',
} as const;
