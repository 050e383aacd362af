/**
 * `npm run local -- work`: delivers the refresh orders queued in the emulator to the worker handler,
 * as the stack's event source mapping delivers them to the refresh-worker function.
 */
import type { CommandSpec } from '../../cli/command';
import { describeWork } from '../../cli/commands/sweep';
import { allowCustomOption, allowedServersOf, refuseUnallowedCustomServers } from '../../cli/custom-servers';
import { EXIT_OK, OperationError } from '../../cli/errors';
import { workNow } from '../emulator/fleet-run';
import { requireEndpoint } from './init';

export const workCommand: CommandSpec = {
  name: 'work',
  brief: 'Deliver queued refresh orders to the worker handler',
  summary:
    "Hands the refresh orders waiting in the emulator's refresh queue to the worker handler, in batches, as the event source mapping invokes the refresh-worker function: an order the worker hands back stays on the queue and comes back after the visibility timeout, then goes to the dead-letter queue.",
  usage: '--aws-endpoint URL',
  // Emulator only: --stack would be ignored, so it is not offered.
  target: 'emulator',
  options: { ...allowCustomOption },
  details: [
    "Orders held back until their connection is due stay queued: run it again then. 'npm run local -- sweep' plans and delivers in one go.",
  ],
  examples: [
    {
      what: 'Deliver the orders a local sweep held back until their connections were due',
      run: 'npm run local -- work --aws-endpoint http://127.0.0.1:5000 --allow-custom-accounts-server',
    },
  ],
  async run(ctx) {
    requireEndpoint(ctx, 'work');
    const connections = await (await ctx.aws.ports()).store.listAll();
    // as sweep and drain do: a forgotten flag is a usage error before any order is taken off
    // the queue, not refreshes refused by the worker that mark connections misconfigured.
    refuseUnallowedCustomServers(ctx.values, connections);
    const work = await workNow(ctx.aws, ctx.out, {
      allowedAccountsServers: allowedServersOf(ctx.values, connections),
    });
    if (ctx.values.json === true) ctx.out.json(work);
    else {
      ctx.out.line(
        work.delivered === 0
          ? `No refresh orders to deliver${work.heldBack === 0 ? '' : ` (${work.heldBack} held back until due)`}.`
          : `Delivered ${work.delivered} order(s): ${describeWork(work)}`,
      );
    }
    const failed = work.failed + work.leftForRedelivery;
    if (failed > 0) {
      throw new OperationError(
        `${failed} of ${work.delivered} refreshes failed`,
        "'zoho-tokens status' shows which, 'zoho-tokens history <id>' why",
      );
    }
    return EXIT_OK;
  },
};
