import 'aws-sdk-client-mock-vitest/extend';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import { TokenRefreshTimeoutError, ZohoPermissionError } from '../../../functions/consumer/errors';
import {
  authorizationOf,
  BUS,
  CONNECTION_ID,
  HOUR,
  json,
  NOT_AUTHORIZED,
  recordingFetch,
  T0,
  useConsumerWorld,
  zohoAccepting,
} from './fixtures';

const world = useConsumerWorld(T0 + HOUR + 1);
const { eb } = world;

/** The refresher is behind: the stored version 1 expired at T0 + 1 h and the clock is past it. */
describe('createZohoClient().fetch when the stored token has already expired', () => {
  it('reports the expired version as a 401 without a code, waits for the newer one and calls once with it', async () => {
    // Act
    const { fetch, sent } = recordingFetch(zohoAccepting(2));
    const response = await world.client(fetch).fetch('/books/v3/organizations', { requestId: 'req-9' });

    // Assess: the expired token never left the container
    expect(response.status).toBe(200);
    expect(sent.map((request) => request.authorization)).toEqual([authorizationOf(2)]);
    expect(eb).toReceiveCommandTimes(PutEventsCommand, 1);
    expect(eb).toReceiveCommandWith(PutEventsCommand, {
      Entries: [
        {
          EventBusName: BUS,
          Source: 'zoho-token-refresher.consumer.acme-books',
          DetailType: 'Zoho Token Rejected',
          Detail: JSON.stringify({
            connectionId: CONNECTION_ID,
            version: 1,
            status: 401,
            requestId: 'req-9',
          }),
        },
      ],
    });
  });

  it('lets 50 concurrent calls on the expired version share one event and one wait', async () => {
    // Prepare
    const { fetch, sent } = recordingFetch(zohoAccepting(2));
    const zohoClient = world.client(fetch);

    // Act
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => zohoClient.fetch(`/books/v3/items/${i}`)),
    );

    // Assess
    expect(responses.map((response) => response.status)).toEqual(Array(50).fill(200));
    expect(sent).toHaveLength(50);
    expect(new Set(sent.map((request) => request.authorization))).toEqual(new Set([authorizationOf(2)]));
    expect(eb).toReceiveCommandTimes(PutEventsCommand, 1);
  });

  it('treats a 401 to the token that replaced the expired one as final, in this call and the next ones', async () => {
    // Prepare: Zoho refuses every token (a missing scope, say)
    const { fetch, sent } = recordingFetch(() => json(401, NOT_AUTHORIZED));
    const zohoClient = world.client(fetch);

    // Act
    const errors: unknown[] = [];
    for (let i = 0; i < 3; i += 1) {
      errors.push(await zohoClient.fetch('/books/v3/organizations').catch((e: unknown) => e));
    }

    // Assess: one event for the expired version 1; version 2 is never reported
    for (const error of errors) {
      expect(error).toBeInstanceOf(ZohoPermissionError);
      expect(error).toMatchObject({ version: 2, zohoCode: 57 });
    }
    expect(sent.map((request) => request.authorization)).toEqual(Array(3).fill(authorizationOf(2)));
    expect(eb).toReceiveCommandTimes(PutEventsCommand, 1);
    expect(world.stored).toBe(2);
  });

  it('gives up with TokenRefreshTimeoutError, having sent nothing, when no newer version appears', async () => {
    // Prepare
    world.refreshOnReport = false;
    const { fetch, sent } = recordingFetch(zohoAccepting(2));

    // Act
    const error = await world
      .client(fetch, 5_000)
      .fetch('/books/v3/organizations')
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(TokenRefreshTimeoutError);
    expect(error).toMatchObject({
      connectionId: CONNECTION_ID,
      version: 1,
      timeoutMs: 5_000,
      reason: 'expired',
    });
    expect(sent).toHaveLength(0);
    expect(eb).toReceiveCommandTimes(PutEventsCommand, 1);
  });

  it('reports nothing when the refresher stored a newer version between the two reads', async () => {
    // Prepare: the first read finds version 1 expired; the refresh lands before the next one.
    world.refreshLandsOnRead(2);
    const { fetch, sent } = recordingFetch(zohoAccepting(2));

    // Act
    const response = await world.client(fetch).fetch('/books/v3/organizations');

    // Assess
    expect(response.status).toBe(200);
    expect(sent.map((request) => request.authorization)).toEqual([authorizationOf(2)]);
    expect(eb).toReceiveCommandTimes(PutEventsCommand, 0);
  });
});
