import type { EpochMillis } from './connection';

/** The knobs of the refresh algorithm. Defaults suit Zoho's one-hour tokens and 10-per-10-minutes limit. */
export interface RefreshPolicy {
  /** Refresh this long before expiry; must exceed the planner's period plus consumers' cache time. */
  readonly marginMs: number;
  /** Refresh up to this much earlier still, at random, so a fleet does not refresh in lockstep. */
  readonly jitterMs: number;
  /** Zoho token requests allowed per connection per window. Zoho blocks the 11th; we never send the 10th. */
  readonly budget: number;
  readonly budgetWindowMs: number;
  /**
   * How long a lease lasts; extended before every Zoho call and before a secret write that has less
   * than `secretWriteReserveMs` left. Must exceed one call's timeout. It is also how long a run that
   * died (a crashed sandbox) keeps everyone else out, which after an outage may be most of what a
   * token has left: so no longer than that.
   */
  readonly leaseMs: number;
  /** Zoho calls per refresh (the first plus retries of transient errors), all inside one lease. */
  readonly maxAttempts: number;
  /** Base of the short backoff between attempts inside one lease. */
  readonly retryBaseMs: number;
  /** Base and cap of the backoff before the next refresh after a transient failure. */
  readonly failureBackoffBaseMs: number;
  readonly failureBackoffMaxMs: number;
  /** Consecutive failures after which a connection counts as failing (the ConnectionsFailing alarm). */
  readonly failingAfter: number;
  /**
   * Secret versions per connection per rolling 24 hours, every trigger together. Secrets Manager
   * keeps every version younger than a day and refuses writes past its version quota (about 100),
   * after which no token can be stored for up to a day; 72 keeps a wide berth.
   */
  readonly secretWritesPerDay: number;
  /**
   * Of those, what consumer reports and operators may cause: per rolling hour, and the day's count
   * past which they wait. The schedule needs at most 32 a day (one per 45 minutes), and the day
   * limit minus this share leaves it exactly that, so no report pattern can delay it.
   */
  readonly unscheduledWritesPerHour: number;
  readonly unscheduledWritesPerDay: number;
  /** The write budget's windows: a day and an hour (shorter only in the sandbox, with its short tokens). */
  readonly writeBudgetDayMs: number;
  readonly writeBudgetHourMs: number;
  /**
   * A consumer's report of a token that has not expired yet (a 401 on a token we minted minutes ago
   * means scope, organisation or data centre, not expiry) refreshes at most once per this window.
   */
  readonly freshReportWindowMs: number;
  /** Attempts at writing a minted token to the secret, inside the lease, before keeping it for later. */
  readonly secretWriteAttempts: number;
  /**
   * Lease time a secret write must have in hand (its attempts with their timeouts and pauses). With
   * less left, the lease is extended first, so a revoke can never slip in between and see the
   * secret re-created after it removed it.
   */
  readonly secretWriteReserveMs: number;
  /** A kept token is stored later only while it has at least this long to live. */
  readonly keptTokenMinLifeMs: number;
  /** Source of randomness for jitter; injectable so tests are exact. */
  readonly random: () => number;
}

export const ZOHO_TOKEN_REQUEST_LIMIT = 10;
export const ZOHO_TOKEN_WINDOW_MS = 10 * 60_000;

export const DEFAULT_REFRESH_POLICY: RefreshPolicy = {
  // 11½ + up to ½ minute before expiry: a refresh every 48¼ minutes on average (1.24 per hour),
  // and a Zoho outage of 10 minutes is outlasted with 90 s to spare, which a fault in a refresh
  // just before the outage (a crashed worker's lease, a catch-up) may take (see the README's ceilings).
  marginMs: 11.5 * 60_000,
  jitterMs: 30_000,
  budget: ZOHO_TOKEN_REQUEST_LIMIT - 1,
  budgetWindowMs: ZOHO_TOKEN_WINDOW_MS,
  leaseMs: 30_000,
  maxAttempts: 3,
  retryBaseMs: 250,
  failureBackoffBaseMs: 30_000,
  failureBackoffMaxMs: 10 * 60_000,
  failingAfter: 3,
  secretWritesPerDay: 72,
  unscheduledWritesPerHour: 6,
  unscheduledWritesPerDay: 40,
  writeBudgetDayMs: 24 * 60 * 60_000,
  writeBudgetHourMs: 60 * 60_000,
  freshReportWindowMs: 10 * 60_000,
  secretWriteAttempts: 3,
  secretWriteReserveMs: 20_000,
  keptTokenMinLifeMs: 5 * 60_000,
  random: Math.random,
};

