/**
 * Pure parsing of Zoho token-endpoint answers (ZOHO.md §1, §2). Success is decided by the presence of
 * an access token, never by the HTTP status; a success is then held to the limits of
 * `grant-limits.ts`, an error classified by `token-errors.ts`. Nothing here does I/O.
 */
import { ZohoMalformedResponseError, ZohoTransientError } from '../core/errors';
import type { CodeExchangeGrant, TokenGrant } from '../core/token';
import { GrantCodeRejectedError, NoRefreshTokenGrantedError } from './errors';
import { type AnswerSource, checkAccessToken, checkApiDomain, checkExpiresIn, Problem } from './grant-limits';
import { classifyTokenError, knownError } from './token-errors';

export interface ParseOptions extends AnswerSource {
  /** Values that must never reach a message even if Zoho echoed them (refresh token, secret, code). */
  readonly redact?: readonly string[];
}

type Json = Readonly<Record<string, unknown>>;

/**
 * Parses the answer to a `grant_type=refresh_token` call. A `refresh_token` in the answer is ignored
 * on purpose: Zoho's refresh tokens do not rotate and the stored one must never be overwritten.
 * Throws the core typed errors of {@link classifyTokenError}, or ZohoMalformedResponseError for a
 * success outside the limits.
 */
export function parseTokenResponse(status: number, body: string, options: ParseOptions = {}): TokenGrant {
  const json = readJsonObject(status, body);
  if (hasAccessToken(json)) return toTokenGrant(json, options);
  throw classifyTokenError(status, json, options);
}

/**
 * Parses the answer to a `grant_type=authorization_code` call. A rejected code (`invalid_code`,
 * `invalid_grant`, `invalid_token`: expired, used or unknown) raises GrantCodeRejectedError; a
 * throttle says to wait and then get a new code; a success without a refresh token raises
 * NoRefreshTokenGrantedError.
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
    const grant = toTokenGrant(json, options, '; the grant code is used up, generate a new one');
    return { ...grant, refreshToken: json.refresh_token };
  }
  const known = knownError(json);
  if (known?.meaning.kind === 'credential_rejected') throw new GrantCodeRejectedError(known.name);
  throw classifyTokenError(status, json, {
    ...options,
    // A code lives minutes: by the end of the window it has expired, whether or not Zoho spent it.
    afterThrottle: '; wait out the 10-minute window, then generate a new grant code',
  });
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

/**
 * Builds the grant of a success body, or throws ZohoMalformedResponseError with the first limit it
 * breaks. Malformed rather than a silent default: inventing an expiry could store a token we believe
 * lives longer than Zoho says, and a token or API domain outside the limits would be handed to every
 * consumer. The error is transient for the connection: the current token keeps serving.
 */
function toTokenGrant(json: Json, options: ParseOptions, context = ''): TokenGrant {
  const malformed = (problem: Problem) => new ZohoMalformedResponseError(`${problem.detail}${context}`);
  const accessToken = checkAccessToken(json.access_token);
  if (accessToken instanceof Problem) throw malformed(accessToken);
  const expiresIn = checkExpiresIn(json, options);
  if (expiresIn instanceof Problem) throw malformed(expiresIn);
  const apiDomain = checkApiDomain(json.api_domain, options, [accessToken, ...(options.redact ?? [])]);
  if (apiDomain instanceof Problem) throw malformed(apiDomain);
  const grant: { -readonly [K in keyof TokenGrant]: TokenGrant[K] } = {
    accessToken,
    expiresInSeconds: expiresIn,
    tokenType: isNonEmptyString(json.token_type) ? json.token_type : 'Bearer',
  };
  if (apiDomain !== undefined) grant.apiDomain = apiDomain;
  if (isNonEmptyString(json.scope)) grant.scope = json.scope;
  return grant;
}

/**
 * An answer names an access token when `access_token` is present at all: a value that is not a
 * usable token (a number, whitespace) is then a malformed success, not an error answer.
 */
function hasAccessToken(json: Json): boolean {
  const value = json.access_token;
  return value !== undefined && value !== null && value !== '';
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}
