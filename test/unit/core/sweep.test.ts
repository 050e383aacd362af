import { describe, expect, it } from 'vitest';
import { ReauthorizationRequiredError } from '../../../functions/core/errors';
import { sweepDueConnections } from '../../../functions/core/sweep';
import { addConnection, createFakeWorld } from '../../support/fakes';

const options = { concurrency: 3, remainingTimeMs: () => 60_000, reserveMs: 35_000, maxConnections: 100 };

describe('sweepDueConnections', () => {
  it('refreshes only what is due, counts expired tokens, emits one heartbeat', async () => {
    const world = createFakeWorld();
    const now = world.clock.now();
    await addConnection(world, { connectionId: 'due-expired', refreshDueAt: now - 10, expiresAt: now - 5 });
    await addConnection(world, { connectionId: 'due-live', refreshDueAt: now - 10, expiresAt: now + 60_000 });
    await addConnection(world, {
      connectionId: 'later',
      refreshDueAt: now + 60_000,
      expiresAt: now + 3_600_000,
    });
    await addConnection(world, { connectionId: 'revoked', status: 'revoked', refreshDueAt: now - 10 });

    const summary = await sweepDueConnections(world, options);

    expect(summary).toEqual({
      due: 2,
      attempted: 2,
      refreshed: 2,
      failed: 0,
      skipped: 0,
      expired: 1,
      leftForNextSweep: 0,
    });
    expect(world.zoho.refreshCalls).toBe(2);
    expect(world.store.items.get('later')?.version).toBe(0);
    expect(world.metrics.sum('SweepHeartbeat')).toBe(1);
    expect(world.metrics.points.filter((p) => p.name === 'ExpiredTokens')).toEqual([
      { name: 'ExpiredTokens', value: 1 },
    ]);
  });

  it('emits the heartbeat and ExpiredTokens = 0 when nothing is due', async () => {
    const world = createFakeWorld();

    const summary = await sweepDueConnections(world, options);

    expect(summary.due).toBe(0);
    expect(world.metrics.points).toEqual([
      { name: 'ExpiredTokens', value: 0 },
      { name: 'ConnectionsFailing', value: 0 },
      { name: 'ConnectionsNeedingReauthorization', value: 0 },
      { name: 'ConnectionsMisconfigured', value: 0 },
      { name: 'SweepConnections', value: 0 },
      { name: 'SweepBacklog', value: 0 },
      { name: 'SweepHeartbeat', value: 1 },
    ]);
  });

  it('never runs more than `concurrency` refreshes at once', async () => {
    const world = createFakeWorld();
    for (let i = 0; i < 12; i++) await addConnection(world, { connectionId: `c${i}` });
    let inFlight = 0;
    let peak = 0;
    const original = world.zoho.refreshAccessToken.bind(world.zoho);
    world.zoho.refreshAccessToken = async () => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight--;
      return original();
    };

    const summary = await sweepDueConnections(world, options);

    expect(summary.refreshed).toBe(12);
    expect(peak).toBe(3);
  });

  it('stops taking work when the remaining time falls under the reserve', async () => {
    const world = createFakeWorld();
    for (let i = 0; i < 10; i++) await addConnection(world, { connectionId: `c${i}` });
    let remaining = 60_000;
    const original = world.zoho.refreshAccessToken.bind(world.zoho);
    world.zoho.refreshAccessToken = async () => {
      remaining -= 10_000; // each refresh "takes" 10 s
      return original();
    };

    const summary = await sweepDueConnections(world, {
      ...options,
      concurrency: 1,
      remainingTimeMs: () => remaining,
    });

    expect(summary).toMatchObject({ due: 10, attempted: 3, refreshed: 3, leftForNextSweep: 7 });
    expect(world.metrics.sum('SweepHeartbeat')).toBe(1);
    expect(world.metrics.points.filter((p) => p.name === 'SweepBacklog')).toEqual([
      { name: 'SweepBacklog', value: 7 },
    ]);
  });

  it('counts connections due beyond maxConnections in the backlog', async () => {
    const world = createFakeWorld();
    const now = world.clock.now();
    for (let i = 0; i < 5; i++) await addConnection(world, { connectionId: `c${i}`, refreshDueAt: now - 10 });

    const summary = await sweepDueConnections(world, { ...options, maxConnections: 2 });

    expect(summary).toMatchObject({ due: 5, attempted: 2, refreshed: 2, leftForNextSweep: 3 });
    expect(world.zoho.refreshCalls).toBe(2);
    expect(world.metrics.points.filter((p) => p.name === 'SweepBacklog')).toEqual([
      { name: 'SweepBacklog', value: 3 },
    ]);
  });

  it('keeps going past a permanently failing connection', async () => {
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'a' });
    await addConnection(world, { connectionId: 'b', refreshDueAt: world.clock.now() - 1 });
    world.zoho.script.push(new ReauthorizationRequiredError('invalid_code'));

    const summary = await sweepDueConnections(world, { ...options, concurrency: 1 });

    expect(summary).toMatchObject({ attempted: 2, refreshed: 1, failed: 1 });
  });

  it('gauges the whole fleet: expired and failing connections in backoff, those needing an operator, the soonest expiry', async () => {
    // Prepare: nothing below is due except 'due'; the gauges must still see every one.
    const world = createFakeWorld();
    const now = world.clock.now();
    const later = now + 5 * 60_000;
    await addConnection(world, { connectionId: 'due', refreshDueAt: now - 1, expiresAt: now + 90_000 });
    await addConnection(world, {
      connectionId: 'backoff-expired',
      refreshDueAt: later,
      expiresAt: now - 60_000,
      consecutiveFailures: 4,
    });
    await addConnection(world, {
      connectionId: 'failing',
      refreshDueAt: later,
      expiresAt: now + 600_000,
      consecutiveFailures: 3,
    });
    await addConnection(world, {
      connectionId: 'fine',
      refreshDueAt: later,
      expiresAt: now + 3_000_000,
      consecutiveFailures: 2,
    });
    await addConnection(world, { connectionId: 'reauth', status: 'reauthorization_required' });
    await addConnection(world, { connectionId: 'misconf-1', status: 'misconfigured' });
    await addConnection(world, { connectionId: 'misconf-2', status: 'misconfigured' });
    await addConnection(world, { connectionId: 'gone', status: 'revoked' });

    // Act
    const summary = await sweepDueConnections(world, options);

    // Assess
    expect(summary).toMatchObject({ due: 1, refreshed: 1, expired: 1 });
    const gauge = (name: Parameters<typeof world.metrics.sum>[0]) => world.metrics.sum(name);
    expect(gauge('ExpiredTokens')).toBe(1);
    expect(gauge('ConnectionsFailing')).toBe(2);
    expect(gauge('ConnectionsNeedingReauthorization')).toBe(1);
    expect(gauge('ConnectionsMisconfigured')).toBe(2);
    expect(world.metrics.points.filter((p) => p.name === 'MinSecondsToExpiry')).toEqual([
      { name: 'MinSecondsToExpiry', value: -60 },
    ]);
  });
});
