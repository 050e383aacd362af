/**
 * The workshop's EmulatorHooks for the operator CLI (cli/emulator-hooks.ts): the refresher's
 * functions run in this process with their own handlers, as no emulator runs Lambda, and moto's
 * DynamoDB gets its writes one at a time (moto-write-guard.ts).
 */

import type { EmulatorHooks } from '../../cli/emulator-hooks';
import { describePlan } from '../../cli/handlers';
import { quietLog } from '../../cli/quiet-log';
import { createOperatorHandler } from '../../functions/operator/operator-handler';
import { planNow, workNow } from './fleet-run';
import { createInProcessRefresher } from './in-process';
import { serialiseWritesForMoto } from './moto-write-guard';

/** In-process functions and moto's write guard: what the dev CLI, the sandbox's hints and the tests use. */
export const DEV_EMULATOR_HOOKS: EmulatorHooks = {
  adaptClients: (clients) => ({ ...clients, dynamodb: serialiseWritesForMoto(clients.dynamodb) }),

  async runOperator(aws, command, allowedAccountsServers) {
    // Quiet: the result says what happened to the one connection; a log line would repeat it.
    const deps = createInProcessRefresher(await aws.target(), await aws.clients(), {
      allowedAccountsServers,
      log: quietLog,
    });
    return createOperatorHandler(deps)(command);
  },

  async sweep(aws, out, options) {
    const plan = await planNow(aws, options);
    out.note(describePlan(plan));
    const work = await workNow(aws, out, { ...options, expected: plan.overdue });
    return { plan, work };
  },
};
