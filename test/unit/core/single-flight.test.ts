import { describe, expect, it } from 'vitest';
import { refreshConnection } from '../../../functions/core/refresh-connection';
import { refreshRejectedToken } from '../../../functions/core/token-rejected';
import { addConnection, createFakeWorld } from '../../support/fakes';
import { runScheduled } from '../../support/scheduled-run';

const rejected = (version: number) => ({ connectionId: 'acme', version, status: 401 as const });

describe('single flight and the Zoho budget', () => {
  it('200 concurrent reports of one version cause exactly one Zoho call; a racing scheduled run adds none', async () => {
    // Prepare: the token of version 3 is due, so the schedule would refresh it too.
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'acme', version: 3, refreshDueAt: world.clock.now() - 1 });

    // Act
    const results = await Promise.all([
      ...Array.from({ length: 200 }, () => refreshRejectedToken(world, rejected(3))),
      runScheduled(world, { concurrency: 4 }),
    ]);

    // Assess
    expect(world.zoho.refreshCalls).toBe(1);
    expect(world.vault.writes).toBe(1);
    expect(world.store.items.get('acme')?.version).toBe(4);
    const refreshedByReports = results.filter((r) => 'outcome' in r && r.outcome === 'refreshed').length;
    const scheduled = results.find((r) => 'plan' in r);
    expect(refreshedByReports + (scheduled && 'refreshed' in scheduled ? scheduled.refreshed : 0)).toBe(1);
    expect(world.store.history.filter((h) => h.outcome === 'refreshed')).toHaveLength(1);
  });

  it('50 reports for successive versions within 10 minutes cause at most 9 Zoho calls, whatever the other brakes allow', async () => {
    // Tokens that expire before the next report and a write budget out of the way: only Zoho's
    // budget is left to hold.
    const world = createFakeWorld({ unscheduledWritesPerHour: 1_000, unscheduledWritesPerDay: 1_000 });
    world.zoho.lifetimeSeconds = 5;
    await addConnection(world, { connectionId: 'acme', version: 0 });

    const outcomes: string[] = [];
    for (let i = 0; i < 50; i++) {
      const version = world.store.items.get('acme')?.version ?? 0;
      const result = await refreshRejectedToken(world, rejected(version));
      outcomes.push(result.outcome === 'failed' ? result.errorCode : result.outcome);
      world.clock.advance(10_000); // 50 reports over 8 min 20 s
    }

    expect(world.zoho.refreshCalls).toBe(9);
    expect(outcomes.filter((o) => o === 'refreshed')).toHaveLength(9);
    expect(outcomes.slice(9).every((o) => o === 'budget_exhausted' || o === 'already_refreshed')).toBe(true);
    expect(world.metrics.sum('BudgetExhausted')).toBe(41);
    expect(world.events.published.filter((e) => e.detailType !== 'Zoho Token Refreshed')).toEqual([]);
  });

  it('the budget frees up as old calls leave the 10-minute window', async () => {
    const world = createFakeWorld();
    const start = world.clock.now();
    await addConnection(world, {
      connectionId: 'acme',
      recentZohoCalls: Array.from({ length: 9 }, (_, i) => start - 60_000 + i),
    });

    const blocked = await refreshConnection(world, {
      connectionId: 'acme',
      trigger: 'operator',
      force: true,
    });
    world.clock.advance(9 * 60_000 + 1);
    const allowed = await refreshConnection(world, {
      connectionId: 'acme',
      trigger: 'operator',
      force: true,
    });

    expect(blocked).toMatchObject({
      outcome: 'failed',
      errorCode: 'budget_exhausted',
      retryAt: start - 60_000 + 600_001,
    });
    expect(allowed).toMatchObject({ outcome: 'refreshed' });
    expect(world.zoho.refreshCalls).toBe(1);
  });

  it('transient retries inside a lease never pass the budget', async () => {
    const world = createFakeWorld({ maxAttempts: 5 });
    const { ZohoTransientError } = await import('../../../functions/core/errors');
    const start = world.clock.now();
    await addConnection(world, {
      connectionId: 'acme',
      recentZohoCalls: Array.from({ length: 7 }, (_, i) => start - i),
    });
    world.zoho.script.push(...Array.from({ length: 5 }, () => new ZohoTransientError('HTTP 500')));

    const result = await refreshConnection(world, { connectionId: 'acme', trigger: 'scheduled' });

    expect(world.zoho.refreshCalls).toBe(2);
    expect(result).toMatchObject({ outcome: 'failed', errorCode: 'budget_exhausted' });
  });
});

describe('a crash between the secret write and the commit', () => {
  it('heals on the next run by adopting the secret, without a second Zoho call', async () => {
    // Prepare: a run wrote version 6 and died holding the lease.
    const world = createFakeWorld();
    const now = world.clock.now();
    await addConnection(world, {
      connectionId: 'acme',
      version: 5,
      lease: { owner: 'dead', until: now + 60_000 },
    });
    await world.vault.write({
      connectionId: 'acme',
      version: 6,
      accessToken: '1000.test-at-6',
      apiDomain: 'https://www.zohoapis.com',
      tokenType: 'Bearer',
      expiresAt: now + 3_600_000,
    });

    // Act: too early, the lease still holds; then after it expired.
    const early = await refreshConnection(world, { connectionId: 'acme', trigger: 'scheduled' });
    world.clock.advance(60_001);
    const healed = await refreshConnection(world, { connectionId: 'acme', trigger: 'scheduled' });

    // Assess
    expect(early).toMatchObject({ outcome: 'skipped', reason: 'lease_held' });
    expect(healed).toEqual({
      outcome: 'adopted',
      version: 6,
      expiresAt: now + 3_600_000,
      refreshDueAt: now + 3_600_000 - world.policy.marginMs - world.policy.jitterMs / 2,
    });
    expect(world.zoho.refreshCalls).toBe(0);
    expect(world.store.items.get('acme')).toMatchObject({ version: 6, expiresAt: now + 3_600_000 });
    expect(world.metrics.sum('AdoptedAfterCrash')).toBe(1);
  });

  it('heals after a commit that threw, with exactly one Zoho call in all', async () => {
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'acme', version: 1 });
    world.store.crashBeforeNextCommit = true;

    const first = await refreshConnection(world, { connectionId: 'acme', trigger: 'scheduled' });
    world.clock.advance(120_000);
    const second = await refreshConnection(world, { connectionId: 'acme', trigger: 'scheduled' });

    expect(first).toMatchObject({ outcome: 'failed', permanent: false });
    expect(second).toMatchObject({ outcome: 'adopted', version: 2 });
    expect(world.zoho.refreshCalls).toBe(1);
    expect(world.store.items.get('acme')?.version).toBe(2);
  });

  it('a consumer reporting the adopted version gets a real refresh after the adoption', async () => {
    const world = createFakeWorld();
    const now = world.clock.now();
    await addConnection(world, { connectionId: 'acme', version: 5 });
    await world.vault.write({
      connectionId: 'acme',
      version: 6,
      accessToken: '1000.test-at-6',
      apiDomain: 'a',
      tokenType: 'Bearer',
      expiresAt: now + 3_600_000,
    });

    const result = await refreshRejectedToken(world, rejected(6));

    expect(result).toMatchObject({ outcome: 'refreshed', version: 7 });
    expect(world.zoho.refreshCalls).toBe(1);
  });
});
