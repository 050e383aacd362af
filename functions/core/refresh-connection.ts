import { LeaseLostError, requestTokenWithinBudget } from './call-zoho';
import { type Connection, isLeaseFree } from './connection';
import { ConnectionNotFoundError, TokenVaultConflictError } from './errors';
import type { RefreshTrigger } from './ports';
import { bestEffort, type RefreshDependencies } from './refresh-deps';
import { type RefreshFailureResult, recordRefreshFailure } from './refresh-failure';
import { nextRefreshDue } from './refresh-policy';
import type { StoredAccessToken } from './token';

export interface RefreshRequest {
  readonly connectionId: string;
  readonly trigger: RefreshTrigger;
  /** On demand: the version a consumer saw rejected. A newer stored version means nothing to do. */
  readonly rejectedVersion?: number;
  /** Refresh even when not yet due (operator). Never bypasses the lease or the budget. */
  readonly force?: boolean;
  /** The connection as already read (the sweep has it from the due index): saves a read. */
  readonly snapshot?: Connection;
}

export type SkipReason = 'already_refreshed' | 'lease_held' | 'not_due' | 'not_active' | 'lease_lost';

export type RefreshResult =
  | { readonly outcome: 'refreshed' | 'adopted'; readonly version: number; readonly expiresAt: number }
  | { readonly outcome: 'skipped'; readonly reason: SkipReason; readonly version: number }
  | RefreshFailureResult;

/**
 * The refresh, for every trigger. Primary course: take the lease (one conditional write) → adopt a
 * secret a crashed run already wrote, else spend one call of the Zoho budget → write the secret as
 * version+1 → commit the connection under the lease. Losing any race is success for the caller:
 * someone else is refreshing. Errors are classified, recorded and returned, never thrown, so that no
 * trigger retries them blindly; only a missing connection throws.
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
  if (request.trigger === 'scheduled' && !request.force && connection.refreshDueAt > now)
    return skip('not_due');
  if (!isLeaseFree(connection, now)) return skip('lease_held');

  const owner = deps.newLeaseOwner();
  const leased = await store.acquireLease(connection, { owner, until: now + deps.policy.leaseMs }, now);
  if (!leased) return skip('lease_held');

  const result = await refreshUnderLease(deps, leased, owner, request);
  // The secret held a version a consumer had already seen rejected: adopting it fixed our books,
  // not the consumer's token, so refresh once more (bounded: the adopted version now equals it).
  if (
    result.outcome === 'adopted' &&
    request.rejectedVersion !== undefined &&
    result.version <= request.rejectedVersion
  ) {
    return refreshConnection(deps, { ...request, snapshot: undefined });
  }
  return result;
}

async function refreshUnderLease(
  deps: RefreshDependencies,
  connection: Connection,
  owner: string,
  request: RefreshRequest,
): Promise<RefreshResult> {
  const { clock, log } = deps;
  const started = clock.now();
  let zohoCalls = 0;
  try {
    const stored = await deps.vault.read(connection.connectionId);
    if (stored && stored.version > connection.version) {
      // A run crashed between writing the secret and committing: the secret is the truth. Adopt it
      // instead of spending a Zoho call.
      return await commit(deps, connection, owner, request, stored, 'adopted', started, zohoCalls);
    }

    const [refreshToken, client] = await Promise.all([
      deps.cipher.decrypt(connection.connectionId, connection.encryptedRefreshToken),
      deps.credentials.get(connection.clientRef, connection.dc),
    ]);
    const { grant } = await requestTokenWithinBudget(
      deps,
      connection,
      owner,
      { refreshToken, client },
      (calls) => {
        zohoCalls = calls;
      },
    );
    const now = clock.now();
    const token: StoredAccessToken = {
      connectionId: connection.connectionId,
      version: connection.version + 1,
      accessToken: grant.accessToken,
      apiDomain: grant.apiDomain ?? connection.apiDomain,
      tokenType: grant.tokenType,
      expiresAt: now + grant.expiresInSeconds * 1000,
    };
    if ((await deps.vault.write(token)) === 'exists') {
      // Another writer (a lease that expired under a slow run) wrote this version first: theirs wins.
      log.warn('Secret version already written by another run; adopting it', {
        connectionId: connection.connectionId,
        version: token.version,
      });
      const winner = await deps.vault.read(connection.connectionId);
      if (!winner || winner.version < token.version)
        throw new TokenVaultConflictError(connection.connectionId);
      return await commit(deps, connection, owner, request, winner, 'adopted', started, zohoCalls);
    }
    return await commit(deps, connection, owner, request, token, 'refreshed', started, zohoCalls);
  } catch (error) {
    if (error instanceof LeaseLostError) {
      deps.metrics.add('RefreshSkipped', 1, 'Count', 'lease_lost');
      return { outcome: 'skipped', reason: 'lease_lost', version: connection.version };
    }
    return recordRefreshFailure(deps, connection, owner, request.trigger, error, {
      started,
      zohoCalls,
    });
  }
}

async function commit(
  deps: RefreshDependencies,
  connection: Connection,
  owner: string,
  request: RefreshRequest,
  token: StoredAccessToken,
  outcome: 'refreshed' | 'adopted',
  started: number,
  zohoCalls: number,
): Promise<RefreshResult> {
  const { clock, store, metrics, log } = deps;
  const now = clock.now();
  const committed = await store.commitRefresh(
    connection.connectionId,
    owner,
    {
      version: token.version,
      expiresAt: token.expiresAt,
      refreshDueAt: nextRefreshDue(token.expiresAt, now, deps.policy),
      refreshedAt: now,
      apiDomain: token.apiDomain,
    },
    now,
  );
  if (!committed) {
    // The secret holds the new version; whoever runs next adopts it without calling Zoho.
    log.warn('Lease lost before commit; the next run adopts the written secret', {
      connectionId: connection.connectionId,
      version: token.version,
    });
  }
  metrics.add('RefreshSucceeded', 1, 'Count', outcome === 'adopted' ? 'adopted' : request.trigger);
  if (outcome === 'adopted') metrics.add('AdoptedAfterCrash', 1, 'Count');
  metrics.add('SecondsToExpiry', Math.round((token.expiresAt - now) / 1000), 'Seconds');
  log.info('Token refreshed', {
    connectionId: connection.connectionId,
    trigger: request.trigger,
    outcome,
    version: token.version,
    expiresAt: new Date(token.expiresAt).toISOString(),
    zohoCalls,
  });
  await bestEffort(deps, 'history', () =>
    store.appendHistory({
      connectionId: connection.connectionId,
      at: now,
      trigger: request.trigger,
      outcome,
      version: token.version,
      durationMs: now - started,
      zohoCalls,
    }),
  );
  await bestEffort(deps, 'event', () =>
    deps.events.publish({
      detailType: 'Zoho Token Refreshed',
      detail: {
        connectionId: connection.connectionId,
        version: token.version,
        expiresAt: new Date(token.expiresAt).toISOString(),
        trigger: request.trigger,
      },
    }),
  );
  return { outcome, version: token.version, expiresAt: token.expiresAt };
}
