import type { ScheduledEvent } from 'aws-lambda';
import {
  type PlannerDependencies,
  type PlanOptions,
  type PlanSummary,
  planRefreshes,
} from '../core/plan-refreshes';

/**
 * What `zoho-tokens sweep` sends: plan every connection due now, not only the next minute's (an
 * operator's "refresh what is due"). Harmless from anyone allowed to invoke the planner: it only
 * queues connections that are due, and the lease makes a second order for one a no-op.
 */
export interface SweepRequest {
  readonly sweep: 'all_due';
}

const isSweepRequest = (event: unknown): event is SweepRequest =>
  typeof event === 'object' && event !== null && (event as { sweep?: unknown }).sweep === 'all_due';

/** The planner use case as a Lambda function, before middleware: EventBridge schedule → one planner run. */
export function createPlannerHandler(deps: PlannerDependencies, options: PlanOptions = {}) {
  return (event: ScheduledEvent | SweepRequest | Record<string, never>): Promise<PlanSummary> =>
    planRefreshes(deps, isSweepRequest(event) ? { ...options, mode: 'all_due' } : options);
}
