import type { ScheduledEvent } from 'aws-lambda';
import {
  type PlannerDependencies,
  type PlanOptions,
  type PlanSummary,
  planRefreshes,
} from '../core/plan-refreshes';

/** The planner use case as a Lambda function, before middleware: EventBridge schedule → one planner run. */
export function createPlannerHandler(deps: PlannerDependencies, options: PlanOptions = {}) {
  return (_event: ScheduledEvent | Record<string, never>): Promise<PlanSummary> =>
    planRefreshes(deps, options);
}
