import 'aws-sdk-client-mock-vitest/extend';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it, vi } from 'vitest';
import { ZohoPermissionError } from '../../../functions/consumer/errors';
import {
  authorizationOf,
  HOUR,
  json,
  NOT_AUTHORIZED,
  recordingFetch,
  type SentRequest,
  T0,
  useConsumerWorld,
} from './fixtures';

const world = useConsumerWorld();
const { sm, eb } = world;

/** Zoho refuses every token for every request: a missing scope, a wrong organisation or a wrong DC. */
const refuseEverything = () => json(401, NOT_AUTHORIZED);

/** The versions of the "Zoho Token Rejected" events published so far. */
const reportedVersions = () =>
  eb
    .commandCalls(PutEventsCommand)
    .map((call) => JSON.parse(call.args[0].input.Entries?.[0]?.Detail ?? '{}').version as number);

const settle = (call: Promise<Response>) =>
  call.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('createZohoClient().fetch with a standing permission 401', () => {
  it('turns 5 calls into exactly 1 event, 1 wait and 5 ZohoPermissionErrors', async () => {
    // Prepare
    const { fetch, sent } = recordingFetch(refuseEverything);
    const zohoClient = world.client(fetch);
    const waits = vi.spyOn(zohoClient.tokenReader, 'waitForNewerThan');

    // Act
    const errors: unknown[] = [];
    for (let i = 0; i < 5; i += 1) errors.push(await settle(zohoClient.fetch('/books/v3/organizations')));

    // Assess: version 2 answered the only report; every later 401 to it is final at once
    for (const error of errors) {
      expect(error).toBeInstanceOf(ZohoPermissionError);
      expect(error).toMatchObject({ version: 2, zohoCode: 57 });
    }
    expect(reportedVersions()).toEqual([1]);
    expect(waits).toHaveBeenCalledTimes(1);
    expect(world.stored).toBe(2);
    expect(sent.map((request) => request.authorization)).toEqual([
      authorizationOf(1),
      ...Array(5).fill(authorizationOf(2)),
    ]);
    expect(world.clock.sleeps).toEqual([]);
    expect(sm).toReceiveCommandTimes(GetSecretValueCommand, 2);
  });

  it('turns 20 concurrent and then 5 sequential calls into 1 event and 1 wait', async () => {
    // Prepare
    const { fetch, sent } = recordingFetch(refuseEverything);
    const zohoClient = world.client(fetch);
    const waits = vi.spyOn(zohoClient.tokenReader, 'waitForNewerThan');

    // Act
    const concurrent = await Promise.all(
      Array.from({ length: 20 }, (_, i) => settle(zohoClient.fetch(`/books/v3/items/${i}`))),
    );
    const sequential: unknown[] = [];
    for (let i = 0; i < 5; i += 1) sequential.push(await settle(zohoClient.fetch('/books/v3/items')));

    // Assess: 20 calls sent version 1 and then version 2; the 5 later ones sent version 2 only
    expect([...concurrent, ...sequential].every((error) => error instanceof ZohoPermissionError)).toBe(true);
    expect(reportedVersions()).toEqual([1]);
    expect(waits).toHaveBeenCalledTimes(1);
    expect(sent).toHaveLength(45);
    expect(sent.filter((request) => request.authorization === authorizationOf(1))).toHaveLength(20);
  });

  it('answers only 401s from memory: a request Zoho accepts with that version still succeeds', async () => {
    // Prepare: the organisation of /bad is wrong; /good is fine with any current token
    const { fetch, sent } = recordingFetch((request: SentRequest) =>
      request.url.endsWith('/good') && request.authorization === authorizationOf(2)
        ? json(200, { code: 0 })
        : json(401, NOT_AUTHORIZED),
    );
    const zohoClient = world.client(fetch);
    await settle(zohoClient.fetch('/bad'));

    // Act
    const good = await zohoClient.fetch('/good');
    const bad = await settle(zohoClient.fetch('/bad'));

    // Assess
    expect(good.status).toBe(200);
    expect(bad).toBeInstanceOf(ZohoPermissionError);
    expect(reportedVersions()).toEqual([1]);
    expect(sent.map((request) => [new URL(request.url).pathname, request.authorization])).toEqual([
      ['/bad', authorizationOf(1)],
      ['/bad', authorizationOf(2)],
      ['/good', authorizationOf(2)],
      ['/bad', authorizationOf(2)],
    ]);
  });

  it('tries a newer version from the scheduled refresh once: one more event, then final again', async () => {
    // Prepare: version 2 failed on permission; the scheduled refresh stores version 3 and the
    // cache of version 2 ends (it expires at T0 + 2 h; the cache ends a minute earlier)
    const { fetch, sent } = recordingFetch(refuseEverything);
    const zohoClient = world.client(fetch);
    const waits = vi.spyOn(zohoClient.tokenReader, 'waitForNewerThan');
    await settle(zohoClient.fetch('/books/v3/organizations'));
    world.stored = 3;
    world.clock.current = T0 + 2 * HOUR - 30_000;

    // Act
    const errors: unknown[] = [];
    for (let i = 0; i < 3; i += 1) errors.push(await settle(zohoClient.fetch('/books/v3/organizations')));

    // Assess: version 3 was reported once, its replacement (4) failed and is final from then on
    expect(errors.map((error) => (error as ZohoPermissionError).version)).toEqual([4, 4, 4]);
    expect(errors.every((error) => error instanceof ZohoPermissionError)).toBe(true);
    expect(reportedVersions()).toEqual([1, 3]);
    expect(waits).toHaveBeenCalledTimes(2);
    expect(world.stored).toBe(4);
    expect(sent.map((request) => request.authorization)).toEqual([
      authorizationOf(1),
      authorizationOf(2),
      authorizationOf(3),
      authorizationOf(4),
      authorizationOf(4),
      authorizationOf(4),
    ]);
  });
});
