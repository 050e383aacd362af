import 'aws-sdk-client-mock-vitest/extend';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it, vi } from 'vitest';
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
  T0,
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
    expect(error).toMatchObject({
      connectionId: CONNECTION_ID,
      version: 1,
      timeoutMs: 5_000,
      reason: 'rejected',
    });
    expect((error as Error).message).toContain('after Zoho rejected it');
    expect(world.clock.sleeps).toEqual([250, 500, 1_000, 2_000, 1_250]);
    expect(sent).toHaveLength(1);
    expect(eb).toReceiveCommandTimes(PutEventsCommand, 1);
    expect(sm).toReceiveCommandTimes(GetSecretValueCommand, 7);
  });

  it('after a timed-out wait, answers a 401 to that version at once for 60 s: no event, no read, no wait', async () => {
    // Prepare: one call timed out waiting for a version newer than 1
    world.refreshOnReport = false;
    const { fetch, sent } = recordingFetch(zohoAccepting(2));
    const zohoClient = world.client(fetch, 5_000);
    await zohoClient.fetch('/books/v3/organizations').catch(() => undefined);
    const waits = vi.spyOn(zohoClient.tokenReader, 'waitForNewerThan');

    // Act: three more calls within the window
    const errors = await Promise.all(
      [1, 2, 3].map(() => zohoClient.fetch('/books/v3/organizations').catch((e: unknown) => e)),
    );

    // Assess: each sent the cached version 1 once and failed at once on its 401
    for (const error of errors) {
      expect(error).toBeInstanceOf(TokenRefreshTimeoutError);
      expect(error).toMatchObject({ version: 1, reason: 'rejected', failedFast: true, retryAt: T0 + 65_000 });
    }
    expect(sent.map((request) => request.authorization)).toEqual(Array(4).fill(authorizationOf(1)));
    expect(eb).toReceiveCommandTimes(PutEventsCommand, 1);
    expect(waits).not.toHaveBeenCalled();
    expect(world.clock.sleeps).toEqual([250, 500, 1_000, 2_000, 1_250]);
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
