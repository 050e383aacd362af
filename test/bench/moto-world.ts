/**
 * The world of the `moto-sweep` benchmark: moto and the Zoho simulator as the sandbox runs them,
 * the resources of `local init`, and the refresher built by the functions' own composition root
 * (real DynamoDB, Secrets Manager, KMS and EventBridge adapters; the real Zoho client). Wired like
 * test/integration/engine/world.ts, without vitest and on the system clock. Every SDK client counts
 * the commands it sends.
 */
import { Agent } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { MiddlewareStack } from '@smithy/types';
import { CountingMetrics } from '../../cli/local/in-process';
import { EMULATOR_CREDENTIALS, type MotoServer, startMotoServer } from '../../cli/local/moto-server';
import { createLocalResources } from '../../cli/local/resources';
import { startZohoSimulator, type ZohoSimulator } from '../../cli/local/zoho-simulator';
import { serialiseWritesForMoto } from '../../cli/sandbox/moto-write-guard';
import { putClientCredentials } from '../../functions/aws/client-credentials';
import type { RefresherConfig } from '../../functions/aws/config';
import { LOCAL_DEFAULTS } from '../../functions/aws/names';
import { createRefresherDependencies } from '../../functions/aws/refresher';
import { type AwsPorts, createAwsPorts } from '../../functions/aws/runtime';
import { newConnection } from '../../functions/core/connection';
import type { Log } from '../../functions/core/ports';
import type { RefreshDependencies } from '../../functions/core/refresh-deps';

const CLIENT_REF = 'books';
const CLIENT_ID = '1000.BENCHCLIENT';
const CLIENT_SECRET = 'test-cs-bench';
const DC = 'us';

export interface MotoWorld {
  readonly sim: ZohoSimulator;
  readonly config: RefresherConfig;
  readonly ports: AwsPorts;
  readonly deps: RefreshDependencies;
  readonly metrics: CountingMetrics;
  /** Warnings and errors the refresher logged (messages only; they never carry a token). */
  readonly logged: { warn: number; error: number; messages: string[] };
  /** AWS commands sent since the last reset, by command name. */
  awsCalls(): Record<string, number>;
  resetAwsCalls(): void;
  /** `zoho-tokens add` for `ids`: a simulator-issued refresh token, KMS-encrypted, stored, due now. */
  addConnections(ids: readonly string[], concurrency: number): Promise<void>;
  /** Stops the simulator, the clients and moto, whatever state they are in. */
  stop(): Promise<void>;
}

/** Starts everything; on a failure midway, stops what had started before rethrowing. */
export async function startMotoWorld(progress: (line: string) => void): Promise<MotoWorld> {
  const stops: Array<() => unknown> = [];
  const stop = async () => {
    for (const step of stops.reverse()) await Promise.resolve(step()).catch(() => undefined);
    stops.length = 0;
  };
  try {
    const moto: MotoServer = await startMotoServer({ log: progress });
    stops.push(() => moto.stop());
    const sim = await startZohoSimulator();
    stops.push(() => sim.stop());
    sim.registerClient({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, dcs: [DC] });
    return await wire(moto, sim, stops, stop);
  } catch (error) {
    await stop();
    throw error;
  }
}

async function wire(
  moto: MotoServer,
  sim: ZohoSimulator,
  stops: Array<() => unknown>,
  stop: () => Promise<void>,
): Promise<MotoWorld> {
  const region = LOCAL_DEFAULTS.region;
  const resources = await createLocalResources({ endpoint: moto.endpoint, region });
  // One client per service, shared, with sockets enough for 200 racing handlers.
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  stops.push(() => agent.destroy());
  const sdk = {
    endpoint: moto.endpoint,
    region,
    credentials: EMULATOR_CREDENTIALS,
    requestHandler: { httpAgent: agent },
  };
  const clients = {
    // moto checks a condition and applies the write without a lock; DynamoDB does not (see the guard).
    dynamodb: serialiseWritesForMoto(new DynamoDBClient(sdk)),
    secretsManager: new SecretsManagerClient(sdk),
    kms: new KMSClient(sdk),
    eventBridge: new EventBridgeClient(sdk),
  };
  stops.push(() => {
    for (const client of Object.values(clients)) client.destroy();
  });
  const calls = new Map<string, number>();
  countCalls(clients.dynamodb.middlewareStack, calls);
  countCalls(clients.secretsManager.middlewareStack, calls);
  countCalls(clients.kms.middlewareStack, calls);
  countCalls(clients.eventBridge.middlewareStack, calls);

  const config: RefresherConfig = {
    tableName: resources.tableName,
    secretPrefix: resources.secretPrefix,
    keyId: resources.keyId,
    eventBusName: resources.eventBusName,
    refreshMarginSeconds: 900,
    zohoBudget: 9,
    sweepConcurrency: 8,
    zohoTimeoutMs: 10_000,
    allowedAccountsServers: [sim.accountsServer(DC)],
  };
  await putClientCredentials(clients.secretsManager, config.secretPrefix, CLIENT_REF, {
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
  });
  const metrics = new CountingMetrics();
  const logged = { warn: 0, error: 0, messages: [] as string[] };
  const log = countingLog(logged);
  const ports = createAwsPorts(config, clients, { log });
  const deps = createRefresherDependencies(config, { metrics, log, clients, ports });

  const addOne = async (connectionId: string) => {
    const refreshToken = sim.issueRefreshToken({ clientId: CLIENT_ID, dc: DC });
    const now = Date.now();
    const connection = newConnection(
      {
        connectionId,
        dc: DC,
        accountsServer: sim.accountsServer(DC),
        apiDomain: sim.apiDomain(DC),
        clientRef: CLIENT_REF,
        encryptedRefreshToken: await ports.cipher.encrypt(connectionId, refreshToken),
      },
      now,
    );
    await ports.store.create(connection);
  };

  return {
    sim,
    config,
    ports,
    deps,
    metrics,
    logged,
    awsCalls: () => Object.fromEntries([...calls.entries()].sort(([a], [b]) => a.localeCompare(b))),
    resetAwsCalls: () => calls.clear(),
    async addConnections(ids, concurrency) {
      let next = 0;
      const worker = async () => {
        for (let id = ids[next++]; id !== undefined; id = ids[next++]) await addOne(id);
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
    },
    stop,
  };
}

/** Counts each command once per send (the `initialize` step runs before SDK retries). */
function countCalls<I extends object, O extends object>(
  stack: MiddlewareStack<I, O>,
  calls: Map<string, number>,
): void {
  stack.add(
    (next, context) => async (args) => {
      const name = (context.commandName ?? 'unknown').replace(/Command$/, '');
      calls.set(name, (calls.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'benchAwsCallCounter', override: true },
  );
}

function countingLog(logged: { warn: number; error: number; messages: string[] }): Log {
  const keep = (level: 'warn' | 'error') => (message: string) => {
    logged[level]++;
    if (logged.messages.length < 5) logged.messages.push(`${level}: ${message}`);
  };
  return { debug: () => undefined, info: () => undefined, warn: keep('warn'), error: keep('error') };
}
