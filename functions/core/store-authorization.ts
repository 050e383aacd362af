/**
 * Storing a new authorisation: what `zoho-tokens connect`/`add` and the connect link's callback
 * share. The refresh token is encrypted under the connection's context; a new connection is
 * created active and due now, a re-authorised one is reactivated only if its status is still the
 * one read before deciding. Zoho's budget of the new refresh token starts with the call already
 * made for it (the code exchange), if any.
 */
import { type Connection, type EpochMillis, newConnection } from './connection';
import { ZohoTokenRefresherError } from './errors';
import type { Clock, ConnectionStore, RefreshTokenCipher } from './ports';

/** A refresh token to store, and where it belongs. */
export interface NewAuthorization {
  readonly connectionId: string;
  readonly dc: string;
  readonly accountsServer: string;
  /** A custom accounts server's API domain is unknown until its first token answer names it. @default accountsServer */
  readonly apiDomain?: string;
  readonly clientRef: string;
  readonly refreshToken: string;
  /** The connection being re-authorised, as read before deciding; absent for a new one. */
  readonly existing?: Connection;
  /** When a Zoho token request was already made with this refresh token (the code exchange). */
  readonly zohoCallAt?: EpochMillis;
}

/**
 * Storing failed, and so did the read that would have told whether the write landed anyway (a
 * timeout may hide one that did): nobody knows whether the token is stored.
 */
export class AuthorizationOutcomeUnknownError extends ZohoTokenRefresherError {
  readonly writeError: unknown;
  readonly readError: unknown;

  constructor(connectionId: string, writeError: unknown, readError: unknown) {
    super('store_outcome_unknown', `whether the refresh token of '${connectionId}' was stored is unknown`);
    this.writeError = writeError;
    this.readError = readError;
  }
}

/**
 * Stores the encrypted refresh token. When this resolves the token is in the table; when it throws
 * it is not (a write that failed after it landed is recognised by its ciphertext), except
 * AuthorizationOutcomeUnknownError. ConnectionAlreadyExistsError and ConnectionChangedError say the
 * connection appeared or moved on meanwhile.
 */
export async function storeAuthorization(
  deps: { readonly store: ConnectionStore; readonly cipher: RefreshTokenCipher; readonly clock: Clock },
  authorization: NewAuthorization,
): Promise<void> {
  const { store, cipher } = deps;
  const { connectionId, existing, zohoCallAt } = authorization;
  const encryptedRefreshToken = await cipher.encrypt(connectionId, authorization.refreshToken);
  const now = deps.clock.now();
  // Zoho's budget counts per refresh token: the new one has made only the exchange, if any.
  const recentZohoCalls = zohoCallAt === undefined ? [] : [zohoCallAt];
  try {
    if (existing === undefined) {
      const fields = {
        connectionId,
        dc: authorization.dc,
        accountsServer: authorization.accountsServer,
        apiDomain: authorization.apiDomain ?? authorization.accountsServer,
        clientRef: authorization.clientRef,
        encryptedRefreshToken,
      };
      await store.create({ ...newConnection(fields, now), recentZohoCalls });
    } else {
      await store.setStatus(connectionId, 'active', {
        encryptedRefreshToken,
        refreshDueAt: now,
        lastError: null,
        recentZohoCalls,
        // Decided on the status read before: another operator (or a refresh) may have moved on.
        expectedStatus: existing.status,
      });
    }
  } catch (error) {
    // A timeout may hide a write that landed: KMS ciphertexts are unique, so equality proves it.
    let stored: Connection | undefined;
    try {
      stored = await store.get(connectionId);
    } catch (readError) {
      throw new AuthorizationOutcomeUnknownError(connectionId, error, readError);
    }
    if (stored?.encryptedRefreshToken !== encryptedRefreshToken) throw error;
  }
}
