/** `zoho-tokens revoke ID`: revokes the refresh token at Zoho, marks the connection revoked, removes its token material. */
import { parseConnectionId } from '../../functions/core/connection';
import { ConnectionNotFoundError } from '../../functions/core/errors';
import type { CommandContext, CommandSpec } from '../command';
import { allowCustomOption, allowedServersOf, refuseUnallowedCustomServers } from '../custom-servers';
import { EXIT_OK, OperationError, UsageError } from '../errors';
import { runOperatorCommand } from '../handlers';
import { describeResult } from '../results';

export const revokeCommand: CommandSpec = {
  name: 'revoke',
  brief: 'Revoke a connection at Zoho and remove its tokens',
  examples: [
    {
      what: 'Revoke acme-books at Zoho and remove its tokens (asks for the id)',
      run: 'zoho-tokens revoke acme-books --profile prod',
    },
    {
      what: 'The same from a script, without asking',
      run: 'zoho-tokens revoke acme-books --yes --profile prod',
    },
  ],
  summary:
    "Revokes the connection's refresh token at Zoho (and with it every access token made from it), marks the connection revoked and deletes its token material. Asks for confirmation unless --yes.",
  usage: 'ID [--yes]',
  positionals: [1, 1],
  options: {
    yes: {
      type: 'boolean',
      short: 'y',
      description: 'do not ask for confirmation (required when not on a terminal)',
    },
    ...allowCustomOption,
  },
  details: [
    "Consumers of the connection fail from then on. 'zoho-tokens add --id ID …' brings it back with a new refresh token.",
    'Against AWS the deployed operator function revokes (only the refresher roles may decrypt refresh tokens, and only the operator function may delete access-token secrets).',
    'On a connection that is already revoked it asks nothing and calls no Zoho: it deletes an access-token secret a refresh may have left behind, so running it again is always safe.',
  ],
  async run(ctx) {
    const id = parseConnectionId(ctx.positionals[0]);
    const { store } = await ctx.aws.ports();
    const connection = await store.get(id);
    if (connection === undefined) throw new ConnectionNotFoundError(id);
    if (connection.status === 'revoked' && connection.encryptedRefreshToken === '') {
      return cleanUp(ctx, id);
    }
    if ((await ctx.aws.target()).local) refuseUnallowedCustomServers(ctx.values, [connection]);
    if (ctx.values.yes !== true) {
      if (!ctx.io.isTTY) {
        throw new UsageError(
          `revoke: refusing to revoke '${id}' without confirmation`,
          'pass --yes when not on a terminal',
        );
      }
      ctx.out.note(
        `Revoke '${id}' at Zoho? Its consumers will fail until it is authorised again. Type the id to confirm:`,
      );
      const answer = (await ctx.stdin.line())?.trim();
      if (answer !== id) throw new OperationError(`not confirmed; '${id}' was not revoked`);
    }
    const result = await runOperatorCommand(
      ctx.aws,
      ctx.out,
      { operatorCommand: 'revoke', connectionId: id },
      allowedServersOf(ctx.values, [connection]),
    );
    if (result.outcome !== 'revoked') throw new OperationError(describeResult(id, result));
    if (ctx.values.json === true) ctx.out.json(result);
    else ctx.out.line(describeResult(id, result));
    return EXIT_OK;
  },
};

/**
 * A revoked connection has nothing left to lose: no confirmation, no Zoho call. The revoke runs
 * again all the same, because a refresh that lost its lease to the first revoke may have written an
 * access-token secret after it (a dead token: Zoho revoked its refresh token), and only the
 * operator function may delete it. Only while it is still revoked: one re-authorised meanwhile
 * (`add`, `connect`) is left alone (ConnectionChangedError), never revoked unconfirmed.
 */
async function cleanUp(ctx: CommandContext, id: string): Promise<number> {
  const result = await runOperatorCommand(
    ctx.aws,
    ctx.out,
    { operatorCommand: 'revoke', connectionId: id, expectedStatus: 'revoked' },
    [],
  );
  if (result.outcome !== 'revoked') throw new OperationError(describeResult(id, result));
  if (ctx.values.json === true) ctx.out.json({ connectionId: id, outcome: 'revoked', alreadyRevoked: true });
  else ctx.out.line(describeResult(id, result));
  return EXIT_OK;
}