/** The Zoho calls that still count against the budget at `now`. */
export function callsInWindow(
  calls: readonly EpochMillis[],
  now: EpochMillis,
  policy: RefreshPolicy,
): EpochMillis[] {
  return calls.filter((at) => at > now - policy.budgetWindowMs).sort((a, b) => a - b);
}

/** When the next Zoho call fits the budget again, or `now` if it fits already. */
export function budgetAvailableAt(
  calls: readonly EpochMillis[],
  now: EpochMillis,
  policy: RefreshPolicy,
): EpochMillis {
  const recent = callsInWindow(calls, now, policy);
  if (recent.length < policy.budget) return now;
  // The call that must leave the window before another fits.
  const blocking = recent[recent.length - policy.budget] ?? now;
  return blocking + policy.budgetWindowMs + 1;
}

/** When the token of a successful refresh should be refreshed next. */
export function nextRefreshDue(expiresAt: EpochMillis, now: EpochMillis, policy: RefreshPolicy): EpochMillis {
  const due = expiresAt - policy.marginMs - Math.floor(policy.random() * policy.jitterMs);
  // A token shorter-lived than the margin (sandbox, tests) is refreshed at half its life instead.
  return due > now ? due : now + Math.max(1_000, Math.floor((expiresAt - now) / 2));
}

/** When to try again after `consecutiveFailures` transient failures in a row (1 = the first). */
export function nextAttemptAfterFailure(
  consecutiveFailures: number,
  now: EpochMillis,
  policy: RefreshPolicy,
): EpochMillis {
  const exponent = Math.min(Math.max(consecutiveFailures - 1, 0), 16);
  const backoff = Math.min(policy.failureBackoffBaseMs * 2 ** exponent, policy.failureBackoffMaxMs);
  return now + Math.floor(backoff * (0.75 + policy.random() * 0.5));
}

/**
 * How long before expiry a connection whose refreshes keep failing makes its last attempt, with a
 * whole refresh's worth of Zoho's budget kept for it (see retryBeforeExpiry). At the default margin
 * (11½ minutes plus jitter) a connection due when a 10-minute outage starts makes it just as the
 * outage ends or after it; if it fails, it tries again as soon as its first calls leave Zoho's
 * window, at the outage's end, with a minute and a half or more to spare. 90 seconds leave the queue time to
 * deliver the last attempt while a data centre's connections come back all at once.
 */
export const LAST_ATTEMPT_BEFORE_EXPIRY_MS = 90_000;

/** The pause before trying again after a failure in the last stretch before expiry. */
export const LAST_STRETCH_PAUSE_MS = 10_000;

/**
 * When to try again after a transient failure at `now`: the backoff's `backoffAt`, unless a run
 * then (up to `maxAttempts` calls) would leave Zoho's budget too short for a whole run at the last
 * attempt (LAST_ATTEMPT_BEFORE_EXPIRY_MS before `expiresAt`), or the backoff would skip the last
 * attempt; then the last attempt itself, or as soon after it as the budget allows. A failure in the
 * last stretch tries again as soon as the budget allows (LAST_STRETCH_PAUSE_MS at the least), while
 * the token lives. An outage spends three calls a run: with the backoff alone a connection would
 * spend all nine of a window in its first few minutes of failures and wait out the window past its
 * expiry, though Zoho was back minutes before it.
 */
export function retryBeforeExpiry(
  now: EpochMillis,
  backoffAt: EpochMillis,
  calls: readonly EpochMillis[],
  expiresAt: EpochMillis,
  policy: RefreshPolicy,
): EpochMillis {
  const lastAttempt = expiresAt - LAST_ATTEMPT_BEFORE_EXPIRY_MS;
  if (now >= lastAttempt) {
    const again = budgetAvailableAt(calls, now + LAST_STRETCH_PAUSE_MS, policy);
    return again < Math.min(backoffAt, expiresAt) ? again : backoffAt;
  }
  const lastRun = budgetAvailableAt(calls, lastAttempt, policy);
  if (backoffAt >= lastAttempt) return Math.min(backoffAt, lastRun);
  const windowStart = lastAttempt - policy.budgetWindowMs;
  const keptUntilThen = calls.filter((at) => at > windowStart && at <= lastAttempt).length;
  const spentByBackoffRun = backoffAt > windowStart ? policy.maxAttempts : 0;
  if (keptUntilThen + spentByBackoffRun + policy.maxAttempts <= policy.budget) return backoffAt;
  return lastRun;
}

/** The short, jittered pause between two attempts inside one lease. */
export function retryDelay(attempt: number, policy: RefreshPolicy): number {
  return Math.floor(policy.retryBaseMs * 2 ** (attempt - 1) * (0.5 + policy.random()));
}
