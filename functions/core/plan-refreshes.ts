/**
 * The scheduled trigger, as a planner: every minute it reads from the due index what falls due in
 * the next minute and hands it to the refresh workers through a queue that holds each order back
 * until its due time, so a token is refreshed on time to the second instead of up to a sweep's
 * interval late. The workers run `refreshConnection`; their lease makes the queue's duplicates
 * harmless. The planner refreshes nothing itself and finishes in about a second at 100,000
 * connections: its reads are the rest of this minute's due connections and the next minute's,
 * whatever is stuck overdue, and two small sparse partitions for the gauges.
 */
import { type Connection, type EpochMillis, isLeaseFree } from './connection';
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
   * The longest this run held back an order that can wait (a whole margin ahead of expiry) so urgent
   * ones reach the workers first (see deliveryTimes); 0 in steady state.
   */
  readonly deferredMs: number;
  /** Of the orders queued, those held back. */
  readonly deferred: number;
  /** Of the overdue orders, those of a connection whose run may have died (afterLease). */
  readonly afterLease: number;
  /** Orders the queue refused (the catch-up queues them again). */
  readonly notQueued: number;
  readonly expired: number;
  readonly failing: number;
}

/**
 * The most an order that can wait is held back, as a share of the margin: at the default 11½
 * minutes, 2 min 52½ s, so a held-back token still has over 8 minutes to live when delivered.
 */
export const MAX_DEFERRAL_SHARE_OF_MARGIN = 0.25;

/** The longest any order is held back, for a margin of `marginMs` (MAX_DEFERRAL_SHARE_OF_MARGIN). */
export const maxDeferralMs = (marginMs: number): number =>
  Math.floor(marginMs * MAX_DEFERRAL_SHARE_OF_MARGIN);

/**
 * The share of `secretWritesPerSecond` the orders are laid out for, in percent: what the workers
 * reach under load (a worker waiting on a slow Zoho answer leaves its slot unused). Laid out for
 * less, a backlog the planner holds back is released no faster than that, while the workers' spare
 * rate idles and the holds last an hour; laid out for more, what the workers miss stays visible in
 * the queue, and the next plan counts it (backlogAt).
 */
export const WORKER_THROUGHPUT_PERCENT = 96;

/** What decides when the orders that can wait are delivered. */
export interface DeferralInput {
  /** When the workers get to this plan's orders: the start of the period it plans. */
  readonly from: EpochMillis;
  /** Orders the workers still have to get through then (see backlogAt). */
  readonly ahead: number;
  /** Urgent orders in this plan (one planner period of them): the rate kept free for urgent work. */
  readonly urgent: number;
  /** The workers' secret writes per second; without it nothing is held back. */
  readonly writesPerSecond: number | undefined;
  readonly marginMs: number;
}

/** The writes the workers get through in `ms` at WORKER_THROUGHPUT_PERCENT of `writesPerSecond`. */
const writesIn = (ms: number, writesPerSecond: number): number =>
  (ms * writesPerSecond * WORKER_THROUGHPUT_PERCENT) / 100_000;

/**
 * The orders the workers still have to get through at `from` (the start of the period a plan made
 * at `now` is for): those `waiting` now (overdue and held by no run: in the queue, held back by an
 * earlier plan, or left by a run that died) and the `queuedBefore` of the current period, which the
 * previous run queued, less what the workers get through until `from`. Runs in progress are not
 * waiting, and this period's orders arrive through it, not all at once: counted as a backlog they
 * would hold orders back in steady state, and with the workers near their limit, every second of a
 * hold comes back in the next plan as more backlog, until the holds settle at minutes.
 */
export function backlogAt(
  from: EpochMillis,
  input: { now: EpochMillis; waiting: number; queuedBefore: number; writesPerSecond: number | undefined },
): number {
  const { now, waiting, queuedBefore, writesPerSecond } = input;
  const done = writesPerSecond === undefined ? 0 : writesIn(Math.max(0, from - now), writesPerSecond);
  return Math.max(0, Math.ceil(waiting + queuedBefore - done));
}

