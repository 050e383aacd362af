import 'aws-sdk-client-mock-vitest/extend';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it, vi } from 'vitest';
import { TokenRefreshTimeoutError } from '../../../functions/consumer/errors';
import {
  authorizationOf,
  CONNECTION_ID,
  HOUR,
  recordingFetch,
  T0,
  useConsumerWorld,
  zohoAccepting,
} from './fixtures';

const START = T0 + HOUR + 1;
const world = useConsumerWorld(START);
const { sm, eb } = world;
const TIMEOUT = 5_000;
/** The backoff of one 5 s wait with the default delays. */
const ONE_WAIT = [250, 500, 1_000, 2_000, 1_250];

const settle = (call: Promise<Response>) =>
  call.then(
    () => undefined,
    (error: unknown) => error,
  );

/**
 * The stored version 1 expired at T0 + 1 h and the connection cannot be refreshed (not active, or
 * throttled): reports change nothing.
 */
describe('createZohoClient().fetch when an expired token is not replaced', () => {
  it('waits once, then fails fast for 60 s: one event, one wait, one read per later call', async () => {
    // Prepare
    world.refreshOnReport = false;
    const { fetch, sent } = recordingFetch(zohoAccepting(2));
    const zohoClient = world.client(fetch, TIMEOUT);
    const waits = vi.spyOn(zohoClient.tokenReader, 'waitForNewerThan');

    // Act
    const first = await settle(zohoClient.fetch('/books/v3/organizations'));
    const readsAfterFirst = sm.commandCalls(GetSecretValueCommand).length;
    const later: unknown[] = [];
    for (let i = 0; i < 4; i += 1) later.push(await settle(zohoClient.fetch('/books/v3/organizations')));

    // Assess: the first call read, reported, read again and polled (1 + 1 + 6 reads) for 5 s
    const retryAt = START + TIMEOUT + 60_000;
    expect(first).toBeInstanceOf(TokenRefreshTimeoutError);
    expect(first).toMatchObject({ version: 1, reason: 'expired', failedFast: false, retryAt });
    expect(readsAfterFirst).toBe(8);
    for (const error of later) {
      expect(error).toBeInstanceOf(TokenRefreshTimeoutError);
      expect(error).toMatchObject({ version: 1, reason: 'expired', failedFast: true, retryAt });
    }
    expect(eb).toReceiveCommandTimes(PutEventsCommand, 1);
    expect(waits).toHaveBeenCalledTimes(1);
    expect(world.clock.sleeps).toEqual(ONE_WAIT);
    expect(sm).toReceiveCommandTimes(GetSecretValueCommand, 8 + 4);
    expect(sent).toHaveLength(0);
  });

  it('says the stored token expired, not that Zoho rejected it, and never quotes a token', async () => {
    // Prepare
    world.refreshOnReport = false;
    const { fetch } = recordingFetch(zohoAccepting(2));
    const zohoClient = world.client(fetch, TIMEOUT);

    // Act
    const waited = (await settle(zohoClient.fetch('/x'))) as Error;
    const fast = (await settle(zohoClient.fetch('/x'))) as Error;

    // Assess
    for (const error of [waited, fast]) {
      expect(error.message).toContain(
        `stored access token of connection '${CONNECTION_ID}' (version 1) has expired`,
      );
      expect(error.message).not.toContain('Zoho rejected');
      expect(error.message).not.toContain('test-at-');
    }
    expect(fast.message).toContain('not reported or awaited again before');
  });

  it('reports and waits once more when the 60 s have passed', async () => {
    // Prepare: one timed-out wait, then the window passes
    world.refreshOnReport = false;
    const { fetch } = recordingFetch(zohoAccepting(2));
    const zohoClient = world.client(fetch, TIMEOUT);
    const waits = vi.spyOn(zohoClient.tokenReader, 'waitForNewerThan');
    await settle(zohoClient.fetch('/x'));
    world.clock.current = START + TIMEOUT + 60_000;

    // Act
    const again = await settle(zohoClient.fetch('/x'));
    const fastAgain = await settle(zohoClient.fetch('/x'));

    // Assess: a second event and a second wait, then a new window
    expect(again).toMatchObject({ failedFast: false, retryAt: START + 2 * TIMEOUT + 2 * 60_000 });
    expect(fastAgain).toMatchObject({ failedFast: true, retryAt: START + 2 * TIMEOUT + 2 * 60_000 });
    expect(eb).toReceiveCommandTimes(PutEventsCommand, 2);
    expect(waits).toHaveBeenCalledTimes(2);
    expect(world.clock.sleeps).toEqual([...ONE_WAIT, ...ONE_WAIT]);
  });

  it('uses a newer version as soon as one is stored, inside the window too', async () => {
    // Prepare: the wait timed out; then an operator fixes the connection and version 2 is stored
    world.refreshOnReport = false;
    const { fetch, sent } = recordingFetch(zohoAccepting(2));
    const zohoClient = world.client(fetch, TIMEOUT);
    await settle(zohoClient.fetch('/x'));
    world.stored = 2;

    // Act
    const response = await zohoClient.fetch('/x');

    // Assess: one read found version 2; no event, no wait
    expect(response.status).toBe(200);
    expect(sent.map((request) => request.authorization)).toEqual([authorizationOf(2)]);
    expect(eb).toReceiveCommandTimes(PutEventsCommand, 1);
    expect(world.clock.sleeps).toEqual(ONE_WAIT);
    expect(sm).toReceiveCommandTimes(GetSecretValueCommand, 8 + 1);
  });

  it('waits every time when failFastMs is 0', async () => {
    // Prepare
    world.refreshOnReport = false;
    const { fetch } = recordingFetch(zohoAccepting(2));
    const zohoClient = world.client(fetch, TIMEOUT, 0);

    // Act
    await settle(zohoClient.fetch('/x'));
    const second = await settle(zohoClient.fetch('/x'));

    // Assess
    expect(second).toMatchObject({ failedFast: false });
    expect(eb).toReceiveCommandTimes(PutEventsCommand, 2);
    expect(world.clock.sleeps).toEqual([...ONE_WAIT, ...ONE_WAIT]);
  });
});
