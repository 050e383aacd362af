/** Words for what the operator function answered (refresh, revoke, check, or a refused command). */
import type { OperatorResult } from '../functions/operator/operator-handler';
import { relative, timestamp } from './format';

/** A refresh that did not produce a token, or a command the function refused. */
export function isFailure(result: OperatorResult): boolean {
  return result.outcome === 'failed' || result.outcome === 'rejected';
}

/** One sentence about `result` for connection `id`. */
export function describeResult(id: string, result: OperatorResult, now = Date.now()): string {
  switch (result.outcome) {
    case 'refreshed':
    case 'adopted':
      return `Refreshed '${id}': token version ${result.version}, expires ${relative(result.expiresAt, now)} (${timestamp(result.expiresAt)})${result.outcome === 'adopted' ? ', adopted from a run that crashed before committing' : ''}.`;
    case 'skipped':
      return result.reason === 'lease_held' || result.reason === 'lease_lost'
        ? `Another refresh of '${id}' is running; it writes the next version.`
        : `Nothing to do for '${id}' (${result.reason}); token version ${result.version}.`;
    case 'revoked':
      if (result.previousStatus === 'revoked')
        return `'${id}' was already revoked; an access-token secret left behind, if any, is deleted.`;
      return result.revokedAtZoho
        ? `Revoked '${id}' at Zoho and marked it revoked; its access-token secret is deleted.`
        : `Zoho no longer knew the refresh token of '${id}'; marked it revoked and deleted its access-token secret.`;
    case 'checked':
      return result.problems.length === 0
        ? `The refresher can read everything a refresh of '${id}' needs.`
        : `The refresher cannot read all that a refresh of '${id}' needs: ${result.problems.join('; ')}.`;
    case 'rejected':
      return `The operator function refused the command: ${result.reason}`;
    case 'failed':
      return `Refresh of '${id}' failed: ${result.message} [${result.errorCode}]. ${result.permanent ? `The connection is now ${result.status} and off the schedule.` : `Next attempt ${relative(result.retryAt, now)}; consumers keep the current token.`}`;
  }
}
