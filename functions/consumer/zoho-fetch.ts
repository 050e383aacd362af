/**
 * `fetch` for Zoho APIs with Try-Catch-Refresh (ZOHO.md §7): send with the cached token; on a 401,
 * report the rejected version once, wait until the refresher stores a newer one, retry once. A
 * second 401 is a permission problem, not an expiry, and never triggers another refresh.
 * A stored token that is already expired (the refresher is behind) is never sent: it is reported
 * as if Zoho had rejected it, and the call goes out once with the newer token. What the container
 * remembers between calls (shared waits, permission-failed versions, fail-fast after a timed-out
 * wait) lives in `refresh-gate.ts`.
 */
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseConnectionId } from '../core/connection';
import { ConfigurationError } from '../core/errors';
import { type Clock, systemClock } from '../core/ports';
import { type ConsumerLogger, consumerLog } from './consumer-log';
import { consumerSettings } from './environment';
import { ForeignOriginError, TokenExpiredError, ZohoPermissionError } from './errors';
import { createRefreshGate } from './refresh-gate';
import { createRejectionReporter } from './rejection-reporter';
import { type AccessTokenView, createTokenReader, type TokenReader, type WaitOptions } from './token-reader';

/** The subset of the platform `fetch` the client calls; inject a fake in tests. */
export type FetchFunction = (input: URL, init: RequestInit) => Promise<Response>;

/** `RequestInit` plus an optional id that the rejection event carries for correlation. */
export interface ZohoRequestInit extends RequestInit {
  readonly requestId?: string;
}

/**
 * Calls Zoho with the connection's token. `pathOrUrl` is a path on the token's `api_domain`
 * (`/books/v3/organizations?…`) or an absolute URL on that same origin. The body may be sent twice
 * (after a 401), so pass a string, URLSearchParams, FormData or Blob, not a stream.
 */
export type ZohoFetch = (pathOrUrl: string | URL, init?: ZohoRequestInit) => Promise<Response>;

export interface WaitForRefreshOptions {
  /** @default 20_000 */
  readonly timeoutMs?: number;
  /** @default 250 */
  readonly initialDelayMs?: number;
  /** @default 2_000 */
  readonly maxDelayMs?: number;
  /**
   * After a wait for a version newer than V timed out, calls that need one fail at once with
   * TokenRefreshTimeoutError for this long (no event, no wait), then one call reports and waits
   * again. 0 turns it off. @default 60_000
   */
  readonly failFastMs?: number;
}

export interface ZohoClientOptions {
  /** @default the environment variable ZOHO_TOKENS_CONNECTION_ID (bindConsumer sets it) */
  readonly connectionId?: string;
  /**
   * The refresher's bus, which receives the "Zoho Token Rejected" events.
   * @default the environment variable ZOHO_TOKENS_EVENT_BUS_NAME (bindConsumer sets it)
   */
  readonly eventBusName?: string;
  /** @default a reader built from `secretPrefix`, `secretsClient` and `clock` */
  readonly tokenReader?: TokenReader;
  /** @default the environment variable ZOHO_TOKENS_SECRET_PREFIX, else 'zoho-token-refresher' */
  readonly secretPrefix?: string;
  readonly secretsClient?: SecretsManagerClient;
  readonly eventBridgeClient?: EventBridgeClient;
  /** @default globalThis.fetch */
  readonly fetch?: FetchFunction;
  /**
   * Times the fail-fast window, and the reader this client builds (not a given `tokenReader`).
   * @default the system clock
   */
  readonly clock?: Clock;
  readonly waitForRefresh?: WaitForRefreshOptions;
  /**
   * Where the client says what it decided: a 401 and its report, the wait for a newer token and how
   * it ended, failing fast, a permission failure. Never a token. @default nothing is logged
   */
  readonly logger?: ConsumerLogger;
}

export interface ZohoClient {
  readonly connectionId: string;
  readonly fetch: ZohoFetch;
  /** The reader the client takes its tokens from (the middleware hands its token to the handler). */
  readonly tokenReader: TokenReader;
}

/**
 * Creates a client for one connection. Create it once per container, outside the handler. In a
 * function bound with `bindConsumer(fn, connectionId)` no option is needed: `createZohoClient()`.
 */
