import {
  BOOKS_RATE_LIMITED,
  BOOKS_UNAUTHORIZED,
  jsonReply,
  REVOKE_UNKNOWN_TOKEN,
  type Reply,
  THROTTLE_BODIES,
  tokenError,
} from './replies';

export type FaultEndpoint = 'token' | 'revoke' | 'books';

/** Shapes of a successful token response seen in the wild (ZOHO.md §1); they apply to a real success. */
export const TOKEN_SUCCESS_SHAPES = [
  'success-documented',
  'success-with-scope',
  'success-without-api-domain',
  'success-expires-in-ms',
  'success-without-expires-in',
  'success-expires-in-string',
] as const;
/**
 * Successes outside the limits of docs/zoho-accounts.md §9: a real token, minted and counted against
 * the throttle like any success, in a body the adapter must refuse as malformed.
 */
export const TOKEN_OUT_OF_LIMITS_SHAPES = [
  'success-foreign-api-domain',
  'success-tiny-expires-in',
  'success-expires-in-fraction',
  'success-token-with-whitespace',
] as const;
/**
 * Token-endpoint errors of ZOHO.md §2 and of the seed's table (`invalid_token`, `too_many_requests`,
 * HTTP 200 like Zoho's other errors, and the latter also with 429), answered without touching any state.
 */
export const TOKEN_ERROR_FAULTS = [
  'invalid_code',
  'invalid_client',
  'invalid_client_secret',
  'invalid_token',
  'too_many_requests',
  'too_many_requests-429',
  'throttle-old-400',
  'throttle-old-200',
  'throttle-new',
  'throttle-localised',
] as const;
/**
 * Revoke answers by name: `invalid_token` as the simulator answers an unknown token (HTTP 400), here
 * for a token it still knows; `too_many_requests` with HTTP 200, the token left alive.
 */
export const REVOKE_ERROR_FAULTS = ['invalid_token', 'too_many_requests'] as const;
/** Failures below Zoho's JSON contract, possible on every endpoint. */
export const TRANSPORT_FAULTS = [
  'http-500',
  'http-502',
  'http-503',
  'html-error',
  'half-json',
  'empty-200',
  'hang',
  'reset',
] as const;
export const BOOKS_FAULTS = ['books-429', 'books-401'] as const;

export type TokenSuccessShape =
  | (typeof TOKEN_SUCCESS_SHAPES)[number]
  | (typeof TOKEN_OUT_OF_LIMITS_SHAPES)[number];
export type TokenErrorFault = (typeof TOKEN_ERROR_FAULTS)[number];
export type RevokeErrorFault = (typeof REVOKE_ERROR_FAULTS)[number];
/** Waits `latencyMs` (real time), then answers normally. */
export interface LatencyFault {
  readonly latencyMs: number;
}
export type TransportFault = (typeof TRANSPORT_FAULTS)[number] | LatencyFault;
export type BooksFault = (typeof BOOKS_FAULTS)[number] | TransportFault;
export type TokenFault = TokenSuccessShape | TokenErrorFault | TransportFault;
export type Fault = TokenFault | BooksFault;

/** The faults each endpoint accepts. */
export interface FaultsByEndpoint {
  token: TokenFault;
  revoke: RevokeErrorFault | TransportFault;
  books: BooksFault;
}

/** Switches faults on per endpoint. Queued faults are used first, then the standing mode, then normal behaviour. */
export interface ZohoSimulatorFaults {
  /** Answers the next `times` requests to `endpoint` with `fault`. */
  queue<E extends FaultEndpoint>(endpoint: E, fault: FaultsByEndpoint[E], times?: number): void;
  /** Answers every request to `endpoint` with `fault` until cleared. */
  set<E extends FaultEndpoint>(endpoint: E, fault: FaultsByEndpoint[E]): void;
  /** Drops queued and standing faults of one endpoint, or of all. */
  clear(endpoint?: FaultEndpoint): void;
}

const ALLOWED: Record<FaultEndpoint, readonly string[]> = {
  token: [...TOKEN_SUCCESS_SHAPES, ...TOKEN_OUT_OF_LIMITS_SHAPES, ...TOKEN_ERROR_FAULTS, ...TRANSPORT_FAULTS],
  revoke: [...REVOKE_ERROR_FAULTS, ...TRANSPORT_FAULTS],
  books: [...BOOKS_FAULTS, ...TRANSPORT_FAULTS],
};

export class FaultBook implements ZohoSimulatorFaults {
  private readonly queued = new Map<FaultEndpoint, Fault[]>();
  private readonly standing = new Map<FaultEndpoint, Fault>();

  queue<E extends FaultEndpoint>(endpoint: E, fault: FaultsByEndpoint[E], times = 1): void {
    checkFits(endpoint, fault);
    const queue = this.queued.get(endpoint) ?? [];
    for (let i = 0; i < times; i += 1) queue.push(fault);
    this.queued.set(endpoint, queue);
  }

  set<E extends FaultEndpoint>(endpoint: E, fault: FaultsByEndpoint[E]): void {
    checkFits(endpoint, fault);
    this.standing.set(endpoint, fault);
  }

  clear(endpoint?: FaultEndpoint): void {
    if (endpoint === undefined) {
      this.queued.clear();
      this.standing.clear();
      return;
    }
    this.queued.delete(endpoint);
    this.standing.delete(endpoint);
  }

