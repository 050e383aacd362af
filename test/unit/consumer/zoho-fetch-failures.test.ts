import 'aws-sdk-client-mock-vitest/extend';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  TokenRefreshTimeoutError,
  TokenRejectionReportError,
  ZohoPermissionError,
} from '../../../functions/consumer/errors';
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

describe('createZohoClient().fetch when the retry cannot help', () => {
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

  it('turns a second 401 with the new token into ZohoPermissionError, with no further event', async () => {
    // Prepare: Zoho rejects every token (missing scope, wrong organisation or wrong DC).
    const { fetch, sent } = recordingFetch(() => json(401, NOT_AUTHORIZED));

    // Act
    const error = await client(fetch)
      .fetch('/books/v3/organizations')
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ZohoPermissionError);
    expect(error).toMatchObject({ code: 'zoho_permission', version: 2, status: 401, zohoCode: 57 });
    expect((error as Error).message).toMatch(/scope.*organization_id.*data centre/);
    expect((error as Error).message).not.toContain('test-at-');
    expect(sent.map((request) => request.authorization)).toEqual([authorizationOf(1), authorizationOf(2)]);
    expect(eb).toReceiveCommandTimes(PutEventsCommand, 1);
  });

  it.each([429, 403, 500])('returns a %i as is, with no event and no retry', async (status) => {
    // Prepare
    const { fetch, sent } = recordingFetch(() => json(status, { code: 44, message: 'limit' }));

    // Act
    const response = await client(fetch).fetch('/books/v3/contacts');

    // Assess
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ code: 44, message: 'limit' });
    expect(sent).toHaveLength(1);
    expect(eb).toReceiveCommandTimes(PutEventsCommand, 0);
    expect(sm).toReceiveCommandTimes(GetSecretValueCommand, 1);
  });

  it('gives up with TokenRefreshTimeoutError when no newer version appears in time', async () => {
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
    expect(clock.sleeps).toEqual([250, 500, 1_000, 2_000, 1_250]);
    expect(sent).toHaveLength(1);
    expect(eb).toReceiveCommandTimes(PutEventsCommand, 1);
    expect(sm).toReceiveCommandTimes(GetSecretValueCommand, 7);
  });

  it('fails with TokenRejectionReportError when EventBridge does not take the event', async () => {
    // Prepare
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'AccessDenied' }] });
    const { fetch, sent } = recordingFetch(zoho(2));

    // Act
    const error = await client(fetch)
      .fetch('/books/v3/organizations')
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(TokenRejectionReportError);
    expect((error as Error).message).toContain('AccessDenied');
    expect(sent).toHaveLength(1);
    expect(sm).toReceiveCommandTimes(GetSecretValueCommand, 1);
  });
});
