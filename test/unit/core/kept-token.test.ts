import { describe, expect, it } from 'vitest';
import {
  SecretPendingDeletionError,
  SecretVersionQuotaError,
  SecretWriteFailedError,
  SecretWriteThrottledError,
} from '../../../functions/core/errors';
import { refreshConnection } from '../../../functions/core/refresh-connection';
import { addConnection, createFakeWorld, type FakeWorld } from '../../support/fakes';

const MIN = 60_000;
const scheduled = (world: FakeWorld) =>
  refreshConnection(world, { connectionId: 'acme', trigger: 'scheduled' });

async function dueConnection(world: FakeWorld) {
  await addConnection(world, {
    connectionId: 'acme',
    version: 3,
    expiresAt: world.clock.now() + 14 * MIN,
    refreshDueAt: world.clock.now() - 1,
  });
}

describe('a minted token is never thrown away', () => {
  it('retries a throttled secret write inside the lease and stores the token with one Zoho call', async () => {
    const world = createFakeWorld();
    await dueConnection(world);
    world.vault.writeFaults.push(
      new SecretWriteThrottledError('acme'),
      new SecretWriteThrottledError('acme'),
    );

    const result = await scheduled(world);

    expect(result).toMatchObject({ outcome: 'refreshed', version: 4 });
    expect(world.zoho.refreshCalls).toBe(1);
    expect(world.vault.writes).toBe(3);
    // Only a refresh whose write finally failed counts (the alarm's metric).
    expect(world.metrics.sum('SecretWriteFailed')).toBe(0);
    expect(world.store.items.get('acme')?.keptToken).toBeUndefined();
  });

  it('keeps the token encrypted when every attempt fails, and the next run stores it without Zoho', async () => {
    // Prepare
    const world = createFakeWorld();
    await dueConnection(world);
    world.vault.writeFaults.push(...Array.from({ length: 3 }, () => new SecretWriteThrottledError('acme')));

    // Act: the first run mints and cannot store; the second runs at its retry time.
    const first = await scheduled(world);
    const afterFirst = world.store.items.get('acme');
    world.clock.current = afterFirst?.refreshDueAt ?? world.clock.current;
    const second = await scheduled(world);

    // Assess
    expect(first).toMatchObject({ outcome: 'failed', errorCode: 'secret_throttled', status: 'active' });
    expect(afterFirst?.keptToken).toMatchObject({ version: 4 });
    expect(afterFirst?.keptToken?.ciphertext).not.toContain('test-at');
    expect(afterFirst?.version).toBe(3);
    expect(world.metrics.sum('MintedTokenKept')).toBe(1);
    expect(world.metrics.sum('SecretWriteFailed', 'secret_throttled')).toBe(1);
    expect(second).toMatchObject({ outcome: 'adopted', version: 4 });
    expect(world.zoho.refreshCalls).toBe(1);
    expect(world.vault.versions.get('acme')?.at(-1)).toMatchObject({
      version: 4,
      accessToken: '1000.test-at-1',
    });
    const stored = world.store.items.get('acme');
    expect(stored?.keptToken).toBeUndefined();
    expect(stored?.version).toBe(4);
    expect(world.metrics.sum('RefreshSucceeded', 'kept')).toBe(1);
  });

  it.each([
    ['version quota', new SecretVersionQuotaError('acme'), 'secret_version_quota'],
    ['pending deletion', new SecretPendingDeletionError('acme'), 'secret_pending_deletion'],
  ])('does not retry a write refused for %s, and keeps the token', async (_name, fault, code) => {
    const world = createFakeWorld();
    await dueConnection(world);
    world.vault.writeFaults.push(fault);

    const result = await scheduled(world);

    expect(result).toMatchObject({ outcome: 'failed', errorCode: code, permanent: false });
    expect(world.vault.writes).toBe(1);
    expect(world.zoho.refreshCalls).toBe(1);
    expect(world.store.items.get('acme')?.keptToken?.version).toBe(4);
    // A refused write made no version: the write budget is untouched.
    expect(world.store.items.get('acme')?.recentSecretWrites).toEqual([]);
  });

  it('counts a write that failed in transit against the budget: it may have made a version', async () => {
    const world = createFakeWorld();
    await dueConnection(world);
    world.vault.writeFaults.push(
      ...Array.from({ length: 3 }, () => new SecretWriteFailedError('acme', 'TimeoutError')),
    );

    await scheduled(world);

    expect(world.store.items.get('acme')?.recentSecretWrites).toEqual([world.clock.now()]);
  });

  it('drops a kept token too close to its expiry and mints a new one', async () => {
    const world = createFakeWorld();
    await dueConnection(world);
    world.vault.writeFaults.push(...Array.from({ length: 3 }, () => new SecretWriteThrottledError('acme')));
    await scheduled(world);
    world.clock.advance(56 * MIN); // the kept token has 4 minutes left

    const result = await scheduled(world);

    expect(result).toMatchObject({ outcome: 'refreshed', version: 4 });
    expect(world.zoho.refreshCalls).toBe(2);
    expect(world.vault.versions.get('acme')?.at(-1)?.accessToken).toBe('1000.test-at-2');
  });

  it('extends the lease before a write when a slow Zoho call left too little of it', async () => {
    const world = createFakeWorld();
    await dueConnection(world);
    const slow = world.zoho.refreshAccessToken.bind(world.zoho);
    world.zoho.refreshAccessToken = async () => {
      // The lease has 15 s left, less than a write's 20 s.
      world.clock.advance(world.policy.leaseMs - 15_000);
      return slow();
    };

    const result = await scheduled(world);

    expect(result).toMatchObject({ outcome: 'refreshed' });
    expect(world.store.calls.extendLease).toBe(1);
  });

  it('never writes on a lease it could not extend', async () => {
    const world = createFakeWorld();
    await dueConnection(world);
    world.zoho.refreshAccessToken = async () => {
      world.clock.advance(61_000); // the lease ran out during the call
      return {
        accessToken: '1000.test-at-late',
        expiresInSeconds: 3600,
        apiDomain: 'https://www.zohoapis.com',
        tokenType: 'Bearer',
      };
    };

    const result = await scheduled(world);

    expect(result).toMatchObject({ outcome: 'skipped', reason: 'lease_lost' });
    expect(world.vault.writes).toBe(0);
  });
});
