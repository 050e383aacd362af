/**
 * The sandbox's moving parts, each on its own timer: the planner handler (as the EventBridge
 * schedule would run it), the delivery of the refresh queue to the worker handler (as the event
 * source mapping would), the drain of the rejected-events queue into the on-demand handler (as the
 * bus target would), a demo consumer per connection, the simulated Zoho's early expiries, and the
 * table.
 */

import { REFRESH_WORKER_BATCH_SIZE } from '../../functions/aws/settings';
import type { Connection } from '../../functions/core/connection';
import type { RefreshDependencies } from '../../functions/core/refresh-deps';
import { createTokenRejectedHandler } from '../../functions/on-demand-refresh/token-rejected-handler';
import { createPlannerHandler } from '../../functions/planner/planner-handler';
import { createRefreshWorkerHandler } from '../../functions/refresh-worker/refresh-worker-handler';
import { drainRejectedEvents } from '../emulator/drain';
import { deliverQueuedOrders } from '../emulator/work';
import type { AwsSide } from './aws-side';
import { createDemoConsumer } from './consumer';
import type { EventLog } from './events';
import type { SandboxSettings } from './options';
import type { SandboxRefresher } from './refresher';
import type { Runner } from './runner';
import { describeOnDemandResult, type RegisteredConnection } from './setup';
import { renderTable, type SandboxView } from './view';
import type { ZohoSide } from './zoho-side';

export interface LoopContext {
  readonly settings: SandboxSettings;
  readonly runner: Runner;
  readonly aws: AwsSide;
  readonly zoho: ZohoSide;
  readonly deps: RefreshDependencies;
  readonly refresher: SandboxRefresher;
  readonly connections: readonly RegisteredConnection[];
  readonly log: EventLog;
  readonly view: SandboxView;
  readonly zohoCalls: ReadonlyMap<string, number>;
  /** The connection the demo link adds, shown once a browser has approved it. */
  readonly linkConnectionId?: string;
}

/** Runs the planner and the workers once now (so the consumers start with tokens), then every loop. */
export async function startLoops(ctx: LoopContext): Promise<void> {
  const { runner, settings, log } = ctx;
  const warn = (what: string) => (error: unknown) =>
    log.record({
      kind: 'warning',
      text: `${what} failed: ${error instanceof Error ? error.message : error}`,
    });

  // Everything due now or within the minute: with tokens 60 times shorter than Zoho's, the deployed
  // planner's one-minute periods would be late by whole token lives. The orders that overlap (the
  // planner plans a connection again at each run until it is refreshed) cost a lease attempt each.
  const plan = createPlannerHandler(ctx.refresher.planner, { mode: 'all_due' });
  const worker = createRefreshWorkerHandler(ctx.refresher.worker, { concurrency: REFRESH_WORKER_BATCH_SIZE });
  const { resources, clients, target } = ctx.aws;
  const deliverOrders = () =>
    deliverQueuedOrders({
      sqs: clients.sqs,
      queue: { url: resources.refreshQueueUrl, arn: resources.refreshQueueArn },
      region: target.region,
      handler: worker,
      batchSize: REFRESH_WORKER_BATCH_SIZE,
      onError: warn('the refresh worker'),
    });
  const sweepOnce = async () => {
    const before = ctx.refresher.metrics.total('RefreshSucceeded');
    await plan({});
    const { delivered } = await deliverOrders();
    await refreshTable(ctx);
    const refreshed = ctx.refresher.metrics.total('RefreshSucceeded') - before;
    if (delivered > 0) ctx.view.printTable(`After the sweep (${refreshed} refreshed):`);
  };
  await runner.track(sweepOnce().catch(warn('the first sweep')));
  runner.every(settings.sweepIntervalMs, sweepOnce, warn('a sweep'), false);
  // The orders held back until due arrive between planner runs, as SQS delivers them to the workers.
  runner.every(
    settings.drainIntervalMs,
    async () => {
      await deliverOrders();
    },
    warn('delivering refresh orders'),
  );

  const onDemand = createTokenRejectedHandler(ctx.deps);
  const handler = async (event: unknown) => {
    const result = await onDemand(event);
    const detail = (event as { detail?: { connectionId?: unknown; version?: unknown } } | undefined)?.detail;
    log.record({
      kind: 'rejected-delivered',
      connectionId: String(detail?.connectionId ?? '(none)'),
      version: Number(detail?.version ?? -1),
      result: describeOnDemandResult(result),
    });
    return result;
  };
  runner.every(
    settings.drainIntervalMs,
    async () => {
      await drainRejectedEvents({
        target: ctx.aws.target,
        clients: ctx.aws.clients,
        handler,
        queueUrl: ctx.aws.resources.rejectedQueueUrl,
        onError: warn('the on-demand handler'),
      });
    },
    warn('draining the rejected-events queue'),
  );

  startDemoConsumers(ctx, warn('the demo consumer'));
  startEarlyExpiries(ctx);
  runner.every(1_000, () => refreshTable(ctx).then(() => undefined), warn('reading the table'));
}

/**
 * A demo consumer per connection. None when the settings have no interval: the default against the
 * real Zoho, where every call spends the organisation's daily Books API quota.
 */
function startDemoConsumers(ctx: LoopContext, onError: (error: unknown) => void): void {
  const { runner, settings } = ctx;
  const every = settings.consumerIntervalMs;
  if (every === undefined) return;
  for (const connection of ctx.connections) {
    const consumer = createDemoConsumer({
      connectionId: connection.connectionId,
      aws: ctx.aws,
      log: ctx.log,
      clock: { now: Date.now, sleep: runner.sleep },
      // The library's cache ends a minute before expiry. Short simulated tokens are refreshed
      // earlier than that, so their cache ends at the earliest refresh instead: a consumer never
      // keeps an older token than the newest one.
      ...(ctx.zoho.tokenLifetimeSeconds < 3600
        ? { cacheSkewMs: ctx.deps.policy.marginMs + ctx.deps.policy.jitterMs }
        : {}),
      // Long enough for a drain and a refresh; short enough that stopping never waits for it.
      waitForRefreshMs: Math.max(5_000, settings.drainIntervalMs * 5),
    });
    runner.every(every, () => consumer.call(), onError);
  }
}

/** The simulator invalidates one connection's tokens at a time, round robin: the demo's 401s. */
function startEarlyExpiries(ctx: LoopContext): void {
  const { simulator } = ctx.zoho;
  const every = ctx.settings.zoho.kind === 'simulator' ? ctx.settings.zoho.expireEveryMs : 0;
  if (simulator === undefined || every === 0 || ctx.connections.length === 0) return;
  let next = 0;
  ctx.runner.every(
    every,
    async () => {
      const connection = ctx.connections[next++ % ctx.connections.length];
      if (connection === undefined) return;
      simulator.expireAccessTokens(connection.refreshToken);
      ctx.log.record({ kind: 'zoho-expired', connectionId: connection.connectionId });
    },
    () => undefined,
    false,
  );
}

/** Reads the connections and redraws (on a terminal). */
export async function refreshTable(ctx: LoopContext): Promise<Connection[]> {
  const ids = new Set(ctx.connections.map((c) => c.connectionId));
  if (ctx.linkConnectionId !== undefined) ids.add(ctx.linkConnectionId);
  const connections = (await ctx.deps.store.listAll()).filter((c) => ids.has(c.connectionId));
  ctx.view.table(renderTable(connections, ctx.zohoCalls, Date.now()));
  ctx.view.redraw();
  return connections;
}
