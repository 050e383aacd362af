/**
 * The scheduled trigger, as a planner: every minute it reads from the due index what falls due in
 * the next minute and hands it to the refresh workers through a queue that holds each order back
 * until its due time, so a token is refreshed on time to the second instead of up to a sweep's
 * interval late. The workers run `refreshConnection`; their lease makes the queue's duplicates
 * harmless. The planner refreshes nothing itself and finishes in well under a second at any fleet
 * size: its reads are one minute of due connections, whatever is stuck overdue, and two small
 * sparse partitions for the gauges.
 */
import type { Connection, EpochMillis } from './connection';
import { OrdersNotQueuedError } from './errors';
import { emitFleetGauges } from './fleet-gauges';
import type { Clock, ConnectionStore, Log, Metrics, RefreshOrder, RefreshQueue } from './ports';
import type { RefreshPolicy } from './refresh-policy';

/** How often the planner runs (the stack's schedule): one minute, the finest EventBridge rate. */
export const PLANNER_PERIOD_MS = 60_000;

/**
 * Ages, in planner periods, at which a connection still overdue is queued again: its order was lost
 * (dead-lettered, a planner run missed, a lease left by a run that died). Doubling ages make a
 * connection that stays stuck cost a handful of orders, not one a minute, and keep a backlog the
 * workers are still draining from being queued over and over. Beyond the last (about 68 hours) only
 * an operator re-queues it (`all_due`); the ExpiredTokens alarm has fired long before.
 */
export const CATCH_UP_AGES: readonly number[] = [2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];

/** Most orders one run queues by default: 20,000 is ten minutes of the region's whole write quota. */
export const DEFAULT_MAX_ORDERS = 20_000;

export interface PlannerDependencies {
  readonly store: ConnectionStore;
  readonly queue: RefreshQueue;
  readonly metrics: Metrics;
  readonly log: Log;
  readonly clock: Pick<Clock, 'now'>;
  readonly policy: Pick<RefreshPolicy, 'failingAfter' | 'marginMs'>;
  /**
   * The workers' secret writes per second (`secretWritesPerSecond`): how fast a backlog drains, for
   * holding back orders that can wait while it does. Without it nothing is held back.
   */
  readonly secretWritesPerSecond?: number;
}

export interface PlanOptions {
  /**
   * `scheduled` (the deployed planner): the next period's due connections plus the catch-up of stuck
   * ones. `all_due`: everything due now or within the next period, at once (an operator's sweep, the
   * sandbox, tests: a connection added a moment ago is due now, which `scheduled` leaves to its
   * catch-up two minutes later). @default 'scheduled'
   */
  readonly mode?: 'scheduled' | 'all_due';
  /** Most orders queued, and overdue connections read, in one run; the earliest due first. */
  readonly maxOrders?: number;
}

export interface PlanSummary {
  /** Orders queued. */
  readonly planned: number;
  /** Of them, connections not due yet (the queue holds them back until due). */
  readonly upcoming: number;
  /** Of them, connections already due (caught up, or due now in `all_due`). */
  readonly overdue: number;
  /** Active connections due two periods ago or earlier and still not refreshed (RefreshesOverdue). */
  readonly stuck: number;
  /**
   * Milliseconds this run held back its orders that can wait (a whole margin ahead of expiry) so an
   * overdue backlog reaches the workers first; 0 without a backlog.
   */
  readonly deferredMs: number;
  /** Of the orders queued, those held back `deferredMs`. */
  readonly deferred: number;
  /** Orders the queue refused (the catch-up queues them again). */
  readonly notQueued: number;
  readonly expired: number;
  readonly failing: number;
}

/**
 * The most an order that can wait is held back, as a share of the margin: at the default 11 minutes,
 * 2 min 45 s, so a held-back token still has over 8 minutes to live when its order is delivered.
 */
export const MAX_DEFERRAL_SHARE_OF_MARGIN = 0.25;

/**
 * How long to hold back orders that can wait while `backlog` orders cannot: the time the workers
 * need to drain them at `writesPerSecond`, at most a quarter of the margin. The queue hands out what
 * is visible roughly oldest first and has no priorities, so holding the patient orders back is what
 * puts the urgent ones (after an outage: retries a minute or two from expiry) ahead of them. The
 * backlog counts the connections overdue now (queued and waiting, or held back by earlier runs)
 * and the next period's orders that cannot wait; recomputed every run, the hold grows while the
 * urgent work outgrows the workers and falls back to about nothing once they have caught up.
 */
export function deferralMs(backlog: number, writesPerSecond: number | undefined, marginMs: number): number {
  if (backlog <= 0 || writesPerSecond === undefined || writesPerSecond <= 0) return 0;
  const drainMs = Math.ceil((backlog * 1000) / writesPerSecond);
  return Math.min(drainMs, Math.floor(marginMs * MAX_DEFERRAL_SHARE_OF_MARGIN));
}

/**
 * Whether a connection's order can be held back: its token has a whole margin to live when it falls
 * due, so after the most any run defers it still has three quarters of one. A scheduled refresh
 * falls due a margin (plus jitter) before expiry and can; a retry after failures, a catch-up or a
 * token shorter than the margin cannot, and goes first.
 */
export function canWait(connection: Connection, marginMs: number): boolean {
  return connection.expiresAt - connection.refreshDueAt >= marginMs;
}

