/**
 * Zoho's consent page, simulated (ZOHO.md §6): `GET /oauth/v2/auth` shows the client's request with
 * Approve and Deny; the choice is posted back, and the browser is redirected to `redirect_uri` the
 * way Zoho does it — `?state=…&code=…&location=<dc>&accounts-server=<origin>` on approval,
 * `?error=access_denied&state=…` on refusal. A request the page cannot serve (unknown client, no
 * redirect URI) is answered with an error page and no redirect, as Zoho does. It never logs.
 */
import type { IncomingMessage } from 'node:http';
import type { SimDc } from './dcs';
import type { SimState } from './state';

/** The authorisation path, and where the page posts the customer's choice. */
export const AUTHORIZE_PATH = '/oauth/v2/auth';
export const DECISION_PATH = '/oauth/v2/auth/decision';

/** An answer of the consent page: HTML, or a redirect. */
export interface ConsentAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** True for the two requests this module answers (on an accounts server). */
export function isConsentRequest(method: string | undefined, pathname: string): boolean {
  return (
    (method === 'GET' && pathname === AUTHORIZE_PATH) || (method === 'POST' && pathname === DECISION_PATH)
  );
}

/** Answers the consent page or the customer's decision. */
export function answerConsent(
  state: SimState,
  dc: SimDc,
  req: IncomingMessage,
  params: URLSearchParams,
): ConsentAnswer {
  const request = readRequest(state, dc, params);
  if (typeof request === 'string') return html(400, 'Invalid request', `<p>${escapeHtml(request)}</p>`);
  if (req.method === 'GET') return html(200, 'Authorise access', consentForm(request, dc));
  const back = new URL(request.redirectUri);
  if (params.get('decision') === 'approve') {
    const code = state.issueGrantCode({
      clientId: request.clientId,
      dc,
      scope: request.scope,
      redirectUri: request.redirectUri,
    });
    back.searchParams.set('state', request.state);
    back.searchParams.set('code', code);
    back.searchParams.set('location', dc);
    // Zoho names the accounts server the code belongs to: this data centre's own origin.
    back.searchParams.set('accounts-server', `http://${req.headers.host ?? ''}`);
  } else {
    back.searchParams.set('error', 'access_denied');
    back.searchParams.set('state', request.state);
  }
  return { status: 302, headers: { location: back.toString() }, body: '' };
}

interface ConsentRequest {
  readonly clientId: string;
  readonly scope: string;
  readonly redirectUri: string;
  readonly state: string;
}

/** The request's parameters, or what is wrong with them. */
function readRequest(state: SimState, dc: SimDc, params: URLSearchParams): ConsentRequest | string {
  const clientId = params.get('client_id') ?? '';
  const redirectUri = params.get('redirect_uri') ?? '';
  if (params.get('response_type') !== 'code') return 'response_type must be code';
  if (state.clientSecretIn(clientId, dc) === undefined) return 'Invalid client: unknown in this data centre';
  let protocol = '';
  try {
    protocol = new URL(redirectUri).protocol;
  } catch {
    return 'redirect_uri is missing or not a URL';
  }
  if (protocol !== 'http:' && protocol !== 'https:') return 'redirect_uri must be http(s)';
  return { clientId, scope: params.get('scope') ?? '', redirectUri, state: params.get('state') ?? '' };
}

function consentForm(request: ConsentRequest, dc: SimDc): string {
  const hidden = Object.entries({
    response_type: 'code',
    client_id: request.clientId,
    scope: request.scope,
    redirect_uri: request.redirectUri,
    state: request.state,
  })
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`)
    .join('');
  return `<p>The application <b>${escapeHtml(request.clientId)}</b> asks for access to your Zoho account (data centre ${dc}):</p>
<p><code>${escapeHtml(request.scope)}</code></p>
<form method="post" action="${DECISION_PATH}">${hidden}
<button type="submit" name="decision" value="approve" id="approve">Accept</button>
<button type="submit" name="decision" value="deny" id="deny">Reject</button>
</form>`;
}

function html(status: number, title: string, body: string): ConsentAnswer {
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Zoho simulator: ${title}</title></head><body><h1>${title}</h1>${body}</body></html>`,
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
