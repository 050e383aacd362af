import type { Connection, EpochMillis } from './connection';
import { type RefreshResult, refreshConnection } from './refresh-connection';
import type { RefreshDependencies } from './refresh-deps';

export interface SweepOptions {
  /** Refreshes running at once; bounds the load on Zoho and on our own Lambda. */
  readonly concurrency: number;
  /** How much time the invocation has left (Lambda's `getRemainingTimeInMillis`). */
  readonly remainingTimeMs: () => number;
  /** Stop taking new work when less than this is left: one refresh's worst case plus headroom. */
  readonly reserveMs: number;
  /** Most connections taken in one sweep; the rest are due again at the next one. */
  readonly maxConnections: number;
  /** Most active connections read for the fleet gauges. @default FLEET_LIMIT */
  readonly fleetLimit?: number;
}

/** Active connections one sweep reads; a fleet larger than this needs sharded sweeps. */
export const FLEET_LIMIT = 10_000;

export interface SweepSummary {
  readonly due: number;
  readonly attempted: number;
  readonly refreshed: number;
  readonly failed: number;
  readonly skipped: number;
  /** Active connections whose token had already expired when the sweep started. */
  readonly expired: number;
  /**
   * Due connections this sweep did not attempt (time ran short, or more were due than
   * `maxConnections`): the next sweep takes them. Also the SweepBacklog metric.
   */
  readonly leftForNextSweep: number;
}

/**
 * The scheduled trigger: read what is due from the due index, refresh it with bounded concurrency,
 * stop taking work before the invocation runs out of time. Emits one heartbeat per sweep, the backlog
 * it leaves, and the fleet gauges every time (zeros included), so a silent scheduler, a fleet that
 * outgrew the sweep or a dying fleet alarms.
 */
export async function sweepDueConnections(
  deps: RefreshDependencies,
  options: SweepOptions,
): Promise<SweepSummary> {
  const now: EpochMillis = deps.clock.now();
  // One read of every active connection (the due index, earliest first) serves both the work and
  // the fleet gauges, so a connection in backoff still counts as expired or failing.
  const active = await deps.store.listDue(Number.MAX_SAFE_INTEGER, options.fleetLimit ?? FLEET_LIMIT);
  const allDue = active.filter((connection) => connection.refreshDueAt <= now);
  const due = allDue.slice(0, options.maxConnections);
  const expired = await emitFleetGauges(deps, active, now);
  deps.metrics.add('SweepConnections', allDue.length, 'Count');

  const results: RefreshResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < due.length && options.remainingTimeMs() > options.reserveMs) {
      const snapshot = due[next++];
      if (!snapshot) break;
      try {
        results.push(
          await refreshConnection(deps, {
            connectionId: snapshot.connectionId,
            trigger: 'scheduled',
            snapshot,
          }),
        );
      } catch (error) {
        // One bad connection must not stop the sweep; the use case already classified Zoho errors.
        deps.log.error('Sweep could not refresh a connection', {
          connectionId: snapshot.connectionId,
          errorName: error instanceof Error ? error.name : typeof error,
        });
        results.push({
          outcome: 'failed',
          errorCode: 'internal',
          message: 'unexpected error',
          permanent: false,
          status: snapshot.status,
          retryAt: now,
        });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, due.length)) }, worker));

  const summary: SweepSummary = {
    due: allDue.length,
    attempted: results.length,
    refreshed: results.filter((r) => r.outcome === 'refreshed' || r.outcome === 'adopted').length,
    failed: results.filter((r) => r.outcome === 'failed').length,
    skipped: results.filter((r) => r.outcome === 'skipped').length,
    expired,
    leftForNextSweep: allDue.length - results.length,
  };
  // Every sweep, zero included: a backlog in sweep after sweep means the fleet has outgrown the
  // scheduled function, long before a token expires (the SweepFallingBehind alarm).
  deps.metrics.add('SweepBacklog', summary.leftForNextSweep, 'Count');
  deps.metrics.add('SweepHeartbeat', 1, 'Count');
  deps.log.info('Sweep finished', { ...summary });
  return summary;
}

/**
 * The gauges the alarms watch, emitted by every sweep (zeros included), so an alarm neither misses a
 * connection in backoff nor returns to OK while a connection is still broken. Returns the number of
 * expired tokens.
 */
async function emitFleetGauges(deps: RefreshDependencies, active: readonly Connection[], now: EpochMillis) {
  const { metrics, policy } = deps;
  const expired = active.filter((connection) => connection.expiresAt <= now).length;
  const failing = active.filter((connection) => connection.consecutiveFailures >= policy.failingAfter).length;
  const stranded = await deps.store.listNeedingOperator(FLEET_LIMIT);
  metrics.add('ExpiredTokens', expired, 'Count');
  metrics.add('ConnectionsFailing', failing, 'Count');
  metrics.add(
    'ConnectionsNeedingReauthorization',
    stranded.filter((connection) => connection.status === 'reauthorization_required').length,
    'Count',
  );
  metrics.add(
    'ConnectionsMisconfigured',
    stranded.filter((connection) => connection.status === 'misconfigured').length,
    'Count',
  );
  const withToken = active.filter((connection) => connection.expiresAt > 0);
  if (withToken.length > 0) {
    const soonest = withToken.reduce((min, connection) => Math.min(min, connection.expiresAt), Infinity);
    metrics.add('MinSecondsToExpiry', Math.round((soonest - now) / 1000), 'Seconds');
  }
  return expired;
}