/**
 * The period a connection's catch-up ages count from. An order that could have been held back (see
 * canWait) may be waiting in the queue for up to the longest hold, so its ages start that many
 * periods after its due time: queuing it again sooner would send an unheld copy ahead of the urgent
 * orders it was held back for.
 */
export function catchUpSlotOf(connection: Connection, marginMs: number): number {
  const dueSlot = Math.floor(connection.refreshDueAt / PLANNER_PERIOD_MS);
  if (!canWait(connection, marginMs)) return dueSlot;
  return dueSlot + Math.ceil(Math.floor(marginMs * MAX_DEFERRAL_SHARE_OF_MARGIN) / PLANNER_PERIOD_MS);
}

/** Where the run at `now` has planned up to (exclusive): the end of the next period. */
export function plannedUntil(now: EpochMillis): EpochMillis {
  return (Math.floor(now / PLANNER_PERIOD_MS) + 2) * PLANNER_PERIOD_MS;
}

/**
 * Whether the run of period `slot` queues again a connection due in period `dueSlot`: at each age of
 * CATCH_UP_AGES once. The window of age `a` is `a/2` periods wide and looked at every `a/2`-th run,
 * so consecutive looks tile the past and each stuck connection is met exactly once per age.
 */
export function catchUpNow(slot: number, dueSlot: number): boolean {
  const age = slot - dueSlot;
  return CATCH_UP_AGES.some((a) => {
    const width = Math.max(1, a / 2);
    return slot % width === 0 && age >= a && age < a + width;
  });
}

/** One planner run; see the file comment. Emits the fleet gauges and, when all was queued, a heartbeat. */
export async function planRefreshes(
  deps: PlannerDependencies,
  options: PlanOptions = {},
): Promise<PlanSummary> {
  const { store, metrics, log } = deps;
  const now = deps.clock.now();
  const limit = options.maxOrders ?? DEFAULT_MAX_ORDERS;
  const slot = Math.floor(now / PLANNER_PERIOD_MS);
  const horizon = plannedUntil(now);
  const allDue = options.mode === 'all_due';
  const [overdue, upcoming, retrying, needingOperator] = await Promise.all([
    store.listDue(now, limit),
    // Scheduled: the next period only (the current one was planned by the previous run).
    allDue
      ? store.listDue(now + PLANNER_PERIOD_MS, limit, now + 1)
      : store.listDue(horizon - 1, limit, horizon - PLANNER_PERIOD_MS),
    store.listRetrying(limit),
    store.listNeedingOperator(limit),
  ]);
  const gauges = emitFleetGauges(metrics, { overdue, upcoming, retrying, needingOperator }, now, deps.policy);
  const stuck = overdue.filter((c) => Math.floor(c.refreshDueAt / PLANNER_PERIOD_MS) <= slot - 2).length;
  metrics.add('RefreshesOverdue', stuck, 'Count');

  const { marginMs } = deps.policy;
  const caughtUp = allDue ? overdue : overdue.filter((c) => catchUpNow(slot, catchUpSlotOf(c, marginMs)));
  // Scheduled runs hold back what can wait while urgent work drains (see deferralMs); the caught-up
  // orders are overdue themselves and never wait.
  const urgent = upcoming.filter((connection) => !canWait(connection, marginMs)).length;
  const deferMs = allDue ? 0 : deferralMs(overdue.length + urgent, deps.secretWritesPerSecond, marginMs);
  const orders = [
    ...caughtUp.map((connection) => orderOf(connection, 0)),
    ...upcoming.map((connection) => orderOf(connection, canWait(connection, marginMs) ? deferMs : 0)),
  ].slice(0, limit);
  const notQueued = await enqueue(deps, orders);

  metrics.add('RefreshesPlanned', orders.length - notQueued, 'Count');
  if (notQueued === 0) metrics.add('PlannerHeartbeat', 1, 'Count');
  const summary: PlanSummary = {
    planned: orders.length - notQueued,
    upcoming: Math.min(upcoming.length, orders.length - caughtUp.length),
    overdue: Math.min(caughtUp.length, orders.length),
    stuck,
    deferredMs: deferMs,
    deferred:
      deferMs === 0
        ? 0
        : orders.filter((order, i) => i >= caughtUp.length && order.dueAt !== order.snapshot?.refreshDueAt)
            .length,
    notQueued,
    ...gauges,
  };
  log.info('Planner run finished', { ...summary, mode: options.mode ?? 'scheduled' });
  return summary;
}

/** The order of a connection, delivered `deferMs` after it falls due. */
const orderOf = (connection: Connection, deferMs: number): RefreshOrder => ({
  connectionId: connection.connectionId,
  dueAt: connection.refreshDueAt + deferMs,
  snapshot: connection,
});

/** Queues the orders; returns how many the queue refused (they stay due and are caught up later). */
async function enqueue(deps: PlannerDependencies, orders: readonly RefreshOrder[]): Promise<number> {
  if (orders.length === 0) return 0;
  try {
    await deps.queue.enqueue(orders);
    return 0;
  } catch (error) {
    if (!(error instanceof OrdersNotQueuedError)) throw error;
    deps.metrics.add('RefreshOrdersNotQueued', error.count, 'Count');
    deps.log.error('Some refresh orders could not be queued; the catch-up queues them again', {
      notQueued: error.count,
      ...(error.cause instanceof Error && { causeName: error.cause.name }),
    });
    return error.count;
  }
}
