/**
 * Limits on what a successful token answer may hand us (ZOHO.md §1 and docs/zoho-accounts.md §9).
 * Consumers send the access token to the `api_domain` in an HTTP header and the refresh schedule is
 * derived from `expires_in`: an answer outside these limits is refused as malformed, never stored.
 * Each check returns the value or a {@link Problem}; no message ever quotes the access token.
 */
import { dataCentreOfAccountsServer, isLoopbackHost, isZohoApiHost } from './data-centres';
import { sanitise } from './sanitise';

/** Zoho access tokens live an hour; anything beyond a day is a unit mix-up we refuse to trust. */
export const MAX_EXPIRES_IN_SECONDS = 86_400;

/**
 * The shortest lifetime trusted from Zoho or any remote server. A token shorter than the refresh
 * margin is refreshed at half its life, so 300 s means a Zoho call every 150 s: 4 per 10-minute
 * window, inside the budget of 9. Below about 134 s the schedule alone would spend the whole budget
 * every window, a refresh loop. Zoho documents 3600 s, twelve times this floor.
 */
export const MIN_EXPIRES_IN_SECONDS = 300;

/**
 * The shortest lifetime trusted from an accounts server on this machine (the Zoho simulator): the
 * sandbox's shortest `--token-lifetime`, whose policy shrinks the budget window with the lifetime.
 */
export const MIN_LOOPBACK_EXPIRES_IN_SECONDS = 10;

/**
 * Zoho's access tokens are about 70 characters (`1000.` and two 32-digit hex parts). 2048 leaves
 * room for any new format (JWT-style tokens run to 1,500) while the `Authorization` header stays far
 * below the 8 KB header limits of common proxies and the secret far below Secrets Manager's 64 KB.
 */
export const MAX_ACCESS_TOKEN_LENGTH = 2048;

/** Printable ASCII without the space (0x21–0x7E): safe in an HTTP header, no way to split it. */
const HEADER_SAFE = /^[\x21-\x7e]+$/;

/** Where an answer came from: decides which `api_domain` and which shortest lifetime are trusted. */
export interface AnswerSource {
  /**
   * The accounts server that answered. @default unknown: then any Zoho data centre's API host is
   * accepted and the remote floor of `expires_in` applies.
   */
  readonly accountsServer?: string;
  /**
   * Origins outside Zoho the operator allowed explicitly (`allowedCustomServers`): accounts servers
   * and the API domains they name. @default []
   */
  readonly allowedCustomOrigins?: readonly string[];
}

/** Why a success body cannot be trusted; the caller throws it with its own context. */
export class Problem {
  constructor(readonly detail: string) {}
}

/** The access token, or why it cannot go into a consumer's `Authorization` header. */
export function checkAccessToken(value: unknown): string | Problem {
  if (typeof value !== 'string') return new Problem(`access_token is not a string (${typeof value})`);
  if (value.length > MAX_ACCESS_TOKEN_LENGTH) {
    return new Problem(
      `access_token has ${value.length} characters, more than the ${MAX_ACCESS_TOKEN_LENGTH} allowed`,
    );
  }
  if (!HEADER_SAFE.test(value)) {
    return new Problem('access_token holds whitespace, a control character or a non-ASCII character');
  }
  return value;
}

/**
 * The lifetime in whole seconds. `expires_in_sec` present ⇒ `expires_in` is in milliseconds, so
 * `expires_in_sec` is read instead (Zoho's own SDKs decide it this way). A missing expiry is not
 * replaced by 3600: a token believed to live longer than Zoho says would meet 401s and storms.
 */
export function checkExpiresIn(
  json: Readonly<Record<string, unknown>>,
  source: AnswerSource,
): number | Problem {
  const present = (value: unknown) => value !== undefined && value !== null;
  const floor = isLoopbackServer(source.accountsServer)
    ? MIN_LOOPBACK_EXPIRES_IN_SECONDS
    : MIN_EXPIRES_IN_SECONDS;
  if (present(json.expires_in_sec)) return checkSeconds(json.expires_in_sec, 'expires_in_sec', floor);
  if (!present(json.expires_in)) return new Problem('expires_in is missing');
  return checkSeconds(json.expires_in, 'expires_in', floor);
}

function checkSeconds(value: unknown, field: string, floor: number): number | Problem {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return new Problem(`${field} is not a number (${typeof value})`);
  }
  if (!Number.isInteger(value)) return new Problem(`${field} of ${value} is not a whole number of seconds`);
  if (value < floor) {
    return new Problem(
      `${field} of ${value} s is below the ${floor} s floor; a token that short would be refreshed in a loop`,
    );
  }
  if (value > MAX_EXPIRES_IN_SECONDS) {
    return new Problem(`${field} of ${value} s is more than a day; refusing to trust it`);
  }
  return value;
}

/**
 * The `api_domain` as an origin, undefined when absent (the stored one is kept), or why consumers
 * must not send the access token there. It must be a bare origin (no credentials, path, query or
 * fragment); https, except on a loopback host (plain http never leaves the machine there); and
 * trusted for the answer's source:
 * - from a Zoho accounts server: a Zoho API host of that same data centre, default port;
 * - from a custom server the operator allowed: that server's own origin, an origin of
 *   `allowedCustomOrigins`, any Zoho API host, or, when the server itself is on loopback (the
 *   simulator), any loopback origin: nothing then leaves the machine.
 * `redact` keeps the access token out of the message even if the host was built from it.
 */
export function checkApiDomain(
  value: unknown,
  source: AnswerSource,
  redact: readonly string[],
): string | undefined | Problem {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') return new Problem(`api_domain is not a string (${typeof value})`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return new Problem('api_domain is not a URL');
  }
  const host = sanitise(url.host, redact, 80);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return new Problem('api_domain is not an https URL');
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return new Problem(
      `api_domain ${host} is plain http: consumers would send the access token in clear (only loopback hosts may use http)`,
    );
  }
  if (url.username !== '' || url.password !== '') return new Problem('api_domain carries credentials');
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    return new Problem(`api_domain ${host} has a path, query or fragment; Zoho names a bare origin`);
  }
  if (!isTrustedApiOrigin(url, source)) {
    return new Problem(
      `api_domain ${host} is not a Zoho API host of the connection's data centre nor an allowed origin; consumers must not send the access token there`,
    );
  }
  return url.origin;
}

function isTrustedApiOrigin(url: URL, source: AnswerSource): boolean {
  const zohoHost = url.port === '' && url.protocol === 'https:';
  if (source.accountsServer === undefined) return zohoHost && isZohoApiHost(url.hostname);
  const dataCentre = dataCentreOfAccountsServer(source.accountsServer);
  if (dataCentre !== undefined) return zohoHost && isZohoApiHost(url.hostname, dataCentre);
  if (zohoHost && isZohoApiHost(url.hostname)) return true;
  const allowed = [source.accountsServer, ...(source.allowedCustomOrigins ?? [])].map(originOf);
  if (allowed.includes(url.origin)) return true;
  return isLoopbackServer(source.accountsServer) && isLoopbackHost(url.hostname);
}

function isLoopbackServer(accountsServer: string | undefined): boolean {
  if (accountsServer === undefined) return false;
  try {
    return isLoopbackHost(new URL(accountsServer).hostname);
  } catch {
    return false;
  }
}

/** An origin for comparison; what is not a URL matches nothing. */
function originOf(url: string): string | undefined {
  try {
    return new URL(url.trim()).origin;
  } catch {
    return undefined;
  }
}
