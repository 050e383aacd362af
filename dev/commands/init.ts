/** `npm run local -- init`: creates in an AWS API emulator every resource of the stack's template. */

import { type CommandContext, type CommandSpec, stringOption } from '../../cli/command';
import { EXIT_OK, UsageError } from '../../cli/errors';
import { LOCAL_DEFAULTS } from '../../functions/aws/names';
import { createLocalResources, type LocalNames } from '../resources/resources';

/** The emulator endpoint every `local` command needs. */
export function requireEndpoint(ctx: CommandContext, command: string): string {
  const endpoint = stringOption(ctx.values, 'aws-endpoint');
  if (endpoint === undefined) {
    throw new UsageError(
      `${command} works against an AWS API emulator only: pass --aws-endpoint URL`,
      "e.g. --aws-endpoint http://127.0.0.1:5000 (a moto server; 'npm start' runs one)",
    );
  }
  return endpoint;
}

export const initCommand: CommandSpec = {
  name: 'init',
  brief: 'Create every resource of the stack in an emulator',
  examples: [
    {
      what: "Create the stack's resources in a moto server",
      run: 'npm run local -- init --aws-endpoint http://127.0.0.1:5000',
    },
  ],
  summary:
    "Creates in an AWS API emulator every resource of the stack's template that an emulator can hold, read from the stack synthesized in this process: table (keys, indexes, TTL), refresh-token key and alias, event bus, the queues with their redrive policies, the rule whose queue stands in for the on-demand function, alarm topic and alarms (but those on functions). Safe to run again.",
  usage: '--aws-endpoint URL',
  options: {},
  // Emulator only: --stack would be ignored, so it is not offered.
  target: 'emulator',
  details: [
    `Default names: table ${LOCAL_DEFAULTS.tableName}, bus ${LOCAL_DEFAULTS.eventBusName}, key ${LOCAL_DEFAULTS.keyAlias}, queues ${LOCAL_DEFAULTS.refreshQueueName} (refresh orders) and ${LOCAL_DEFAULTS.rejectedQueueName} (consumer reports), topic ${LOCAL_DEFAULTS.alarmTopicName}; --table, --bus, --key (an alias/…), --secret-prefix override them.`,
  ],
  async run(ctx) {
    const endpoint = requireEndpoint(ctx, 'init');
    const target = await ctx.aws.target();
    const keyAlias = target.names.keyId;
    if (!keyAlias.startsWith('alias/')) {
      throw new UsageError(
        `init: --key must be a key alias such as alias/my-key (got ${JSON.stringify(keyAlias.slice(0, 60))})`,
      );
    }
    const names: Partial<LocalNames> = {
      tableName: target.names.tableName,
      eventBusName: target.names.eventBusName,
      keyAlias,
      secretPrefix: target.names.secretPrefix,
    };
    const resources = await createLocalResources({ endpoint, region: target.region, names });
    if (ctx.values.json === true) {
      ctx.out.json(resources);
      return EXIT_OK;
    }
    ctx.out.line(
      resources.created.length === 0
        ? `Every local resource already existed at ${endpoint}.`
        : `Created at ${endpoint}: ${resources.created.join(', ')}.`,
    );
    ctx.out.line(
      `table ${resources.tableName}, bus ${resources.eventBusName}, key ${resources.keyAlias}, secrets under ${resources.secretPrefix}/`,
    );
    ctx.out.line(
      `Refresh orders queue up in ${resources.names.refreshQueueName}: 'npm run local -- sweep' plans and delivers them, 'npm run local -- work' delivers what is queued.`,
    );
    ctx.out.line(
      `Consumer 401 reports queue up in ${resources.names.rejectedQueueName}: deliver them with 'npm run local -- drain'.`,
    );
    return EXIT_OK;
  },
};
