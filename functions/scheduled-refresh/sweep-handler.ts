import type { Context, ScheduledEvent } from 'aws-lambda';
import type { RefreshDependencies } from '../core/refresh-deps';
import { type SweepSummary, sweepDueConnections } from '../core/sweep';

export interface SweepHandlerOptions {
  readonly concurrency: number;
  readonly reserveMs: number;
  /** Most connections one sweep takes; the rest are due again at the next sweep. */
  readonly maxConnections?: number;
}

/** The scheduled use case as a Lambda function, before middleware: EventBridge schedule → one sweep. */
export function createSweepHandler(deps: RefreshDependencies, options: SweepHandlerOptions) {
  return (
    _event: ScheduledEvent | Record<string, never>,
    context: Pick<Context, 'getRemainingTimeInMillis'>,
  ): Promise<SweepSummary> =>
    sweepDueConnections(deps, {
      concurrency: options.concurrency,
      reserveMs: options.reserveMs,
      maxConnections: options.maxConnections ?? 1_000,
      remainingTimeMs: () => context.getRemainingTimeInMillis(),
    });
}
