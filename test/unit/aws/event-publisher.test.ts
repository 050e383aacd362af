import 'aws-sdk-client-mock-vitest/extend';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EventPublishError } from '../../../functions/aws/errors';
import { EventBridgePublisher } from '../../../functions/aws/event-publisher';
import type { RefresherEvent } from '../../../functions/core/ports';
import { rejection } from './fixtures';

const refreshed: RefresherEvent = {
  detailType: 'Zoho Token Refreshed',
  detail: {
    connectionId: 'books-eu',
    version: 8,
    expiresAt: '2026-11-26T09:00:00.000Z',
    trigger: 'scheduled',
  },
};

describe('EventBridgePublisher', () => {
  const eventBridge = mockClient(EventBridgeClient);
  const publisher = new EventBridgePublisher({
    client: new EventBridgeClient({ region: 'us-east-1' }),
    eventBusName: 'zoho-token-refresher',
  });

  beforeEach(() => {
    eventBridge.reset();
  });

  it('puts one entry with the refresher source, the detail-type and the JSON detail on the bus', async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });

    // Act
    await publisher.publish(refreshed);

    // Assess
    expect(eventBridge).toReceiveCommandTimes(PutEventsCommand, 1);
    expect(eventBridge).toReceiveCommandWith(PutEventsCommand, {
      Entries: [
        {
          Source: 'zoho-token-refresher',
          DetailType: 'Zoho Token Refreshed',
          Detail:
            '{"connectionId":"books-eu","version":8,"expiresAt":"2026-11-26T09:00:00.000Z","trigger":"scheduled"}',
          EventBusName: 'zoho-token-refresher',
        },
      ],
    });
  });

  it('throws a typed error when EventBridge reports a failed entry in a 200 answer', async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });

    // Act
    const error = await rejection(publisher.publish(refreshed));

    // Assess
    expect(error).toBeInstanceOf(EventPublishError);
    expect(error.message).toBe("EventBridge rejected the 'Zoho Token Refreshed' event (InternalFailure)");
  });
});
