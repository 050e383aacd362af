import { LeaseLostError, requestTokenWithinBudget } from './call-zoho';
import { type Connection, isLeaseFree } from './connection';
import { ConnectionNotFoundError, StoredTokenUnreadableError, TokenVaultConflictError } from './errors';
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

export type SkipReason =
  | 'already_refreshed'
  | 'lease_held'
  | 'not_due'
  | 'not_active'
  | 'lease_lost'
  | 'zoho_throttled';

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
  // Zoho blocks the rest of a throttled window whatever triggers us: no consumer report may knock.
  if (connection.lastError?.code === 'throttled' && connection.refreshDueAt > now)
    return skip('zoho_throttled');
  if (!isLeaseFree(connection, now)) return skip('lease_held');

  const owner = deps.newLeaseOwner();
  const leased = await store.acquireLease(connection, { owner, until: now + deps.policy.leaseMs }, now);
  if (!leased) return skip('lease_held');

  return refreshUnderLease(deps, leased, owner, request);
}

/**
 * A secret newer than the connection was written by a run that crashed before its commit. It is
 * adopted when a consumer can still use it: not expired, and not the version a consumer reported.
 */
function adoptable(stored: StoredAccessToken, request: RefreshRequest, now: number): boolean {
  return (
    stored.expiresAt > now &&
    (request.rejectedVersion === undefined || stored.version > request.rejectedVersion)
  );
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
    const stored = await readStored(deps, connection.connectionId);
    if (stored && stored.version > connection.version && adoptable(stored, request, started)) {
      return await commit(deps, connection, owner, request, stored, 'adopted', started, zohoCalls);
    }
    // Versions only grow: past a secret we did not adopt, the new token is the one after it.
    const baseVersion = Math.max(connection.version, stored?.version ?? 0);

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
      version: baseVersion + 1,
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
  if (!committed) return leaseLostAfterWrite(deps, connection, token);
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

/**
 * The lease went while we wrote the secret. If the connection is still active, the secret holds the
 * new version and whoever runs next adopts it without calling Zoho. If an operator revoked it
 * meanwhile, the secret we just wrote must not outlive the revoke: remove it again.
 */
async function leaseLostAfterWrite(
  deps: RefreshDependencies,
  connection: Connection,
  token: StoredAccessToken,
): Promise<RefreshResult> {
  const current = await deps.store.get(connection.connectionId);
  const revoked = current?.status === 'revoked';
  if (revoked) await deps.vault.remove(connection.connectionId);
  deps.metrics.add('RefreshSkipped', 1, 'Count', 'lease_lost');
  deps.log.warn('Lease lost before commit', {
    connectionId: connection.connectionId,
    version: token.version,
    secret: revoked ? 'removed (the connection was revoked)' : 'kept for the next run to adopt',
  });
  return { outcome: 'skipped', reason: 'lease_lost', version: connection.version };
}
