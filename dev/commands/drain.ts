/** `npm run local -- drain`: delivers the queued consumer events to the on-demand handler once, as EventBridge would. */

import { type CommandSpec, integerOption } from '../../cli/command';
import { allowCustomOption, allowedServersOf, refuseUnallowedCustomServers } from '../../cli/custom-servers';
import { EXIT_OK, OperationError } from '../../cli/errors';
import { createTokenRejectedHandler } from '../../functions/on-demand-refresh/token-rejected-handler';
import { drainRejectedEvents } from '../emulator/drain';
import { createInProcessRefresher, humanLog } from '../emulator/in-process';
import { requireEndpoint } from './init';

export const drainCommand: CommandSpec = {
  name: 'drain',
  brief: 'Deliver queued consumer events to the on-demand handler',
  examples: [
    {
      what: 'Deliver the queued reports to the on-demand handler (connections on the Zoho simulator)',
      run: 'npm run local -- drain --aws-endpoint http://127.0.0.1:5000 --allow-custom-accounts-server',
    },
  ],
  summary:
    'Hands every "Zoho Token Rejected" event queued in the emulator to the on-demand handler once, as EventBridge would invoke the function, and deletes it.',
  usage: '--aws-endpoint URL [--max N]',
  // Emulator only: --stack would be ignored, so it is not offered.
  target: 'emulator',
  options: {
    max: { type: 'string', value: 'N', description: 'deliver at most N events (default 1000)' },
    ...allowCustomOption,
  },
  async run(ctx) {
    requireEndpoint(ctx, 'drain');
    const target = await ctx.aws.target();
    const clients = await ctx.aws.clients();
    const { store } = await ctx.aws.ports();
    const connections = await store.listAll();
    // As refresh and sweep do: a forgotten flag is a usage error before any event is taken off the
    // queue, not refreshes refused by the handler that mark connections misconfigured.
    refuseUnallowedCustomServers(ctx.values, connections);
    const allowed = allowedServersOf(ctx.values, connections);
    const deps = createInProcessRefresher(target, clients, {
      allowedAccountsServers: allowed,
      log: humanLog((line) => ctx.out.note(line.trimEnd())),
    });
    const errors: string[] = [];
    const counts = await drainRejectedEvents({
      target,
      clients,
      handler: createTokenRejectedHandler(deps),
      maxMessages: integerOption(ctx.values, 'max', 1000) ?? 1000,
      onError: (error) =>
        errors.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error)),
    });
    if (ctx.values.json === true) ctx.out.json(counts);
    else {
      ctx.out.line(
        counts.delivered === 0
          ? 'No queued events.'
          : `Delivered ${counts.delivered} event(s): ${counts.refreshed} refreshed, ${counts.skipped} skipped, ${counts.rejected} rejected, ${counts.failed} failed.`,
      );
    }
    for (const error of errors) ctx.out.note(`error: the handler threw ${error}`);
    if (counts.failed > 0) {
      throw new OperationError(
        `${counts.failed} event(s) failed`,
        "'zoho-tokens status' and 'zoho-tokens history <id>' show why",
      );
    }
    return EXIT_OK;
  },
};
