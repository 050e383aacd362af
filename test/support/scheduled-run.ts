/**
 * The deployed schedule in one step, for tests that drive the refresher by hand: a planner run
 * (`all_due`: the fleet gauges, an order for every connection due) and the workers running at once
 * the orders of the connections due now, through `runRefreshOrders` as the worker handler does.
 * The orders the planner sends ahead of time (due later in its period) are left to a later run.
 */
import { type PlanSummary, planRefreshes } from '../../functions/core/plan-refreshes';
import type { RefreshResult } from '../../functions/core/refresh-connection';
import type { RefreshDependencies } from '../../functions/core/refresh-deps';
import { type OrderOutcome, runRefreshOrders } from '../../functions/core/run-refresh-orders';
import { RecordingQueue } from './fakes';

export interface ScheduledRunSummary {
  readonly plan: PlanSummary;
  /** Connections due now, each given to a worker. */
  readonly attempted: number;
  readonly refreshed: number;
  /** Classified failures (recorded on the connection) and orders that threw (the queue's retry). */
  readonly failed: number;
  readonly skipped: number;
  readonly outcomes: readonly OrderOutcome[];
}

const isRefreshed = (result: RefreshResult | { readonly outcome: 'gone' }) =>
  result.outcome === 'refreshed' || result.outcome === 'adopted';

/** One planner run and the workers on what is due now; `concurrency` orders side by side. */
export async function runScheduled(
  deps: RefreshDependencies,
  options: { readonly concurrency: number },
): Promise<ScheduledRunSummary> {
  const queue = new RecordingQueue();
  const plan = await planRefreshes({ ...deps, queue }, { mode: 'all_due' });
  const now = deps.clock.now();
  const due = queue.take().filter((order) => (order.snapshot?.refreshDueAt ?? order.dueAt) <= now);
  const outcomes = await runRefreshOrders(
    { ...deps, queue },
    due.map((order, index) => ({ deliveryId: String(index), order })),
    options,
  );
  const results = outcomes.flatMap((outcome) => (outcome.kind === 'done' ? [outcome.result] : []));
  return {
    plan,
    attempted: outcomes.length,
    refreshed: results.filter(isRefreshed).length,
    failed: outcomes.length - results.length + results.filter((r) => r.outcome === 'failed').length,
    skipped: results.filter((r) => r.outcome === 'skipped').length,
    outcomes,
  };
}
