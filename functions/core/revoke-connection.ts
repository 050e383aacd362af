import type { Connection } from './connection';
import { ConnectionNotFoundError, RefreshTokenAlreadyInvalidError, ZohoTokenRefresherError } from './errors';
import type { RefreshDependencies } from './refresh-deps';
import { bestEffort } from './refresh-deps';

export interface RevokeResult {
  readonly outcome: 'revoked';
  readonly connectionId: string;
  /** False when Zoho no longer knew the refresh token (already revoked or evicted). */
  readonly revokedAtZoho: boolean;
  readonly previousStatus: string;
}

/** A refresh kept its lease past every wait; the revoke changed nothing and can be run again. */
export class ConnectionBusyError extends ZohoTokenRefresherError {
  constructor(connectionId: string) {
    super(
      'connection_busy',
      `Connection '${connectionId}' is being refreshed; nothing was revoked, try again in a minute`,
    );
  }
}

/** How many times a revoke waits out a refresh's lease before giving up. */
const LEASE_ATTEMPTS = 3;

/**
 * Revokes a connection: Zoho first (which kills every access token made from the refresh token),
 * then our records — status `revoked` (off the schedule), the refresh token's ciphertext and the
 * access-token secret removed. An active connection is leased first, so no refresh in flight can
 * commit, record a failure or rewrite the secret after the revoke. A refresh token Zoho no longer
 * knows is not an error: the goal, a dead token, is reached. A transient Zoho failure is thrown and
 * changes nothing, so the operator can run it again.
 */
export async function revokeConnection(
  deps: RefreshDependencies,
  connectionId: string,
): Promise<RevokeResult> {
  const owner = deps.newLeaseOwner();
  const connection = await leaseForRevoke(deps, connectionId, owner);
  const started = deps.clock.now();

  let revokedAtZoho = true;
  if (connection.status !== 'revoked') {
    try {
      const refreshToken = await deps.cipher.decrypt(connectionId, connection.encryptedRefreshToken);
      await deps.zoho.revokeRefreshToken({ accountsServer: connection.accountsServer, refreshToken });
    } catch (error) {
      if (!(error instanceof RefreshTokenAlreadyInvalidError)) {
        if (connection.status === 'active')
          await deps.store.releaseLease(connectionId, owner, deps.clock.now());
        throw error;
      }
      revokedAtZoho = false;
    }
  }

  const now = deps.clock.now();
  // The refresh token is dead at Zoho; its ciphertext goes too, so nothing of it is left.
  await deps.store.setStatus(connectionId, 'revoked', {
    encryptedRefreshToken: '',
    lastError: { code: 'revoked', message: 'Revoked by an operator', at: now },
  });
  await deps.vault.remove(connectionId);
  deps.log.info('Connection revoked', { connectionId, revokedAtZoho, previousStatus: connection.status });
  await bestEffort(deps, 'history', () =>
    deps.store.appendHistory({
      connectionId,
      at: now,
      trigger: 'operator',
      outcome: 'revoked',
      version: connection.version,
      durationMs: now - started,
      zohoCalls: connection.status === 'revoked' ? 0 : 1,
    }),
  );
  return { outcome: 'revoked', connectionId, revokedAtZoho, previousStatus: connection.status };
}

/**
 * Takes the lease of an active connection, waiting out a refresh that holds it. Connections that
 * are not active are never leased by a refresh, so they need none.
 */
async function leaseForRevoke(
  deps: RefreshDependencies,
  connectionId: string,
  owner: string,
): Promise<Connection> {
  for (let attempt = 1; ; attempt++) {
    const connection = await deps.store.get(connectionId);
    if (!connection) throw new ConnectionNotFoundError(connectionId);
    if (connection.status !== 'active') return connection;
    const now = deps.clock.now();
    const held = connection.lease !== undefined && connection.lease.until > now;
    if (!held) {
      const leased = await deps.store.acquireLease(
        connection,
        { owner, until: now + deps.policy.leaseMs },
        now,
      );
      if (leased) return leased;
    }
    if (attempt >= LEASE_ATTEMPTS) throw new ConnectionBusyError(connectionId);
    const until = connection.lease?.until ?? now;
    await deps.clock.sleep(Math.min(Math.max(until - now, 100), deps.policy.leaseMs) + 50);
  }
}
