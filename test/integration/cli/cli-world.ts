/**
 * The world of the CLI's integration tests: the moto emulator with every local resource and the Zoho
 * simulator, whose data centres each answer on a loopback origin of their own (accounts server and
 * api domain alike), as the CLI's `--accounts-server` expects.
 */
import { afterAll, beforeAll } from 'vitest';
import {
  type AwsTarget,
  createTargetClients,
  localTarget,
  type TargetClients,
} from '../../../cli/aws-target';
import { DEV_EMULATOR_HOOKS } from '../../../dev/emulator/hooks';
import { createLocalResources, type LocalResources } from '../../../dev/resources/resources';
import {
  startZohoSimulator,
  type ZohoSimulator,
  type ZohoSimulatorOptions,
} from '../../../dev/zoho-simulator';
import { putClientCredentials } from '../../../functions/aws/client-credentials';
import { DynamoDbConnectionStore } from '../../../functions/aws/connection-store';
import { KmsRefreshTokenCipher } from '../../../functions/aws/kms-cipher';
import { type Connection, newConnection } from '../../../functions/core/connection';
import { useEmulator } from '../../support/emulator';

export const CLIENT_ID = '1000.CLITESTCLIENT';
export const CLIENT_SECRET = 'test-cs-cli-secret';
export const CLI_DCS = ['us', 'eu'] as const;
export type CliDc = (typeof CLI_DCS)[number];

export interface CliWorld {
  readonly endpoint: string;
  readonly target: AwsTarget;
  readonly clients: TargetClients;
  readonly store: DynamoDbConnectionStore;
  readonly cipher: KmsRefreshTokenCipher;
  sim: ZohoSimulator;
  resources: LocalResources;
  /** The simulator's loopback origin that answers as `dc`'s accounts server. */
  accountsServer(dc: CliDc): string;
  /** Stores the test client app (registered with the simulator in us and eu). */
  putClient(name?: string): Promise<void>;
  /** `--aws-endpoint <moto>` plus `args`. */
  local(...args: string[]): string[];
  /** `--aws-endpoint <moto>` and the allowance for the simulator's loopback accounts servers. */
  localCustom(...args: string[]): string[];
  /** Registers an active connection straight in the table, as `add` would, without a first refresh. */
  seedConnection(
    connectionId: string,
    overrides?: Partial<Connection> & { refreshToken?: string },
  ): Promise<string>;
}

/** Call once at the top of a test file. */
export function useCliWorld(
  options: { readonly init?: boolean; readonly sim?: ZohoSimulatorOptions } = {},
): CliWorld {
  const { endpoint, region } = useEmulator();
  const target = localTarget({ awsEndpoint: endpoint, region });
  // As the dev CLI's: moto's DynamoDB writes one at a time.
  const clients = DEV_EMULATOR_HOOKS.adaptClients(createTargetClients(target));
  const world: CliWorld = {
    endpoint,
    target,
    clients,
    store: new DynamoDbConnectionStore({ client: clients.dynamodb, tableName: target.names.tableName }),
    cipher: new KmsRefreshTokenCipher({ client: clients.kms, keyId: target.names.keyId }),
    sim: undefined as unknown as ZohoSimulator,
    resources: undefined as unknown as LocalResources,
    accountsServer: (dc) => world.sim.accountsServer(dc),
    local: (...args) => [...args, '--aws-endpoint', endpoint],
    localCustom: (...args) => [...args, '--aws-endpoint', endpoint, '--allow-custom-accounts-server'],
    async putClient(name = 'books') {
      await putClientCredentials(clients.secretsManager, target.names.secretPrefix, name, {
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
      });
    },
    async seedConnection(connectionId, overrides = {}) {
      const { refreshToken: given, ...rest } = overrides;
      const refreshToken = given ?? world.sim.issueRefreshToken({ clientId: CLIENT_ID, dc: 'us' });
      const now = Date.now();
      await world.store.create({
        ...newConnection(
          {
            connectionId,
            dc: 'custom',
            accountsServer: world.accountsServer('us'),
            apiDomain: world.sim.apiDomain('us'),
            clientRef: 'books',
            encryptedRefreshToken: await world.cipher.encrypt(connectionId, refreshToken),
          },
          now,
        ),
        ...rest,
      });
      return refreshToken;
    },
  };

  beforeAll(async () => {
    world.sim = await startZohoSimulator(options.sim);
    world.sim.registerClient({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, dcs: [...CLI_DCS] });
    if (options.init !== false) world.resources = await createLocalResources({ endpoint, region });
  });
  afterAll(async () => {
    await world.sim?.stop();
  });
  return world;
}
