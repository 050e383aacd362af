import { LeaseLostError, requestTokenWithinBudget } from './call-zoho';
import { type Connection, type EpochMillis, isLeaseFree } from './connection';
import {
  ConnectionNotFoundError,
  SecretWriteBudgetExhaustedError,
  SecretWriteFailedError,
  StoredTokenUnreadableError,
} from './errors';
import { assertIssued, countFreshRejection, judgeReport } from './fresh-report';
import { mustReadSecret, prepaidZohoCalls } from './lease-plan';
import type { LeaseMarks } from './ports';
import { commitToken } from './refresh-commit';
import { bestEffort, type RefreshDependencies } from './refresh-deps';
import { type RefreshFailureResult, recordRefreshFailure } from './refresh-failure';
import type { RefreshRequest, RefreshRun } from './refresh-run';
import { adoptable, keepToken, storeToken, usableKeptToken } from './store-token';
import type { StoredAccessToken } from './token';
import { secretWriteAvailableAt } from './write-budget';

export type { RefreshRequest } from './refresh-run';

export type SkipReason =
  | 'already_refreshed'
  | 'lease_held'
  | 'not_due'
  | 'not_active'
  | 'lease_lost'
  | 'zoho_throttled'
  /** Zoho's last success body was malformed: the rest of its budget window is waited out. */
  | 'zoho_malformed_response'
  /** A report of an unexpired token, within the window of the last refresh such a report caused. */
  | 'fresh_token_rejected'
  /** A report or operator refresh held back by the secret's write budget. */
  | 'secret_write_budget';

export type RefreshResult =
  | {
      readonly outcome: 'refreshed' | 'adopted';
      readonly version: number;
      readonly expiresAt: number;
      /** When the new token falls due for its next refresh. */
      readonly refreshDueAt: number;
    }
  | { readonly outcome: 'skipped'; readonly reason: SkipReason; readonly version: number }
  | RefreshFailureResult;

/** Errors after which Zoho is not asked again before the connection's next due time, whoever asks. */
const WAIT_OUT: Readonly<Record<string, SkipReason>> = {
  throttled: 'zoho_throttled',
  malformed_response: 'zoho_malformed_response',
};

/**
 * The refresh, for every trigger. Primary course (5 AWS calls): take the lease, recording the first
 * Zoho call of the budget in the same conditional write → decrypt the refresh token → call Zoho →
 * write the secret as version+1 → commit the connection and its history in one transaction →
 * publish the event. After anything but a clean commit the run first reads the secret and stores what
 * a crashed run wrote, or a token a failed write kept, without calling Zoho. Losing any race is
 * success for the caller: someone else is refreshing. Two budgets bound what any trigger can
 * cause: Zoho's (calls per 10 minutes) and the secret's (versions per hour and day); reports of a
 * token that has not expired refresh at most once per window. Errors are classified, recorded and
 * returned, never thrown, so that no trigger retries them blindly; only a missing connection or a
 * report of a version never issued throws.
 */
export async function refreshConnection(
  deps: RefreshDependencies,
  request: RefreshRequest,
): Promise<RefreshResult> {
  const { store, clock, metrics } = deps;
  const connection = request.snapshot ?? (await store.get(request.connectionId));
  if (!connection) throw new ConnectionNotFoundError(request.connectionId);
  const now = clock.now();

  const skip = (reason: SkipReason): RefreshResult => {
    metrics.add(reason === 'already_refreshed' ? 'AlreadyRefreshed' : 'RefreshSkipped', 1, 'Count', reason);
    deps.log.info('Refresh skipped', {
      connectionId: connection.connectionId,
      trigger: request.trigger,
      reason,
    });
    return { outcome: 'skipped', reason, version: connection.version };
  };

  if (connection.status !== 'active') return skip('not_active');
  if (request.rejectedVersion !== undefined && connection.version > request.rejectedVersion) {
    return skip('already_refreshed');
  }
  const report = judgeReport(request, connection, now, deps.policy.freshReportWindowMs);
  if (report.kind === 'ahead' && request.rejectedVersion !== undefined) {
    const stored = await readStored(deps, connection.connectionId);
    assertIssued(request.rejectedVersion, connection.connectionId, stored?.version);
  }
  if (report.kind === 'fresh_refresh' || report.kind === 'fresh_counted') {
    metrics.add('FreshTokenRejected', 1, 'Count');
  }
  if (report.kind === 'fresh_counted') {
    await countFreshRejection(deps, connection, request);
    return skip('fresh_token_rejected');
  }
  if (!request.force && notDue(connection, request, now)) return skip('not_due');
  // Zoho blocks the rest of a throttled window whatever triggers us: no consumer report may knock.
  const waitOut = connection.lastError && WAIT_OUT[connection.lastError.code];
  if (waitOut && connection.refreshDueAt > now) return skip(waitOut);
  if (request.trigger !== 'scheduled' && writeBudgetSpent(connection, request, now, deps)) {
    await recordWriteBudgetSkip(deps, connection, request, now);
    return skip('secret_write_budget');
  }
  if (!isLeaseFree(connection, now)) return skip('lease_held');

  const owner = deps.newLeaseOwner();
  const leaseUntil = now + deps.policy.leaseMs;
  const recentZohoCalls = prepaidZohoCalls(connection, request, now, deps.policy);
  const marks: LeaseMarks = {
    ...(report.kind === 'fresh_refresh' && report.marks),
    ...(recentZohoCalls && { recentZohoCalls }),
  };
  const leased = await store.acquireLease(connection, { owner, until: leaseUntil }, now, marks);
  if (!leased) return skip('lease_held');

  return refreshUnderLease(
    deps,
    {
      connection: leased,
      owner,
      request,
      started: now,
      leaseUntil,
      zohoCalls: 0,
      zohoCallPrepaid: recentZohoCalls !== undefined,
      unrecordedWrites: [],
      recentZohoCalls: leased.recentZohoCalls,
    },
    mustReadSecret(connection, leased, request),
  );
}

