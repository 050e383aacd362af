/**
 * Reads a connection's access-token secret and caches it in memory, per container, until shortly
 * before it expires. One read in flight at a time, however many callers ask at once.
 */
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { awsClientConfig } from '../aws/client-config';
import { accessTokenSecretName, DEFAULT_SECRET_PREFIX } from '../aws/names';
import { parseConnectionId } from '../core/connection';
import { ConfigurationError } from '../core/errors';
import { type Clock, systemClock } from '../core/ports';
import { fromSecretValue, type StoredAccessToken } from '../core/token';
import {
  ConnectionTokenNotFoundError,
  MalformedTokenSecretError,
  TokenExpiredError,
  TokenRefreshTimeoutError,
  TokenSecretReadError,
} from './errors';

/** The access token as a consumer sees it (parsed from the secret's contract JSON). */
export type AccessTokenView = Readonly<StoredAccessToken>;

export interface TokenReaderOptions {
  readonly connectionId: string;
  /** @default 'zoho-token-refresher' (the secret is `<prefix>/<connectionId>/access-token`) */
  readonly secretPrefix?: string;
  /**
   * @default one client per container, shared by every reader, each call bounded (connect 1 s,
   * request 2 s, 2 attempts: aws/client-config.ts)
   */
  readonly client?: SecretsManagerClient;
  /** @default the system clock */
  readonly clock?: Clock;
  /** The cache ends this long before the token expires. @default 60_000 */
  readonly refreshSkewMs?: number;
}

/** Bounded backoff of {@link TokenReader.waitForNewerThan}. */
export interface WaitOptions {
  readonly timeoutMs: number;
  /** @default 250 */
  readonly initialDelayMs?: number;
  /** @default 2_000 */
  readonly maxDelayMs?: number;
}

export interface TokenReader {
  /** The current token: from memory when cached, else one shared Secrets Manager read. */
  getToken(): Promise<AccessTokenView>;
  /**
   * Re-reads the secret with bounded backoff until it holds a version newer than `version`, caches
   * and returns it. Throws TokenRefreshTimeoutError after `timeoutMs`.
   */
  waitForNewerThan(version: number, options: WaitOptions): Promise<AccessTokenView>;
  /** Forgets the cached token; the next getToken reads the secret. */
  invalidate(): void;
  /**
   * The newest token read so far, expired or not, without I/O; undefined before the first read.
   * For showing what the container holds (the middleware's `context.zoho.token`), never for
   * deciding whether a token may be sent: that is `getToken`'s job.
   */
  peek(): AccessTokenView | undefined;
}

let sharedClient: SecretsManagerClient | undefined;

/** Created on first use, not at import: a consumer that injects its client never builds this one. */
function defaultClient(): SecretsManagerClient {
  sharedClient ??= new SecretsManagerClient(awsClientConfig());
  return sharedClient;
}

/** Creates a reader for one connection. Create it once per container, outside the handler. */
export function createTokenReader(options: TokenReaderOptions): TokenReader {
  const connectionId = parseConnectionId(options.connectionId);
  const secretName = accessTokenSecretName(options.secretPrefix ?? DEFAULT_SECRET_PREFIX, connectionId);
  const client = options.client ?? defaultClient();
  const clock = options.clock ?? systemClock;
  const skewMs = options.refreshSkewMs ?? 60_000;
  if (!Number.isFinite(skewMs) || skewMs < 0)
    throw new ConfigurationError('refreshSkewMs must be a non-negative number');

  let cached: { token: AccessTokenView; until: number } | undefined;
  let latest: AccessTokenView | undefined;
  let inFlight: Promise<AccessTokenView> | undefined;

  const cachedToken = (): AccessTokenView | undefined =>
    cached !== undefined && clock.now() < cached.until ? cached.token : undefined;

  /** One read at a time: concurrent callers share the promise of the read already under way. */
  const read = (): Promise<AccessTokenView> => {
    inFlight ??= readSecret().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  const readSecret = async (): Promise<AccessTokenView> => {
    const token = parse(await fetchSecretString());
    remember(token);
    if (latest === undefined || token.version >= latest.version) latest = token;
    return token;
  };

  const fetchSecretString = async (): Promise<string> => {
    try {
      const output = await client.send(new GetSecretValueCommand({ SecretId: secretName }));
      if (output.SecretString === undefined)
        throw new MalformedTokenSecretError(secretName, 'no SecretString');
      return output.SecretString;
    } catch (error) {
      if (error instanceof MalformedTokenSecretError) throw error;
      if (error instanceof ResourceNotFoundException || isNamed(error, 'ResourceNotFoundException')) {
        throw new ConnectionTokenNotFoundError(connectionId, secretName, { cause: error });
      }
      throw new TokenSecretReadError(secretName, { cause: error });
    }
  };

  const parse = (secretString: string): AccessTokenView => {
    let json: unknown;
    try {
      json = JSON.parse(secretString);
    } catch {
      // The parser's message could quote the value, i.e. the token: say only what is wrong.
      throw new MalformedTokenSecretError(secretName, 'value is not JSON');
    }
    const token = fromSecretValue(json);
    if (token === undefined)
      throw new MalformedTokenSecretError(secretName, 'value is not of the contract shape');
    if (token.connectionId !== connectionId) {
      throw new MalformedTokenSecretError(secretName, `value names connection '${token.connectionId}'`);
    }
    return token;
  };

  /**
   * Caches until `expiresAt - skew`: never past expiry, never longer than the token lives. A token
   * already inside the skew is served but not cached, so the next call looks for a newer one. The
   * cache never moves back to an older version (reads may race a refresh).
   */
  const remember = (token: AccessTokenView): void => {
    const until = token.expiresAt - skewMs;
    if (until <= clock.now()) return;
    if (cached !== undefined && cached.token.version > token.version && clock.now() < cached.until) return;
    cached = { token, until };
  };

  const getToken = async (): Promise<AccessTokenView> => {
    const hit = cachedToken();
    if (hit !== undefined) return hit;
    const token = await read();
    if (token.expiresAt <= clock.now())
      throw new TokenExpiredError(connectionId, token.version, token.expiresAt);
    return token;
  };

  const waitForNewerThan = async (version: number, wait: WaitOptions): Promise<AccessTokenView> => {
    const hit = cachedToken();
    if (hit !== undefined && hit.version > version) return hit;
    const deadline = clock.now() + wait.timeoutMs;
    let delay = wait.initialDelayMs ?? 250;
    const maxDelay = wait.maxDelayMs ?? 2_000;
    let lastError: unknown;
    for (;;) {
      try {
        const token = await read();
        if (token.version > version) return token;
      } catch (error) {
        // A missing secret will not appear by waiting; anything else (throttling, a blip) might pass.
        if (error instanceof ConnectionTokenNotFoundError) throw error;
        lastError = error;
      }
      const left = deadline - clock.now();
      if (left <= 0) {
        throw new TokenRefreshTimeoutError(connectionId, version, wait.timeoutMs, { cause: lastError });
      }
      await clock.sleep(Math.min(delay, left));
      delay = Math.min(delay * 2, maxDelay);
    }
  };

  return {
    getToken,
    waitForNewerThan,
    invalidate: () => {
      cached = undefined;
    },
    peek: () => latest,
  };
}

/** Bundled SDK copies can break `instanceof`; the exception name is stable. */
function isNamed(error: unknown, name: string): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === name;
}
