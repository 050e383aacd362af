import type { Connection, ConnectionStatus, EpochMillis, KeptToken } from './connection';
import {
  InvalidInputError,
  MisconfigurationError,
  ReauthorizationRequiredError,
  RefreshBudgetExhaustedError,
  SecretWriteBudgetExhaustedError,
  ZohoMalformedResponseError,
  ZohoThrottledError,
  ZohoTokenRefresherError,
} from './errors';
import type { RefreshOutcome } from './ports';
import { bestEffort, type RefreshDependencies } from './refresh-deps';
import { nextAttemptAfterFailure, retryBeforeExpiry } from './refresh-policy';
import type { RefreshRun } from './refresh-run';
import { writesInDay } from './write-budget';

/** What a failure under a lost lease becomes (same shape as the use case's skip). */
export interface LeaseLostResult {
  readonly outcome: 'skipped';
  readonly reason: 'lease_lost';
  readonly version: number;
}

export interface RefreshFailureResult {
  readonly outcome: 'failed';
  readonly errorCode: string;
  readonly message: string;
  /** Retrying cannot help; the connection left the schedule and an operator must act. */
  readonly permanent: boolean;
  readonly status: ConnectionStatus;
  readonly retryAt: EpochMillis;
}

interface Classified {
  readonly outcome: RefreshOutcome;
  readonly status: ConnectionStatus;
  readonly retryAt: EpochMillis;
  readonly permanent: boolean;
  /** Counts toward the transient backoff; our own budget and Zoho's throttle do not. */
  readonly countsAsFailure: boolean;
}

/** Decides, by error type, what a failed refresh does to the connection. */
function classify(error: unknown, run: RefreshRun, deps: RefreshDependencies): Classified {
  const { connection } = run;
  const now = deps.clock.now();
  if (error instanceof ReauthorizationRequiredError) {
    return {
      outcome: 'reauthorization_required',
      status: 'reauthorization_required',
      retryAt: now,
      permanent: true,
      countsAsFailure: true,
    };
  }
  // Stored data that breaks a contract (an empty refresh token, a disallowed server) is a
  // misconfiguration too: retrying the same input cannot succeed. Faults of what many connections
  // share (the key, a client app) are not MisconfigurationErrors: they fall through to the backoff.
  if (error instanceof MisconfigurationError || error instanceof InvalidInputError) {
    return {
      outcome: 'misconfigured',
      status: 'misconfigured',
      retryAt: now,
      permanent: true,
      countsAsFailure: true,
    };
  }
  if (error instanceof RefreshBudgetExhaustedError) {
    return {
      outcome: 'budget_exhausted',
      status: 'active',
      retryAt: error.retryAt,
      permanent: false,
      countsAsFailure: false,
    };
  }
  if (error instanceof SecretWriteBudgetExhaustedError) {
    return {
      outcome: 'secret_write_budget',
      status: 'active',
      retryAt: error.retryAt,
      permanent: false,
      countsAsFailure: false,
    };
  }
  if (error instanceof ZohoThrottledError) {
    // Zoho blocks for the rest of a window whose start we cannot see: wait a whole one.
    const retryAt = now + deps.policy.budgetWindowMs;
    return { outcome: 'throttled', status: 'active', retryAt, permanent: false, countsAsFailure: false };
  }
  const failures = connection.consecutiveFailures + 1;
  // Zoho's budget is kept for a last attempt before the token expires (an outage ending by then
  // costs nothing).
  const backoff = retryBeforeExpiry(
    now,
    nextAttemptAfterFailure(failures, now, deps.policy),
    run.recentZohoCalls,
    connection.expiresAt,
    deps.policy,
  );
  // A success body we could not trust costs at most one Zoho call per budget window.
  const retryAt =
    error instanceof ZohoMalformedResponseError
      ? Math.max(backoff, now + deps.policy.budgetWindowMs)
      : backoff;
  return { outcome: 'transient_error', status: 'active', retryAt, permanent: false, countsAsFailure: true };
}

/** A message safe to store and log: ours are built without secrets; foreign ones are reduced to a name. */
function describe(error: unknown): { code: string; message: string } {
  if (error instanceof ZohoTokenRefresherError) return { code: error.code, message: error.message };
  const name = error instanceof Error ? error.name : typeof error;
  return { code: 'internal', message: `Unexpected ${name} while refreshing` };
}

/**
 * Records a failed refresh: the status it leads to, when to try again, history, metrics and an event.
 * The stored access token is never touched: consumers keep the one they have.
 */
