/**
 * The simulated world of one fleet: the shared state (table, secrets, Zoho, queue), the two
 * functions with their event sources (the planner on its schedule, the worker on the queue), and a
 * fleet in steady state at the start: every connection refreshed once within the last refresh
 * interval, its secret holding a live token, a day of secret writes behind it.
 */
import type { Connection } from '../../../functions/core/connection';
import { newConnection } from '../../../functions/core/connection';
import type { PlannerDependencies } from '../../../functions/core/plan-refreshes';
import type { Log, RefreshOrder } from '../../../functions/core/ports';
import type { RefreshPolicy } from '../../../functions/core/refresh-policy';
import { nextRefreshDue } from '../../../functions/core/refresh-policy';
import type { WorkerDependencies } from '../../../functions/core/run-refresh-orders';
import { ZOHO_DATA_CENTRES } from '../../../functions/zoho/data-centres';
import { SimAwsError } from './aws-calls';
import { ConnectionTable, fleetConnectionId } from './connection-table';
import { SimEventSourceMapping } from './event-source-mapping';
import { type FleetScenario, outageWindow } from './fleet-scenario';
import {
  type ProductSettings,
  plannerDependencies,
  runPlanner,
  runWorkerBatch,
  type SimulatedWiring,
  workerDependencies,
} from './product';
import { SimRandom } from './random';
import type { SimEnvironment } from './sim-environment';
import { PublishedEvents, SimCipher, SimEventPublisher, simCiphertext } from './sim-kms-events';
import { Container, Invocation, SimLambdaFunction } from './sim-lambda';
import { TallyMetrics, watchfulLog } from './sim-observability';
import { SimQueue } from './sim-queue';
import { SimRefreshQueue } from './sim-refresh-queue';
import { SecretsState, SimClientCredentials, SimTokenVault } from './sim-secrets';
import { SimConnectionStore } from './sim-store';
import { SimZoho, ZohoCloud } from './sim-zoho';
import { VirtualTime } from './virtual-time';

const HOUR_MS = 3_600_000;
/** Calls-per-refresh histogram buckets (the last one collects everything above). */
const HISTOGRAM_BUCKETS = 32;

export class FleetWorld {
  readonly env: SimEnvironment;
  readonly time: VirtualTime;
  readonly table: ConnectionTable;
  readonly secrets: SecretsState;
  readonly zoho: ZohoCloud;
  readonly queue: SimQueue<RefreshOrder>;
  readonly published = new PublishedEvents();
  readonly metrics = new TallyMetrics();
  readonly worker: SimLambdaFunction;
  readonly planner: SimLambdaFunction;
  readonly mapping: SimEventSourceMapping<RefreshOrder>;
  /** Per connection (dense index): 1 when its refresh token stays good (it counts for the goal). */
  readonly good: Uint8Array;
  /** Per connection: worker AWS calls about it since its last commit. */
  readonly #callsSinceCommit: Uint16Array;
  /** Per connection: 1 once a commit started a whole cycle (the seeded fleet's first is partial). */
  readonly #cycling: Uint8Array;
  /**
   * How many refreshes took how many worker AWS calls, counted from one commit to the next: the
   * refresh's own calls up to its commit, and the previous one's event after it. A connection's
   * first commit in the simulation ends a partial cycle and is left out.
   */
  readonly callsHistogram = new Array<number>(HISTOGRAM_BUCKETS).fill(0);
  /** Refreshes committed (new versions on the connection). */
  commits = 0;
  plannerRuns = 0;
  /** The longest a planner run held back an order that could wait (urgent ones went first). */
  maxHoldMs = 0;
  /** Planner runs that held back at least one order. */
  holdingRuns = 0;
  /** The longest a visible message waited for a worker, sampled every planner period. */
  maxBacklogWaitMs = 0;
  /**
   * Planner runs that threw (a simulated AWS fault the SDK gave up on). The deployed planner is not
   * invoked again for it (no async retries): its minute's orders wait for the catch-up.
   */
  plannerErrors = 0;
  readonly #log: Log;
  /** The product's refresh policy (for seeding the fleet as it would have refreshed). */
  readonly #policy: RefreshPolicy;
  /** Bytes of one order's message (known once the fleet is seeded; SQS bills per 64 KB). */
  #orderBytes = 0;