/**
 * When to deliver the orders that can wait (their due times, earliest first): earliest deadline
 * first, through the queue's delays. The queue hands out what is visible roughly oldest first and
 * has no priorities, so an urgent order (after an outage: a retry a minute or two from expiry)
 * waits behind whatever became visible before it; the orders that can wait must therefore become
 * visible no faster than the workers have time left for them. The workers write `c` a second
 * (WORKER_THROUGHPUT_PERCENT of the limit), of which the urgent orders take `u` (this plan's, per
 * second of its period), and they have the `ahead` orders to get through first: the i-th order that
 * can wait goes no sooner than `from + (ahead + i) / (c − u)`, nor before its due time, nor more
 * than maxDeferralMs after it. In steady state the workers have time to spare and nothing moves;
 * while urgent work outgrows them the patient orders slide back, and come forward again as the
 * backlog drains. A plan later than this one still sees the orders this one held back: they are
 * overdue by then, and count in its `ahead`.
 */
export function deliveryTimes(dueTimes: readonly EpochMillis[], input: DeferralInput): EpochMillis[] {
  const { from, ahead, urgent, writesPerSecond, marginMs } = input;
  if (writesPerSecond === undefined || writesPerSecond <= 0) return [...dueTimes];
  const cap = maxDeferralMs(marginMs);
  // Writes a period the orders that can wait may take: c − u, per planner period.
  const perPeriod = writesIn(PLANNER_PERIOD_MS, writesPerSecond) - urgent;
  return dueTimes.map((due, i) => {
    const reached =
      perPeriod > 0
        ? from + Math.ceil(((ahead + i) * PLANNER_PERIOD_MS) / perPeriod)
        : Number.POSITIVE_INFINITY;
    return Math.min(due + cap, Math.max(due, reached));
  });
}

/**
 * Whether a connection's order can be held back: after the longest hold its token still has half a
 * margin to live (at the default margin, it falls due 8 min 37½ s or more before expiry). A scheduled
 * refresh falls due a margin (plus jitter) before expiry and can, and so can a retry soon after a
 * failure; a retry that waited out Zoho's budget (a minute or two from expiry) cannot, and goes
 * first, as does a token shorter-lived than the margin.
 */
export function canWait(connection: Connection, marginMs: number): boolean {
  return connection.expiresAt - connection.refreshDueAt >= marginMs / 2 + maxDeferralMs(marginMs);
}

/**
 * The period a connection's catch-up ages count from. While the planner holds orders back (see
 * deliveryTimes), an order that could have been held (see canWait) may be waiting in the queue for
 * about as long as this plan holds one (`holdMs`), so its ages start that many periods (rounded up)
 * after its due time: queuing it again sooner would send an unheld copy ahead of the urgent orders
 * it was held back for; counting the longest hold while the holds are seconds would leave an order
 * the queue lost for minutes more. An urgent one (a minute or two from expiry) counts from the
 * period before: its first catch-up comes one period after its due period, not two, so a planner
 * run lost to a fault costs it one minute, not the two it may not have. A copy of an order still
 * waiting in the queue then is harmless (the lease) and cheap (no Zoho call, no write).
 */
export function catchUpSlotOf(connection: Connection, marginMs: number, holdMs: number): number {
  const dueSlot = Math.floor(connection.refreshDueAt / PLANNER_PERIOD_MS);
  if (!canWait(connection, marginMs)) return dueSlot - 1;
  return dueSlot + Math.ceil(Math.min(Math.max(0, holdMs), maxDeferralMs(marginMs)) / PLANNER_PERIOD_MS);
}

/** How long after a lease ends its connection's order is delivered (clocks of machines differ). */
export const AFTER_LEASE_MS = 1_000;

/**
 * When to look again at an overdue connection whose lease ended since the previous run, or, for one
 * that cannot wait (see canWait), ends before the next. A lease still there after it ended was left
 * by a run that died with its sandbox, and nothing else would queue the connection before its
 * catch-up, minutes later. One that ends soon is most often a run about to finish (the order then
 * finds the connection refreshed: a skip that costs one read), but for a token with a minute or two
 * to live (after an outage) a second look as the lease ends is worth that. A lease shorter than a
 * period may start and end between two runs, hence the period before. Undefined for a connection
 * without such a lease; a lease is met by two runs at most, so a connection that keeps dying is left
 * to the catch-up.
 */
