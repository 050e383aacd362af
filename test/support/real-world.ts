/**
 * The real-adapter wiring shared by the engine's integration world (test/integration/engine/world.ts)
 * and the `lambda-footprint` benchmark (test/bench/moto-world.ts): SDK clients for the AWS API emulator,
 * the functions' configuration on the resources of the dev CLI's `init`, a client app known to both the Zoho
 * simulator and Secrets Manager, and `zoho-tokens add`. No vitest here: the benchmark runs it under
 * plain tsx.
 */
import { Agent } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { serialiseWritesForMoto } from '../../dev/emulator/moto-write-guard';
import type { EmulatorClientConfig, LocalResources } from '../../dev/resources/resources';
import type { ZohoSimulator } from '../../dev/zoho-simulator';
import { putClientCredentials } from '../../functions/aws/client-credentials';
import { CONFIG_DEFAULTS, type RefresherConfig } from '../../functions/aws/config';
import type { AwsClients, AwsPorts } from '../../functions/aws/runtime';
import { type Connection, type EpochMillis, newConnection } from '../../functions/core/connection';

/** SDK configuration of every client: the emulator, over one shared keep-alive agent. */
export type EmulatorSdkConfig = EmulatorClientConfig & { readonly requestHandler: { httpAgent: Agent } };

/** The functions' four clients for the emulator, and how to close them with their sockets. */
export interface EmulatorClients {
  readonly sdk: EmulatorSdkConfig;
  readonly clients: AwsClients;
  /** Destroys the clients, then the agent. */
  destroy(): void;
}

/** One client per service, shared by every caller, with sockets enough for 200 racing handlers. */
export function createEmulatorClients(clientConfig: EmulatorClientConfig): EmulatorClients {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const sdk = { ...clientConfig, requestHandler: { httpAgent: agent } };
  const clients = {
    // moto checks a condition and applies the write without a lock; DynamoDB does not (see the guard).
    dynamodb: serialiseWritesForMoto(new DynamoDBClient(sdk)),
    secretsManager: new SecretsManagerClient(sdk),
    kms: new KMSClient(sdk),
    eventBridge: new EventBridgeClient(sdk),
  };
  return {
    sdk,
    clients,
    destroy() {
      for (const client of Object.values(clients)) client.destroy();
      agent.destroy();
    },
  };
}

/** The functions' configuration on `init`'s resources: their defaults but for these. */
export function emulatorRefresherConfig(
  resources: LocalResources,
  settings: { readonly allowedAccountsServers: readonly string[]; readonly zohoTimeoutMs?: number },
): RefresherConfig {
  return {
    tableName: resources.tableName,
    secretPrefix: resources.secretPrefix,
    keyId: resources.keyId,
    eventBusName: resources.eventBusName,
    ...CONFIG_DEFAULTS,
    zohoTimeoutMs: settings.zohoTimeoutMs ?? CONFIG_DEFAULTS.zohoTimeoutMs,
    allowedAccountsServers: settings.allowedAccountsServers,
  };
}

/** A Zoho client app (Self Client) in the simulator's data centres `dcs`. */
export interface SimulatedClientApp {
  readonly clientRef: string;
  readonly clientId: string;
  /** Carries `test-cs-`, so the log scan finds it should it leak. */
  readonly clientSecret: string;
  readonly dcs: readonly string[];
}

/** `zoho-tokens clients put`, and the same client registered with the simulator. */
export async function registerClientApp(
  sim: ZohoSimulator,
  secretsManager: SecretsManagerClient,
  config: RefresherConfig,
  app: SimulatedClientApp,
): Promise<void> {
  sim.registerClient({ clientId: app.clientId, clientSecret: app.clientSecret, dcs: app.dcs });
  await putClientCredentials(secretsManager, config.secretPrefix, app.clientRef, {
    clientId: app.clientId,
    clientSecret: app.clientSecret,
  });
}

export interface SimulatedConnection {
  readonly connectionId: string;
  /** The data centre the connection is stored for. */
  readonly dc: string;
  /** Where the refresh token was issued. @default dc */
  readonly tokenDc?: string;
  readonly now: EpochMillis;
}

/** `zoho-tokens add`: a refresh token the simulator issued, KMS-encrypted, stored, due now. */
export async function addSimulatedConnection(
  sim: ZohoSimulator,
  ports: AwsPorts,
  app: SimulatedClientApp,
  input: SimulatedConnection,
): Promise<{ connection: Connection; refreshToken: string }> {
  const { connectionId, dc } = input;
  const refreshToken = sim.issueRefreshToken({ clientId: app.clientId, dc: input.tokenDc ?? dc });
  const connection = newConnection(
    {
      connectionId,
      dc,
      accountsServer: sim.accountsServer(dc),
      apiDomain: sim.apiDomain(dc),
      clientRef: app.clientRef,
      encryptedRefreshToken: await ports.cipher.encrypt(connectionId, refreshToken),
    },
    input.now,
  );
  await ports.store.create(connection);
  return { connection, refreshToken };
}
