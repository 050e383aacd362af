import type { Connection, ConnectionStatus } from './connection';
import {
  ConnectionChangedError,
  ConnectionNotFoundError,
  RefreshTokenAlreadyInvalidError,
  ZohoTokenRefresherError,
} from './errors';
import type { RefreshDependencies } from './refresh-deps';
import { bestEffort } from './refresh-deps';

export interface RevokeResult {
  readonly outcome: 'revoked';
  readonly connectionId: string;
  /**
   * False when Zoho no longer knew the refresh token (revoked elsewhere or evicted), or was not
   * asked because the connection was revoked already (`previousStatus` says which).
   */
  readonly revokedAtZoho: boolean;
  readonly previousStatus: string;
}

export interface RevokeOptions {
  /**
   * Revoke only a connection still in this status (the one the operator saw); any other is a
   * ConnectionChangedError and nothing changes. `zoho-tokens revoke` passes `revoked` when it only
   * cleans up, so a connection re-authorised meanwhile is never revoked without confirmation.
   */
  readonly expectedStatus?: ConnectionStatus;
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

/**
 * The longest a revoke waits for a refresh's lease. A revoke runs in the operator function (30 s):
 * this wait, one Zoho call (8 s timeout) and the AWS calls around them must fit.
 */
export const REVOKE_LEASE_WAIT_MS = 15_000;

/**
 * How often a waiting revoke looks again: a refresh clears its lease the moment it ends, usually
 * long before the lease (a minute, extended before every Zoho call) would run out.
 */
const LEASE_POLL_MS = 1_000;

/**
 * Revokes a connection: Zoho first (which kills every access token made from the refresh token),
 * then our records — status `revoked` (off the schedule), the refresh token's ciphertext and the
 * access-token secret removed. An active connection is leased first, so no refresh in flight can
 * commit, record a failure or rewrite the secret after the revoke. A refresh token Zoho no longer
 * knows is not an error: the goal, a dead token, is reached. A transient Zoho failure is thrown and
 * changes nothing, so the operator can run it again. On a connection already revoked it calls no
 * one and removes the access-token secret again: a refresh that lost its lease to the revoke may
 * have written one after it (dead at Zoho, but still a secret to delete).
 */
export async function revokeConnection(
  deps: RefreshDependencies,
  connectionId: string,
  options: RevokeOptions = {},
): Promise<RevokeResult> {
  const owner = deps.newLeaseOwner();
  const connection = await leaseForRevoke(deps, connectionId, owner, options.expectedStatus);
  const started = deps.clock.now();

  let revokedAtZoho = connection.status !== 'revoked';
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
  // The refresh token is dead at Zoho; its ciphertext goes too, so nothing of it is left, and no
  // token either (expiresAt 0 keeps the fleet's expiry gauges off it). Only over the status this
  // revoke read: a re-authorisation or another operator's change meanwhile is never overwritten
  // (ConnectionChangedError; running the revoke again finishes it).
  await deps.store.setStatus(connectionId, 'revoked', {
    encryptedRefreshToken: '',
    expiresAt: 0,
    lastError: { code: 'revoked', message: 'Revoked by an operator', at: now },
    expectedStatus: connection.status,
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
 * Takes the lease of an active connection, waiting up to REVOKE_LEASE_WAIT_MS for a refresh that
 * holds it; a lease still held then is a ConnectionBusyError. Connections that are not active are
 * never leased by a refresh, so they need none.
 */
async function leaseForRevoke(
  deps: RefreshDependencies,
  connectionId: string,
  owner: string,
  expectedStatus: ConnectionStatus | undefined,
): Promise<Connection> {
  const deadline = deps.clock.now() + REVOKE_LEASE_WAIT_MS;
  for (;;) {
    const connection = await deps.store.get(connectionId);
    if (!connection) throw new ConnectionNotFoundError(connectionId);
    if (expectedStatus !== undefined && connection.status !== expectedStatus)
      throw new ConnectionChangedError(connectionId, expectedStatus);
    if (connection.status !== 'active') return connection;
    const now = deps.clock.now();
    const lease = connection.lease;
    const held = lease !== undefined && lease.until > now;
    if (!held) {
      const leased = await deps.store.acquireLease(
        connection,
        { owner, until: now + deps.policy.leaseMs },
        now,
      );
      if (leased) return leased;
    }
    const left = deadline - now;
    if (left <= 0) throw new ConnectionBusyError(connectionId);
    // Look again soon, or the moment the lease runs out if that comes first.
    const untilFree = held ? lease.until - now : LEASE_POLL_MS;
    await deps.clock.sleep(Math.min(LEASE_POLL_MS, left, untilFree));
  }
}
