import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../functions/core/errors';
import { refreshRejectedToken } from '../../../functions/core/token-rejected';
import { addConnection, createFakeWorld, type FakeWorld } from '../../support/fakes';

const MIN = 60_000;
const report = (world: FakeWorld, version: number, code?: number) =>
  refreshRejectedToken(world, {
    connectionId: 'acme',
    version,
    status: 401,
    ...(code !== undefined && { code }),
  });

/** A connection whose token of version 3 was minted a minute ago and lives another 59 minutes. */
async function freshConnection(world: FakeWorld) {
  const now = world.clock.now();
  await addConnection(world, {
    connectionId: 'acme',
    version: 3,
    refreshedAt: now - MIN,
    expiresAt: now + 59 * MIN,
    refreshDueAt: now + 44 * MIN,
  });
}

describe('reports of a token that has not expired', () => {
  it('refresh once per 10 minutes; further reports are counted and cost no Zoho call', async () => {
    // Prepare: 50 containers with a permission-only 401 report whatever version they read.
    const world = createFakeWorld();
    await freshConnection(world);

    // Act: the first report, then 49 more over the next 9 minutes, each of the version then current.
    const outcomes: string[] = [];
    for (let i = 0; i < 50; i++) {
      const current = world.store.items.get('acme')?.version ?? 0;
      const result = await report(world, current, 57);
      outcomes.push(result.outcome === 'skipped' ? result.reason : result.outcome);
      world.clock.advance(11_000);
    }

    // Assess
    expect(world.zoho.refreshCalls).toBe(1);
    expect(world.vault.writes).toBe(1);
    expect(outcomes[0]).toBe('refreshed');
    expect(outcomes.slice(1).every((o) => o === 'fresh_token_rejected')).toBe(true);
    expect(world.metrics.sum('FreshTokenRejected')).toBe(50);
    const stored = world.store.items.get('acme');
    expect(stored).toMatchObject({ version: 4, freshRejections: 49, status: 'active' });
    expect(world.store.history.filter((h) => h.outcome === 'fresh_token_rejected')).toHaveLength(49);
    const events = world.events.published.filter((e) => e.detailType === 'Zoho Fresh Token Rejected');
    expect(events).toHaveLength(49);
    expect(events[0]?.detail).toMatchObject({ connectionId: 'acme', version: 4, code: 57 });
    expect(JSON.stringify(events[0]?.detail)).toContain('scope');
  });

  it('a genuine case (our token evicted by another system) heals: one refresh per window', async () => {
    const world = createFakeWorld();
    await freshConnection(world);

    await report(world, 3); // refresh → version 4
    world.clock.advance(9 * MIN);
    const early = await report(world, 4);
    world.clock.advance(MIN + 1);
    const later = await report(world, 4);

    expect(early).toMatchObject({ outcome: 'skipped', reason: 'fresh_token_rejected' });
    expect(later).toMatchObject({ outcome: 'refreshed', version: 5 });
    expect(world.zoho.refreshCalls).toBe(2);
  });

  it('a report of an expired token is an ordinary refresh, outside the window rule', async () => {
    const world = createFakeWorld();
    await freshConnection(world);
    await report(world, 3); // a fresh-report refresh: the window starts
    world.clock.advance(61 * MIN); // version 4 has expired (the schedule fell behind)

    const result = await report(world, 4);

    expect(result).toMatchObject({ outcome: 'refreshed', version: 5 });
    expect(world.zoho.refreshCalls).toBe(2);
  });

  it('refuses a version never issued, and accepts one a crashed run left in the secret', async () => {
    const world = createFakeWorld();
    await freshConnection(world);

    await expect(report(world, 9)).rejects.toBeInstanceOf(InvalidInputError);
    expect(world.zoho.refreshCalls).toBe(0);
    expect(world.store.calls.acquireLease).toBeUndefined();

    // A run wrote version 4 and crashed before its commit: a consumer may have read it.
    await world.vault.write({
      connectionId: 'acme',
      version: 4,
      accessToken: '1000.test-at-crashed',
      apiDomain: 'https://www.zohoapis.com',
      tokenType: 'Bearer',
      expiresAt: world.clock.now() + 50 * MIN,
    });
    const result = await report(world, 4);
    expect(result).toMatchObject({ outcome: 'refreshed', version: 5 });
  });
});
