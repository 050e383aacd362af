/**
 * The world of the CLI's integration tests: the moto emulator with every local resource, the Zoho
 * simulator, and one loopback "accounts server" per data centre in front of it.
 *
 * Why the forwarders: the simulator serves every data centre under a path prefix
 * (`/accounts/us/oauth/v2/token`), but an accounts server is an ORIGIN in this project (the Zoho
 * client posts to `<origin>/oauth/v2/token`), so each forwarder maps its origin onto one prefix.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import {
  type AwsTarget,
  createTargetClients,
  localTarget,
  type TargetClients,
} from '../../../cli/aws-target';
import { createLocalResources, type LocalResources } from '../../../cli/local/resources';
import {
  startZohoSimulator,
  type ZohoSimulator,
  type ZohoSimulatorOptions,
} from '../../../cli/local/zoho-simulator';
import { putClientCredentials } from '../../../functions/aws/client-credentials';
import { DynamoDbConnectionStore } from '../../../functions/aws/connection-store';
import { KmsRefreshTokenCipher } from '../../../functions/aws/kms-cipher';
import type { Connection } from '../../../functions/core/connection';
import { useEmulator } from '../../support/emulator';

export const CLIENT_ID = '1000.CLITESTCLIENT';
export const CLIENT_SECRET = 'test-cs-cli-secret';
export const FORWARDED_DCS = ['us', 'eu'] as const;
export type ForwardedDc = (typeof FORWARDED_DCS)[number];

export interface CliWorld {
  readonly endpoint: string;
  readonly target: AwsTarget;
  readonly clients: TargetClients;
  readonly store: DynamoDbConnectionStore;
  readonly cipher: KmsRefreshTokenCipher;
  sim: ZohoSimulator;
  resources: LocalResources;
  /** The loopback origin that answers as `dc`'s accounts server. */
  accountsServer(dc: ForwardedDc): string;
  /** Stores the test client app (registered with the simulator in us and eu). */
  putClient(name?: string): Promise<void>;
  /** `--aws-endpoint <moto>` plus `args`. */
  local(...args: string[]): string[];
  /** `--aws-endpoint <moto>` and the allowance for the loopback accounts servers. */
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
  const clients = createTargetClients(target);
  const servers = new Map<ForwardedDc, { server: Server; origin: string }>();
  const world: CliWorld = {
    endpoint,
    target,
    clients,
    store: new DynamoDbConnectionStore({ client: clients.dynamodb, tableName: target.names.tableName }),
    cipher: new KmsRefreshTokenCipher({ client: clients.kms, keyId: target.names.keyId }),
    sim: undefined as unknown as ZohoSimulator,
    resources: undefined as unknown as LocalResources,
    accountsServer(dc) {
      const forwarder = servers.get(dc);
      if (forwarder === undefined) throw new Error(`no forwarder for ${dc}`);
      return forwarder.origin;
    },
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
        connectionId,
        dc: 'custom',
        accountsServer: world.accountsServer('us'),
        apiDomain: world.accountsServer('us'),
        clientRef: 'books',
        status: 'active',
        version: 0,
        expiresAt: 0,
        refreshDueAt: now,
        leaseSeq: 0,
        consecutiveFailures: 0,
        recentZohoCalls: [],
        encryptedRefreshToken: await world.cipher.encrypt(connectionId, refreshToken),
        createdAt: now,
        ...rest,
      });
      return refreshToken;
    },
  };

  beforeAll(async () => {
    world.sim = await startZohoSimulator(options.sim);
    world.sim.registerClient({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, dcs: ['us', 'eu'] });
    for (const dc of FORWARDED_DCS) servers.set(dc, await forward(world.sim.url, `/accounts/${dc}`));
    if (options.init !== false) world.resources = await createLocalResources({ endpoint, region });
  });
  afterAll(async () => {
    for (const { server } of servers.values()) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    await world.sim?.stop();
  });
  return world;
}

/** A loopback server that forwards every request to `upstream` + `prefix` + path. */
async function forward(upstream: string, prefix: string): Promise<{ server: Server; origin: string }> {
  const base = new URL(upstream);
  const server = createServer((req, res) => {
    const outgoing = request(
      {
        hostname: base.hostname,
        port: base.port,
        method: req.method,
        path: `${prefix}${req.url ?? '/'}`,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    outgoing.on('error', () => res.destroy());
    req.pipe(outgoing);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, origin: `http://127.0.0.1:${port}` };
}
