import { ConnectionNotFoundError, InvalidInputError } from '../core/errors';
import type { RefreshDependencies } from '../core/refresh-deps';
import { type OperatorCommandResult, parseOperatorCommand, runOperatorCommand } from './operator-command';

/** What the operator function answers: the command's result, or why the command was refused. */
export type OperatorResult =
  | OperatorCommandResult
  | { readonly outcome: 'rejected'; readonly reason: string };

/**
 * The operator use cases as a Lambda function, before middleware: one `OperatorCommand` per
 * synchronous invocation. A malformed command or an unknown connection is answered `rejected` with
 * a logged reason and a metric: the operator reads the reason, and nothing retries it. Anything else
 * (a transient Zoho failure during a revoke, a refresh holding the lease, an AWS outage) is thrown,
 * so the CLI reports the function error and the operator can run the command again.
 */
export function createOperatorHandler(deps: RefreshDependencies) {
  return async (event: unknown): Promise<OperatorResult> => {
    try {
      return await runOperatorCommand(deps, parseOperatorCommand(event));
    } catch (error) {
      if (!(error instanceof InvalidInputError || error instanceof ConnectionNotFoundError)) throw error;
      deps.metrics.add('InvalidEvent', 1, 'Count', error.code);
      deps.log.error('Refused an operator command', { reason: error.message, errorCode: error.code });
      return { outcome: 'rejected', reason: error.message };
    }
  };
}