/**
 * A schedule asks only once the token is due. An operator's request waits for the same due time,
 * unless the token has expired already (a backoff may set the due time past the expiry): then it is
 * refreshed at once. A consumer's report is judged by the report rules instead.
 */
function notDue(connection: Connection, request: RefreshRequest, now: EpochMillis): boolean {
  if (request.trigger === 'scheduled') return connection.refreshDueAt > now;
  if (request.trigger === 'operator') return connection.refreshDueAt > now && connection.expiresAt > now;
  return false;
}

function writeBudgetSpent(
  connection: Connection,
  request: RefreshRequest,
  now: EpochMillis,
  deps: RefreshDependencies,
): boolean {
  return secretWriteAvailableAt(connection.recentSecretWrites, request.trigger, now, deps.policy) > now;
}

/** A report or an operator held back by the write budget: nothing changes but the record of it. */
async function recordWriteBudgetSkip(
  deps: RefreshDependencies,
  connection: Connection,
  request: RefreshRequest,
  now: EpochMillis,
): Promise<void> {
  const retryAt = secretWriteAvailableAt(connection.recentSecretWrites, request.trigger, now, deps.policy);
  const error = new SecretWriteBudgetExhaustedError(retryAt);
  deps.metrics.add('SecretWriteBudgetExhausted', 1, 'Count', request.trigger);
  await bestEffort(deps, 'history', () =>
    deps.store.appendHistory({
      connectionId: connection.connectionId,
      at: now,
      trigger: request.trigger,
      outcome: 'secret_write_budget',
      version: connection.version,
      durationMs: 0,
      zohoCalls: 0,
      errorCode: error.code,
      message: error.message,
    }),
  );
}

async function refreshUnderLease(
  deps: RefreshDependencies,
  run: RefreshRun,
  readSecretFirst: boolean,
): Promise<RefreshResult> {
  const { connection, request } = run;
  /** A token Zoho minted (or a kept one) that is not in the secret yet: never dropped on a failure. */
  let unstored: StoredAccessToken | undefined;
  try {
    const stored = readSecretFirst ? await readStored(deps, connection.connectionId) : undefined;
    if (stored && stored.version > connection.version && adoptable(stored, request, run.started)) {
      return await commitToken(deps, run, stored, 'adopted');
    }
    // Versions only grow: past a secret we did not adopt, the new token is the one after it. The
    // versions skipped over were written all the same: they count in the write budget.
    const baseVersion = Math.max(connection.version, stored?.version ?? 0);
    run.unrecordedWrites = Array.from({ length: baseVersion - connection.version }, () => run.started);

    const kept = await usableKeptToken(deps, run, baseVersion);
    if (kept) {
      unstored = kept;
      const result = await storeToken(deps, run, kept);
      unstored = undefined;
      return await commitToken(deps, run, result.token, result.stored === 'written' ? 'kept' : 'adopted');
    }

    const writeAt = secretWriteAvailableAt(
      [...connection.recentSecretWrites, ...run.unrecordedWrites],
      request.trigger,
      run.started,
      deps.policy,
    );
    if (writeAt > run.started) throw new SecretWriteBudgetExhaustedError(writeAt);

    const [refreshToken, client] = await Promise.all([
      deps.cipher.decrypt(connection.connectionId, connection.encryptedRefreshToken),
      deps.credentials.get(connection.clientRef, connection.dc),
    ]);
    const grant = await requestTokenWithinBudget(deps, run, { refreshToken, client });
    unstored = {
      connectionId: connection.connectionId,
      version: baseVersion + 1,
      accessToken: grant.accessToken,
      apiDomain: grant.apiDomain ?? connection.apiDomain,
      tokenType: grant.tokenType,
      expiresAt: deps.clock.now() + grant.expiresInSeconds * 1000,
    };
    const result = await storeToken(deps, run, unstored);
    unstored = undefined;
    return await commitToken(deps, run, result.token, result.stored === 'written' ? 'minted' : 'adopted');
  } catch (error) {
    if (error instanceof LeaseLostError) {
      deps.metrics.add('RefreshSkipped', 1, 'Count', 'lease_lost');
      return { outcome: 'skipped', reason: 'lease_lost', version: connection.version };
    }
    const keptToken = unstored ? await keepToken(deps, unstored) : undefined;
    return recordRefreshFailure(deps, run, error, {
      ...(keptToken && { keptToken }),
      // A write that timed out or failed in transit may still have made a version: it counts.
      // Throttled, quota and refused writes made none.
      mayHaveWritten: unstored !== undefined && error instanceof SecretWriteFailedError,
    });
  }
}

/** The stored token; one not of the contract's shape counts as absent and is overwritten. */
async function readStored(
  deps: RefreshDependencies,
  connectionId: string,
): Promise<StoredAccessToken | undefined> {
  try {
    return await deps.vault.read(connectionId);
  } catch (error) {
    if (!(error instanceof StoredTokenUnreadableError)) throw error;
    deps.log.warn('The stored access-token secret is unreadable; the next version replaces it', {
      connectionId,
      errorCode: error.code,
    });
    return undefined;
  }
}
