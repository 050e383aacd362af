/**
 * Zoho faults, through the real adapter: every transport fault and error body of ZOHO.md §2 from the
 * simulator's fault book, the seed's own error names and success bodies outside the limits as raw
 * answers. Transient faults use every attempt of one lease and heal at the next run; permanent ones
 * take the connection off the schedule after one call; throttles and malformed successes cost one
 * call and wait out the window.
 */
import type { TokenFault } from '../../dev/zoho-simulator';
import { DEFAULT_REFRESH_POLICY } from '../../functions/core/refresh-policy';
import { HEALED, OFF_SCHEDULE, UNTOUCHED } from './expectations';
import type { MatrixRow, Seen } from './matrix';
import type { CannedAnswer } from './simulated-zoho';

const ATTEMPTS = DEFAULT_REFRESH_POLICY.maxAttempts;
/** The branch that teaches the adapter the seed's error names and the limits on a success body. */

const standing = (fault: TokenFault, expected: Partial<Seen>): MatrixRow => ({
  group: 'Zoho',
  fault: `token endpoint answers ${fault}`,
  expected,
  arm: ({ zoho }) => zoho.sim.faults.set('token', fault),
});

/** An answer the simulator has no fault for, given to every attempt of the refresh. */
const raw = (fault: string, answer: CannedAnswer, expected: Partial<Seen>, awaiting?: string): MatrixRow => ({
  group: 'Zoho',
  fault,
  expected,
  ...(awaiting && { awaiting }),
  arm: ({ zoho }) => zoho.canned(...Array.from({ length: ATTEMPTS }, () => answer)),
});

const transient = (fault: TokenFault, code = 'transient') =>
  standing(fault, { outcome: `failed:${code}`, ...UNTOUCHED, zoho: ATTEMPTS, next: HEALED });

const permanent = (fault: TokenFault, code: string, status: string) =>
  standing(fault, {
    outcome: `failed:${code}`,
    status,
    version: 3,
    zoho: 1,
    versions: 0,
    next: OFF_SCHEDULE,
  });

const waitsOut = (code: string) => ({ outcome: `failed:${code}`, ...UNTOUCHED, zoho: 1, next: HEALED });

const json = (status: number, body: unknown): CannedAnswer => ({ status, body: JSON.stringify(body) });
const success = (fields: Record<string, unknown>) =>
  json(200, { access_token: '1000.test-at-raw', expires_in: 3600, token_type: 'Bearer', ...fields });

export const ZOHO_ROWS: readonly MatrixRow[] = [
  transient('http-500'),
  transient('http-502'),
  transient('http-503'),
  transient('html-error'),
  transient('half-json'),
  transient('empty-200'),
  transient('hang', 'timeout'),
  transient('reset', 'network_error'),
  permanent('invalid_code', 'reauthorization_required', 'reauthorization_required'),
  permanent('invalid_client', 'misconfigured_client', 'misconfigured'),
  permanent('invalid_client_secret', 'misconfigured_client', 'misconfigured'),
  standing('throttle-old-400', waitsOut('throttled')),
  standing('throttle-old-200', waitsOut('throttled')),
  standing('throttle-new', waitsOut('throttled')),
  standing('throttle-localised', waitsOut('throttled')),
  standing('success-without-expires-in', waitsOut('malformed_response')),
  standing('success-expires-in-string', waitsOut('malformed_response')),
  raw('token endpoint answers {"error":"invalid_token"} (HTTP 200)', json(200, { error: 'invalid_token' }), {
    outcome: 'failed:reauthorization_required',
    status: 'reauthorization_required',
    zoho: 1,
    versions: 0,
    next: OFF_SCHEDULE,
  }),
  raw(
    'token endpoint answers {"error":"too_many_requests"} (HTTP 200)',
    json(200, { error: 'too_many_requests' }),
    waitsOut('throttled'),
  ),
  raw(
    'success naming a plain-http api_domain off this machine',
    success({ api_domain: 'http://www.zohoapis.example' }),
    waitsOut('malformed_response'),
  ),
  raw(
    'success whose access_token holds whitespace',
    success({ access_token: '1000.test-at-raw token', api_domain: 'https://www.zohoapis.com' }),
    waitsOut('malformed_response'),
  ),
  raw(
    'success with expires_in of 1 second (a refresh loop)',
    success({ expires_in: 1, api_domain: 'https://www.zohoapis.com' }),
    waitsOut('malformed_response'),
  ),
];
