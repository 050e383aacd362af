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

/** No newer token version appeared within the wait after a 401 was reported. */
export class TokenRefreshTimeoutError extends ZohoTokenRefresherError {
  readonly connectionId: string;
  /** The rejected version; the secret still held it (or older) when the wait ended. */
  readonly version: number;
  readonly timeoutMs: number;

  constructor(connectionId: string, version: number, timeoutMs: number, options?: { cause?: unknown }) {
    super(
      'token_refresh_timeout',
      `No token newer than version ${version} of connection '${connectionId}' appeared within ${timeoutMs} ms after Zoho rejected it; check 'zoho-tokens status ${connectionId}'`,
      options,
    );
    this.connectionId = connectionId;
    this.version = version;
    this.timeoutMs = timeoutMs;
  }
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
