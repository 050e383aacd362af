import { ConnectionNotFoundError, ZohoTokenRefresherError } from './errors';
import type { ClientCredentialsProvider, ConnectionStore, RefreshTokenCipher, TokenVault } from './ports';

/** The parts a check reads; each line of `problems` starts with one, then `: `. */
export const CHECK_PARTS = {
  refreshToken: 'refresh token',
  clientApp: 'client app',
  accessToken: 'access-token secret',
} as const;

/** What a connection check needs: the refresher's own ports, and never Zoho. */
export interface CheckDependencies {
  readonly store: Pick<ConnectionStore, 'get'>;
  readonly cipher: Pick<RefreshTokenCipher, 'decrypt'>;
  readonly credentials: ClientCredentialsProvider;
  readonly vault: Pick<TokenVault, 'read'>;
}

/**
 * Whether the refresher can read everything a refresh of the connection needs. Carries no secret
 * and no error message: `problems` name what failed by error name and code only.
 */
export interface ConnectionCheckResult {
  readonly outcome: 'checked';
  readonly connectionId: string;
  /** The stored refresh token decrypts under the connection's encryption context. */
  readonly refreshTokenDecrypts: boolean;
  /** The client app of the connection's data centre could be read. */
  readonly clientAppReadable: boolean;
  /**
   * The access-token secret could be read. A secret that does not exist yet is readable (nothing
   * was refused) and has no `accessTokenVersion`.
   */
  readonly accessTokenReadable: boolean;
  /** The version the access-token secret holds, when it holds one. */
  readonly accessTokenVersion?: number;
  /** One line per failed part, e.g. `client app: ClientCredentialsNotFoundError [client_credentials_not_found]`. */
  readonly problems: string[];
}

/**
 * Checks, with the caller's (the refresher's) permissions, the three reads a refresh makes before
 * and after calling Zoho: decrypt the refresh token, read the client app for the connection's data
 * centre, read the access-token secret. Zoho is not called, nothing is written, and the decrypted
 * token and the client secret are dropped at once. Only a missing connection throws.
 */
export async function checkConnection(
  deps: CheckDependencies,
  connectionId: string,
): Promise<ConnectionCheckResult> {
  const connection = await deps.store.get(connectionId);
  if (!connection) throw new ConnectionNotFoundError(connectionId);
  let accessTokenVersion: number | undefined;
  const [refreshToken, clientApp, accessToken] = await Promise.all([
    connection.encryptedRefreshToken === ''
      ? { ok: false, problem: `${CHECK_PARTS.refreshToken}: none is stored (revoked)` }
      : attempt(CHECK_PARTS.refreshToken, () =>
          deps.cipher.decrypt(connectionId, connection.encryptedRefreshToken),
        ),
    attempt(`${CHECK_PARTS.clientApp} '${connection.clientRef}' (${connection.dc})`, () =>
      deps.credentials.get(connection.clientRef, connection.dc),
    ),
    attempt(CHECK_PARTS.accessToken, async () => {
      accessTokenVersion = (await deps.vault.read(connectionId))?.version;
    }),
  ]);
  return {
    outcome: 'checked',
    connectionId,
    refreshTokenDecrypts: refreshToken.ok,
    clientAppReadable: clientApp.ok,
    accessTokenReadable: accessToken.ok,
    ...(accessTokenVersion === undefined ? {} : { accessTokenVersion }),
    problems: [refreshToken, clientApp, accessToken].flatMap((part) =>
      part.problem === undefined ? [] : [part.problem],
    ),
  };
}

interface PartResult {
  readonly ok: boolean;
  readonly problem?: string;
}

/** Runs one read; what it returned (a token, a secret) is dropped here and never leaves. */
async function attempt(part: string, read: () => Promise<unknown>): Promise<PartResult> {
  try {
    await read();
    return { ok: true };
  } catch (error) {
    return { ok: false, problem: `${part}: ${describeError(error)}` };
  }
}

/** The error's name, its code when it is one of ours, and the name of its cause: never a message. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const code = error instanceof ZohoTokenRefresherError ? ` [${error.code}]` : '';
  const cause =
    error.cause instanceof Error && error.cause.name !== error.name ? ` caused by ${error.cause.name}` : '';
  return `${error.name}${code}${cause}`;
}
