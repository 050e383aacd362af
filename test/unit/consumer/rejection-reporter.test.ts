import 'aws-sdk-client-mock-vitest/extend';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { TokenRejectionReportError } from '../../../functions/consumer/errors';
import { createRejectionReporter } from '../../../functions/consumer/rejection-reporter';

const BUS = 'zoho-token-refresher';
const eb = mockClient(EventBridgeClient);

beforeEach(() => {
  eb.reset();
  eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
});

const reporter = () => createRejectionReporter({ eventBusName: BUS, client: new EventBridgeClient({}) });

describe('createRejectionReporter().report', () => {
  it("publishes under the connection's own source, the one its IAM grant allows", async () => {
    // Act
    await reporter().report({ connectionId: 'acme-books', version: 4, status: 401, code: 57 });
    await reporter().report({ connectionId: 'acme-crm', version: 9, status: 401 });

    // Assess
    expect(eb).toReceiveCommandTimes(PutEventsCommand, 2);
    expect(eb.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries)).toEqual([
      [
        {
          EventBusName: BUS,
          Source: 'zoho-token-refresher.consumer.acme-books',
          DetailType: 'Zoho Token Rejected',
          Detail: JSON.stringify({ connectionId: 'acme-books', version: 4, status: 401, code: 57 }),
        },
      ],
      [
        {
          EventBusName: BUS,
          Source: 'zoho-token-refresher.consumer.acme-crm',
          DetailType: 'Zoho Token Rejected',
          Detail: JSON.stringify({ connectionId: 'acme-crm', version: 9, status: 401 }),
        },
      ],
    ]);
  });

  it.each(['NotAuthorizedForSourceException', 'NotAuthorizedForDetailTypeException'])(
    'says the role may report only for its granted connections when EventBridge answers %s',
    async (errorCode) => {
      // Prepare: a role granted another connection.
      eb.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: errorCode }] });

      // Act
      const error = await reporter()
        .report({ connectionId: 'acme-books', version: 4, status: 401 })
        .catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(TokenRejectionReportError);
      expect((error as Error).message).toBe(
        `Could not publish 'Zoho Token Rejected' to bus '${BUS}': the entry was not accepted (${errorCode}): the role may report only for the connections it is granted (grantReadToken or the consumer policy)`,
      );
      expect(eb).toReceiveCommandTimes(PutEventsCommand, 1);
    },
  );

  it('adds no grant hint to other refusals', async () => {
    // Prepare
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });

    // Act
    const error = await reporter()
      .report({ connectionId: 'acme-books', version: 4, status: 401 })
      .catch((e: unknown) => e);

    // Assess
    expect((error as Error).message).toBe(
      `Could not publish 'Zoho Token Rejected' to bus '${BUS}': the entry was not accepted (InternalFailure)`,
    );
  });
});
