/**
 * `GET <base>/callback`: Zoho sent the customer back. Primary course: the state names a live link
 * (one conditional write consumes it) → the accounts server Zoho named is a Zoho data centre (or an
 * allowed custom origin) and the link's own → no other authorisation stands in the way → the code
 * is exchanged at that accounts server → the refresh token is stored encrypted exactly as
 * `zoho-tokens connect` stores it → the first refresh runs. Every other course stores nothing and
 * says why, without revealing whether any other connection exists.
 */
import type { ConnectLink, LinkStates, LinkStore } from './connect-link';
import type { Connection } from './connection';
import {
  ClientCredentialsNotFoundError,
  ConnectionAlreadyExistsError,
  ConnectionChangedError,
  GrantCodeRejectedError,
  MisconfiguredClientError,
} from './errors';
import type { ClientCredentials } from './ports';
import { type RefreshResult, refreshConnection } from './refresh-connection';
import { bestEffort, type RefreshDependencies } from './refresh-deps';
import { AuthorizationOutcomeUnknownError, storeAuthorization } from './store-authorization';

/** What Zoho's redirect carried (ZOHO.md §6), each parameter as received. */
export interface CallbackRequest {
  readonly state?: string;
  readonly code?: string;
  readonly error?: string;
  readonly location?: string;
  readonly accountsServer?: string;
}

/** How the callback ended; each kind is one page. */
export type CallbackOutcome =
  | {
      readonly kind: 'connected';
      readonly connectionId: string;
      readonly reauthorized: boolean;
      readonly firstRefresh: RefreshResult['outcome'] | 'error';
    }
  | { readonly kind: 'denied' }
  | {
      readonly kind:
        | 'invalid_request'
        | 'link_unknown'
        | 'link_used'
        | 'link_expired'
        | 'wrong_data_centre'
        | 'zoho_error'
        | 'code_rejected'
        | 'unavailable'
        | 'not_stored'
        | 'internal_error';
      readonly connectionId?: string;
    };

/** Resolves the accounts server of a redirect: a Zoho data centre or an allowed custom origin. */
export type AccountsServerResolver = (
  accountsServer: string,
) => { readonly dc: string; readonly accountsServer: string } | undefined;

export interface CallbackDependencies extends RefreshDependencies {
  readonly links: LinkStore;
  readonly states: LinkStates;
  readonly resolveAccountsServer: AccountsServerResolver;
}

/** Runs the callback; throws only what no page can explain (an AWS outage reading the table). */
export async function completeConnectLink(
  deps: CallbackDependencies,
  request: CallbackRequest & { readonly redirectUri: string },
): Promise<CallbackOutcome> {
  const { state } = request;
  if (state === undefined || state === '') return { kind: 'invalid_request' };
  if (request.error !== undefined) return refusedAtZoho(deps, state, request.error);
  if (request.code === undefined || request.code === '' || request.accountsServer === undefined) {
    return { kind: 'invalid_request' };
  }
  // Checked before the link is consumed: a forged redirect to a foreign host costs nothing.
  const origin = deps.resolveAccountsServer(decoded(request.accountsServer));
  if (origin === undefined) return { kind: 'wrong_data_centre' };

  const consumed = await deps.links.consume(deps.states.hash(state), deps.clock.now());
  if (consumed.kind !== 'consumed') return { kind: `link_${consumed.kind}` };
  const { link } = consumed;
  const connectionId = link.connectionId;
  if (origin.accountsServer !== link.accountsServer) return { kind: 'wrong_data_centre', connectionId };

  const existing = await deps.store.get(connectionId);
  // Refused exactly like a used link: the page must not tell whether the id is taken.
  if (existing !== undefined && !mayReplace(existing, link)) return { kind: 'link_used', connectionId };

  let client: ClientCredentials;
  try {
    client = await deps.credentials.get(link.clientRef, link.dc);
  } catch (error) {
    if (error instanceof ClientCredentialsNotFoundError) return { kind: 'unavailable', connectionId };
    throw error;
  }
  let refreshToken: string;
  try {
    const grant = await deps.zoho.exchangeGrantCode({
      accountsServer: link.accountsServer,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      code: request.code,
      redirectUri: request.redirectUri,
    });
    refreshToken = grant.refreshToken;
  } catch (error) {
    deps.log.warn('A link callback could not exchange its code', {
      connectionId,
      errorName: error instanceof Error ? error.name : typeof error,
    });
    // invalid_code: the code expired (it lives a minute) or was spent already.
    if (error instanceof GrantCodeRejectedError) return { kind: 'code_rejected', connectionId };
    if (error instanceof MisconfiguredClientError) return { kind: 'unavailable', connectionId };
    return { kind: 'zoho_error', connectionId };
  }
  // The exchange minted an access token from the new refresh token: Zoho counts it in the window.
  const exchangedAt = deps.clock.now();

  const stored = await storeLinkedToken(deps, link, existing, refreshToken, exchangedAt);
  if (stored === 'unknown') return { kind: 'internal_error', connectionId };
  if (stored !== 'stored') {
    // Nobody holds the new token: revoke it, or it stays live and counts towards Zoho's 20.
    await bestEffort(deps, 'revocation of an unstored refresh token', () =>
      deps.zoho.revokeRefreshToken({ accountsServer: link.accountsServer, refreshToken }),
    );
    return { kind: stored === 'refused' ? 'link_used' : 'not_stored', connectionId };
  }
  let firstRefresh: RefreshResult['outcome'] | 'error';
  try {
    firstRefresh = (await refreshConnection(deps, { connectionId, trigger: 'operator', force: true }))
      .outcome;
  } catch (error) {
    // Stored: the schedule picks it up (it is due now); the customer's part is done.
    deps.log.warn('The first refresh after a link failed; the schedule retries it', {
      connectionId,
      errorName: error instanceof Error ? error.name : typeof error,
    });
    firstRefresh = 'error';
  }
  // After the first refresh, so consumers hold a token of the new authorisation when the old dies.
  if (existing !== undefined) await revokeReplacedToken(deps, existing);
  deps.log.info('A connection was authorised through a link', {
    connectionId,
    reauthorized: existing !== undefined,
    firstRefresh,
  });
  return { kind: 'connected', connectionId, reauthorized: existing !== undefined, firstRefresh };
}