  constructor(
    readonly scenario: FleetScenario,
    readonly product: ProductSettings,
  ) {
    const random = new SimRandom(scenario.seed);
    this.time = new VirtualTime(scenario.start);
    this.env = { time: this.time, random, aws: scenario.aws };
    const horizonMs = scenario.hours * HOUR_MS;
    this.table = new ConnectionTable(scenario.start - 2 * HOUR_MS);
    this.secrets = new SecretsState(
      this.table,
      scenario.start,
      horizonMs + HOUR_MS,
      scenario.connections,
      product.secretWriteSdkAttempts,
    );
    this.zoho = new ZohoCloud({
      ...scenario.zoho,
      timeoutMs: product.config.zohoTimeoutMs,
      outage: outageWindow(scenario),
    });
    this.queue = new SimQueue(this.env, { ...scenario.queue, ...product.queue });
    this.#log = watchfulLog((error) => this.time.fail(error));
    this.good = new Uint8Array(scenario.connections).fill(1);
    this.#callsSinceCommit = new Uint16Array(scenario.connections);
    this.#cycling = new Uint8Array(scenario.connections);
    this.worker = new SimLambdaFunction(
      'refresh-worker',
      this.env,
      { ...scenario.worker, ...product.worker },
      (connectionId) => this.#countCall(connectionId),
    );
    this.planner = new SimLambdaFunction(
      'planner',
      this.env,
      { ...scenario.planner, ...product.planner },
      undefined,
      true,
    );
    this.mapping = new SimEventSourceMapping(
      this.env,
      this.queue,
      this.worker,
      { ...product.worker, ...scenario.worker },
      (_invocation, container, messages) =>
        runWorkerBatch(
          this.#workerDeps(container),
          messages.map((message) => message.body),
        ),
    );
    this.#policy = this.#workerDeps(
      new Container(new Invocation(this.worker.meter, 1, undefined, () => {})),
    ).policy;
    this.#seed();
    this.#orderBytes = orderBytes(this.table.at(0));
  }

  get policy() {
    return this.#policy;
  }

  /** Runs the whole scenario; `onHour` after each simulated hour (progress lines). */
  async run(onHour: (hour: number) => void): Promise<{ events: number; instants: number }> {
    const { start, hours } = this.scenario;
    const end = start + hours * HOUR_MS;
    const period = this.product.planner.periodMs;
    // EventBridge fires a schedule rule within a few seconds of its minute.
    for (let at = start; at < end; at += period) {
      this.time.at(at + this.env.random.uniform(0, 2_000), () => this.#invokePlanner());
    }
    let nextHour = start + HOUR_MS;
    const stats = await this.time.run(end, (now) => {
      if (now >= nextHour) {
        onHour(Math.round((nextHour - start) / HOUR_MS));
        nextHour += HOUR_MS;
      }
    });
    this.secrets.closeLedger(end);
    return stats;
  }

  #invokePlanner(): void {
    this.plannerRuns++;
    this.maxBacklogWaitMs = Math.max(this.maxBacklogWaitMs, this.queue.oldestVisibleWaitMs());
    this.planner.invoke(
      async (_invocation, container) => {
        const summary = await runPlanner(this.#plannerDeps(container));
        this.maxHoldMs = Math.max(this.maxHoldMs, summary.deferredMs);
        if (summary.deferred > 0) this.holdingRuns++;
      },
      (outcome) => {
        if (outcome.kind !== 'error') return;
        this.plannerErrors++;
        if (!(outcome.error instanceof SimAwsError)) this.time.fail(outcome.error);
      },
    );
  }

  /**
   * The worker's dependencies, built once per container by the product's own composition root (as
   * the handler does at module scope) on simulated ports that follow the container's invocation.
   */
  #workerDeps(container: Container): WorkerDependencies {
    let deps = container.local.get('deps') as WorkerDependencies | undefined;
    if (deps === undefined) {
      deps = workerDependencies(this.product, this.#wiring(container));
      container.local.set('deps', deps);
    }
    return deps;
  }

  /** The planner's dependencies, likewise. */
  #plannerDeps(container: Container): PlannerDependencies {
    let deps = container.local.get('deps') as PlannerDependencies | undefined;
    if (deps === undefined) {
      deps = plannerDependencies(this.product, this.#wiring(container));
      container.local.set('deps', deps);
    }
    return deps;
  }

  #wiring(container: Container): SimulatedWiring {
    return {
      ports: {
        store: new SimConnectionStore(this.env, container, this.table, this),
        vault: new SimTokenVault(this.env, container, this.secrets),
        cipher: new SimCipher(this.env, container),
        credentials: new SimClientCredentials(this.env, container, container.credentials),
        events: new SimEventPublisher(this.env, container, this.published),
      },
      zoho: new SimZoho(this.env, container, this.zoho),
      queue: new SimRefreshQueue(this.env, container, this.queue, this.#orderBytes),
      clock: this.time,
      metrics: this.metrics,
      log: this.#log,
      random: () => this.env.random.next(),
    };
  }

  /** StoreObserver: a commit of a new version. */
  onCommitted(connectionId: string): void {
    this.commits++;
    const index = this.table.indexOf(connectionId);
    const calls = this.#callsSinceCommit[index] ?? 0;
    if (this.#cycling[index] === 1) {
      const bucket = Math.min(calls, HISTOGRAM_BUCKETS - 1);
      this.callsHistogram[bucket] = (this.callsHistogram[bucket] ?? 0) + 1;
    }
    this.#cycling[index] = 1;
    this.#callsSinceCommit[index] = 0;
  }

  #countCall(connectionId: string): void {
    const index = this.table.indexOf(connectionId);
    this.#callsSinceCommit[index] = (this.#callsSinceCommit[index] ?? 0) + 1;
  }

  #seed(): void {
    const { scenario, policy, env } = this;
    const { random } = env;
    const dcs = Object.entries(scenario.dcShares);
    // Steady state: refreshes spread evenly over the mean time between two of them (a token's life
    // less the margin and half the jitter), so the first hours carry the load every later hour does.
    const interval =
      scenario.zoho.tokenLifetimeSeconds * 1000 - policy.marginMs - Math.floor(policy.jitterMs / 2);
    for (let i = 0; i < scenario.connections; i++) {
      const connectionId = fleetConnectionId(i);
      const dc = pickDc(dcs, random.next());
      const centre = ZOHO_DATA_CENTRES.find((entry) => entry.dc === dc) ?? ZOHO_DATA_CENTRES[0];
      if (!centre) throw new Error('no Zoho data centres');
      const refreshedAt = scenario.start - random.uniform(0, interval);
      const expiresAt = Math.floor(refreshedAt + scenario.zoho.tokenLifetimeSeconds * 1000);
      const writes: number[] = [];
      for (let at = refreshedAt; at > scenario.start - 24 * HOUR_MS; at -= interval) {
        writes.unshift(Math.floor(at));
      }
      const refreshToken = `1000.sim-rt-${connectionId}`;
      const connection: Connection = {
        ...newConnection(
          {
            connectionId,
            dc,
            accountsServer: centre.accountsServer,
            apiDomain: centre.apiDomain,
            clientRef: 'books',
            encryptedRefreshToken: simCiphertext(connectionId, refreshToken),
          },
          scenario.start - 30 * 24 * HOUR_MS,
        ),
        version: 500,
        leaseSeq: 500,
        expiresAt,
        refreshedAt: Math.floor(refreshedAt),
        refreshDueAt: nextRefreshDue(expiresAt, Math.floor(refreshedAt), policy),
        recentZohoCalls: [Math.floor(refreshedAt)],
        recentSecretWrites: writes,
      };
      this.table.put(connection);
      this.secrets.seed({
        connectionId,
        version: 500,
        accessToken: '1000.sim-at-seed',
        apiDomain: centre.apiDomain,
        tokenType: 'Bearer',
        expiresAt,
      });
      if (random.chance(scenario.revokedShare)) {
        this.good[i] = 0;
        const revokeAt = scenario.start + random.uniform(0, scenario.hours * HOUR_MS);
        this.time.at(revokeAt, () => this.zoho.revoke(refreshToken));
      }
    }
    for (let i = 0; i < scenario.poisonConnections; i++) {
      const index = random.index(scenario.connections);
      this.good[index] = 0;
      this.table.poison(this.table.at(index)?.connectionId ?? '');
    }
  }
}

function pickDc(dcs: ReadonlyArray<[string, number]>, draw: number): string {
  let sum = 0;
  for (const [dc, share] of dcs) {
    sum += share;
    if (draw < sum) return dc;
  }
  return dcs.at(-1)?.[0] ?? 'us';
}

/** Bytes of one order's message body: the JSON the planner sends for a seeded connection. */
function orderBytes(connection: Connection | undefined): number {
  if (!connection) return 0;
  return Buffer.byteLength(
    JSON.stringify({
      connectionId: connection.connectionId,
      dueAt: connection.refreshDueAt,
      snapshot: connection,
    }),
  );
}