export async function recordRefreshFailure(
  deps: RefreshDependencies,
  run: RefreshRun,
  error: unknown,
  minted: { readonly keptToken?: KeptToken; readonly mayHaveWritten: boolean },
): Promise<RefreshFailureResult | LeaseLostResult> {
  const { store, clock, metrics, log } = deps;
  const { connection, owner } = run;
  const { trigger } = run.request;
  const now = clock.now();
  const kind = classify(error, run, deps);
  const { code, message } = describe(error);
  const consecutiveFailures = connection.consecutiveFailures + (kind.countsAsFailure ? 1 : 0);

  const recorded = await store.recordFailure(
    connection.connectionId,
    owner,
    {
      status: kind.status,
      refreshDueAt: kind.retryAt,
      consecutiveFailures,
      lastError: { code, message, at: now },
      ...(minted.keptToken && { keptToken: minted.keptToken }),
      ...((minted.mayHaveWritten || run.unrecordedWrites.length > 0) && {
        recentSecretWrites: [
          ...writesInDay([...connection.recentSecretWrites, ...run.unrecordedWrites], now, deps.policy),
          ...(minted.mayHaveWritten ? [now] : []),
        ],
      }),
    },
    now,
  );
  if (!recorded) {
    // The lease went (expired, or an operator revoked or disabled the connection meanwhile): the
    // failure describes a state that is no longer ours to change, so nothing is announced.
    metrics.add('RefreshSkipped', 1, 'Count', 'lease_lost');
    log.warn('Refresh failed after the lease was lost; nothing recorded', {
      connectionId: connection.connectionId,
      errorCode: code,
    });
    return { outcome: 'skipped', reason: 'lease_lost', version: connection.version };
  }

  if (kind.outcome === 'budget_exhausted') metrics.add('BudgetExhausted', 1, 'Count');
  else if (kind.outcome === 'secret_write_budget')
    metrics.add('SecretWriteBudgetExhausted', 1, 'Count', trigger);
  else metrics.add('RefreshFailed', 1, 'Count', code);
  if (error instanceof ZohoMalformedResponseError) metrics.add('ZohoMalformedResponse', 1, 'Count');
  if (kind.outcome === 'reauthorization_required') metrics.add('ReauthorizationRequired', 1, 'Count');

  const logLine = {
    connectionId: connection.connectionId,
    trigger,
    errorCode: code,
    errorName: error instanceof Error ? error.name : typeof error,
    message,
    status: kind.status,
    retryAt: new Date(kind.retryAt).toISOString(),
    consecutiveFailures,
    ...(minted.keptToken && { keptTokenVersion: minted.keptToken.version }),
  };
  if (kind.permanent) log.error('Refresh failed permanently; the connection is off the schedule', logLine);
  else log.warn('Refresh failed; the current token stays in place', logLine);

  await bestEffort(deps, 'history', () =>
    store.appendHistory({
      connectionId: connection.connectionId,
      at: now,
      trigger,
      outcome: kind.outcome,
      version: connection.version,
      durationMs: now - run.started,
      zohoCalls: run.zohoCalls,
      errorCode: code,
      message,
    }),
  );

  if (kind.outcome !== 'budget_exhausted' && kind.outcome !== 'secret_write_budget') {
    const detail = {
      connectionId: connection.connectionId,
      version: connection.version,
      errorCode: code,
      message,
    };
    const link =
      kind.outcome === 'reauthorization_required' ? await reauthorizationLink(deps, connection) : {};
    await bestEffort(deps, 'event', () =>
      deps.events.publish(
        kind.outcome === 'reauthorization_required'
          ? { detailType: 'Zoho Reauthorization Required', detail: { ...detail, ...link } }
          : { detailType: 'Zoho Refresh Failed', detail: { ...detail, permanent: kind.permanent } },
      ),
    );
  }

  return {
    outcome: 'failed',
    errorCode: code,
    message,
    permanent: kind.permanent,
    status: kind.status,
    retryAt: kind.retryAt,
  };
}

/**
 * A fresh re-authorisation link for the event, when the connect endpoint is deployed. Best effort:
 * without it the event still goes out, and `zoho-tokens link create --reauthorize` makes one.
 */
async function reauthorizationLink(
  deps: RefreshDependencies,
  connection: Connection,
): Promise<{ reauthorizationUrl?: string; reauthorizationUrlExpiresAt?: string }> {
  if (deps.reauthorizationLinks === undefined) return {};
  try {
    const link = await deps.reauthorizationLinks.create(connection);
    return {
      reauthorizationUrl: link.url,
      reauthorizationUrlExpiresAt: new Date(link.expiresAt).toISOString(),
    };
  } catch (error) {
    deps.log.warn('Could not make a re-authorisation link', {
      connectionId: connection.connectionId,
      errorName: error instanceof Error ? error.name : typeof error,
    });
    return {};
  }
}
