import { ConnectionNotFoundError, RefreshTokenAlreadyInvalidError } from './errors';
import type { RefreshDependencies } from './refresh-deps';
import { bestEffort } from './refresh-deps';

export interface RevokeResult {
  readonly outcome: 'revoked';
  readonly connectionId: string;
  /** False when Zoho no longer knew the refresh token (already revoked or evicted). */
  readonly revokedAtZoho: boolean;
  readonly previousStatus: string;
}

/**
 * Revokes a connection: Zoho first (which kills every access token made from the refresh token),
 * then our records — status `revoked` (off the schedule), the refresh token's ciphertext and the
 * access-token secret removed. A
 * refresh token Zoho no longer knows is not an error: the goal, a dead token, is reached.
 * A transient Zoho failure is thrown and changes nothing, so the operator can run it again.
 */
export async function revokeConnection(
  deps: RefreshDependencies,
  connectionId: string,
): Promise<RevokeResult> {
  const connection = await deps.store.get(connectionId);
  if (!connection) throw new ConnectionNotFoundError(connectionId);
  const started = deps.clock.now();

  let revokedAtZoho = true;
  if (connection.status !== 'revoked') {
    const refreshToken = await deps.cipher.decrypt(connectionId, connection.encryptedRefreshToken);
    try {
      await deps.zoho.revokeRefreshToken({ accountsServer: connection.accountsServer, refreshToken });
    } catch (error) {
      if (!(error instanceof RefreshTokenAlreadyInvalidError)) throw error;
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
