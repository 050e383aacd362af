/**
 * Pure parsing and classification of Zoho token-endpoint answers (ZOHO.md §1, §2). Most errors
 * arrive with HTTP 200, so the BODY decides, never the status. Nothing here does I/O.
 */
import {
  MisconfiguredClientError,
  ReauthorizationRequiredError,
  ZohoMalformedResponseError,
  ZohoThrottledError,
  type ZohoTokenRefresherError,
  ZohoTransientError,
} from '../core/errors';
import type { CodeExchangeGrant, TokenGrant } from '../core/token';
import { GrantCodeRejectedError, NoRefreshTokenGrantedError } from './errors';

/** Zoho access tokens live an hour; anything beyond a day is a unit mix-up we refuse to trust. */
export const MAX_EXPIRES_IN_SECONDS = 86_400;

export interface ParseOptions {
  /** Values that must never reach a message even if Zoho echoed them (refresh token, secret, code). */
  readonly redact?: readonly string[];
}

type Json = Readonly<Record<string, unknown>>;

/**
 * Parses the answer to a `grant_type=refresh_token` call. A `refresh_token` in the answer is ignored
 * on purpose: Zoho's refresh tokens do not rotate and the stored one must never be overwritten.
 * Throws the core typed errors of {@link classifyTokenError}.
 */
export function parseTokenResponse(status: number, body: string, options: ParseOptions = {}): TokenGrant {
  const json = readJsonObject(status, body);
  if (hasAccessToken(json)) return toTokenGrant(json);
  throw classifyTokenError(status, json, options);
}

/**
 * Parses the answer to a `grant_type=authorization_code` call. An expired or used code raises
 * GrantCodeRejectedError; a success without a refresh token raises NoRefreshTokenGrantedError.
 */
export function parseCodeExchangeResponse(
  status: number,
  body: string,
  options: ParseOptions = {},
): CodeExchangeGrant {
  const json = readJsonObject(status, body);
  if (hasAccessToken(json)) {
    if (!isNonEmptyString(json.refresh_token)) throw new NoRefreshTokenGrantedError();
    // The code is spent by now: say so, or the operator retries a code that can only fail.
    const grant = toTokenGrant(json, '; the grant code is used up, generate a new one');
    return { ...grant, refreshToken: json.refresh_token };
  }
  const code = errorCode(json);
  if (code === 'invalid_code' || code === 'invalid_grant') throw new GrantCodeRejectedError(code);
  throw classifyTokenError(status, json, options);
}

const MISCONFIGURED_HINTS: Readonly<Record<string, string>> = {
  invalid_client:
    'check the data centre first (a token sent to the wrong accounts server gets invalid_client), then the client id and that the client is enabled in that data centre',
  invalid_client_secret: 'the client secret is wrong for this data centre (it may differ per data centre)',
  invalid_redirect_uri:
    "a server-based client's code must be exchanged with exactly the redirect URI registered for the client (a Self Client's code needs none)",
  unauthorized_client: 'the client may not use this grant type',
  invalid_scope: 'the scope is not valid for this client',
  invalid_request:
    'Zoho refused the request itself (a parameter is missing or malformed); check the client id and secret are set',
  unsupported_grant_type: 'Zoho refused the grant type; this is a bug in the adapter, not retried',
};

/**
 * Classifies a token-endpoint answer that carries no access token.
 *
 * Known OAuth codes are machine identifiers that Zoho never translates:
 * - `invalid_code` (and the RFC 6749 `invalid_grant`) → ReauthorizationRequiredError;
 * - `invalid_client`, `invalid_client_secret` and the other request/client codes → MisconfiguredClientError.
 * A known code wins whatever the HTTP status: they are Zoho's own words, and most arrive with 200.
 *
 * Throttle rule (without reading words: the throttle's `error` is a translated phrase, "Access Denied"
 * or "拒绝访问"): an `error` that is not a known code, or `status: "failure"`, on a non-5xx answer,
 * together with one more sign that Zoho's accounts server refused deliberately — an `error_description`,
 * `status: "failure"`, or HTTP 400/429 — is ZohoThrottledError. Erring towards "throttled" is safe: it
 * only waits out the 10-minute window and keeps serving the current token; it never marks the
 * connection permanently broken, and it spares the budget the retries a blocked window would waste.
 *
 * Everything else — a 5xx, an unknown error with no such sign, JSON with neither `access_token` nor
 * `error` — is ZohoTransientError: retry with backoff, keep the current token.
 */
export function classifyTokenError(
  status: number,
  json: Json,
  options: ParseOptions = {},
): ZohoTokenRefresherError {
  const code = errorCode(json);
  if (code === 'invalid_code' || code === 'invalid_grant') return new ReauthorizationRequiredError(code);
  const hint = code === undefined ? undefined : MISCONFIGURED_HINTS[code];
  if (code !== undefined && hint !== undefined) return new MisconfiguredClientError(code, hint);

  const hasError = json.error !== undefined && json.error !== null && json.error !== '';
  const failed = typeof json.status === 'string' && json.status.trim().toLowerCase() === 'failure';
  const described = isNonEmptyString(json.error_description);
  const detail = describeError(status, json, options.redact ?? []);
  if ((hasError || failed) && status < 500 && (described || failed || status === 400 || status === 429)) {
    return new ZohoThrottledError(detail);
  }
  if (hasError || failed) return new ZohoTransientError(`unrecognised error answer: ${detail}`);
  return new ZohoTransientError(
    `JSON without access_token or error (HTTP ${status}; fields: ${sanitise(Object.keys(json).join(','), [], 80)})`,
  );
}

