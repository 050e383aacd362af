import { organizationIdOf, type SimDc } from './dcs';
import { BOOKS_UNAUTHORIZED, jsonReply, type Reply } from './replies';
import type { SimState } from './state';

const AUTH_SCHEME = 'Zoho-oauthtoken ';

/**
 * `GET /books/v3/organizations` of one data centre. Any token that is missing, unknown, expired,
 * evicted, revoked or from another DC gets Zoho's ambiguous 401 code 57 (ZOHO.md §7).
 */
export function handleOrganizations(state: SimState, dc: SimDc, authorization: string | undefined): Reply {
  const token = authorization?.startsWith(AUTH_SCHEME) ? authorization.slice(AUTH_SCHEME.length).trim() : '';
  if (token === '' || !state.isAccessTokenValidIn(token, dc)) return BOOKS_UNAUTHORIZED;
  return jsonReply(200, {
    code: 0,
    message: 'success',
    organizations: [{ organization_id: organizationIdOf(dc), name: `Sim Org ${dc}` }],
  });
}
