/** `zoho-tokens refresh ID [--force]`: refreshes one connection now, through the same handler as the Lambdas. */
import { REFRESH_TOKEN_CIPHER_REFUSED } from '../../functions/aws/errors';
import { type Connection, parseConnectionId } from '../../functions/core/connection';
import { ConnectionNotFoundError } from '../../functions/core/errors';
import type { CommandSpec } from '../command';
import {
  allowCustomOption,
  allowedServersOf,
  allowFlagFor,
  refuseUnallowedCustomServers,
} from '../custom-servers';
import { EXIT_OK, OperationError } from '../errors';
import { relative } from '../format';
import { runOperatorCommand } from '../handlers';
import { describeResult, isFailure } from '../results';
import { reauthoriseCommands } from './enable';

export const refreshCommand: CommandSpec = {
  name: 'refresh',
  brief: 'Refresh a connection now',
  examples: [
    {
      what: 'Refresh acme-books now, even if its token is not due',
      run: 'zoho-tokens refresh acme-books --force --profile prod',
    },
  ],
  summary:
    'Refreshes a connection now, with trigger operator: in-process against an emulator, or by invoking the deployed operator function (only the refresher roles may decrypt refresh tokens). Without --force a token that is not due is left alone.',
  usage: 'ID [--force]',
  positionals: [1, 1],
  options: {
    force: {
      type: 'boolean',
      description:
        "refresh even when the token is not due yet (spends one of Zoho's 10 token requests per 10 minutes)",
    },
    ...allowCustomOption,
  },
  async run(ctx) {
    const id = parseConnectionId(ctx.positionals[0]);
    const { store } = await ctx.aws.ports();
    const connection = await store.get(id);
    if (connection === undefined) throw new ConnectionNotFoundError(id);
    if (connection.status !== 'active') {
      throw new OperationError(
        `Connection '${id}' is ${connection.status}; it is not refreshed`,
        notActiveHint(connection),
      );
    }
    if ((await ctx.aws.target()).local) refuseUnallowedCustomServers(ctx.values, [connection]);
    // Whether a token that is not due is refreshed is the use case's rule: the flag only goes along.
    const result = await runOperatorCommand(
      ctx.aws,
      ctx.out,
      { operatorCommand: 'refresh', connectionId: id, force: ctx.values.force === true },
      allowedServersOf(ctx.values, [connection]),
    );
    if (result.outcome === 'skipped' && result.reason === 'not_due') {
      if (ctx.values.json === true)
        ctx.out.json({ connectionId: id, outcome: 'not_due', version: result.version });
      else ctx.out.line(describeNotDue(connection, result.version));
      return EXIT_OK;
    }
    const failed = isFailure(result);
    if (ctx.values.json === true) ctx.out.json({ connectionId: id, ...result });
    else if (!failed) ctx.out.line(describeResult(id, result));
    if (failed) {
      throw new OperationError(
        describeResult(id, result),
        `'zoho-tokens doctor ${id}' says what to fix; 'zoho-tokens history ${id}' shows the attempts`,
      );
    }
    return EXIT_OK;
  },
};

/** Why nothing happened, with the times the operator would otherwise look up. */
function describeNotDue(connection: Connection, version: number, now = Date.now()): string {
  return `'${connection.connectionId}' is not due: token version ${version} expires ${relative(connection.expiresAt, now)}, next refresh ${relative(connection.refreshDueAt, now)}. Pass --force to refresh now.`;
}

/** What brings a connection that is off the schedule back: `enable` if it has a usable token. */
function notActiveHint(connection: Connection): string {
  const id = connection.connectionId;
  const { status } = connection;
  if (
    status === 'reauthorization_required' ||
    status === 'revoked' ||
    connection.encryptedRefreshToken === '' ||
    // KMS refuses the stored ciphertext for good: enabling would only fail again.
    connection.lastError?.code === REFRESH_TOKEN_CIPHER_REFUSED
  ) {
    const { connect, add } = reauthoriseCommands(connection);
    return `authorise it again: '${connect}' with a new code, or '${add}'`;
  }
  const allow = allowFlagFor(connection);
  return `fix the cause ('zoho-tokens doctor ${id}${allow}' says what), then 'zoho-tokens enable ${id}${allow}' reactivates it`;
}
