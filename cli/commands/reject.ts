/** `zoho-tokens reject ID --version V`: publishes a consumer's "Zoho Token Rejected" event, as a consumer would on a 401. */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { consumerEventSource, TOKEN_REJECTED_DETAIL_TYPE } from '../../functions/aws/names';
import { parseConnectionId } from '../../functions/core/connection';
import { ConnectionNotFoundError } from '../../functions/core/errors';
import { type CommandSpec, integerOption, stringOption } from '../command';
import { EXIT_OK, OperationError, UsageError } from '../errors';

export const rejectCommand: CommandSpec = {
  name: 'reject',
  brief: 'Publish a consumer\'s "Zoho Token Rejected" event',
  examples: [
    {
      what: 'Report that Zoho refused version 42 of acme-books, as its consumers would',
      run: 'zoho-tokens reject acme-books --version 42 --code 57 --request-id manual-check-1 --profile prod',
    },
  ],
  summary: 'Publishes the "Zoho Token Rejected" event a consumer sends on a 401, for token version V.',
  usage: 'ID --version V [--code N]',
  positionals: [1, 1],
  options: {
    version: { type: 'string', value: 'V', description: 'the token version that got the 401' },
    code: {
      type: 'string',
      value: 'N',
      description: "Zoho's error code of the 401 (57 for an invalid token)",
    },
    'request-id': { type: 'string', value: 'ID', description: 'a request id to trace the report by' },
  },
  details: [
    'The event goes out under the source zoho-token-refresher.consumer.ID, as a consumer of ID would publish it; your credentials need events:PutEvents on the bus for that source.',
    "Against an emulator the event waits in the local queue until 'npm run local -- drain'.",
  ],
  async run(ctx) {
    const id = parseConnectionId(ctx.positionals[0]);
    const version = integerOption(ctx.values, 'version');
    if (version === undefined)
      throw new UsageError('reject: --version is required', 'usage: zoho-tokens reject ID --version V');
    const code = integerOption(ctx.values, 'code');
    const requestId = stringOption(ctx.values, 'request-id');
    const target = await ctx.aws.target();
    const { store } = await ctx.aws.ports();
    const connection = await store.get(id);
    if (connection === undefined) throw new ConnectionNotFoundError(id);
    const detail = {
      connectionId: id,
      version,
      status: 401,
      ...(code === undefined ? {} : { code }),
      ...(requestId === undefined ? {} : { requestId }),
    };
    // The consumer's own source: the caller needs the same grant a consumer of this connection has.
    const source = consumerEventSource(id);
    const { eventBridge } = await ctx.aws.clients();
    const output = await eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: source,
            DetailType: TOKEN_REJECTED_DETAIL_TYPE,
            Detail: JSON.stringify(detail),
            EventBusName: target.names.eventBusName,
          },
        ],
      }),
    );
    const entry = output.Entries?.[0];
    if ((output.FailedEntryCount ?? 0) > 0 || entry?.EventId === undefined) {
      throw new OperationError(
        `EventBridge refused the event (${entry?.ErrorCode ?? 'no error code'}): ${entry?.ErrorMessage ?? ''}`.trim(),
      );
    }
    if (ctx.values.json === true) {
      ctx.out.json({ eventId: entry.EventId, eventBusName: target.names.eventBusName, source, detail });
    } else {
      ctx.out.line(
        `Published "${TOKEN_REJECTED_DETAIL_TYPE}" for '${id}' version ${version} on bus ${target.names.eventBusName} (stored version: ${connection.version}).`,
      );
      if (target.local) ctx.out.line("Deliver it to the on-demand handler with 'npm run local -- drain'.");
    }
    return EXIT_OK;
  },
};