export function afterLease(
  connection: Connection,
  now: EpochMillis,
  marginMs: number,
): EpochMillis | undefined {
  const until = connection.lease?.until;
  if (until === undefined || until < now - PLANNER_PERIOD_MS) return undefined;
  if (until <= now) return now;
  if (until >= now + PLANNER_PERIOD_MS || canWait(connection, marginMs)) return undefined;
  return until + AFTER_LEASE_MS;
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
  const nextPeriod = horizon - PLANNER_PERIOD_MS;
  const [overdue, soon, retrying, needingOperator] = await Promise.all([
    store.listDue(now, limit),
    // Scheduled: the rest of this period too, which the previous run queued (counted, not queued
    // again: the workers get to it before anything this run queues) and the next period.
    allDue
      ? store.listDue(now + PLANNER_PERIOD_MS, limit, now + 1)
      : store.listDue(horizon - 1, 2 * limit, now + 1),
    store.listRetrying(limit),
    store.listNeedingOperator(limit),
  ]);
  const upcoming = allDue ? soon : soon.filter((c) => c.refreshDueAt >= nextPeriod);
  const queuedBefore = soon.length - (allDue ? 0 : upcoming.length);
  const gauges = emitFleetGauges(metrics, { overdue, upcoming, retrying, needingOperator }, now, deps.policy);
  const stuck = overdue.filter((c) => Math.floor(c.refreshDueAt / PLANNER_PERIOD_MS) <= slot - 2).length;
  metrics.add('RefreshesOverdue', stuck, 'Count');

  const { marginMs } = deps.policy;
  // Scheduled runs deliver what can wait after the urgent work (see deliveryTimes); the caught-up
  // orders are overdue themselves and never wait.
  const patient = allDue ? [] : upcoming.filter((connection) => canWait(connection, marginMs));
  const urgent = allDue ? upcoming : upcoming.filter((connection) => !canWait(connection, marginMs));
  const layout: DeferralInput = {
    from: nextPeriod,
    ahead: backlogAt(nextPeriod, {
      now,
      waiting: overdue.filter((connection) => isLeaseFree(connection, now)).length,
      queuedBefore,
      writesPerSecond: deps.secretWritesPerSecond,
    }),
    urgent: urgent.length,
    writesPerSecond: deps.secretWritesPerSecond,
    marginMs,
  };
  const delivery = deliveryTimes(
    patient.map((connection) => connection.refreshDueAt),
    layout,
  );
  // How long an order falling due as the next period starts is held back (catch-up ages start later).
  const holdMs = allDue ? 0 : (deliveryTimes([nextPeriod], layout)[0] ?? nextPeriod) - nextPeriod;
  // A connection whose run may have died is looked at again as its lease ends (afterLease).
  const leaseEnding = new Map<Connection, EpochMillis>();
  for (const connection of allDue ? [] : overdue) {
    const at = afterLease(connection, now, marginMs);
    if (at !== undefined) leaseEnding.set(connection, at);
  }
  const caughtUp = allDue
    ? overdue
    : overdue.filter((c) => leaseEnding.has(c) || catchUpNow(slot, catchUpSlotOf(c, marginMs, holdMs)));
  const held = new Map(patient.map((connection, i) => [connection, delivery[i] ?? connection.refreshDueAt]));
  const queued = [...caughtUp, ...upcoming].slice(0, limit);
  const orders = queued.map((connection) =>
    orderOf(connection, leaseEnding.get(connection) ?? held.get(connection) ?? connection.refreshDueAt),
  );
  const notQueued = await enqueue(deps, orders);

  const holds = queued.map(
    (connection) => (held.get(connection) ?? connection.refreshDueAt) - connection.refreshDueAt,
  );
  metrics.add('RefreshesPlanned', orders.length - notQueued, 'Count');
  if (notQueued === 0) metrics.add('PlannerHeartbeat', 1, 'Count');
  const summary: PlanSummary = {
    planned: orders.length - notQueued,
    upcoming: Math.min(upcoming.length, orders.length - caughtUp.length),
    overdue: Math.min(caughtUp.length, orders.length),
    stuck,
    deferredMs: holds.reduce((most, hold) => Math.max(most, hold), 0),
    deferred: holds.filter((hold) => hold > 0).length,
    afterLease: queued.filter((connection) => leaseEnding.has(connection)).length,
    notQueued,
    ...gauges,
  };
  log.info('Planner run finished', { ...summary, mode: options.mode ?? 'scheduled' });
  return summary;
}

/** The order of a connection, delivered at `deliverAt` (its due time unless held back). */
const orderOf = (connection: Connection, deliverAt: EpochMillis): RefreshOrder => ({
  connectionId: connection.connectionId,
  dueAt: deliverAt,
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
