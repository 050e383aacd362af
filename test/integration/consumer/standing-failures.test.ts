import { afterEach, describe, expect, it } from 'vitest';
import { TokenRefreshTimeoutError, ZohoPermissionError } from '../../../functions/consumer/errors';
import { useEngineWorld } from '../engine/world';
import { takeEvents } from '../engine/world-reads';
import {
  type ConsumerContainer,
  connectAtVersion1,
  storedAccessToken,
  useConsumerContainers,
  versionsOf,
} from './consumer-container';

const world = useEngineWorld();
const startContainer = useConsumerContainers(world);
const ORGANIZATIONS = '/books/v3/organizations';
const LATER_CALLS = 5;

/** Events still queued for the on-demand function (the drain deletes what it delivered). */
const queuedRejections = () => takeEvents(world().clients.sqs, world().resources.rejectedQueueUrl);

const settle = (call: Promise<Response>): Promise<unknown> =>
  call.then(
    () => expect.fail('the call must throw'),
    (error: unknown) => error,
  );

async function callsInTurn(container: ConsumerContainer, count: number): Promise<unknown[]> {
  const errors: unknown[] = [];
  for (let i = 0; i < count; i += 1) errors.push(await settle(container.zoho.fetch(ORGANIZATIONS)));
  return errors;
}

/** Problems no refresh can fix: each container reports once, however many calls it makes. */
describe('the consumer against a problem that a refresh cannot fix', () => {
  afterEach(async () => {
    world().sim.faults.clear();
    await queuedRejections();
  });

  it('meets a standing permission 401 in 2 containers with one refresh: 1 event each, then ZohoPermissionError at once', async () => {
    // Prepare: version 1 cached in two containers; Zoho then answers every Books call with 401 code 57
    const w = world();
    const id = 'perm-books';
    const refreshToken = await connectAtVersion1(w, id);
    const containers = [startContainer(id), startContainer(id)];
    await Promise.all(containers.map((container) => container.zoho.tokenReader.getToken()));
    const v1 = await storedAccessToken(w, id, 1);
    const tokenCallsBefore = w.sim.calls.tokenCallsFor(refreshToken);
    const booksBefore = w.sim.calls.books;
    w.sim.faults.set('books', 'books-401');

    // Act: one call per container while the bus's queue is drained, then 5 more calls each
    const first = Promise.all(containers.map((container) => settle(container.zoho.fetch(ORGANIZATIONS))));
    const delivered = await w.pumpRejected(first);
    const firstErrors = await first;
    const readsAfterFirst = containers.map((container) => container.secrets.sent.length);
    const laterErrors = [];
    for (const container of containers) laterErrors.push(...(await callsInTurn(container, LATER_CALLS)));

    // Assess: one Zoho token call in all; every error names version 2; nothing left to deliver
    expect(w.sim.calls.tokenCallsFor(refreshToken) - tokenCallsBefore).toBe(1);
    expect(delivered).toBe(2);
    expect(await queuedRejections()).toEqual([]);
    for (const error of [...firstErrors, ...laterErrors]) {
      expect(error).toBeInstanceOf(ZohoPermissionError);
      expect(error).toMatchObject({ connectionId: id, version: 2, zohoCode: 57 });
    }
    expect(laterErrors).toHaveLength(2 * LATER_CALLS);
    const v2 = await storedAccessToken(w, id, 2);
    for (const [c, container] of containers.entries()) {
      expect(container.events.eventDetails).toEqual([
        { connectionId: id, version: 1, status: 401, code: 57 },
      ]);
      expect(versionsOf(container.sentTokens, { [v1]: 'v1', [v2]: 'v2' })).toEqual([
        'v1',
        ...Array(1 + LATER_CALLS).fill('v2'),
      ]);
      expect(container.secrets.sent).toHaveLength(readsAfterFirst[c] ?? -1);
    }
    expect(w.sim.calls.books - booksBefore).toBe(2 * (2 + LATER_CALLS));
    expect((await w.ports.store.get(id))?.version).toBe(2);
  });

  it('fails fast on an expired token of a disabled connection: 1 event, then one read per call for 60 s', async () => {
    // Prepare: version 1 stored, the connection disabled, then version 1 expires. Last in the file:
    // the clock it moves makes every other connection of the world due as well.
    const w = world();
    const id = 'off-books';
    const refreshToken = await connectAtVersion1(w, id);
    await w.ports.store.setStatus(id, 'disabled');
    const container = startContainer(id, { timeoutMs: 1_000 });
    w.clock.advance(60 * 60_000 + 1_000);
    const tokenCallsBefore = w.sim.calls.tokenCallsFor(refreshToken);
    const booksBefore = w.sim.calls.books;

    // Act: the first call reports and waits (the on-demand handler refreshes nothing); 3 more follow
    const first = settle(container.zoho.fetch(ORGANIZATIONS));
    const delivered = await w.pumpRejected(first);
    const firstError = await first;
    const readsAfterFirst = container.secrets.count('GetSecretValueCommand');
    const laterErrors = await callsInTurn(container, 3);
    const readsWhileFailingFast = container.secrets.count('GetSecretValueCommand') - readsAfterFirst;
    // The window is over: one more call reports and waits again
    w.clock.advance(60_000);
    const again = await settle(container.zoho.fetch(ORGANIZATIONS));

    // Assess
    expect(delivered).toBe(1);
    expect(firstError).toBeInstanceOf(TokenRefreshTimeoutError);
    expect(firstError).toMatchObject({ version: 1, reason: 'expired', failedFast: false });
    for (const error of laterErrors) {
      expect(error).toBeInstanceOf(TokenRefreshTimeoutError);
      expect(error).toMatchObject({ version: 1, reason: 'expired', failedFast: true });
    }
    expect(again).toMatchObject({ version: 1, reason: 'expired', failedFast: false });
    expect(container.events.eventDetails).toEqual([
      { connectionId: id, version: 1, status: 401 },
      { connectionId: id, version: 1, status: 401 },
    ]);
    expect(readsWhileFailingFast).toBe(3);
    expect(container.secrets.versionsRead.every((version) => version === 1)).toBe(true);
    expect(container.sentTokens).toEqual([]);
    expect(w.sim.calls.tokenCallsFor(refreshToken) - tokenCallsBefore).toBe(0);
    expect(w.sim.calls.books - booksBefore).toBe(0);
    expect(await queuedRejections()).toHaveLength(1);
  });
});
