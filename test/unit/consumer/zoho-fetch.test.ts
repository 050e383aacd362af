import 'aws-sdk-client-mock-vitest/extend';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { ForeignOriginError } from '../../../functions/consumer/errors';
import {
  authorizationOf,
  BUS,
  CONNECTION_ID,
  json,
  NOT_AUTHORIZED,
  recordingFetch,
  useConsumerWorld,
  zohoAccepting,
} from './fixtures';

const world = useConsumerWorld();
const { sm, eb } = world;

describe('createZohoClient().fetch', () => {
  it('sends the token in the Zoho header to a path on the api_domain', async () => {
    // Prepare
    const { fetch, sent } = recordingFetch(zohoAccepting(1));

    // Act
    const response = await world.client(fetch).fetch('/books/v3/organizations?page=2', {
      method: 'POST',
      body: 'x=1',
      headers: { Authorization: 'Bearer other', Accept: 'application/json' },
    });

    // Assess
    expect(response.status).toBe(200);
    expect(sent).toEqual([
      {
        url: 'https://www.zohoapis.eu/books/v3/organizations?page=2',
        method: 'POST',
        authorization: authorizationOf(1),
        body: 'x=1',
      },
    ]);
  });

  it('refuses to send the token to another origin', async () => {
    // Prepare
    const { fetch, sent } = recordingFetch(zohoAccepting(2));

    // Act
    const error = await world
      .client(fetch)
      .fetch('https://attacker.example/books/v3/organizations')
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ForeignOriginError);
    expect(sent).toHaveLength(0);
  });

  it('on a 401 reports the version once, waits for a newer one and retries with it', async () => {
    // Prepare: the refresh lands after two polls.
    world.refreshLandsOnRead(3);
    const { fetch, sent } = recordingFetch(zohoAccepting(2));

    // Act
    const response = await world.client(fetch).fetch('/books/v3/invoices', { requestId: 'req-1' });

    // Assess
    expect(response.status).toBe(200);
    expect(sent.map((request) => request.authorization)).toEqual([authorizationOf(1), authorizationOf(2)]);
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
            code: 57,
            requestId: 'req-1',
          }),
        },
      ],
    });
    expect(world.clock.sleeps).toEqual([250]);
    expect(sm).toReceiveCommandTimes(GetSecretValueCommand, 3);
  });

  it('leaves code out of the event when the 401 body is not JSON', async () => {
    // Prepare
    const { fetch } = recordingFetch((request) =>
      request.authorization === authorizationOf(2)
        ? json(200, {})
        : new Response('<html>no</html>', { status: 401 }),
    );

    // Act
    await world.client(fetch).fetch('/books/v3/items');

    // Assess
    const entry = eb.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0];
    expect(JSON.parse(entry?.Detail ?? '')).toEqual({ connectionId: CONNECTION_ID, version: 1, status: 401 });
  });

  it('lets 100 concurrent calls that hit a 401 on one version share one event and one wait', async () => {
    // Prepare
    const { fetch, sent } = recordingFetch(zohoAccepting(2));
    const zohoClient = world.client(fetch);

    // Act
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) => zohoClient.fetch(`/books/v3/items/${i}`)),
    );

    // Assess
    expect(eb).toReceiveCommandTimes(PutEventsCommand, 1);
    expect(responses.map((response) => response.status)).toEqual(Array(100).fill(200));
    expect(sent).toHaveLength(200);
    for (let i = 0; i < 100; i += 1) {
      const url = `https://www.zohoapis.eu/books/v3/items/${i}`;
      const attempts = sent.filter((request) => request.url === url).map((request) => request.authorization);
      expect(attempts).toEqual([authorizationOf(1), authorizationOf(2)]);
    }
  });

  it('retries a late 401 of an already replaced version with the newer token, reporting nothing more', async () => {
    // Prepare: the "late" request is held until another call has finished the refresh.
    let releaseLate: (response: Response) => void = () => undefined;
    const late = new Promise<Response>((resolve) => {
      releaseLate = resolve;
    });
    const { fetch, sent } = recordingFetch((request) =>
      request.url.endsWith('/late') && request.authorization === authorizationOf(1)
        ? late
        : zohoAccepting(2)(request),
    );
    const zohoClient = world.client(fetch);
    await zohoClient.tokenReader.getToken();
    const lateCall = zohoClient.fetch('/late');

    // Act
    const early = await zohoClient.fetch('/early');
    releaseLate(json(401, NOT_AUTHORIZED));
    const lateResponse = await lateCall;

    // Assess
    expect([early.status, lateResponse.status]).toEqual([200, 200]);
    expect(eb).toReceiveCommandTimes(PutEventsCommand, 1);
    expect(sent.filter((request) => request.url.endsWith('/late')).map((r) => r.authorization)).toEqual([
      authorizationOf(1),
      authorizationOf(2),
    ]);
  });
});
