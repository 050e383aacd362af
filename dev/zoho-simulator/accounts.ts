import type { SimDc } from './dcs';
import { jsonReply, REVOKE_UNKNOWN_TOKEN, type Reply, THROTTLED, tokenError } from './replies';
import type { RefreshTokenRecord, SimState } from './state';

/** A token-endpoint answer: a success body (which a fault may still reshape) or a finished reply. */
export type TokenOutcome =
  | { readonly kind: 'success'; readonly body: Record<string, unknown> }
  | { readonly kind: 'reply'; readonly reply: Reply };

export interface AccountsContext {
  readonly state: SimState;
  readonly apiDomain: (dc: SimDc) => string;
}

/** `POST /oauth/v2/token` of one data centre, following ZOHO.md §1, §2 and §6. */
export function handleToken(ctx: AccountsContext, dc: SimDc, params: URLSearchParams): TokenOutcome {
  const grantType = params.get('grant_type');
  if (grantType === 'refresh_token') {
    return refreshGrant(ctx, dc, params);
  }
  if (grantType === 'authorization_code') {
    return codeGrant(ctx, dc, params);
  }
  // Our assumption: ZOHO.md documents no answer for a missing parameter or an unknown grant type.
  return reply(tokenError(grantType === null ? 'invalid_request' : 'unsupported_grant_type'));
}

function refreshGrant(ctx: AccountsContext, dc: SimDc, params: URLSearchParams): TokenOutcome {
  const [clientId, secret, refreshToken] = required(params, 'client_id', 'client_secret', 'refresh_token');
  if (clientId === undefined || secret === undefined || refreshToken === undefined) {
    return reply(tokenError('invalid_request'));
  }
  const clientError = checkClient(ctx, dc, clientId, secret);
  if (clientError !== undefined) return reply(clientError);
  const record = ctx.state.refreshToken(refreshToken);
  if (record === undefined || record.clientId !== clientId) return reply(tokenError('invalid_code'));
  // A token sent to another DC's accounts server is an unknown client there (ZOHO.md §2, §4).
  if (record.dc !== dc) return reply(tokenError('invalid_client'));
  if (!ctx.state.admitTokenRequest(record)) return reply(THROTTLED);
  // Zoho does not rotate refresh tokens: no `refresh_token` in a refresh answer.
  return { kind: 'success', body: successBody(ctx, refreshToken, record) };
}

function codeGrant(ctx: AccountsContext, dc: SimDc, params: URLSearchParams): TokenOutcome {
  const [clientId, secret, code] = required(params, 'client_id', 'client_secret', 'code');
  if (clientId === undefined || secret === undefined || code === undefined) {
    return reply(tokenError('invalid_request'));
  }
  const clientError = checkClient(ctx, dc, clientId, secret);
  if (clientError !== undefined) return reply(clientError);
  const grant = ctx.state.grantCode(code);
  if (grant === undefined || grant.clientId !== clientId) return reply(tokenError('invalid_code'));
  if (grant.dc !== dc) return reply(tokenError('invalid_client'));
  // Our assumption (ZOHO.md is silent): a redirect-flow code needs its exact redirect_uri, a
  // mismatch leaves the code unspent, and a Self Client code ignores the parameter.
  if (grant.redirectUri !== undefined && params.get('redirect_uri') !== grant.redirectUri) {
    return reply(tokenError('invalid_redirect_uri'));
  }
  ctx.state.consumeGrantCode(code);
  const { token, record } = ctx.state.createRefreshToken(grant);
  ctx.state.admitTokenRequest(record);
  return { kind: 'success', body: { ...successBody(ctx, token, record), refresh_token: token } };
}

/** `POST /oauth/v2/token/revoke`: revokes a refresh token of this DC and every access token made from it. */
export function handleRevoke(ctx: AccountsContext, dc: SimDc, params: URLSearchParams): Reply {
  const token = params.get('token');
  const record = token === null ? undefined : ctx.state.refreshToken(token);
  if (token === null || record === undefined || record.dc !== dc) return REVOKE_UNKNOWN_TOKEN;
  ctx.state.revokeRefreshToken(token);
  return jsonReply(200, { status: 'success' });
}

function checkClient(ctx: AccountsContext, dc: SimDc, clientId: string, secret: string): Reply | undefined {
  const expected = ctx.state.clientSecretIn(clientId, dc);
  if (expected === undefined) return tokenError('invalid_client');
  if (expected !== secret) return tokenError('invalid_client_secret');
  return undefined;
}

function successBody(ctx: AccountsContext, refreshToken: string, record: RefreshTokenRecord) {
  return {
    access_token: ctx.state.mintAccessToken(refreshToken, record),
    expires_in: ctx.state.settings.accessTokenLifetimeSeconds,
    api_domain: ctx.apiDomain(record.dc),
    token_type: 'Bearer',
    scope: record.scope,
  };
}

function required(params: URLSearchParams, ...names: string[]): (string | undefined)[] {
  return names.map((name) => params.get(name) || undefined);
}

function reply(value: Reply): TokenOutcome {
  return { kind: 'reply', reply: value };
}
