import { describe, expect, it } from 'vitest';
import { useEngineWorld } from '../engine/world';
import {
  connectAtVersion1,
  storedAccessToken,
  tally,
  useConsumerContainers,
  versionsOf,
} from './consumer-container';

const world = useEngineWorld();
const startContainer = useConsumerContainers(world);
const CONTAINERS = 4;
const CALLS_PER_CONTAINER = 25;
const CALLS = CONTAINERS * CALLS_PER_CONTAINER;

describe('many consumers meeting the same expired token', () => {
  it('turns 100 concurrent 401s in 4 containers into 4 events, one Zoho refresh and 100 retries with version 2', async () => {
    // Prepare: 4 containers, each with version 1 cached; then Zoho expires version 1
    const w = world();
    const id = 'busy-books';
    const refreshToken = await connectAtVersion1(w, id);
    const containers = Array.from({ length: CONTAINERS }, () => startContainer(id));
    await Promise.all(containers.map((container) => container.zoho.tokenReader.getToken()));
    const v1 = await storedAccessToken(w, id, 1);
    const tokenCallsBefore = w.sim.calls.tokenCallsFor(refreshToken);
    w.sim.resetCounters();
    // A minute on, so the history's newest-first order is defined.
    w.clock.advance(60_000);
    w.sim.expireAccessTokens(refreshToken);

    // Act: 25 concurrent calls per container while the bus's queue is drained into the on-demand handler
    const calls = Promise.all(
      containers.flatMap((container, c) =>
        Array.from({ length: CALLS_PER_CONTAINER }, (_, n) =>
          container.zoho.fetch('/books/v3/organizations', { requestId: `req-${c}-${n}` }),
        ),
      ),
    );
    const delivered = await w.pumpRejected(calls);
    const responses = await calls;

    // Assess: every call succeeded on its retry; one Zoho refresh; one event per container
    expect(responses.map((response) => response.status)).toEqual(Array(CALLS).fill(200));
    expect(tokenCallsBefore).toBe(1);
    expect(w.sim.calls.tokenCallsFor(refreshToken)).toBe(1);
    expect(w.sim.calls.token).toBe(1);
    expect(w.sim.calls.books401).toBe(CALLS);
    expect(w.sim.calls.books).toBe(2 * CALLS);
    expect(delivered).toBe(CONTAINERS);
    const v2 = await storedAccessToken(w, id, 2);
    containers.forEach((container, c) => {
      expect(container.events.sent).toEqual(['PutEventsCommand']);
      expect(container.events.eventDetails).toEqual([
        {
          connectionId: id,
          version: 1,
          status: 401,
          code: 57,
          requestId: expect.stringMatching(new RegExp(`^req-${c}-\\d+$`)),
        },
      ]);
      expect(tally(versionsOf(container.sentTokens, { [v1]: 'v1', [v2]: 'v2' }))).toEqual({
        v1: CALLS_PER_CONTAINER,
        v2: CALLS_PER_CONTAINER,
      });
      // One shared wait per container: version 2 was read exactly once, after the warm-up read of 1.
      expect(container.secrets.versionsRead[0]).toBe(1);
      expect(container.secrets.versionsRead.filter((version) => version !== 1)).toEqual([2]);
      expect(container.secrets.versionsRead.at(-1)).toBe(2);
    });
    const history = await w.ports.store.listHistory(id, 10);
    expect(history.map((entry) => [entry.trigger, entry.outcome, entry.version, entry.zohoCalls])).toEqual([
      ['on_demand', 'refreshed', 2, 1],
      ['scheduled', 'refreshed', 1, 1],
    ]);
    expect((await w.ports.store.get(id))?.version).toBe(2);
  });
});
