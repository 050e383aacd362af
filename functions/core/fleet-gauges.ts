/**
 * The fleet gauges the alarms watch, from what a planner run reads anyway plus two small sparse
 * partitions, never from a read of the whole fleet (at 100,000 connections that would be about
 * 200 MB, 25,000 read units, every minute). Exact by an invariant of the refresh: a connection whose
 * last attempt was committed falls due before its token expires (due = expiry − margin − jitter, or
 * half its life for a token shorter than the margin), so once its token has expired it is overdue;
 * every other active connection carries a `lastError` and is in the retry partition. So the expired
 * tokens are exactly the expired ones among (overdue ∪ retrying), and a token closer to expiry than
 * the margin is always among them too.
 */
import { type Connection, type EpochMillis, needsOperator } from './connection';
import type { Metrics, RetryingConnection } from './ports';
import type { RefreshPolicy } from './refresh-policy';

/** What a planner run read, for the gauges. */
export interface FleetReads {
  /** Active connections due at or before now (the earliest, up to the run's limit). */
  readonly overdue: readonly Connection[];
  /** Active connections due in the next planner period. */
  readonly upcoming: readonly Connection[];
  /** Active connections whose last attempt failed (the retry partition). */
  readonly retrying: readonly RetryingConnection[];
  /** Connections an operator must act on (the operator partition). */
  readonly needingOperator: readonly Connection[];
}

export interface FleetGauges {
  /** Active connections whose token has expired (or that never had one). */
  readonly expired: number;
  /** Active connections with `failingAfter` or more failures in a row. */
  readonly failing: number;
}

/**
 * Emits the gauges (zeros included, so an alarm returns to OK only when the fleet is well) and
 * returns the two the summary reports.
 */
export function emitFleetGauges(
  metrics: Metrics,
  reads: FleetReads,
  now: EpochMillis,
  policy: Pick<RefreshPolicy, 'failingAfter'>,
): FleetGauges {
  const expiries = new Map<string, EpochMillis>();
  for (const c of [...reads.upcoming, ...reads.overdue, ...reads.retrying]) {
    expiries.set(c.connectionId, c.expiresAt);
  }
  const expired = [...expiries.values()].filter((expiresAt) => expiresAt <= now).length;
  const failing = reads.retrying.filter((c) => c.consecutiveFailures >= policy.failingAfter).length;
  const stranded = reads.needingOperator.filter((c) => needsOperator(c.status));
  metrics.add('ExpiredTokens', expired, 'Count');
  metrics.add('ConnectionsFailing', failing, 'Count');
  metrics.add(
    'ConnectionsNeedingReauthorization',
    stranded.filter((c) => c.status === 'reauthorization_required').length,
    'Count',
  );
  metrics.add(
    'ConnectionsMisconfigured',
    stranded.filter((c) => c.status === 'misconfigured').length,
    'Count',
  );
  let soonest = Number.POSITIVE_INFINITY;
  for (const expiresAt of expiries.values()) if (expiresAt > 0 && expiresAt < soonest) soonest = expiresAt;
  if (soonest !== Number.POSITIVE_INFINITY) {
    // Exact below the margin (see the file comment); above it, the soonest of what the run read.
    metrics.add('MinSecondsToExpiry', Math.round((soonest - now) / 1000), 'Seconds');
  }
  return { expired, failing };
}
