/**
 * The limits of docs/zoho-accounts.md §9, written again independently of `functions/zoho`, so a
 * property can tell a grant that keeps them from one that slipped through. Each check throws a
 * plain Error naming the broken limit (fast-check then shrinks and reports the input).
 */
import { ZohoTokenRefresherError } from '../../functions/core/errors';
import type { TokenGrant } from '../../functions/core/token';
import type { FuzzSource } from './zoho-answers.arbitraries';

// biome-ignore lint/suspicious/noExplicitAny: an error class of any constructor signature
export type ErrorClass = abstract new (...args: any[]) => ZohoTokenRefresherError;

const HEADER_SAFE_TOKEN = /^[\x21-\x7e]{1,2048}$/;
const ONE_DAY_SECONDS = 86_400;

function violation(message: string): never {
  throw new Error(`limit broken: ${message}`);
}

const present = (value: unknown) => value !== undefined && value !== null;

/** Throws unless `grant`, parsed from `body` as sent by `source`, keeps every limit. */
export function assertGrantWithinLimits(
  grant: TokenGrant,
  body: Readonly<Record<string, unknown>>,
  source: FuzzSource,
): void {
  if (grant.accessToken !== body.access_token) violation('the access token is not the one Zoho sent');
  if (!HEADER_SAFE_TOKEN.test(grant.accessToken))
    violation('access token outside printable ASCII or too long');

  const expiresIn = grant.expiresInSeconds;
  const sent = present(body.expires_in_sec) ? body.expires_in_sec : body.expires_in;
  if (expiresIn !== sent)
    violation(`expiresInSeconds ${expiresIn} is not the lifetime sent (${String(sent)})`);
  if (!Number.isInteger(expiresIn)) violation(`expiresInSeconds ${expiresIn} is not whole`);
  if (expiresIn < source.floor || expiresIn > ONE_DAY_SECONDS) {
    violation(
      `expiresInSeconds ${expiresIn} outside [${source.floor}, ${ONE_DAY_SECONDS}] for ${source.label}`,
    );
  }

  const sentDomain = body.api_domain;
  if (sentDomain === undefined || sentDomain === null || sentDomain === '') {
    if (grant.apiDomain !== undefined) violation('an absent api_domain became one');
  } else {
    if (grant.apiDomain === undefined) violation('a present api_domain was dropped instead of refused');
    const url = new URL(grant.apiDomain);
    if (url.origin !== grant.apiDomain) violation(`api_domain ${grant.apiDomain} is not a bare origin`);
    const sentUrl = new URL(String(sentDomain));
    if (sentUrl.origin !== grant.apiDomain) violation('apiDomain is not the origin of what was sent');
    if (sentUrl.username !== '' || sentUrl.password !== '') violation('api_domain with credentials accepted');
    if (sentUrl.pathname !== '/' || sentUrl.search !== '' || sentUrl.hash !== '') {
      violation('api_domain with a path, query or fragment accepted');
    }
    if (!source.trusts(url)) violation(`api_domain ${grant.apiDomain} is not trusted for ${source.label}`);
  }
  if (typeof grant.tokenType !== 'string' || grant.tokenType.trim() === '') violation('token type empty');
}

/**
 * Throws unless `error` is an instance of one of `allowed` (never a TypeError or another stray
 * error) and its message quotes no secret, in any letter case.
 */
export function assertTypedError(
  error: unknown,
  allowed: readonly ErrorClass[],
  secrets: readonly unknown[],
): void {
  if (!(error instanceof ZohoTokenRefresherError) || !allowed.some((kind) => error instanceof kind)) {
    const name = error instanceof Error ? error.name : typeof error;
    throw new Error(
      `untyped or unexpected error ${name}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const said = error.message.toLowerCase();
  for (const secret of secrets) {
    // Shorter strings could be any word of a message; the arbitraries' secrets are all longer.
    if (typeof secret === 'string' && secret.length >= 8 && said.includes(secret.toLowerCase())) {
      violation(`the message quotes a secret: ${error.message}`);
    }
  }
}

/** The body as a JSON object, or undefined when the text is not one (the parser must then refuse it). */
export function jsonObjectOf(text: string): Readonly<Record<string, unknown>> | undefined {
  try {
    const parsed: unknown = JSON.parse(text.trim());
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the body names an access token at all: then only a grant or a malformed refusal may follow. */
export const namesAccessToken = (body: Readonly<Record<string, unknown>> | undefined): boolean =>
  body !== undefined && present(body.access_token) && body.access_token !== '';
