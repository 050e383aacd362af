/**
 * Properties of the Zoho answer parsers under random input: random bytes, random JSON, random values
 * and token-shaped objects of random shapes, with every HTTP status from 100 to 599. Whatever comes
 * in, a parser returns a grant that keeps every limit or throws one of its typed errors, never a
 * TypeError, and no message quotes the access token or a secret it was told to redact.
 *
 * `npm test` runs them a few hundred times each (test/unit/zoho/token-response-fuzz.test.ts); the
 * bench runs {@link zohoParseProperties} with 10,000 or more.
 */
import fc from 'fast-check';
import {
  MisconfiguredClientError,
  ReauthorizationRequiredError,
  RefreshTokenAlreadyInvalidError,
  ZohoMalformedResponseError,
  ZohoThrottledError,
  ZohoTransientError,
} from '../../functions/core/errors';
import { GrantCodeRejectedError, NoRefreshTokenGrantedError } from '../../functions/zoho/errors';
import { classifyRevokeAnswer } from '../../functions/zoho/revoke-answer';
import { parseCodeExchangeResponse, parseTokenResponse } from '../../functions/zoho/token-response';
import {
  answerTextArbitrary,
  FUZZ_SECRETS,
  type FuzzSource,
  sourceArbitrary,
  sourcedBodyArbitrary,
  statusArbitrary,
  tokenBodyArbitrary,
} from './zoho-answers.arbitraries';
import {
  assertGrantWithinLimits,
  assertTypedError,
  type ErrorClass,
  jsonObjectOf,
  namesAccessToken,
} from './zoho-parse.oracle';

const REFRESH_ERRORS: readonly ErrorClass[] = [
  ReauthorizationRequiredError,
  MisconfiguredClientError,
  ZohoThrottledError,
  ZohoTransientError,
];
const EXCHANGE_ERRORS: readonly ErrorClass[] = [
  GrantCodeRejectedError,
  NoRefreshTokenGrantedError,
  MisconfiguredClientError,
  ZohoThrottledError,
  ZohoTransientError,
];
const REVOKE_ERRORS: readonly ErrorClass[] = [
  RefreshTokenAlreadyInvalidError,
  ZohoThrottledError,
  ZohoTransientError,
];

/** One refresh answer through the parser, judged by the oracle. */
function refreshKeepsLimits(status: number, text: string, source: FuzzSource): void {
  const body = jsonObjectOf(text);
  try {
    const grant = parseTokenResponse(status, text, source.options);
    if (body === undefined) throw new Error('a grant from a body that is not a JSON object');
    assertGrantWithinLimits(grant, body, source);
    if ('refreshToken' in grant) throw new Error('a refresh grant carries a refresh token');
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('limit broken')) throw error;
    assertTypedError(error, REFRESH_ERRORS, [body?.access_token, ...FUZZ_SECRETS]);
    // Success is decided by the access token: a body naming one is a grant or malformed, no error answer.
    if (namesAccessToken(body) && !(error instanceof ZohoMalformedResponseError)) {
      throw new Error(`a body with an access token was classified as ${(error as Error).name}`);
    }
  }
}

function exchangeKeepsLimits(status: number, text: string, source: FuzzSource): void {
  const body = jsonObjectOf(text);
  try {
    const grant = parseCodeExchangeResponse(status, text, source.options);
    if (body === undefined) throw new Error('a grant from a body that is not a JSON object');
    assertGrantWithinLimits(grant, body, source);
    if (grant.refreshToken !== body.refresh_token || grant.refreshToken.trim() === '') {
      throw new Error('the refresh token is not the one Zoho sent');
    }
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('limit broken')) throw error;
    assertTypedError(error, EXCHANGE_ERRORS, [body?.access_token, body?.refresh_token, ...FUZZ_SECRETS]);
  }
}

function revokeIsClassified(status: number, text: string): void {
  const body = jsonObjectOf(text);
  try {
    classifyRevokeAnswer({ status, body: text }, FUZZ_SECRETS);
    const said = typeof body?.status === 'string' ? body.status.trim().toLowerCase() : undefined;
    const error = body?.error;
    if (said !== 'success' || (error !== undefined && error !== null && error !== '')) {
      throw new Error('a revoke counted as done without {"status":"success"}');
    }
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('a revoke')) throw error;
    assertTypedError(error, REVOKE_ERRORS, FUZZ_SECRETS);
    const name = typeof body?.error === 'string' ? body.error.trim().toLowerCase() : undefined;
    if (name === 'too_many_requests' && !(error instanceof ZohoThrottledError)) {
      throw new Error('a throttled revoke was not ZohoThrottledError: the live token would be dropped');
    }
    const namesDeadToken = name === 'invalid_token' || name === 'invalid_code' || name === 'invalid_grant';
    if (status >= 500 && !namesDeadToken && error instanceof RefreshTokenAlreadyInvalidError) {
      throw new Error('a 5xx revoke counted as "already invalid"');
    }
  }
}

