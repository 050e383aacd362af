/**
 * `GET <base>/connect?state=S`: the customer opened a link. If the state names a live link, the
 * answer is a redirect to Zoho's consent page of the link's accounts server, carrying the same
 * state; nothing is written (the callback consumes the link).
 */
import { CALLBACK_PATH, type LinkDependencies } from './connect-link';
import { ClientCredentialsNotFoundError } from './errors';
import type { ClientCredentialsProvider } from './ports';

/** What opening a link found. */
export type OpenLinkOutcome =
  | { readonly kind: 'redirect'; readonly location: string; readonly connectionId: string }
  | { readonly kind: 'invalid_request' | 'link_unknown' | 'link_used' | 'link_expired' | 'unavailable' };

export interface OpenLinkDependencies extends LinkDependencies {
  readonly credentials: ClientCredentialsProvider;
}

/** Zoho's authorisation path on every accounts server. */
export const AUTHORIZE_PATH = '/oauth/v2/auth';

/** Looks the state up and builds Zoho's authorisation URL (ZOHO.md §6), or says why not. */
export async function openConnectLink(
  deps: OpenLinkDependencies,
  request: { readonly state: string | undefined; readonly baseUrl: string },
): Promise<OpenLinkOutcome> {
  if (request.state === undefined || request.state === '') return { kind: 'invalid_request' };
  const link = await deps.links.get(deps.states.hash(request.state));
  if (link === undefined) return { kind: 'link_unknown' };
  if (link.usedAt !== undefined) return { kind: 'link_used' };
  if (link.expiresAt <= deps.clock.now()) return { kind: 'link_expired' };
  let clientId: string;
  try {
    clientId = (await deps.credentials.get(link.clientRef, link.dc)).clientId;
  } catch (error) {
    if (error instanceof ClientCredentialsNotFoundError) return { kind: 'unavailable' };
    throw error;
  }
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    scope: link.scope,
    // offline: a refresh token; consent: without it a second authorisation grants none (ZOHO.md §6).
    access_type: 'offline',
    prompt: 'consent',
    redirect_uri: `${request.baseUrl}${CALLBACK_PATH}`,
    state: request.state,
  });
  return {
    kind: 'redirect',
    location: `${link.accountsServer}${AUTHORIZE_PATH}?${query.toString()}`,
    connectionId: link.connectionId,
  };
}
