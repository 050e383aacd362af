/**
 * The world of the `lambda-footprint` benchmark: moto and the Zoho simulator, the resources of
 * `local init`, a client app, and `zoho-tokens add` through the real adapters (test/support/
 * real-world.ts). Unlike moto-world.ts it also hands out the emulator's endpoint and resources,
 * because the functions under test run in child processes that find them through their environment
 * (built here, with the events the two functions receive).
 */
import { randomUUID } from 'node:crypto';
import { EMULATOR_CREDENTIALS, startMotoServer } from '../../cli/local/moto-server';
import { createLocalResources, type LocalResources } from '../../cli/local/resources';
import { startZohoSimulator, type ZohoSimulator } from '../../cli/local/zoho-simulator';
import {
  CONSUMER_EVENT_SOURCE,
  ENV,
  LOCAL_DEFAULTS,
  TOKEN_REJECTED_DETAIL_TYPE,
} from '../../functions/aws/names';
import { createAwsPorts } from '../../functions/aws/runtime';
import {
  addSimulatedConnection,
  createEmulatorClients,
  emulatorRefresherConfig,
  registerClientApp,
  type SimulatedClientApp,
} from '../support/real-world';
import type { DeployedFunction } from './lambda-bundles';

const DC = 'us';
const CLIENT_APP: SimulatedClientApp = {
  clientRef: 'books',
  clientId: '1000.FOOTPRINTCLIENT',
  clientSecret: 'test-cs-footprint',
  dcs: [DC],
};

export interface FootprintWorld {
  readonly sim: ZohoSimulator;
  /** The moto server, for the children's AWS_ENDPOINT_URL. */
  readonly endpoint: string;
  readonly region: string;
  readonly resources: LocalResources;
  /** The one accounts server the connections use (the children's ALLOWED_ACCOUNTS_SERVERS). */
  readonly accountsServer: string;
  /** `zoho-tokens add` for `ids`: a simulator-issued refresh token, KMS-encrypted, stored, due now. */
  addConnections(ids: readonly string[], concurrency: number): Promise<void>;
  /** Stops the clients, the simulator and moto, whatever state they are in. */
  stop(): Promise<void>;
}

/** Starts everything; on a failure midway, stops what had started before rethrowing. */
export async function startFootprintWorld(progress: (line: string) => void): Promise<FootprintWorld> {
  const stops: Array<() => unknown> = [];
  const stop = async () => {
    for (const step of stops.reverse()) await Promise.resolve(step()).catch(() => undefined);
    stops.length = 0;
  };
  try {
    const region = LOCAL_DEFAULTS.region;
    const moto = await startMotoServer({ log: progress });
    stops.push(() => moto.stop());
    const sim = await startZohoSimulator();
    stops.push(() => sim.stop());
    const resources = await createLocalResources({ endpoint: moto.endpoint, region });
    // The harness's own clients (writes serialised for moto); the children use the SDK as deployed.
    const emulator = createEmulatorClients({
      endpoint: moto.endpoint,
      region,
      credentials: EMULATOR_CREDENTIALS,
    });
    stops.push(() => emulator.destroy());
    const accountsServer = sim.accountsServer(DC);
    const config = emulatorRefresherConfig(resources, { allowedAccountsServers: [accountsServer] });
    await registerClientApp(sim, emulator.clients.secretsManager, config, CLIENT_APP);
    const ports = createAwsPorts(config, emulator.clients);
    const addOne = (connectionId: string) =>
      addSimulatedConnection(sim, ports, CLIENT_APP, { connectionId, dc: DC, now: Date.now() });
    return {
      sim,
      endpoint: moto.endpoint,
      region,
      resources,
      accountsServer,
      async addConnections(ids, concurrency) {
        let next = 0;
        const worker = async () => {
          for (let id = ids[next++]; id !== undefined; id = ids[next++]) await addOne(id);
        };
        await Promise.all(Array.from({ length: concurrency }, worker));
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The function's environment as Lambda would set it: the template's literal variables (NODE_OPTIONS
 * included), its references resolved to the emulator's resources, the simulator allowed as accounts
 * server, and the variables Lambda itself adds. Nothing of this process's environment leaks in.
 */
export function lambdaEnvironment(world: FootprintWorld, fn: DeployedFunction, functionName: string) {
  const { resources } = world;
  const references: Record<string, string> = {
    [ENV.tableName]: resources.tableName,
    [ENV.keyId]: resources.keyArn,
    [ENV.eventBusName]: resources.eventBusName,
  };
  const unknown = fn.referencedVariables.filter((name) => references[name] === undefined);
  if (unknown.length > 0)
    throw new Error(`the template sets ${unknown.join(', ')}, which the bench cannot map`);
  if (fn.literalEnvironment[ENV.secretPrefix] !== resources.secretPrefix) {
    throw new Error(`the template's ${ENV.secretPrefix} differs from the emulator's resources`);
  }
  return {
    ...fn.literalEnvironment,
    ...Object.fromEntries(fn.referencedVariables.map((name) => [name, references[name] ?? ''])),
    [ENV.allowedAccountsServers]: world.accountsServer,
    AWS_ENDPOINT_URL: world.endpoint,
    AWS_REGION: world.region,
    AWS_DEFAULT_REGION: world.region,
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
    TZ: ':UTC',
  };
}

/** What the schedule rule delivers. */
export function scheduledEvent() {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: ['arn:aws:events:us-east-1:123456789012:rule/SweepSchedule'],
    detail: {},
  };
}

/** A consumer's "Zoho Token Rejected" report, as the bus delivers it. */
export function onDemandEvent(connectionId: string, version: number) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': TOKEN_REJECTED_DETAIL_TYPE,
    source: CONSUMER_EVENT_SOURCE,
    account: '123456789012',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [],
    detail: { connectionId, version, status: 401 },
  };
}
