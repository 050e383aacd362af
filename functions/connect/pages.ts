/**
 * The pages the customer sees. Static text only: nothing from the request (no state, code, id or
 * host) is ever written into a page, so a page can neither leak a secret nor tell a visitor which
 * connections exist. Each failure says what happened and what to do, with its HTTP status.
 */

import type { CallbackOutcome } from '../core/complete-link';

/**
 * Every page the connect endpoint answers: one per outcome of a callback (so a new outcome cannot
 * go without a page), plus the endpoint's own refusals.
 */
export type PageKind = CallbackOutcome['kind'] | 'rate_limited' | 'not_found' | 'method_not_allowed';

interface PageText {
  readonly status: number;
  readonly title: string;
  readonly body: string;
}

const ASK = 'Ask whoever sent you the link for a new one.';

/** What each page says, and its status. */
export const PAGES: Readonly<Record<PageKind, PageText>> = {
  connected: {
    status: 200,
    title: 'Your Zoho account is connected',
    body: 'Thank you: the authorisation was received and stored. You can close this window.',
  },
  denied: {
    status: 403,
    title: 'You did not allow access',
    body: 'Nothing was connected. If you clicked Deny by mistake, open the link you were sent again while it is valid.',
  },
  invalid_request: {
    status: 400,
    title: 'This address is incomplete',
    body: `The address is missing something it needs; it may have been cut off when it was copied. Open the link exactly as you received it. ${ASK}`,
  },
  link_unknown: {
    status: 404,
    title: 'This link is not valid',
    body: `The link is not known here; it may have been mistyped. ${ASK}`,
  },
  link_used: {
    status: 410,
    title: 'This link can no longer be used',
    body: `A link works only once, and this one cannot be used again. ${ASK}`,
  },
  link_expired: {
    status: 410,
    title: 'This link has expired',
    body: `Links are valid for a limited time only. ${ASK}`,
  },
  wrong_data_centre: {
    status: 400,
    title: 'This Zoho account is in another data centre',
    body: `You signed in to Zoho in a different region (data centre) than the link was made for. Nothing was connected. ${ASK} Say which Zoho region your account is in (for example zoho.eu or zoho.com).`,
  },
  zoho_error: {
    status: 502,
    title: 'Zoho could not complete the authorisation',
    body: `Zoho did not answer as expected; nothing was connected. Try again in a few minutes; if the link no longer works, ${ASK.toLowerCase()}`,
  },
  code_rejected: {
    status: 400,
    title: 'The authorisation took too long',
    body: `Zoho's confirmation is valid for about a minute and had expired or was already used; nothing was connected. ${ASK}`,
  },
  unavailable: {
    status: 503,
    title: 'Connecting is not possible right now',
    body: `The application is not set up to accept this authorisation at the moment; nothing was connected. Please tell whoever sent you the link. ${ASK}`,
  },
  not_stored: {
    status: 500,
    title: 'The authorisation could not be stored',
    body: `Something went wrong on our side; nothing was connected and Zoho's authorisation was withdrawn. ${ASK}`,
  },
  rate_limited: {
    status: 429,
    title: 'Too many requests',
    body: 'Please wait a minute, then open the link again.',
  },
  not_found: { status: 404, title: 'Not found', body: 'There is nothing at this address.' },
  method_not_allowed: {
    status: 405,
    title: 'Not allowed',
    body: 'This address only answers a browser visiting it.',
  },
  internal_error: {
    status: 500,
    title: 'Something went wrong',
    body: 'Something went wrong on our side. Try again in a few minutes.',
  },
};

/**
 * The pages of the endpoint's own failures (5xx): the customer did their part and was turned away
 * because Zoho or AWS failed, the client app is missing, or something unexpected broke. Their
 * `ConnectLinkFailed` reasons are what the ConnectFailures alarm watches; the 4xx pages (a denied
 * consent, an expired or reused link, a scanner's request) are the visitor's and only graphed.
 */
export const SERVER_FAILURE_PAGES: readonly PageKind[] = (Object.keys(PAGES) as PageKind[]).filter(
  (kind) => PAGES[kind].status >= 500,
);

/**
 * Headers of every answer: no caching (a page is about one visit), no referrer (the callback's
 * address carries Zoho's code), no framing, no scripts or anything fetched from elsewhere.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

/** The full HTML of a page. */
export function renderPage(kind: PageKind): { status: number; html: string } {
  const page = PAGES[kind];
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5;color:#222}h1{font-size:1.4rem}</style>
</head><body><main data-page="${kind}"><h1>${page.title}</h1><p>${page.body}</p></main></body></html>
`;
  return { status: page.status, html };
}
