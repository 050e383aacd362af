/**
 * The world of the engine's integration tests: the real AWS adapters against moto (resources as
 * the dev CLI's `init` makes them) and the real Zoho adapter against the Zoho simulator, on a clock the tests
 * move. Only the clock, the observability ports and the policy's randomness are test doubles.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll } from 'vitest';
import { drainRejectedEvents } from '../../../dev/emulator/drain';
import { createLocalResources, type LocalResources } from '../../../dev/resources/resources';
import { startZohoSimulator, type ZohoSimulator } from '../../../dev/zoho-simulator';
import type { RefresherConfig } from '../../../functions/aws/config';
import { decodeRefreshOrder, encodeRefreshOrder } from '../../../functions/aws/refresh-order-codec';
import { createRefresherDependencies } from '../../../functions/aws/refresher';
import { type AwsClients, type AwsPorts, createAwsPorts } from '../../../functions/aws/runtime';
import type { Connection } from '../../../functions/core/connection';
import { planRefreshes } from '../../../functions/core/plan-refreshes';
import type { ConnectionStore } from '../../../functions/core/ports';
import type { RefreshDependencies } from '../../../functions/core/refresh-deps';
import type { RefreshPolicy } from '../../../functions/core/refresh-policy';
import { runRefreshOrders } from '../../../functions/core/run-refresh-orders';
import {
  createTokenRejectedHandler,
  type OnDemandResult,
} from '../../../functions/on-demand-refresh/token-rejected-handler';
import { type Emulator, useEmulator } from '../../support/emulator';
import { FakeClock, RecordingLog, RecordingMetrics, RecordingQueue } from '../../support/fakes';
import {
  addSimulatedConnection,
  createEmulatorClients,
  emulatorRefresherConfig,
  registerClientApp,
  type SimulatedClientApp,
} from '../../support/real-world';
import { readSecret, type SecretState, takeEvents } from './world-reads';

export type { SecretState } from './world-reads';

export const WORLD_DCS = ['us', 'eu'] as const;
export type WorldDc = (typeof WORLD_DCS)[number];
const CLIENT_APP: SimulatedClientApp = {
  clientRef: 'books',
  clientId: '1000.SIMCLIENT',
  clientSecret: 'test-cs-engine-world',
  dcs: WORLD_DCS,
};

export interface WorldOptions {
  /** Timeout of one Zoho call. @default 2_000 */
  readonly zohoTimeoutMs?: number;
  /** Policy changes (a brake loosened to test another one alone). @default none */
  readonly policy?: Partial<RefreshPolicy>;
}

/** What one scheduled round did: the orders due now, and what became of them. */
export interface RoundSummary {
  readonly due: number;
  readonly attempted: number;
  readonly refreshed: number;
  readonly failed: number;
  readonly skipped: number;
}

/** Everything a test needs, built once per file. */
export interface EngineWorld {
  readonly emulator: Emulator;
  readonly resources: LocalResources;
  /** Each DC's accounts server and api domain is the simulator's origin for it. */
  readonly sim: ZohoSimulator;
  readonly clock: FakeClock;
  readonly clients: AwsClients & { readonly sqs: SQSClient };
  readonly config: RefresherConfig;
  readonly ports: AwsPorts;
  readonly metrics: RecordingMetrics;
  readonly log: RecordingLog;
  /** The refresher exactly as the functions build it, with a fixed `random` so due times are exact. */
  readonly deps: RefreshDependencies;
  /** The same, with some ports or settings replaced. */
  depsWith(changes: { store?: ConnectionStore; zohoTimeoutMs?: number }): RefreshDependencies;
  /**
   * One scheduled round on the deployed path: a planner run, and its orders that are due now handed
   * to the worker use case through the message codec (the SQS queue itself is left out here; the
   * fleet-queue test goes through it).
   */
  sweep(deps?: RefreshDependencies): Promise<RoundSummary>;
  /** One invocation of the on-demand function's handler with a contract "Zoho Token Rejected" event. */
  onDemand(connectionId: string, version: number, deps?: RefreshDependencies): Promise<OnDemandResult>;
  /** `zoho-tokens add`: a refresh token issued in `tokenDc` (default `dc`), stored for `dc`. */
  addConnection(
    connectionId: string,
    dc?: WorldDc,
    tokenDc?: WorldDc,
  ): Promise<{ connection: Connection; refreshToken: string }>;
  /** The access-token secret as Secrets Manager holds it, or undefined when there is none. */
  readSecret(connectionId: string): Promise<SecretState | undefined>;
  /** The connection ids the due index holds at any due time (the index is sparse). */
  scheduledIds(): Promise<string[]>;
  /** Hands queued consumer events to the on-demand handler (as the bus would) until `until` settles. */
  pumpRejected(until: Promise<unknown>): Promise<number>;
  /** Every refresher event the bus routed to the events queue since the last call (detail-types in order). */
  takeRefresherEvents(): Promise<Array<{ detailType: string; detail: Record<string, unknown> }>>;
}