/** `error=access_denied` (the customer refused) or another error Zoho reported; the link stays usable. */
async function refusedAtZoho(
  deps: CallbackDependencies,
  state: string,
  error: string,
): Promise<CallbackOutcome> {
  const link = await deps.links.get(deps.states.hash(state));
  if (link === undefined) return { kind: 'link_unknown' };
  const connectionId = link.connectionId;
  // A refusal of a link that no longer works says so: opening it again would not help.
  if (link.usedAt !== undefined) return { kind: 'link_used', connectionId };
  if (link.expiresAt <= deps.clock.now()) return { kind: 'link_expired', connectionId };
  deps.log.info('Zoho sent a link callback back with an error', {
    connectionId,
    zohoError: error === 'access_denied' ? error : 'other',
  });
  return error === 'access_denied' ? { kind: 'denied' } : { kind: 'zoho_error', connectionId };
}

/**
 * Whether a link may give `existing` a new refresh token. As `zoho-tokens connect`: only in the same
 * data centre with the same client app, never an active connection, and never one that still holds a
 * refresh token Zoho honours (misconfigured, disabled) — unless the operator made the link for
 * re-authorisation, which replaces the token and revokes the old one.
 */
function mayReplace(existing: Connection, link: ConnectLink): boolean {
  if (existing.accountsServer !== link.accountsServer || existing.clientRef !== link.clientRef) return false;
  if (link.reauthorize) return true;
  return existing.status === 'reauthorization_required' || existing.status === 'revoked';
}

/**
 * Stores the refresh token exactly as `zoho-tokens connect` does. 'refused': the connection appeared
 * or moved on meanwhile; 'unknown': whether it landed cannot be told (then the new token is not
 * revoked: it may be the one stored).
 */
async function storeLinkedToken(
  deps: CallbackDependencies,
  link: ConnectLink,
  existing: Connection | undefined,
  refreshToken: string,
  exchangedAt: number,
): Promise<'stored' | 'refused' | 'failed' | 'unknown'> {
  const { connectionId } = link;
  try {
    await storeAuthorization(deps, {
      connectionId,
      dc: link.dc,
      accountsServer: link.accountsServer,
      clientRef: link.clientRef,
      refreshToken,
      ...(existing === undefined ? {} : { existing }),
      zohoCallAt: exchangedAt,
    });
    return 'stored';
  } catch (error) {
    if (error instanceof ConnectionAlreadyExistsError || error instanceof ConnectionChangedError) {
      return 'refused';
    }
    deps.log.error('A link callback could not store its refresh token', {
      connectionId,
      errorName: error instanceof Error ? error.name : typeof error,
    });
    return error instanceof AuthorizationOutcomeUnknownError ? 'unknown' : 'failed';
  }
}

/**
 * The replaced refresh token would stay live at Zoho, counting towards the 20 per user and client
 * app: revoke it. One Zoho no longer honours (reauthorization_required, revoked) is left alone.
 */
async function revokeReplacedToken(deps: CallbackDependencies, existing: Connection): Promise<void> {
  if (existing.encryptedRefreshToken === '') return;
  if (existing.status === 'reauthorization_required' || existing.status === 'revoked') return;
  await bestEffort(deps, 'revocation of the replaced refresh token', async () => {
    const old = await deps.cipher.decrypt(existing.connectionId, existing.encryptedRefreshToken);
    await deps.zoho.revokeRefreshToken({ accountsServer: existing.accountsServer, refreshToken: old });
  });
}

/** Zoho may send `accounts-server` percent-encoded a second time (ZOHO.md §6). */
function decoded(value: string): string {
  if (!/%[0-9A-Fa-f]{2}/.test(value)) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
