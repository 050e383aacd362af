/**
 * Wires the AWS adapters from the configuration. Call it once at module scope (cold start) and keep
 * the result: SDK clients and the client-credentials cache must outlive a single invocation.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type {
  ClientCredentialsProvider,
  ConnectionStore,
  EventPublisher,
  Log,
  RefreshTokenCipher,
  TokenVault,
} from '../core/ports';
import { awsClientConfig, SECRET_WRITE_CALL_LIMITS } from './client-config';
import { SecretsManagerClientCredentials } from './client-credentials';
import type { RefresherConfig } from './config';
import { EventBridgePublisher } from './event-publisher';
import { KmsRefreshTokenCipher } from './kms-cipher';
import { createConnectionStore } from './store-wiring';
import { SecretsManagerTokenVault } from './token-vault';

/** SDK clients the adapters use; any not given is created here, once. */
export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly secretsManager: SecretsManagerClient;
  /** PutSecretValue's client (SECRET_WRITE_CALL_LIMITS); the given `secretsManager` when only that is given. */
  readonly secretWrites?: SecretsManagerClient;
  readonly kms: KMSClient;
  readonly eventBridge: EventBridgeClient;
}

/** The AWS-backed ports of the refresh use case. */
export interface AwsPorts {
  readonly store: ConnectionStore;
  readonly vault: TokenVault;
  readonly cipher: RefreshTokenCipher;
  readonly credentials: ClientCredentialsProvider;
  readonly events: EventPublisher;
}

/**
 * The SDK clients of the ports: each one given is kept, each missing one is created with the call
 * limits of client-config.ts (timeouts, bounded retries). Region, credentials and endpoint come from
 * the environment as the SDK reads them (AWS_REGION, AWS_ENDPOINT_URL for a local emulator).
 */
export function createAwsClients(clients: Partial<AwsClients> = {}): Required<AwsClients> {
  return {
    dynamodb: clients.dynamodb ?? new DynamoDBClient(awsClientConfig()),
    secretsManager: clients.secretsManager ?? new SecretsManagerClient(awsClientConfig()),
    secretWrites:
      clients.secretWrites ??
      clients.secretsManager ??
      new SecretsManagerClient(awsClientConfig(SECRET_WRITE_CALL_LIMITS)),
    kms: clients.kms ?? new KMSClient(awsClientConfig()),
    eventBridge: clients.eventBridge ?? new EventBridgeClient(awsClientConfig()),
  };
}

/**
 * Builds the ports on createAwsClients(clients). With `log`, an unreadable connection item is
 * logged and skipped by the listings instead of failing a whole sweep.
 */
export function createAwsPorts(
  config: RefresherConfig,
  clients: Partial<AwsClients> = {},
  options: { readonly log?: Log } = {},
): AwsPorts {
  const { dynamodb, secretsManager, secretWrites, kms, eventBridge } = createAwsClients(clients);
  const { log } = options;
  return {
    store: createConnectionStore(config, dynamodb, log),
    vault: new SecretsManagerTokenVault({
      client: secretsManager,
      writeClient: secretWrites,
      secretPrefix: config.secretPrefix,
      ...(config.secretKmsKeyId === undefined ? {} : { kmsKeyId: config.secretKmsKeyId }),
    }),
    cipher: new KmsRefreshTokenCipher({ client: kms, keyId: config.keyId }),
    credentials: new SecretsManagerClientCredentials({
      client: secretsManager,
      secretPrefix: config.secretPrefix,
    }),
    events: new EventBridgePublisher({
      client: eventBridge,
      eventBusName: config.eventBusName,
    }),
  };
}
