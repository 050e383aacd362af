/**
 * The world of the `lambda-footprint` benchmark: moto and the Zoho simulator as the sandbox runs them,
 * the resources of the dev CLI's `init`, and the refresher built by the functions' own composition root
 * (real DynamoDB, Secrets Manager, KMS and EventBridge adapters; the real Zoho client). Wired with
 * test/integration/engine/world.ts through test/support/real-world.ts, without vitest and on the
 * system clock. Every SDK client counts the commands it sends.
 */
import type { MiddlewareStack } from '@smithy/types';
import { CountingMetrics } from '../../dev/emulator/in-process';
import { EMULATOR_CREDENTIALS, type MotoServer, startMotoServer } from '../../dev/emulator/moto-server';
import { createLocalResources, type LocalResources } from '../../dev/resources/resources';
import { startZohoSimulator, type ZohoSimulator } from '../../dev/zoho-simulator';
import type { RefresherConfig } from '../../functions/aws/config';
import { LOCAL_DEFAULTS } from '../../functions/aws/names';
import { createRefresherDependencies } from '../../functions/aws/refresher';
import { type AwsPorts, createAwsPorts } from '../../functions/aws/runtime';
import type { Log } from '../../functions/core/ports';
import type { RefreshDependencies } from '../../functions/core/refresh-deps';
import {
  addSimulatedConnection,
  createEmulatorClients,
  emulatorRefresherConfig,
  registerClientApp,
  type SimulatedClientApp,
} from '../support/real-world';

const DC = 'us';
const CLIENT_APP: SimulatedClientApp = {
  clientRef: 'books',
  clientId: '1000.BENCHCLIENT',
  clientSecret: 'test-cs-bench',
  dcs: [DC],
};

export interface MotoWorld {
  readonly sim: ZohoSimulator;
  /** The moto server (the lambda-footprint children's AWS_ENDPOINT_URL). */
  readonly endpoint: string;
  readonly region: string;
  readonly resources: LocalResources;
  /** The one accounts server the connections use. */
  readonly accountsServer: string;
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
  const emulator = createEmulatorClients({
    endpoint: moto.endpoint,
    region,
    credentials: EMULATOR_CREDENTIALS,
  });
  stops.push(() => emulator.destroy());
  const { clients } = emulator;
  const calls = new Map<string, number>();
  countCalls(clients.dynamodb.middlewareStack, calls);
  countCalls(clients.secretsManager.middlewareStack, calls);
  countCalls(clients.kms.middlewareStack, calls);
  countCalls(clients.eventBridge.middlewareStack, calls);

  const accountsServer = sim.accountsServer(DC);
  const config = emulatorRefresherConfig(resources, { allowedAccountsServers: [accountsServer] });
  await registerClientApp(sim, clients.secretsManager, config, CLIENT_APP);
  const metrics = new CountingMetrics();
  const logged = { warn: 0, error: 0, messages: [] as string[] };
  const log = countingLog(logged);
  const ports = createAwsPorts(config, clients, { log });
  const deps = createRefresherDependencies(config, { metrics, log, clients, ports });

  const addOne = (connectionId: string) =>
    addSimulatedConnection(sim, ports, CLIENT_APP, { connectionId, dc: DC, now: Date.now() });

  return {
    sim,
    endpoint: moto.endpoint,
    region,
    resources,
    accountsServer,
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
