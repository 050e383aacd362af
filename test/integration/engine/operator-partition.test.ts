import { describe, expect, it } from 'vitest';
import { useEngineWorld } from './world';

const world = useEngineWorld();

/**
 * The DynamoDB store's due index against the emulator: connections waiting for an operator sit on
 * their own partition (counted without a scan, never swept), and every write under a lease also
 * requires the connection to be still active.
 */
describe('the due index and the lease condition in DynamoDB', () => {
  it('keeps connections waiting for an operator on the operator partition, off the schedule, until re-enabled', async () => {
    // Prepare
    const w = world();
    await w.addConnection('op-reauth');
    await w.addConnection('op-misconfigured');
    await w.addConnection('op-disabled');
    await w.addConnection('op-active');
    await w.ports.store.setStatus('op-reauth', 'reauthorization_required');
    await w.ports.store.setStatus('op-misconfigured', 'misconfigured');
    await w.ports.store.setStatus('op-disabled', 'disabled');

    // Act
    const waiting = await w.ports.store.listNeedingOperator(100);
    const scheduled = await w.scheduledIds();

    // Assess
    expect(waiting.map((c) => [c.connectionId, c.status]).sort()).toEqual([
      ['op-misconfigured', 'misconfigured'],
      ['op-reauth', 'reauthorization_required'],
    ]);
    expect(scheduled).toEqual(['op-active']);

    // Act: the operator re-enables one
    await w.ports.store.setStatus('op-reauth', 'active', { refreshDueAt: w.clock.now(), lastError: null });

    // Assess
    expect((await w.ports.store.listNeedingOperator(100)).map((c) => c.connectionId)).toEqual([
      'op-misconfigured',
    ]);
    expect(await w.scheduledIds()).toEqual(['op-active', 'op-reauth']);
    expect(await w.ports.store.listNeedingOperator(1)).toHaveLength(1);
  });

  it('lets no lease-guarded write through once the connection was revoked during the refresh', async () => {
    // Prepare: a refresher holds the lease, then an operator revokes the connection
    const w = world();
    const { connection } = await w.addConnection('op-revoked-midway');
    const now = w.clock.now();
    const leased = await w.ports.store.acquireLease(
      connection,
      { owner: 'sweep-1', until: now + 60_000 },
      now,
    );
    expect(leased?.lease?.owner).toBe('sweep-1');
    await w.ports.store.setStatus('op-revoked-midway', 'revoked');

    // Act
    const zohoCall = await w.ports.store.recordZohoCall(
      'op-revoked-midway',
      'sweep-1',
      [now],
      now + 60_000,
      now,
    );
    const committed = await w.ports.store.commitRefresh(
      'op-revoked-midway',
      'sweep-1',
      {
        version: 1,
        expiresAt: now + 3_600_000,
        refreshDueAt: now + 2_640_000,
        refreshedAt: now,
        apiDomain: 'x',
        recentSecretWrites: [now],
        history: {
          connectionId: 'op-revoked-midway',
          at: now,
          trigger: 'scheduled',
          outcome: 'refreshed',
          version: 1,
          durationMs: 0,
          zohoCalls: 1,
        },
      },
      now,
    );
    const failed = await w.ports.store.recordFailure(
      'op-revoked-midway',
      'sweep-1',
      {
        status: 'active',
        refreshDueAt: now + 30_000,
        consecutiveFailures: 1,
        lastError: { code: 'transient', message: 'Zoho call failed transiently: 503', at: now },
      },
      now,
    );
    const released = await w.ports.store.releaseLease('op-revoked-midway', 'sweep-1', now);

    // Assess
    expect([zohoCall, committed, failed, released]).toEqual([false, false, false, false]);
    expect(await w.ports.store.get('op-revoked-midway')).toMatchObject({
      status: 'revoked',
      version: 0,
      consecutiveFailures: 0,
    });
    expect(await w.scheduledIds()).not.toContain('op-revoked-midway');
  });

  it('still lets the lease holder write while the connection stays active', async () => {
    // Prepare
    const w = world();
    const { connection } = await w.addConnection('op-still-active');
    const now = w.clock.now();
    await w.ports.store.acquireLease(connection, { owner: 'sweep-2', until: now + 60_000 }, now);

    // Act
    const released = await w.ports.store.releaseLease('op-still-active', 'sweep-2', now);

    // Assess
    expect(released).toBe(true);
    expect((await w.ports.store.get('op-still-active'))?.lease).toBeUndefined();
  });
});
