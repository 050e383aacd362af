import 'aws-sdk-client-mock-vitest/extend';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ForeignOriginError } from '../../../functions/consumer/errors';
import { createZohoClient, type FetchFunction } from '../../../functions/consumer/zoho-fetch';
import {
  authorizationOf,
  BUS,
  CONNECTION_ID,
  HOUR,
  json,
  NOT_AUTHORIZED,
  RecordingClock,
  recordingFetch,
  type SentRequest,
  secretString,
  T0,
} from './fixtures';

const sm = mockClient(SecretsManagerClient);
const eb = mockClient(EventBridgeClient);

describe('createZohoClient().fetch', () => {
  let clock: RecordingClock;
  /** The stored token version; a PutEvents "refreshes" it when `refreshOnReport` is set. */
  let stored: number;
  let refreshOnReport: boolean;

  beforeEach(() => {
    sm.reset();
    eb.reset();
    clock = new RecordingClock();
    stored = 1;
    refreshOnReport = true;
    sm.on(GetSecretValueCommand).callsFake(async () => ({
      SecretString: secretString(stored, T0 + stored * HOUR),
    }));
    eb.on(PutEventsCommand).callsFake(async () => {
      if (refreshOnReport) stored += 1;
      return { FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] };
    });
  });

  function client(fetch: FetchFunction, timeoutMs?: number) {
    return createZohoClient({
      connectionId: CONNECTION_ID,
      eventBusName: BUS,
      secretsClient: new SecretsManagerClient({ region: 'eu-west-1' }),
      eventBridgeClient: new EventBridgeClient({ region: 'eu-west-1' }),
      fetch,
      clock,
      waitForRefresh: timeoutMs === undefined ? undefined : { timeoutMs },
    });
  }

  /** Zoho: only the token of `validVersion` is accepted (the older one was revoked or evicted). */
  const zoho = (validVersion: number) => (request: SentRequest) =>
    request.authorization === authorizationOf(validVersion)
      ? json(200, { code: 0, message: 'success' })
      : json(401, NOT_AUTHORIZED);

  it('sends the token in the Zoho header to a path on the api_domain', async () => {
    // Prepare
    const { fetch, sent } = recordingFetch(zoho(1));

    // Act
    const response = await client(fetch).fetch('/books/v3/organizations?page=2', {
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
    const { fetch, sent } = recordingFetch(zoho(2));

    // Act
    const error = await client(fetch)
      .fetch('https://attacker.example/books/v3/organizations')
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ForeignOriginError);
    expect(sent).toHaveLength(0);
  });

  it('on a 401 reports the version once, waits for a newer one and retries with it', async () => {
    // Prepare: the refresh lands after two polls.
    refreshOnReport = false;
    let reads = 0;
    sm.on(GetSecretValueCommand).callsFake(async () => {
      reads += 1;
      const version = reads >= 3 ? 2 : 1;
      return { SecretString: secretString(version, T0 + version * HOUR) };
    });
    const { fetch, sent } = recordingFetch(zoho(2));

    // Act
    const response = await client(fetch).fetch('/books/v3/invoices', { requestId: 'req-1' });

    // Assess
    expect(response.status).toBe(200);
    expect(sent.map((request) => request.authorization)).toEqual([authorizationOf(1), authorizationOf(2)]);
    expect(eb).toReceiveCommandTimes(PutEventsCommand, 1);
    expect(eb).toReceiveCommandWith(PutEventsCommand, {
      Entries: [
        {
          EventBusName: BUS,
          Source: 'zoho-token-refresher.consumer',
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
    expect(clock.sleeps).toEqual([250]);
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
    await client(fetch).fetch('/books/v3/items');

    // Assess
    const entry = eb.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0];
    expect(JSON.parse(entry?.Detail ?? '')).toEqual({ connectionId: CONNECTION_ID, version: 1, status: 401 });
  });

  it('lets 100 concurrent calls that hit a 401 on one version share one event and one wait', async () => {
    // Prepare
    const { fetch, sent } = recordingFetch(zoho(2));
    const zohoClient = client(fetch);

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
      request.url.endsWith('/late') && request.authorization === authorizationOf(1) ? late : zoho(2)(request),
    );
    const zohoClient = client(fetch);
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
