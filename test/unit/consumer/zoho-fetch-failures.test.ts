import 'aws-sdk-client-mock-vitest/extend';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import {
  TokenRefreshTimeoutError,
  TokenRejectionReportError,
  ZohoPermissionError,
} from '../../../functions/consumer/errors';
import {
  authorizationOf,
  CONNECTION_ID,
  json,
  NOT_AUTHORIZED,
  recordingFetch,
  useConsumerWorld,
  zohoAccepting,
} from './fixtures';

const world = useConsumerWorld();
const { sm, eb } = world;

describe('createZohoClient().fetch when the retry cannot help', () => {
  it('turns a second 401 with the new token into ZohoPermissionError, with no further event', async () => {
    // Prepare: Zoho rejects every token (missing scope, wrong organisation or wrong DC).
    const { fetch, sent } = recordingFetch(() => json(401, NOT_AUTHORIZED));

    // Act
    const error = await world
      .client(fetch)
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
    const response = await world.client(fetch).fetch('/books/v3/contacts');

    // Assess
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ code: 44, message: 'limit' });
    expect(sent).toHaveLength(1);
    expect(eb).toReceiveCommandTimes(PutEventsCommand, 0);
    expect(sm).toReceiveCommandTimes(GetSecretValueCommand, 1);
  });

  it('gives up with TokenRefreshTimeoutError when no newer version appears in time', async () => {
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
    expect(error).toMatchObject({ connectionId: CONNECTION_ID, version: 1, timeoutMs: 5_000 });
    expect(world.clock.sleeps).toEqual([250, 500, 1_000, 2_000, 1_250]);
    expect(sent).toHaveLength(1);
    expect(eb).toReceiveCommandTimes(PutEventsCommand, 1);
    expect(sm).toReceiveCommandTimes(GetSecretValueCommand, 7);
  });

  it('fails with TokenRejectionReportError when EventBridge does not take the event', async () => {
    // Prepare
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'AccessDenied' }] });
    const { fetch, sent } = recordingFetch(zohoAccepting(2));

    // Act
    const error = await world
      .client(fetch)
      .fetch('/books/v3/organizations')
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(TokenRejectionReportError);
    expect((error as Error).message).toContain('AccessDenied');
    expect(sent).toHaveLength(1);
    expect(sm).toReceiveCommandTimes(GetSecretValueCommand, 1);
  });
});
