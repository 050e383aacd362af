/**
 * `zoho-tokens enable ID`: puts a `misconfigured` or `disabled` connection back on the schedule with
 * the refresh token it already has (operators cannot decrypt it, and Zoho still honours it), then
 * makes a first refresh through the same path as `refresh ID --force`.
 */
import { CLIENT_CREDENTIALS_TTL_MS } from '../../functions/aws/client-credentials';
import { type Connection, parseConnectionId } from '../../functions/core/connection';
import { ConnectionNotFoundError } from '../../functions/core/errors';
import type { OperatorResult } from '../../functions/operator/operator-handler';
import type { CommandContext, CommandSpec } from '../command';
import {
  allowCustomOption,
  allowedServersOf,
  locationFlags,
  refuseUnallowedCustomServers,
} from '../custom-servers';
import { EXIT_OK, OperationError } from '../errors';
import { refreshNow } from '../handlers';
import { describeResult, isFailure } from '../results';

export const enableCommand: CommandSpec = {
  name: 'enable',
  brief: 'Reactivate a misconfigured or disabled connection',
  examples: [
    {
      what: 'Put acme-books back on the schedule after fixing its client app',
      run: 'zoho-tokens enable acme-books --profile prod',
    },
  ],
  summary:
    "Puts a misconfigured or disabled connection back on the schedule with the refresh token it already has, and refreshes it at once (in-process against an emulator, or by invoking the deployed operator function). Use it after fixing the cause, e.g. the client secret with 'clients put'.",
  usage: 'ID',
  positionals: [1, 1],
  options: { ...allowCustomOption },
  details: [
    "A revoked connection has no refresh token left, and one Zoho rejected (reauthorization_required) needs a new one: for those use 'zoho-tokens connect' with a new code or 'zoho-tokens add'. Exit 1 when the first refresh fails; a permanent failure takes the connection off the schedule again.",
  ],
  async run(ctx) {
    const id = parseConnectionId(ctx.positionals[0]);
    const { store } = await ctx.aws.ports();
    const connection = await store.get(id);
    if (connection === undefined) throw new ConnectionNotFoundError(id);
    if (connection.status === 'active') {
      if (ctx.values.json === true)
        ctx.out.json({ connectionId: id, outcome: 'already_active', version: connection.version });
      else
        ctx.out.line(`'${id}' is already active; nothing to do ('zoho-tokens refresh ${id}' refreshes it).`);
      return EXIT_OK;
    }
    refuseWithoutUsableToken(connection);
    const target = await ctx.aws.target();
    // As `refresh` does: a forgotten flag is a usage error before anything changes.
    if (target.local) refuseUnallowedCustomServers(ctx.values, [{ ...connection, status: 'active' }]);
    // setStatus ends any lease, clears the failures and puts the connection back on the due index;
    // only if it is still what was read (a revoke or re-authorisation meanwhile wins: exit 1).
    await store.setStatus(id, 'active', {
      refreshDueAt: Date.now(),
      lastError: null,
      expectedStatus: connection.status,
    });
    const result = await refreshNow(ctx.aws, ctx.out, connection, allowedServersOf(ctx.values, [connection]));
    return report(ctx, connection, result, target.local);
  },
};

/** The commands that authorise `connection` again, with its client app and data centre. */
export function reauthoriseCommands(connection: Connection): { connect: string; add: string } {
  const { connectionId: id, clientRef } = connection;
  const where = locationFlags(connection);
  return {
    connect: `zoho-tokens connect --id ${id} --client ${clientRef} ${where} --code -`,
    add: `zoho-tokens add --id ${id} --client ${clientRef} ${where} --refresh-token -`,
  };
}

/** Revoked and re-authorisation-required connections have no refresh token Zoho would honour. */
function refuseWithoutUsableToken(connection: Connection): void {
  const id = connection.connectionId;
  const { connect, add } = reauthoriseCommands(connection);
  if (connection.status === 'reauthorization_required') {
    throw new OperationError(
      `Zoho rejected the refresh token of '${id}' (revoked, deleted or replaced by a newer one); enabling cannot bring it back`,
      `authorise again: '${connect}' with a new code, or '${add}'`,
    );
  }
  if (connection.status === 'revoked' || connection.encryptedRefreshToken === '') {
    throw new OperationError(
      `'${id}' is ${connection.status} and its refresh token is gone; there is nothing to enable`,
      `register a new authorisation: '${connect}' with a new code, or '${add}'`,
    );
  }
}

function report(ctx: CommandContext, before: Connection, result: OperatorResult, local: boolean): number {
  const id = before.connectionId;
  if (ctx.values.json === true) {
    ctx.out.json({ connectionId: id, previousStatus: before.status, firstRefresh: result });
  } else if (!isFailure(result)) {
    ctx.out.line(`Enabled '${id}' (was ${before.status}). ${describeResult(id, result)}`);
  }
  if (!isFailure(result)) return EXIT_OK;
  const permanent = result.outcome === 'failed' && result.permanent;
  // A deployed function keeps a client app it read for a while: a secret just fixed may not be seen yet.
  const cached =
    !local && result.outcome === 'failed' && result.errorCode === 'misconfigured_client'
      ? ` If you just ran 'clients put', the deployed function may still use the previous secret for up to ${CLIENT_CREDENTIALS_TTL_MS / 60_000} minutes (it caches client apps): run 'zoho-tokens enable ${id}' again after that.`
      : '';
  throw new OperationError(
    `'${id}' was enabled, but its first refresh did not succeed. ${describeResult(id, result)}`,
    permanent
      ? `'zoho-tokens doctor ${id}' says what to fix, then run 'zoho-tokens enable ${id}' again.${cached}`
      : `'zoho-tokens history ${id}' shows the attempts; the schedule keeps trying.`,
  );
}