/** The meaning of each known name, for a refresh, whatever the HTTP status (ZOHO.md §2 and the seed). */
const NAMED: readonly [string, ErrorClass][] = [
  ['invalid_code', ReauthorizationRequiredError],
  ['invalid_grant', ReauthorizationRequiredError],
  ['invalid_token', ReauthorizationRequiredError],
  ['too_many_requests', ZohoThrottledError],
  ['invalid_client', MisconfiguredClientError],
  ['invalid_client_secret', MisconfiguredClientError],
];

/** Random bytes, random JSON, or a token-shaped object. */
const anyAnswer = fc.oneof(
  answerTextArbitrary,
  tokenBodyArbitrary.map((body) => JSON.stringify(body)),
);

const namedError = fc.record({
  status: statusArbitrary,
  named: fc.constantFrom(...NAMED),
  spelling: fc.constantFrom(
    (n: string) => n,
    (n: string) => n.toUpperCase(),
    (n: string) => ` ${n}\t`,
  ),
  rest: tokenBodyArbitrary,
});

type Check = (numRuns: number) => void;

/** The properties by name, each run with fast-check's `assert`. */
const PROPERTIES: readonly { readonly name: string; readonly check: Check }[] = [
  {
    name: 'refresh: any answer text is a grant within the limits or a typed error',
    check: (numRuns) =>
      fc.assert(fc.property(statusArbitrary, answerTextArbitrary, sourceArbitrary, refreshKeepsLimits), {
        numRuns,
      }),
  },
  {
    name: 'refresh: token-shaped bodies of random shapes keep the limits',
    check: (numRuns) =>
      fc.assert(
        fc.property(statusArbitrary, sourcedBodyArbitrary, (status, [source, body]) =>
          refreshKeepsLimits(status, JSON.stringify(body), source),
        ),
        { numRuns },
      ),
  },
  {
    name: 'refresh: a known error name decides, whatever the status and the other fields',
    check: (numRuns) =>
      fc.assert(
        fc.property(
          namedError,
          sourceArbitrary,
          ({ status, named: [name, expected], spelling, rest }, source) => {
            const { access_token: _ignored, ...withoutToken } = rest;
            const body = JSON.stringify({ ...withoutToken, error: spelling(name) });
            let thrown: unknown;
            try {
              parseTokenResponse(status, body, source.options);
            } catch (error) {
              thrown = error;
            }
            if (!(thrown instanceof expected) || thrown instanceof ZohoTransientError) {
              throw new Error(`${name} on HTTP ${status} gave ${(thrown as Error | undefined)?.name}`);
            }
          },
        ),
        { numRuns },
      ),
  },
  {
    name: 'code exchange: any answer is a grant with its refresh token or a typed error',
    check: (numRuns) =>
      fc.assert(
        fc.property(
          statusArbitrary,
          fc.oneof(
            fc.tuple(answerTextArbitrary, sourceArbitrary),
            sourcedBodyArbitrary.map(([source, body]) => [JSON.stringify(body), source] as const),
          ),
          (status, [text, source]) => exchangeKeepsLimits(status, text, source),
        ),
        { numRuns },
      ),
  },
  {
    name: 'revoke: any answer is success only when Zoho said so, else a typed error',
    check: (numRuns) => fc.assert(fc.property(statusArbitrary, anyAnswer, revokeIsClassified), { numRuns }),
  },
];

/** One property, ready to run `numRuns` times; `run` throws fast-check's report on a counterexample. */
export interface ZohoParseProperty {
  readonly name: string;
  readonly numRuns: number;
  run(): void;
}

/** Every property of the Zoho parsers, each to be run `numRuns` times. */
export function zohoParseProperties(numRuns: number): readonly ZohoParseProperty[] {
  if (!Number.isSafeInteger(numRuns) || numRuns < 1)
    throw new Error(`numRuns must be a positive integer (got ${numRuns})`);
  return PROPERTIES.map(({ name, check }) => ({
    name,
    numRuns,
    run: () => check(numRuns),
  }));
}
