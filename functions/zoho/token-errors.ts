/**
 * What Zoho's accounts server means by an answer without an access token (ZOHO.md §2). Most errors
 * arrive with HTTP 200, so the BODY decides. Known error names are one table, read by each kind of
 * call (refresh, code exchange, revoke) in its own terms. Nothing here does I/O.
 */
import {
  MisconfiguredClientError,
  ReauthorizationRequiredError,
  ZohoThrottledError,
  type ZohoTokenRefresherError,
  ZohoTransientError,
} from '../core/errors';
import { sanitise } from './sanitise';

type Json = Readonly<Record<string, unknown>>;

/** What a known error name means, whatever the call and whatever the HTTP status. */
export type ZohoErrorMeaning =
  /** The credential the call presented (refresh token, grant code) is dead: a new authorisation. */
  | { readonly kind: 'credential_rejected' }
  /** Zoho throttled this refresh token or client: wait out the window, no retries inside it. */
  | { readonly kind: 'throttled' }
  /** The client app or the request is wrong; `hint` says where to look. */
  | { readonly kind: 'misconfigured'; readonly hint: string };

const CREDENTIAL_REJECTED: ZohoErrorMeaning = { kind: 'credential_rejected' };
const THROTTLED: ZohoErrorMeaning = { kind: 'throttled' };
const misconfigured = (hint: string): ZohoErrorMeaning => ({ kind: 'misconfigured', hint });

/**
 * Zoho's machine-readable error names, which it never translates. A Map, not an object literal: an
 * `error` of `constructor` or `__proto__` must not find Object.prototype's members.
 * - `invalid_code`: Zoho's documented answer for a revoked, deleted or evicted refresh token, and for
 *   a spent or expired grant code; `invalid_grant` is RFC 6749's name for the same.
 * - `invalid_token`: the refresh token was revoked (the seed's table); at revoke, already invalid.
 * - `too_many_requests`: throttled (the seed's table), like the worded "Access Denied" throttle.
 */
export const ZOHO_ERROR_NAMES: ReadonlyMap<string, ZohoErrorMeaning> = new Map([
  ['invalid_code', CREDENTIAL_REJECTED],
  ['invalid_grant', CREDENTIAL_REJECTED],
  ['invalid_token', CREDENTIAL_REJECTED],
  ['too_many_requests', THROTTLED],
  [
    'invalid_client',
    misconfigured(
      'check the data centre first (a token sent to the wrong accounts server gets invalid_client), then the client id and that the client is enabled in that data centre',
    ),
  ],
  [
    'invalid_client_secret',
    misconfigured('the client secret is wrong for this data centre (it may differ per data centre)'),
  ],
  [
    'invalid_redirect_uri',
    misconfigured(
      "a server-based client's code must be exchanged with exactly the redirect URI registered for the client (a Self Client's code needs none)",
    ),
  ],
  ['unauthorized_client', misconfigured('the client may not use this grant type')],
  ['invalid_scope', misconfigured('the scope is not valid for this client')],
  [
    'invalid_request',
    misconfigured(
      'Zoho refused the request itself (a parameter is missing or malformed); check the client id and secret are set',
    ),
  ],
  [
    'unsupported_grant_type',
    misconfigured('Zoho refused the grant type; this is a bug in the adapter, not retried'),
  ],
]);

/** The answer's error name (trimmed, lower case) and, when it is known, its meaning. */
export function knownError(
  json: Json,
): { readonly name: string; readonly meaning: ZohoErrorMeaning } | undefined {
  const name = errorName(json);
  const meaning = name === undefined ? undefined : ZOHO_ERROR_NAMES.get(name);
  return name === undefined || meaning === undefined ? undefined : { name, meaning };
}

/** Options of the classifiers. */
export interface ClassifyOptions {
  /** Values that must never reach a message even if Zoho echoed them (refresh token, secret, code). */
  readonly redact?: readonly string[];
  /** Appended to a throttle's message: what the caller should do after the wait. */
  readonly afterThrottle?: string;
}

/**
 * Classifies a token-endpoint answer that carries no access token, for a refresh:
 * - a known name ({@link ZOHO_ERROR_NAMES}) wins whatever the HTTP status: a rejected credential →
 *   ReauthorizationRequiredError; a misconfiguration → MisconfiguredClientError; a throttle →
 *   ZohoThrottledError;
 * - otherwise the throttle rule, without reading words (the throttle's `error` is a translated
 *   phrase, "Access Denied" or "拒绝访问"): an `error` that is not a known name, or `status: "failure"`,
 *   on a non-5xx answer, with one more sign that Zoho refused deliberately — an `error_description`,
 *   `status: "failure"`, or HTTP 400/429 — is ZohoThrottledError. Erring towards "throttled" is safe:
 *   it waits out the 10-minute window and keeps serving the current token; it never marks the
 *   connection broken, and it spares the budget the retries a blocked window would waste;
 * - everything else — a 5xx, an unknown error with no such sign, JSON with neither `access_token`
 *   nor `error` — is ZohoTransientError: retry with backoff, keep the current token.
 */
export function classifyTokenError(
  status: number,
  json: Json,
  options: ClassifyOptions = {},
): ZohoTokenRefresherError {
  const known = knownError(json);
  const redact = options.redact ?? [];
  const throttled = () =>
    new ZohoThrottledError(`${describeError(status, json, redact)}${options.afterThrottle ?? ''}`);
  if (known !== undefined) {
    switch (known.meaning.kind) {
      case 'credential_rejected':
        return new ReauthorizationRequiredError(known.name);
      case 'misconfigured':
        return new MisconfiguredClientError(known.name, known.meaning.hint);
      case 'throttled':
        return throttled();
    }
  }
  const hasError = json.error !== undefined && json.error !== null && json.error !== '';
  const failed = typeof json.status === 'string' && json.status.trim().toLowerCase() === 'failure';
  const described = isNonEmptyString(json.error_description);
  if ((hasError || failed) && status < 500 && (described || failed || status === 400 || status === 429)) {
    return throttled();
  }
  if (hasError || failed) {
    return new ZohoTransientError(`unrecognised error answer: ${describeError(status, json, redact)}`);
  }
  return new ZohoTransientError(
    `JSON without access_token or error (HTTP ${status}; fields: ${sanitise(Object.keys(json).join(','), redact, 80)})`,
  );
}

/** `error` trimmed and in lower case, when it is a string. */
export function errorName(json: Json): string | undefined {
  return typeof json.error === 'string' ? json.error.trim().toLowerCase() : undefined;
}

/** `error - error_description (HTTP n)`, each sanitised and capped. */
export function describeError(status: number, json: Json, redact: readonly string[]): string {
  const error = typeof json.error === 'string' ? sanitise(json.error, redact, 60) : typeof json.error;
  const description = isNonEmptyString(json.error_description)
    ? ` - ${sanitise(json.error_description, redact, 160)}`
    : '';
  return `${error}${description} (HTTP ${status})`;
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}
