/**
 * Errors only the Zoho adapter raises: onboarding (code exchange) and revocation. Token refresh
 * raises the core errors. Messages never contain a code, a token or a client secret.
 */
import { ZohoTokenRefresherError } from '../core/errors';

/** Raised by the code exchange; defined in core so the link callback can classify it. */
export { GrantCodeRejectedError } from '../core/errors';

/**
 * The code exchange succeeded but granted no refresh token: the code was made for online access
 * (`access_type=online`) or a repeated authorisation without `prompt=consent`. The code is used up.
 */
export class NoRefreshTokenGrantedError extends ZohoTokenRefresherError {
  constructor(options?: { cause?: unknown }) {
    super(
      'no_refresh_token',
      'Zoho exchanged the grant code but returned no refresh token: the code was generated for online access. Generate a new code with access_type=offline (and prompt=consent for a server-based client), or use a Self Client',
      options,
    );
  }
}

/** Raised by revoke; defined in core so the revoke use case can classify it. */
export { RefreshTokenAlreadyInvalidError } from '../core/errors';
