import { type ConnectionCheckResult, checkConnection } from '../core/check-connection';
import { CONNECTION_STATUSES, type ConnectionStatus, parseConnectionId } from '../core/connection';
import { InvalidInputError } from '../core/errors';
import { type RefreshResult, refreshConnection } from '../core/refresh-connection';
import type { RefreshDependencies } from '../core/refresh-deps';
import { type RevokeResult, revokeConnection } from '../core/revoke-connection';

/**
 * What `zoho-tokens refresh|enable|revoke|doctor ID` sends by direct Lambda Invoke to the operator
 * function of a deployed stack. Only the refresher roles may decrypt refresh tokens, so operator
 * actions that need one run there (`check` proves, without calling Zoho, that the function can
 * read what a refresh needs). No event source feeds that function: only principals granted
 * lambda:InvokeFunction on it (operators) can send a command.
 */
export type OperatorCommand =
  | {
      readonly operatorCommand: 'refresh';
      readonly connectionId: string;
      /** Refresh even if the token is not due; without it a token that is not due is skipped `not_due`. */
      readonly force: boolean;
    }
  | {
      readonly operatorCommand: 'revoke';
      readonly connectionId: string;
      /** Revoke only if the connection is still in this status (see RevokeOptions). */
      readonly expectedStatus?: ConnectionStatus;
    }
  | { readonly operatorCommand: 'check'; readonly connectionId: string };

/** What an operator command answers. */
export type OperatorCommandResult = RefreshResult | RevokeResult | ConnectionCheckResult;

/** Validates an invocation payload; throws InvalidInputError saying what is wrong. */
export function parseOperatorCommand(event: unknown): OperatorCommand {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new InvalidInputError('an operator command must be an object');
  }
  const e = event as Record<string, unknown>;
  if (e.operatorCommand !== 'refresh' && e.operatorCommand !== 'revoke' && e.operatorCommand !== 'check') {
    throw new InvalidInputError(`operatorCommand must be 'refresh', 'revoke' or 'check'`);
  }
  const connectionId = parseConnectionId(e.connectionId);
  if (e.operatorCommand === 'refresh')
    return { operatorCommand: 'refresh', connectionId, force: e.force === true };
  if (e.operatorCommand === 'check') return { operatorCommand: 'check', connectionId };
  if (e.expectedStatus === undefined) return { operatorCommand: 'revoke', connectionId };
  if (!CONNECTION_STATUSES.includes(e.expectedStatus as ConnectionStatus)) {
    throw new InvalidInputError(`expectedStatus must be one of ${CONNECTION_STATUSES.join(', ')}`);
  }
  return { operatorCommand: 'revoke', connectionId, expectedStatus: e.expectedStatus as ConnectionStatus };
}

/** Runs one command: a refresh with trigger `operator`, a revoke, or a check. */
export function runOperatorCommand(
  deps: RefreshDependencies,
  command: OperatorCommand,
): Promise<OperatorCommandResult> {
  if (command.operatorCommand === 'revoke') {
    return revokeConnection(deps, command.connectionId, { expectedStatus: command.expectedStatus });
  }
  if (command.operatorCommand === 'check') return checkConnection(deps, command.connectionId);
  return refreshConnection(deps, {
    connectionId: command.connectionId,
    trigger: 'operator',
    force: command.force,
  });
}
