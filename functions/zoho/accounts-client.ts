/**
 * The Zoho Accounts adapter: refresh, code exchange and revoke over the platform `fetch`.
 * No retries here: the refresh use case retries transient errors inside its lease and budget.
 */
import {
  AccountsServerNotAllowedError,
  ConfigurationError,
  InvalidInputError,
  ZohoMalformedResponseError,
  ZohoTransientError,
} from '../core/errors';
import type { GrantCodeRequest, ZohoAccounts } from '../core/ports';
import type { TokenGrant } from '../core/token';
import { isAllowedAccountsServer, normaliseAccountsServer } from './data-centres';
import { classifyRevokeAnswer, type ZohoAnswer } from './revoke-answer';
import { sanitise } from './sanitise';
import {
  type ParseOptions,
  parseCodeExchangeResponse,
  parseTokenResponse,
  readJsonObject,
} from './token-response';

/** Zoho's token endpoint has been seen to hang; no call may wait longer than this by default. */
export const DEFAULT_ZOHO_TIMEOUT_MS = 10_000;

export const TOKEN_PATH = '/oauth/v2/token';
export const REVOKE_PATH = '/oauth/v2/token/revoke';

export { classifyRevokeAnswer } from './revoke-answer';

export interface ZohoAccountsClientOptions {
  /** Deadline of one call, connection to last byte. @default 10_000 */
  readonly timeoutMs?: number;
  /** Injected for tests; @default the platform `fetch`. */
  readonly fetch?: typeof fetch;
  /**
   * Origins outside Zoho's data centres the operator allowed explicitly (sandbox, tests, a proxy):
   * accounts servers a refresh token may be sent to, and API domains their answers may name. A custom
   * server may always name its own origin or a Zoho API host, and one on loopback (the simulator) any
   * loopback origin, so the simulator needs only its accounts servers listed. @default []
   */
  readonly allowedCustomServers?: readonly string[];
}

/**
 * A code exchange as onboarding needs it: the refresh token is kept even when the rest of the
 * answer cannot be trusted (`grant` absent), because the code is spent and cannot be exchanged again.
 */
export interface GrantCodeExchange {
  readonly refreshToken: string;
  /** The access token of the exchange; absent when its expiry or api_domain was malformed. */
  readonly grant?: TokenGrant;
}

/** The Zoho Accounts port plus what only onboarding (the CLI) needs. */
export interface ZohoAccountsClient extends ZohoAccounts {
  /**
   * Like `exchangeGrantCode`, but a success with a malformed expiry still yields the refresh token
   * instead of ZohoMalformedResponseError. Every other error is thrown as by `exchangeGrantCode`.
   */
  exchangeGrantCodeForRefreshToken(request: GrantCodeRequest): Promise<GrantCodeExchange>;
}

/**
 * Creates the Zoho Accounts client. Options are checked here, so a bad setting fails at cold start
 * (ConfigurationError) instead of at the first refresh.
 */
