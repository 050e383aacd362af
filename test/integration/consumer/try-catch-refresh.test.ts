import { afterEach, describe, expect, it } from 'vitest';
import { ZohoPermissionError } from '../../../functions/consumer/errors';
import { useEngineWorld } from '../engine/world';
import { takeEvents } from '../engine/world-reads';
import {
  connectAtVersion1,
  storedAccessToken,
  useConsumerContainers,
  versionsOf,
} from './consumer-container';

const world = useEngineWorld();
const startContainer = useConsumerContainers(world);
const ORGANIZATIONS = '/books/v3/organizations';

/** What the simulator has counted so far, to assert on differences. */
function simCounts(refreshToken: string) {
  const { calls } = world().sim;
  return {
    tokenCalls: calls.tokenCallsFor(refreshToken),
    token: calls.token,
    books: calls.books,
    books401: calls.books401,
  };
}

function countsSince(before: ReturnType<typeof simCounts>, refreshToken: string) {
  const now = simCounts(refreshToken);
  return {
    tokenCalls: now.tokenCalls - before.tokenCalls,
    token: now.token - before.token,
    books: now.books - before.books,
    books401: now.books401 - before.books401,
  };
}

/** Events still queued for the on-demand function (the drain deletes what it delivered). */
const queuedRejections = () => takeEvents(world().clients.sqs, world().resources.rejectedQueueUrl);

