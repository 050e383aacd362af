/**
 * What Zoho's revoke endpoint meant (ZOHO.md §5, docs/zoho-accounts.md §8). Only
 * `{"status":"success"}` is a revocation; whether a refusal leaves the refresh token alive decides
 * whether the connection may be marked revoked. Nothing here does I/O.
 */
import { ZohoThrottledError, ZohoTransientError } from '../core/errors';
import { RefreshTokenAlreadyInvalidError } from './errors';
import { sanitise } from './sanitise';
import { knownError } from './token-errors';
import { readJsonObject } from './token-response';

/** One HTTP answer, as read from the wire. */
export interface ZohoAnswer {
  readonly status: number;
  readonly body: string;
}

/**
 * `{"status":"success"}` is a revocation. A known error name wins whatever the HTTP status:
 * `too_many_requests` is ZohoThrottledError (nothing was revoked; the token is still alive, so the
 * connection must not be marked revoked), `invalid_token` / `invalid_code` mean Zoho no longer knows
 * the token (RefreshTokenAlreadyInvalidError). Otherwise HTTP 400 or an error body means already
 * invalid too; a 5xx, an HTML page or an empty answer is transient.
 */
export function classifyRevokeAnswer(answer: ZohoAnswer, redact: readonly string[]): void {
  let json: Readonly<Record<string, unknown>> | undefined;
  try {
    json = readJsonObject(answer.status, answer.body);
  } catch (error) {
    if (answer.status === 400) throw new RefreshTokenAlreadyInvalidError('HTTP 400', { cause: error });
    throw error;
  }
  const known = knownError(json);
  if (known?.meaning.kind === 'throttled') {
    throw new ZohoThrottledError(
      `revoke answered ${known.name} (HTTP ${answer.status}); nothing was revoked, try again after the 10-minute window`,
    );
  }
  if (known?.meaning.kind === 'credential_rejected') {
    throw new RefreshTokenAlreadyInvalidError(`${known.name}, HTTP ${answer.status}`);
  }
  const status = typeof json.status === 'string' ? json.status.trim().toLowerCase() : undefined;
  const hasError = json.error !== undefined && json.error !== null && json.error !== '';
  if (status === 'success' && !hasError) return;
  if (answer.status >= 500) throw new ZohoTransientError(`revoke answered HTTP ${answer.status}`);
  if (answer.status === 400 || hasError || status === 'failure') {
    const error = typeof json.error === 'string' ? `${sanitise(json.error, redact, 60)}, ` : '';
    throw new RefreshTokenAlreadyInvalidError(`${error}HTTP ${answer.status}`);
  }
  throw new ZohoTransientError(`revoke answered neither success nor an error (HTTP ${answer.status})`);
}
