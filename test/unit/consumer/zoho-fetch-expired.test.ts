import 'aws-sdk-client-mock-vitest/extend';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { TokenRefreshTimeoutError, ZohoPermissionError } from '../../../functions/consumer/errors';
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

/** The refresher is behind: the stored version 1 expired at T0 + 1 h and the clock is past it. */
describe('createZohoClient().fetch when the stored token has already expired', () => {
  let clock: RecordingClock;
  /** The stored token version; a PutEvents "refreshes" it when `refreshOnReport` is set. */
  let stored: number;
  let refreshOnReport: boolean;

  beforeEach(() => {
    sm.reset();
    eb.reset();
    clock = new RecordingClock(T0 + HOUR + 1);
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

  /** Zoho: only the token of `validVersion` is accepted. */
  const zoho = (validVersion: number) => (request: SentRequest) =>
    request.authorization === authorizationOf(validVersion)
      ? json(200, { code: 0, message: 'success' })
      : json(401, NOT_AUTHORIZED);

  it('reports the expired version as a 401 without a code, waits for the newer one and calls once with it', async () => {
    // Act
    const { fetch, sent } = recordingFetch(zoho(2));
    const response = await client(fetch).fetch('/books/v3/organizations', { requestId: 'req-9' });

    // Assess: the expired token never left the container
    expect(response.status).toBe(200);
    expect(sent.map((request) => request.authorization)).toEqual([authorizationOf(2)]);
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
            requestId: 'req-9',
          }),
        },
      ],
    });
  });

  it('lets 50 concurrent calls on the expired version share one event and one wait', async () => {
    // Prepare
    const { fetch, sent } = recordingFetch(zoho(2));
    const zohoClient = client(fetch);

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

  it('treats a 401 to the token that replaced the expired one as final: ZohoPermissionError, no second event', async () => {
    // Prepare: Zoho refuses every token (a missing scope, say)
    const { fetch, sent } = recordingFetch(() => json(401, NOT_AUTHORIZED));

    // Act
    const error = await client(fetch)
      .fetch('/books/v3/organizations')
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ZohoPermissionError);
    expect(error).toMatchObject({ version: 2, zohoCode: 57 });
    expect(sent.map((request) => request.authorization)).toEqual([authorizationOf(2)]);
    expect(eb).toReceiveCommandTimes(PutEventsCommand, 1);
  });

  it('gives up with TokenRefreshTimeoutError, having sent nothing, when no newer version appears', async () => {
    // Prepare
    refreshOnReport = false;
    const { fetch, sent } = recordingFetch(zoho(2));

    // Act
    const error = await client(fetch, 5_000)
      .fetch('/books/v3/organizations')
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(TokenRefreshTimeoutError);
    expect(error).toMatchObject({ connectionId: CONNECTION_ID, version: 1, timeoutMs: 5_000 });
    expect(sent).toHaveLength(0);
    expect(eb).toReceiveCommandTimes(PutEventsCommand, 1);
  });

  it('reports nothing when the refresher stored a newer version between the two reads', async () => {
    // Prepare: the first read finds version 1 expired; the refresh lands before the next one.
    let reads = 0;
    sm.on(GetSecretValueCommand).callsFake(async () => {
      reads += 1;
      const version = reads >= 2 ? 2 : 1;
      return { SecretString: secretString(version, T0 + version * HOUR) };
    });
    const { fetch, sent } = recordingFetch(zoho(2));

    // Act
    const response = await client(fetch).fetch('/books/v3/organizations');

    // Assess
    expect(response.status).toBe(200);
    expect(sent.map((request) => request.authorization)).toEqual([authorizationOf(2)]);
    expect(eb).toReceiveCommandTimes(PutEventsCommand, 0);
  });
});
