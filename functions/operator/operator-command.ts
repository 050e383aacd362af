import { type ConnectionCheckResult, checkConnection } from '../core/check-connection';
import { parseConnectionId } from '../core/connection';
import { InvalidInputError } from '../core/errors';
import { type RefreshResult, refreshConnection } from '../core/refresh-connection';
import type { RefreshDependencies } from '../core/refresh-deps';
import { type RevokeResult, revokeConnection } from '../core/revoke-connection';

/**
 * What `zoho-tokens refresh|enable|revoke|doctor ID` sends by direct Lambda Invoke against a deployed
 * stack. Only the refresher roles may decrypt refresh tokens, so operator actions that need one run
 * here (`check` proves, without calling Zoho, that this role can read what a refresh needs).
 * EventBridge cannot produce this shape (it wraps every event in an envelope), so consumers cannot
 * send it.
 */
export type OperatorCommand =
  | { readonly operatorCommand: 'refresh'; readonly connectionId: string; readonly force: boolean }
  | { readonly operatorCommand: 'revoke'; readonly connectionId: string }
  | { readonly operatorCommand: 'check'; readonly connectionId: string };

/** What an operator command answers. */
export type OperatorCommandResult = RefreshResult | RevokeResult | ConnectionCheckResult;

export const isOperatorCommand = (event: unknown): boolean =>
  typeof event === 'object' && event !== null && 'operatorCommand' in event;

export function parseOperatorCommand(event: unknown): OperatorCommand {
  const e = event as Record<string, unknown>;
  const connectionId = parseConnectionId(e.connectionId);
  if (e.operatorCommand === 'refresh')
    return { operatorCommand: 'refresh', connectionId, force: e.force === true };
  if (e.operatorCommand === 'revoke') return { operatorCommand: 'revoke', connectionId };
  if (e.operatorCommand === 'check') return { operatorCommand: 'check', connectionId };
  throw new InvalidInputError(`operatorCommand must be 'refresh', 'revoke' or 'check'`);
}

export function runOperatorCommand(
  deps: RefreshDependencies,
  command: OperatorCommand,
): Promise<OperatorCommandResult> {
  if (command.operatorCommand === 'revoke') return revokeConnection(deps, command.connectionId);
  if (command.operatorCommand === 'check') return checkConnection(deps, command.connectionId);
  return refreshConnection(deps, {
    connectionId: command.connectionId,
    trigger: 'operator',
    force: command.force,
  });
}