export function createZohoClient(options: ZohoClientOptions = {}): ZohoClient {
  const settings = consumerSettings(options);
  const connectionId = parseConnectionId(settings.connectionId);
  const { wait, failFastMs } = refreshSettings(options.waitForRefresh);
  const reader =
    options.tokenReader ??
    createTokenReader({
      connectionId,
      secretPrefix: settings.secretPrefix,
      client: options.secretsClient,
      clock: options.clock,
    });
  const reporter = createRejectionReporter({
    eventBusName: settings.eventBusName,
    client: options.eventBridgeClient,
  });
  const send = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const clock = options.clock ?? systemClock;
  const log = consumerLog(options.logger, connectionId);
  const gate = createRefreshGate({ connectionId, reader, reporter, wait, failFastMs, clock, log });

  const call = (token: AccessTokenView, pathOrUrl: string | URL, init: RequestInit): Promise<Response> => {
    const headers = new Headers(init.headers);
    headers.set('Authorization', `Zoho-oauthtoken ${token.accessToken}`);
    return send(resolveUrl(pathOrUrl, token.apiDomain), { ...init, headers });
  };

  /**
   * The token to send first. When the freshest stored token is already expired, the refresher is
   * behind (or its schedule stopped): this is the consumer's self-heal path. The expired version is
   * reported exactly as if Zoho had rejected it, because Zoho would: it answers an expired token
   * with 401. The event says `status: 401` (the contract's only value) and carries no `code`, since
   * Zoho sent none. Reports and waits are shared per version with the 401 path. `refreshed` marks
   * a token that already is the answer to a report: a 401 to it is final.
   */
  const firstToken = async (
    requestId: string | undefined,
  ): Promise<{ token: AccessTokenView; refreshed: boolean }> => {
    try {
      return { token: await reader.getToken(), refreshed: false };
    } catch (error) {
      if (!(error instanceof TokenExpiredError)) throw error;
      log.warn('The stored access token has expired; reporting it like a 401', {
        version: error.version,
        expiresAt: new Date(error.expiresAt).toISOString(),
        requestId,
      });
      const token = await gate.newerThan({ version: error.version, reason: 'expired', requestId });
      return { token, refreshed: true };
    }
  };

  const fetch: ZohoFetch = async (pathOrUrl, init = {}) => {
    const { requestId, ...requestInit } = init;
    const first = await firstToken(requestId);
    let token = first.token;
    let response = await call(token, pathOrUrl, requestInit);
    if (response.status !== 401) return response;
    // A version that already replaced a rejected one and was refused too: no refresh can help it.
    if (!first.refreshed && !gate.isPermissionFailed(token.version)) {
      const code = await zohoErrorCode(response);
      log.warn('Zoho answered 401', { version: token.version, code, requestId });
      token = await gate.newerThan({ version: token.version, reason: 'rejected', code, requestId });
      response = await call(token, pathOrUrl, requestInit);
      if (response.status !== 401) return response;
    }
    throw await permissionFailure(token.version, response, requestId);
  };

  /** A 401 no refresh can fix: said once per version (warn), then for each further call (debug). */
  const permissionFailure = async (version: number, response: Response, requestId: string | undefined) => {
    const code = await zohoErrorCode(response);
    if (gate.isPermissionFailed(version)) {
      log.debug('Zoho answered 401 to a version it refused before; no report', { version, code, requestId });
    } else {
      log.warn('Zoho answered 401 to a token that replaced a refused one: a permission problem, no refresh', {
        version,
        code,
        requestId,
      });
    }
    gate.markPermissionFailed(version);
    return new ZohoPermissionError(connectionId, version, code);
  };

  return { connectionId, fetch, tokenReader: reader };
}

function refreshSettings(options: WaitForRefreshOptions | undefined): {
  wait: WaitOptions;
  failFastMs: number;
} {
  const wait = {
    timeoutMs: options?.timeoutMs ?? 20_000,
    initialDelayMs: options?.initialDelayMs ?? 250,
    maxDelayMs: options?.maxDelayMs ?? 2_000,
  };
  for (const [name, value] of Object.entries(wait)) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new ConfigurationError(`waitForRefresh.${name} must be a positive number`);
    }
  }
  const failFastMs = options?.failFastMs ?? 60_000;
  if (!Number.isFinite(failFastMs) || failFastMs < 0) {
    throw new ConfigurationError('waitForRefresh.failFastMs must be a non-negative number');
  }
  return { wait, failFastMs };
}

/** Relative paths go to the token's api_domain; absolute URLs must stay on it (the token goes along). */
function resolveUrl(pathOrUrl: string | URL, apiDomain: string): URL {
  const base = new URL(apiDomain);
  const url = new URL(pathOrUrl, base);
  if (url.origin !== base.origin) throw new ForeignOriginError(url.origin, base.origin);
  return url;
}

/** Zoho's `code` from a JSON error body (57 for "not authorized"); undefined for anything else. */
async function zohoErrorCode(response: Response): Promise<number | undefined> {
  try {
    const body: unknown = JSON.parse(await response.text());
    const code = typeof body === 'object' && body !== null ? (body as { code?: unknown }).code : undefined;
    if (typeof code === 'number' && Number.isSafeInteger(code)) return code;
    if (typeof code === 'string' && /^\d{1,9}$/.test(code)) return Number(code);
  } catch {
    // Not JSON, or the body was already read: the event simply carries no code.
  }
  return undefined;
}