/**
 * Reads the body as a JSON object or throws ZohoTransientError (empty body, HTML page, half JSON, an
 * array…). The body text never reaches the message: half a JSON success still holds an access token.
 */
export function readJsonObject(status: number, body: string): Json {
  const trimmed = body.trim();
  if (trimmed === '') throw new ZohoTransientError(`empty body (HTTP ${status})`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    const kind = trimmed.startsWith('<') ? 'an HTML/XML page' : 'not JSON';
    throw new ZohoTransientError(`body is ${kind} (HTTP ${status}, ${trimmed.length} characters)`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ZohoTransientError(`body is JSON but not an object (HTTP ${status})`);
  }
  return parsed as Json;
}

/** Why a success body cannot be trusted; collected, then thrown once with its context. */
class Problem {
  constructor(readonly detail: string) {}
}

/**
 * Builds the grant of a success body. An untrustworthy expiry is a ZohoMalformedResponseError rather
 * than a silent 3600 s: inventing an expiry could store a token we believe lives longer than Zoho
 * says, consumers would then meet 401s and trigger refresh storms against the 10-per-10-minutes
 * limit. The typed error is transient: the current token keeps serving, the use case retries, and
 * the metric reason `malformed_response` makes a persistent quirk visible instead of hiding it.
 */
function toTokenGrant(json: Json & { access_token: string }, context = ''): TokenGrant {
  const expiresIn = readExpiresIn(json);
  const apiDomain = readApiDomain(json.api_domain);
  if (expiresIn instanceof Problem) throw new ZohoMalformedResponseError(`${expiresIn.detail}${context}`);
  if (apiDomain instanceof Problem) throw new ZohoMalformedResponseError(`${apiDomain.detail}${context}`);
  const grant: { -readonly [K in keyof TokenGrant]: TokenGrant[K] } = {
    accessToken: json.access_token,
    expiresInSeconds: expiresIn,
    tokenType: isNonEmptyString(json.token_type) ? json.token_type : 'Bearer',
  };
  if (typeof apiDomain === 'string') grant.apiDomain = apiDomain;
  if (isNonEmptyString(json.scope)) grant.scope = json.scope;
  return grant;
}

/** `expires_in_sec` present ⇒ `expires_in` is in milliseconds (Zoho's own SDKs decide it this way). */
function readExpiresIn(json: Json): number | Problem {
  const present = (value: unknown) => value !== undefined && value !== null;
  if (present(json.expires_in_sec)) return checkSeconds(json.expires_in_sec, 'expires_in_sec');
  if (!present(json.expires_in)) return new Problem('expires_in is missing');
  return checkSeconds(json.expires_in, 'expires_in');
}

function checkSeconds(value: unknown, field: string): number | Problem {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return new Problem(`${field} is not a number (${typeof value})`);
  }
  if (value <= 0) return new Problem(`${field} is not positive (${value})`);
  if (value > MAX_EXPIRES_IN_SECONDS) {
    return new Problem(`${field} of ${value} s is more than a day; refusing to trust it`);
  }
  return value;
}

/**
 * An absent `api_domain` is normal (keep the stored one); a present but broken one is not. Consumers
 * send the access token to this origin, so it must be https: plain http would put the token on the
 * wire in clear. The one exception is a loopback host (the Zoho simulator of the sandbox and the
 * tests), where nothing leaves the machine.
 */
function readApiDomain(value: unknown): string | undefined | Problem {
  if (value === undefined || value === null || value === '') return undefined;
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    // reported as not a URL below
  }
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    return new Problem('api_domain is not an https URL');
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return new Problem(
      `api_domain ${url.host} is plain http: consumers would send the access token in clear (only loopback hosts may use http)`,
    );
  }
  return url.origin;
}

/** `localhost`, `127.x.x.x` and `[::1]`: traffic that never leaves the machine. */
function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

function hasAccessToken(json: Json): json is Json & { access_token: string } {
  return isNonEmptyString(json.access_token);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

function errorCode(json: Json): string | undefined {
  return typeof json.error === 'string' ? json.error.trim().toLowerCase() : undefined;
}

function describeError(status: number, json: Json, redact: readonly string[]): string {
  const error = typeof json.error === 'string' ? sanitise(json.error, redact, 60) : typeof json.error;
  const description = isNonEmptyString(json.error_description)
    ? ` - ${sanitise(json.error_description, redact, 160)}`
    : '';
  return `${error}${description} (HTTP ${status})`;
}

const ZOHO_TOKEN_SHAPE = /\b1000\.[A-Za-z0-9]{8,}\.[A-Za-z0-9]{8,}\b/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]+/g;

/**
 * Makes Zoho-supplied text safe for a message: known secrets and anything shaped like a Zoho token
 * are replaced, control characters removed, the length capped. Redaction runs before the cap, so a
 * cut never leaves half a secret behind.
 */
export function sanitise(text: string, redact: readonly string[], maxLength: number): string {
  let safe = text;
  for (const secret of redact) {
    if (secret.length >= 4) safe = safe.split(secret).join('[redacted]');
  }
  safe = safe.replace(ZOHO_TOKEN_SHAPE, '[redacted]').replace(CONTROL, ' ').trim();
  return safe.length > maxLength ? `${safe.slice(0, maxLength)}…` : safe;
}