  /** The fault for the request that just arrived, if any. */
  take(endpoint: FaultEndpoint): Fault | undefined {
    return this.queued.get(endpoint)?.shift() ?? this.standing.get(endpoint);
  }
}

/** JS callers and typos get a loud error rather than a fault that silently never fires. */
function checkFits(endpoint: FaultEndpoint, fault: Fault): void {
  if (typeof fault === 'object') {
    if (!Number.isFinite(fault.latencyMs) || fault.latencyMs < 0) throw new Error('latencyMs must be >= 0');
    return;
  }
  if (!ALLOWED[endpoint].includes(fault)) throw new Error(`fault ${fault} does not apply to ${endpoint}`);
}

export function isSuccessShape(fault: Fault | undefined): fault is TokenSuccessShape {
  return [...TOKEN_SUCCESS_SHAPES, ...TOKEN_OUT_OF_LIMITS_SHAPES].some((shape) => shape === fault);
}

/** A lookalike of a Zoho API host that no data centre serves: consumers must never be sent there. */
export const FOREIGN_API_DOMAIN = 'https://www.zohoapis.com.attacker.example';

/** Rewrites a real success body into one of the shapes of ZOHO.md §1. */
export function shapeTokenSuccess(
  body: Readonly<Record<string, unknown>>,
  shape: TokenSuccessShape,
  lifetimeSeconds: number,
): Record<string, unknown> {
  const { scope, api_domain, expires_in, ...rest } = body;
  switch (shape) {
    case 'success-documented':
      return { ...rest, expires_in, api_domain };
    case 'success-with-scope':
      return { ...body };
    case 'success-without-api-domain':
      return { ...rest, expires_in, scope };
    case 'success-expires-in-ms':
      return {
        ...rest,
        api_domain,
        scope,
        expires_in_sec: lifetimeSeconds,
        expires_in: lifetimeSeconds * 1000,
      };
    case 'success-without-expires-in':
      return { ...rest, api_domain, scope };
    case 'success-expires-in-string':
      return { ...rest, api_domain, scope, expires_in: String(lifetimeSeconds) };
    case 'success-foreign-api-domain':
      return { ...body, api_domain: FOREIGN_API_DOMAIN };
    case 'success-tiny-expires-in':
      // One second: below every floor, the lifetime that would make a refresh loop.
      return { ...body, expires_in: 1 };
    case 'success-expires-in-fraction':
      return { ...body, expires_in: lifetimeSeconds + 0.5 };
    case 'success-token-with-whitespace': {
      const token = String(body.access_token);
      return { ...body, access_token: `${token.slice(0, 12)} ${token.slice(12)}` };
    }
  }
}

const TOKEN_ERROR_REPLIES: Record<TokenErrorFault, Reply> = {
  invalid_code: tokenError('invalid_code'),
  invalid_client: tokenError('invalid_client'),
  invalid_client_secret: tokenError('invalid_client_secret'),
  invalid_token: tokenError('invalid_token'),
  too_many_requests: tokenError('too_many_requests'),
  'too_many_requests-429': tokenError('too_many_requests', 429),
  'throttle-old-400': jsonReply(400, THROTTLE_BODIES.old),
  'throttle-old-200': jsonReply(200, THROTTLE_BODIES.old),
  // ZOHO.md gives no status for the newer wording; 400 like the older one is our assumption.
  'throttle-new': jsonReply(400, THROTTLE_BODIES.new),
  'throttle-localised': jsonReply(400, THROTTLE_BODIES.localised),
};

const REVOKE_ERROR_REPLIES: Record<RevokeErrorFault, Reply> = {
  invalid_token: REVOKE_UNKNOWN_TOKEN,
  too_many_requests: tokenError('too_many_requests'),
};

const HALF_JSON: Record<FaultEndpoint, string> = {
  token: '{"access_token":"1000.sim-at-trunc',
  revoke: '{"status":"succ',
  books: '{"code":0,"message":"succ',
};

const HTML_PAGE =
  '<!DOCTYPE html><html><head><title>Zoho</title></head><body><h1>Service Unavailable</h1></body></html>';

/**
 * The canned answer of a fault that replaces the normal one, or undefined for faults that shape,
 * delay or cut the normal answer instead (success shapes, latency, hang, reset).
 */
export function cannedReply(endpoint: FaultEndpoint, fault: Fault): Reply | undefined {
  if (typeof fault === 'object') return undefined;
  switch (fault) {
    case 'http-500':
    case 'http-502':
    case 'http-503':
      return { status: Number(fault.slice(5)), contentType: 'text/plain', body: 'Server Error' };
    case 'html-error':
      // An HTML page with HTTP 200 is the nasty case: only the body says it is not an answer.
      return { status: 200, contentType: 'text/html;charset=UTF-8', body: HTML_PAGE };
    case 'half-json':
      return { status: 200, contentType: 'application/json;charset=UTF-8', body: HALF_JSON[endpoint] };
    case 'empty-200':
      return { status: 200, contentType: 'application/json;charset=UTF-8', body: '' };
    case 'books-429':
      return BOOKS_RATE_LIMITED;
    case 'books-401':
      return BOOKS_UNAUTHORIZED;
    default: {
      const replies = endpoint === 'revoke' ? REVOKE_ERROR_REPLIES : TOKEN_ERROR_REPLIES;
      return (replies as Partial<Record<Fault & string, Reply>>)[fault];
    }
  }
}