export function createZohoAccountsClient(options: ZohoAccountsClientOptions = {}): ZohoAccountsClient {
  const timeoutMs = options.timeoutMs ?? DEFAULT_ZOHO_TIMEOUT_MS;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) {
    throw new ConfigurationError(
      `Zoho timeout must be a positive whole number of milliseconds (got ${timeoutMs})`,
    );
  }
  const allowed = Object.freeze([...(options.allowedCustomServers ?? [])]);
  for (const server of allowed) {
    try {
      normaliseAccountsServer(server);
    } catch (error) {
      throw new ConfigurationError(`allowed custom accounts server is invalid: ${(error as Error).message}`);
    }
  }
  const fetchImpl = options.fetch ?? globalThis.fetch;

  async function post(
    accountsServer: string,
    path: string,
    form: Record<string, string>,
    redact: readonly string[],
  ): Promise<ZohoAnswer> {
    // The guard comes before anything is built or sent: the table may have been tampered with.
    if (!isAllowedAccountsServer(accountsServer, allowed)) {
      throw new AccountsServerNotAllowedError(describeHost(accountsServer));
    }
    for (const [name, value] of Object.entries(form)) {
      if (typeof value !== 'string' || value.trim() === '') {
        throw new InvalidInputError(`${name} is empty; nothing was sent to Zoho`);
      }
    }
    const url = `${normaliseAccountsServer(accountsServer)}${path}`;
    const signal = AbortSignal.timeout(timeoutMs);
    const exchange = async (): Promise<ZohoAnswer> => {
      const response = await fetchImpl(url, {
        method: 'POST',
        // A form body, never the query string: URLs end up in access logs, bodies do not.
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams(form).toString(),
        // A redirect would re-post the secret and the refresh token to wherever it points.
        redirect: 'manual',
        signal,
      });
      return { status: response.status, body: await response.text() };
    };
    try {
      return await Promise.race([exchange(), rejectOnAbort(signal)]);
    } catch (error) {
      if (signal.aborted) {
        throw new ZohoTransientError(`no answer from ${url} within ${timeoutMs} ms`, { code: 'timeout' });
      }
      throw new ZohoTransientError(`network error calling ${url}: ${describeNetworkError(error, redact)}`, {
        code: 'network_error',
        cause: error,
      });
    }
  }

  /** What the parser needs to judge an answer of `accountsServer`, secrets to keep out of messages. */
  const parseOptions = (accountsServer: string, redact: readonly string[]): ParseOptions => ({
    redact,
    accountsServer,
    allowedCustomOrigins: allowed,
  });

  async function exchange(request: GrantCodeRequest) {
    const redact = [request.code, request.clientSecret];
    const form = {
      grant_type: 'authorization_code',
      client_id: request.clientId,
      client_secret: request.clientSecret,
      code: request.code,
      ...(request.redirectUri === undefined ? {} : { redirect_uri: request.redirectUri }),
    };
    const answer = await post(request.accountsServer, TOKEN_PATH, form, redact);
    return { answer, options: parseOptions(request.accountsServer, redact) };
  }

  return {
    async refreshAccessToken(request) {
      const redact = [request.refreshToken, request.clientSecret];
      const form = {
        grant_type: 'refresh_token',
        client_id: request.clientId,
        client_secret: request.clientSecret,
        refresh_token: request.refreshToken,
      };
      const answer = await post(request.accountsServer, TOKEN_PATH, form, redact);
      return parseTokenResponse(answer.status, answer.body, parseOptions(request.accountsServer, redact));
    },

    async exchangeGrantCode(request) {
      const { answer, options } = await exchange(request);
      return parseCodeExchangeResponse(answer.status, answer.body, options);
    },

    async exchangeGrantCodeForRefreshToken(request) {
      const { answer, options } = await exchange(request);
      try {
        const grant = parseCodeExchangeResponse(answer.status, answer.body, options);
        return { refreshToken: grant.refreshToken, grant };
      } catch (error) {
        // Thrown only after the refresh token was found in the body: keep it, drop the rest.
        if (!(error instanceof ZohoMalformedResponseError)) throw error;
        const refreshToken = readJsonObject(answer.status, answer.body).refresh_token;
        if (typeof refreshToken !== 'string' || refreshToken.trim() === '') throw error;
        return { refreshToken };
      }
    },

    async revokeRefreshToken(request) {
      const redact = [request.refreshToken];
      const answer = await post(request.accountsServer, REVOKE_PATH, { token: request.refreshToken }, redact);
      classifyRevokeAnswer(answer, redact);
    },
  };
}

/** Rejects once the signal aborts: a deadline even for a fetch that ignores its signal. */
function rejectOnAbort(signal: AbortSignal): Promise<never> {
  const aborted = new Promise<never>((_, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
  aborted.catch(() => undefined); // whoever wins the race, this rejection is expected
  return aborted;
}

/** `fetch failed` alone says nothing; the cause carries ECONNRESET, ENOTFOUND, … */
function describeNetworkError(error: unknown, redact: readonly string[]): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  const parts = [
    error instanceof Error ? error.message : String(error),
    typeof cause?.code === 'string' ? cause.code : undefined,
  ];
  return sanitise(parts.filter((part) => part !== undefined).join(': '), redact, 160);
}

function describeHost(url: string): string {
  try {
    return new URL(url).host || 'with no host';
  } catch {
    return 'that is not a URL';
  }
}