/** The refresher's policy randomness, fixed: due times and backoffs become exact. */
export const FIXED_RANDOM = 0.5;

/** Registers the hooks that build the world before the file's tests and tear it down after. */
export function useEngineWorld(options: WorldOptions = {}): () => EngineWorld {
  const emulator = useEmulator();
  let world: EngineWorld | undefined;
  let teardown: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    ({ world, teardown } = await buildWorld(emulator, options));
  });
  afterAll(async () => {
    await teardown?.();
  });
  return () => {
    if (world === undefined) throw new Error('the engine world is built in beforeAll');
    return world;
  };
}

async function buildWorld(emulator: Emulator, options: WorldOptions) {
  const resources = await createLocalResources({ endpoint: emulator.endpoint, region: emulator.region });
  const clock = new FakeClock(Date.now());
  const sim = await startZohoSimulator({ now: () => clock.now() });
  const emulatorClients = createEmulatorClients(emulator.clientConfig);
  const clients = { ...emulatorClients.clients, sqs: new SQSClient(emulatorClients.sdk) };
  const config = emulatorRefresherConfig(resources, {
    zohoTimeoutMs: options.zohoTimeoutMs ?? 2_000,
    allowedAccountsServers: WORLD_DCS.map((dc) => sim.accountsServer(dc)),
  });
  await registerClientApp(sim, clients.secretsManager, config, CLIENT_APP);
  const metrics = new RecordingMetrics();
  const log = new RecordingLog();
  const ports = createAwsPorts(config, clients, { log });

  const depsWith = (changes: { store?: ConnectionStore; zohoTimeoutMs?: number }): RefreshDependencies => {
    const built = createRefresherDependencies(
      { ...config, zohoTimeoutMs: changes.zohoTimeoutMs ?? config.zohoTimeoutMs },
      { metrics, log, clients, clock, ports },
    );
    return {
      ...built,
      store: changes.store ?? built.store,
      policy: { ...built.policy, ...options.policy, random: () => FIXED_RANDOM },
    };
  };
  const deps = depsWith({});

  const world: EngineWorld = {
    emulator,
    resources,
    sim,
    clock,
    clients,
    config,
    ports,
    metrics,
    log,
    deps,
    depsWith,
    sweep: (using = deps) => scheduledRound(using),
    onDemand: (connectionId, version, using = deps) =>
      createTokenRejectedHandler(using)({
        source: `zoho-token-refresher.consumer.${connectionId}`,
        'detail-type': 'Zoho Token Rejected',
        detail: { connectionId, version, status: 401 },
      }),
    addConnection: (connectionId, dc = 'us', tokenDc = dc) =>
      addSimulatedConnection(sim, ports, CLIENT_APP, { connectionId, dc, tokenDc, now: clock.now() }),
    readSecret: (connectionId) => readSecret(clients.secretsManager, config.secretPrefix, connectionId),
    async scheduledIds() {
      const due = await ports.store.listDue(Number.MAX_SAFE_INTEGER, 1_000);
      return due.map((connection) => connection.connectionId).sort();
    },
    async pumpRejected(until) {
      let settled = false;
      const done = until.then(
        () => {
          settled = true;
        },
        () => {
          settled = true;
        },
      );
      const handler = createTokenRejectedHandler(deps);
      let delivered = 0;
      while (!settled) {
        const counts = await drainRejectedEvents({
          target: { local: true },
          clients,
          handler,
          queueUrl: resources.rejectedQueueUrl,
        });
        delivered += counts.delivered;
        if (counts.delivered === 0) await Promise.race([done, new Promise((r) => setTimeout(r, 50))]);
      }
      return delivered;
    },
    takeRefresherEvents: () => takeEvents(clients.sqs, resources.eventsQueueUrl),
  };
  const teardown = async () => {
    await sim.stop();
    clients.sqs.destroy();
    emulatorClients.destroy();
  };
  return { world, teardown };
}

/** A planner run whose due orders go straight to the worker use case; see EngineWorld.sweep. */
async function scheduledRound(deps: RefreshDependencies): Promise<RoundSummary> {
  const planned = new RecordingQueue();
  await planRefreshes({ ...deps, queue: planned }, { mode: 'all_due' });
  const now = deps.clock.now();
  const deliveries = planned
    .take()
    .filter((order) => order.dueAt <= now)
    .map((order, i) => ({ deliveryId: `m-${i}`, order: decodeRefreshOrder(encodeRefreshOrder(order)) }));
  const outcomes = await runRefreshOrders({ ...deps, queue: new RecordingQueue() }, deliveries, {
    concurrency: 10,
  });
  const results = outcomes.flatMap((outcome) =>
    outcome.kind === 'done' ? [outcome.result.outcome] : ['thrown'],
  );
  return {
    due: deliveries.length,
    attempted: outcomes.length,
    refreshed: results.filter((r) => r === 'refreshed' || r === 'adopted').length,
    failed: results.filter((r) => r === 'failed' || r === 'thrown').length,
    skipped: results.filter((r) => r === 'skipped').length,
  };
}
