/**
 * Errors only the Zoho adapter raises: onboarding (code exchange) and revocation. Token refresh
 * raises the core errors. Messages never contain a code, a token or a client secret.
 */
import { ZohoTokenRefresherError } from '../core/errors';

/**
 * Zoho refused the grant code (`invalid_code`): it expired or was already used. Generating a new
 * code is the only fix; retrying the same one cannot help.
 */
export class GrantCodeRejectedError extends ZohoTokenRefresherError {
  readonly zohoError: string;

  constructor(zohoError: string, options?: { cause?: unknown }) {
    super(
      'grant_code_rejected',
      `Zoho rejected the grant code (${zohoError}): it expired or was already used. A code works once; a Self Client's lives 3 minutes by default, a server-based client's redirect code 60 seconds: get a new one and exchange it at once`,
      options,
    );
    this.zohoError = zohoError;
  }
}

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
