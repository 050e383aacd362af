/**
 * Typed errors of the consumer library. Callers classify with `instanceof` (or `code`), never by
 * message text. Messages name the connection, the secret and the token version, never the token.
 */
import { ZohoTokenRefresherError } from '../core/errors';

/** The access-token secret of the connection does not exist (or holds no value yet). */
export class ConnectionTokenNotFoundError extends ZohoTokenRefresherError {
  readonly connectionId: string;
  readonly secretName: string;

  constructor(connectionId: string, secretName: string, options?: { cause?: unknown }) {
    super(
      'token_not_found',
      `No access token is stored for connection '${connectionId}' (secret '${secretName}' not found); is the connection registered and was it refreshed once?`,
      options,
    );
    this.connectionId = connectionId;
    this.secretName = secretName;
  }
}

/** The secret exists but its value is not the contract's JSON, or names another connection. */
export class MalformedTokenSecretError extends ZohoTokenRefresherError {
  readonly secretName: string;

  constructor(secretName: string, detail: string) {
    super('token_secret_malformed', `Secret '${secretName}' does not hold a valid access token: ${detail}`);
    this.secretName = secretName;
  }
}

/** Secrets Manager refused or failed the read (access denied, throttled, network); see `cause`. */
export class TokenSecretReadError extends ZohoTokenRefresherError {
  readonly secretName: string;

  constructor(secretName: string, options: { cause: unknown }) {
    super(
      'token_secret_unreadable',
      `Could not read secret '${secretName}': ${errorName(options.cause)}`,
      options,
    );
    this.secretName = secretName;
  }
}

/** The freshest stored token is already expired: the refresher is behind or the connection is broken. */
export class TokenExpiredError extends ZohoTokenRefresherError {
  readonly connectionId: string;
  readonly version: number;
  readonly expiresAt: number;

  constructor(connectionId: string, version: number, expiresAt: number) {
    super(
      'token_expired',
      `The stored access token of connection '${connectionId}' (version ${version}) expired at ${new Date(expiresAt).toISOString()}; check 'zoho-tokens status ${connectionId}'`,
    );
    this.connectionId = connectionId;
    this.version = version;
    this.expiresAt = expiresAt;
  }
}

/** Why the client waited for a newer token version. */
export type RefreshWaitReason = 'rejected' | 'expired';

export interface TokenRefreshTimeoutOptions {
  readonly cause?: unknown;
  /** Zoho answered 401 to the version (`rejected`), or the stored version had expired (`expired`). */
  readonly reason?: RefreshWaitReason;
  /** Until when the client answers this version with this error at once, without a report or a wait. */
  readonly retryAt?: number;
  /** True when this call did not wait: an earlier wait for the same version timed out shortly before. */
  readonly failedFast?: boolean;
}

/**
 * No newer token version appeared within the wait after a version was reported (rejected by Zoho,
 * or found expired). The refresher is behind or cannot refresh the connection (not active,
 * throttled, budget spent). After one such wait, `zohoFetch` fails fast for that version for a
 * while (`failedFast`, `retryAt`) instead of reporting and waiting on every call.
 */
export class TokenRefreshTimeoutError extends ZohoTokenRefresherError {
  readonly connectionId: string;
  /** The reported version; the secret still held it (or older) when the wait ended. */
  readonly version: number;
  readonly timeoutMs: number;
  /** Undefined when the reader was used directly, without `zohoFetch`. */
  readonly reason: RefreshWaitReason | undefined;
  /** When the client will report and wait for this version again; undefined from the reader. */
  readonly retryAt: number | undefined;
  readonly failedFast: boolean;

  constructor(
    connectionId: string,
    version: number,
    timeoutMs: number,
    options: TokenRefreshTimeoutOptions = {},
  ) {
    super(
      'token_refresh_timeout',
      timeoutMessage(connectionId, version, timeoutMs, options),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.connectionId = connectionId;
    this.version = version;
    this.timeoutMs = timeoutMs;
    this.reason = options.reason;
    this.retryAt = options.retryAt;
    this.failedFast = options.failedFast ?? false;
  }
}

function timeoutMessage(
  connectionId: string,
  version: number,
  timeoutMs: number,
  options: TokenRefreshTimeoutOptions,
): string {
  const what =
    options.reason === 'expired'
      ? `The stored access token of connection '${connectionId}' (version ${version}) has expired and no newer version appeared within ${timeoutMs} ms after it was reported: the refresher cannot refresh the connection (not active, throttled or out of budget) or is behind`
      : `No token newer than version ${version} of connection '${connectionId}' appeared within ${timeoutMs} ms${
          options.reason === 'rejected' ? ' after Zoho rejected it' : ''
        }`;
  const again =
    options.retryAt === undefined
      ? ''
      : options.failedFast
        ? `; not reported or awaited again before ${new Date(options.retryAt).toISOString()} (the last wait for it timed out)`
        : `; calls fail at once for this version until ${new Date(options.retryAt).toISOString()}`;
  return `${what}${again}; check 'zoho-tokens status ${connectionId}'`;
}

/**
 * Zoho answered 401 to a freshly refreshed token too. Zoho's code 57 means the same for an expired
 * token, a missing scope, a wrong organisation and a wrong data centre; once the token is new, it
 * is one of the last three, and another refresh cannot help.
 */
export class ZohoPermissionError extends ZohoTokenRefresherError {
  readonly connectionId: string;
  readonly version: number;
  readonly status: number;
  /** Zoho's error code from the response body (57 for "not authorized"), when it sent one. */
  readonly zohoCode: number | undefined;

  constructor(connectionId: string, version: number, zohoCode: number | undefined) {
    super(
      'zoho_permission',
      `Zoho rejected a freshly refreshed token of connection '${connectionId}' (version ${version}, HTTP 401${
        zohoCode === undefined ? '' : `, code ${zohoCode}`
      }): the token lacks a scope for this call, the organization_id is wrong, or the connection belongs to another data centre`,
    );
    this.connectionId = connectionId;
    this.version = version;
    this.status = 401;
    this.zohoCode = zohoCode;
  }
}

/** The "Zoho Token Rejected" event could not be published to EventBridge; see `cause`. */
export class TokenRejectionReportError extends ZohoTokenRefresherError {
  readonly eventBusName: string;

  constructor(eventBusName: string, detail: string, options?: { cause?: unknown }) {
    super(
      'token_rejection_unreported',
      `Could not publish 'Zoho Token Rejected' to bus '${eventBusName}': ${detail}`,
      options,
    );
    this.eventBusName = eventBusName;
  }
}

/** The request would send the token somewhere other than the token's own api_domain. */
export class ForeignOriginError extends ZohoTokenRefresherError {
  constructor(origin: string, apiDomain: string) {
    super(
      'foreign_origin',
      `Refusing to send the Zoho token to ${origin}: only the token's api_domain ${apiDomain} may receive it (pass a path instead)`,
    );
  }
}

/** SDK errors carry a `name` (AccessDeniedException, ThrottlingException…) that says enough. */
function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