describe('the consumer against Zoho Books, the bus and the on-demand refresher', () => {
  afterEach(async () => {
    world().sim.faults.clear();
    // A test that failed may leave its event queued: it must not spill into the next test's counts.
    await queuedRejections();
  });

  it('reports an expired token once, waits for the on-demand refresh and retries with version 2', async () => {
    // Prepare: version 1 stored and used once by a container
    const w = world();
    const id = 'loop-books';
    const refreshToken = await connectAtVersion1(w, id);
    const container = startContainer(id);
    expect((await container.zoho.fetch(ORGANIZATIONS)).status).toBe(200);
    const v1 = await storedAccessToken(w, id, 1);
    const before = simCounts(refreshToken);
    // A minute on, so the history's newest-first order is defined.
    w.clock.advance(60_000);
    w.sim.expireAccessTokens(refreshToken);

    // Act: the call meets the 401; the bus's queue is drained into the on-demand handler meanwhile
    const call = container.zoho.fetch(ORGANIZATIONS, { requestId: 'req-loop-1' });
    const delivered = await w.pumpRejected(call);
    const response = await call;

    // Assess: one 401, one event, one Zoho refresh, the retry accepted with version 2
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ code: 0, message: 'success' });
    expect(countsSince(before, refreshToken)).toEqual({ tokenCalls: 1, token: 1, books: 2, books401: 1 });
    expect(delivered).toBe(1);
    expect(container.events.sent).toEqual(['PutEventsCommand']);
    expect(container.events.eventDetails).toEqual([
      { connectionId: id, version: 1, status: 401, code: 57, requestId: 'req-loop-1' },
    ]);
    expect(container.events.eventSources).toEqual([`zoho-token-refresher.consumer.${id}`]);
    const v2 = await storedAccessToken(w, id, 2);
    expect(versionsOf(container.sentTokens, { [v1]: 'v1', [v2]: 'v2' })).toEqual(['v1', 'v1', 'v2']);
    // Polls read version 1 until the refresh landed, then version 2 once; the retry took it from the cache.
    const reads = [...container.secrets.versionsRead];
    expect(reads.filter((version) => version !== 1)).toEqual([2]);
    expect(reads.at(-1)).toBe(2);
    expect(container.secrets.sent.every((name) => name === 'GetSecretValueCommand')).toBe(true);
    expect((await container.zoho.tokenReader.getToken()).version).toBe(2);
    expect(container.secrets.versionsRead).toEqual(reads);
    const history = await w.ports.store.listHistory(id, 10);
    expect(history.map((entry) => [entry.trigger, entry.outcome, entry.version, entry.zohoCalls])).toEqual([
      ['on_demand', 'refreshed', 2, 1],
      ['scheduled', 'refreshed', 1, 1],
    ]);
    expect(await queuedRejections()).toEqual([]);
  });

  it('throws ZohoPermissionError when Zoho refuses the refreshed token too, after one refresh and one event', async () => {
    // Prepare: a valid token that Zoho answers with 401 code 57 (a missing scope, a wrong organisation)
    const w = world();
    const id = 'scope-books';
    const refreshToken = await connectAtVersion1(w, id);
    const container = startContainer(id);
    await container.zoho.tokenReader.getToken();
    const v1 = await storedAccessToken(w, id, 1);
    const before = simCounts(refreshToken);
    w.sim.faults.set('books', 'books-401');

    // Act
    const call = container.zoho.fetch(ORGANIZATIONS, { requestId: 'req-scope-1' });
    const delivered = await w.pumpRejected(call);
    const error: unknown = await call.then(
      () => expect.fail('the second 401 must throw'),
      (thrown: unknown) => thrown,
    );

    // Assess: the new version was refused too; no second event, no second refresh
    expect(error).toBeInstanceOf(ZohoPermissionError);
    expect(error).toMatchObject({ connectionId: id, version: 2, status: 401, zohoCode: 57 });
    expect(countsSince(before, refreshToken)).toEqual({ tokenCalls: 1, token: 1, books: 2, books401: 2 });
    expect(delivered).toBe(1);
    expect(container.events.sent).toEqual(['PutEventsCommand']);
    expect(container.events.eventDetails).toEqual([
      { connectionId: id, version: 1, status: 401, code: 57, requestId: 'req-scope-1' },
    ]);
    const v2 = await storedAccessToken(w, id, 2);
    expect(versionsOf(container.sentTokens, { [v1]: 'v1', [v2]: 'v2' })).toEqual(['v1', 'v2']);
    expect(await queuedRejections()).toEqual([]);
    expect((await w.ports.store.get(id))?.version).toBe(2);
  });

  it('returns a 429 as Zoho sent it, with no event and no refresh', async () => {
    // Prepare
    const w = world();
    const id = 'rate-books';
    const refreshToken = await connectAtVersion1(w, id);
    const container = startContainer(id);
    await container.zoho.tokenReader.getToken();
    const v1 = await storedAccessToken(w, id, 1);
    const before = simCounts(refreshToken);
    w.sim.faults.queue('books', 'books-429');

    // Act
    const response = await container.zoho.fetch(ORGANIZATIONS, { requestId: 'req-rate-1' });

    // Assess: Zoho's answer untouched, nothing reported, nothing refreshed, nothing re-read
    expect(response.status).toBe(429);
    expect(await response.json()).toEqual({
      code: 44,
      message: 'You have made too many requests. Please try again after some time.',
    });
    expect(countsSince(before, refreshToken)).toEqual({ tokenCalls: 0, token: 0, books: 1, books401: 0 });
    expect(container.events.sent).toEqual([]);
    expect(container.secrets.sent).toEqual(['GetSecretValueCommand']);
    expect(versionsOf(container.sentTokens, { [v1]: 'v1' })).toEqual(['v1']);
    expect(await queuedRejections()).toEqual([]);
    expect((await w.ports.store.get(id))?.version).toBe(1);
  });

  it('heals a token the refresher let expire: reports it without a code, never sends it, calls with version 2', async () => {
    // Prepare: version 1 stored, then no sweep at all until it has expired. Last in the file: the
    // clock it moves makes every other connection of the world due as well.
    const w = world();
    const id = 'behind-books';
    const refreshToken = await connectAtVersion1(w, id);
    const container = startContainer(id);
    const v1 = await storedAccessToken(w, id, 1);
    w.clock.advance(60 * 60_000 + 1_000);
    const before = simCounts(refreshToken);

    // Act: the bus's queue is drained into the on-demand handler while the call waits
    const call = container.zoho.fetch(ORGANIZATIONS, { requestId: 'req-behind-1' });
    const delivered = await w.pumpRejected(call);
    const response = await call;

    // Assess: one event for version 1 (no Zoho code: Zoho was never asked), one refresh, one Books call
    expect(response.status).toBe(200);
    expect(countsSince(before, refreshToken)).toEqual({ tokenCalls: 1, token: 1, books: 1, books401: 0 });
    expect(delivered).toBe(1);
    expect(container.events.eventDetails).toEqual([
      { connectionId: id, version: 1, status: 401, requestId: 'req-behind-1' },
    ]);
    const v2 = await storedAccessToken(w, id, 2);
    expect(versionsOf(container.sentTokens, { [v1]: 'v1', [v2]: 'v2' })).toEqual(['v2']);
    const history = await w.ports.store.listHistory(id, 10);
    expect(history.map((entry) => [entry.trigger, entry.outcome, entry.version])).toEqual([
      ['on_demand', 'refreshed', 2],
      ['scheduled', 'refreshed', 1],
    ]);
    expect(await queuedRejections()).toEqual([]);
    await w.ports.store.setStatus(id, 'disabled');
  });
});
