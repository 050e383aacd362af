import { describe, expect, it } from 'vitest';
import {
  MisconfiguredClientError,
  ReauthorizationRequiredError,
  ZohoThrottledError,
  ZohoTransientError,
} from '../../../functions/core/errors';
import { refreshConnection } from '../../../functions/core/refresh-connection';
import { addConnection, createFakeWorld } from '../../support/fakes';

const HOUR = 3_600_000;

describe('refreshConnection', () => {
  it('refreshes: one Zoho call, the contract secret as version+1, commit, history, event, metrics', async () => {
    // Prepare
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'acme', version: 4, expiresAt: world.clock.now() + 60_000 });

    // Act
    const result = await refreshConnection(world, { connectionId: 'acme', trigger: 'scheduled' });

    // Assess
    const now = world.clock.now();
    expect(result).toEqual({
      outcome: 'refreshed',
      version: 5,
      expiresAt: now + HOUR,
      refreshDueAt: now + HOUR - world.policy.marginMs - world.policy.jitterMs / 2,
    });
    expect(world.zoho.refreshCalls).toBe(1);
    expect(world.vault.versions.get('acme')).toEqual([
      {
        connectionId: 'acme',
        version: 5,
        accessToken: '1000.test-at-1',
        apiDomain: 'https://www.zohoapis.com',
        tokenType: 'Bearer',
        expiresAt: now + HOUR,
      },
    ]);
    const stored = world.store.items.get('acme');
    expect(stored).toMatchObject({
      version: 5,
      expiresAt: now + HOUR,
      consecutiveFailures: 0,
      refreshedAt: now,
    });
    expect(stored?.lease).toBeUndefined();
    // Margin 11½ min, jitter ½ min × random 0.5.
    expect(stored?.refreshDueAt).toBe(now + HOUR - 11.5 * 60_000 - 15_000);
    expect(stored?.recentZohoCalls).toEqual([now]);
    expect(world.store.history).toEqual([
      expect.objectContaining({
        connectionId: 'acme',
        outcome: 'refreshed',
        trigger: 'scheduled',
        version: 5,
        zohoCalls: 1,
      }),
    ]);
    expect(world.events.published).toEqual([
      {
        detailType: 'Zoho Token Refreshed',
        detail: {
          connectionId: 'acme',
          version: 5,
          expiresAt: new Date(now + HOUR).toISOString(),
          trigger: 'scheduled',
        },
      },
    ]);
    expect(world.metrics.sum('RefreshSucceeded')).toBe(1);
    expect(world.metrics.sum('SecondsToExpiry')).toBe(3600);
    expect(world.metrics.sum('ZohoCalls')).toBe(1);
  });

  it('keeps the stored api_domain when Zoho omits it', async () => {
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'eu1', apiDomain: 'https://www.zohoapis.eu' });
    world.zoho.script.push({ accessToken: '1000.test-at-x', expiresInSeconds: 3600, tokenType: 'Bearer' });

    await refreshConnection(world, { connectionId: 'eu1', trigger: 'operator', force: true });

    expect(world.vault.versions.get('eu1')?.[0]?.apiDomain).toBe('https://www.zohoapis.eu');
    expect(world.store.items.get('eu1')?.apiDomain).toBe('https://www.zohoapis.eu');
  });

  it('throws ConnectionNotFoundError for an unknown connection and calls nothing', async () => {
    const world = createFakeWorld();
    await expect(
      refreshConnection(world, { connectionId: 'nope', trigger: 'on_demand' }),
    ).rejects.toMatchObject({
      name: 'ConnectionNotFoundError',
      code: 'connection_not_found',
    });
    expect(world.zoho.refreshCalls).toBe(0);
  });

  it.each([
    ['not_active', { status: 'revoked' as const }, {}],
    ['not_due', { refreshDueAt: Date.UTC(2030, 0, 1) }, {}],
    ['already_refreshed', { version: 3 }, { rejectedVersion: 2 }],
    ['lease_held', { lease: { owner: 'other', until: Date.UTC(2030, 0, 1) } }, {}],
  ])('skips (%s) without calling Zoho', async (reason, overrides, request) => {
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'c1', ...overrides });

    const result = await refreshConnection(world, { connectionId: 'c1', trigger: 'scheduled', ...request });

    expect(result).toMatchObject({ outcome: 'skipped', reason });
    expect(world.zoho.refreshCalls).toBe(0);
    expect(world.vault.writes).toBe(0);
  });

  it('reauthorisation required: status changes, leaves the schedule, event and metric, token untouched', async () => {
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'c1', version: 2 });
    await world.vault.write({
      connectionId: 'c1',
      version: 2,
      accessToken: '1000.test-at-old',
      apiDomain: 'x',
      tokenType: 'Bearer',
      expiresAt: 1,
    });
    world.zoho.script.push(new ReauthorizationRequiredError('invalid_code'));

    const result = await refreshConnection(world, { connectionId: 'c1', trigger: 'scheduled' });

    expect(result).toMatchObject({ outcome: 'failed', permanent: true, status: 'reauthorization_required' });
    expect(world.zoho.refreshCalls).toBe(1);
    expect(world.store.items.get('c1')).toMatchObject({
      status: 'reauthorization_required',
      version: 2,
      consecutiveFailures: 1,
    });
    expect(await world.store.listDue(Date.UTC(2100, 0, 1), 10)).toEqual([]);
    expect(world.vault.versions.get('c1')?.map((t) => t.accessToken)).toEqual(['1000.test-at-old']);
    expect(world.events.published.map((e) => e.detailType)).toEqual(['Zoho Reauthorization Required']);
    expect(world.metrics.sum('ReauthorizationRequired')).toBe(1);
    expect(world.metrics.sum('RefreshFailed', 'reauthorization_required')).toBe(1);
    expect(world.log.lines.filter((l) => l.level === 'error')).toHaveLength(1);
  });

  it('a misconfigured client is permanent: status misconfigured, one Zoho call, a failure event', async () => {
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'c1' });
    world.zoho.script.push(new MisconfiguredClientError('invalid_client', 'check the data centre'));

    const result = await refreshConnection(world, {
      connectionId: 'c1',
      trigger: 'on_demand',
      rejectedVersion: 0,
    });

    expect(result).toMatchObject({
      outcome: 'failed',
      permanent: true,
      status: 'misconfigured',
      errorCode: 'misconfigured_client',
    });
    expect(world.zoho.refreshCalls).toBe(1);
    expect(world.events.published).toEqual([
      {
        detailType: 'Zoho Refresh Failed',
        detail: expect.objectContaining({ connectionId: 'c1', permanent: true }),
      },
    ]);
  });

  it('throttled by Zoho: no retry inside the lease, next attempt after a whole window, stays active', async () => {
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'c1' });
    world.zoho.script.push(new ZohoThrottledError('too many requests'));

    const result = await refreshConnection(world, { connectionId: 'c1', trigger: 'scheduled' });

    const now = world.clock.now();
    expect(result).toMatchObject({
      outcome: 'failed',
      permanent: false,
      status: 'active',
      retryAt: now + 600_000,
    });
    expect(world.zoho.refreshCalls).toBe(1);
    expect(world.store.items.get('c1')).toMatchObject({
      status: 'active',
      refreshDueAt: now + 600_000,
      consecutiveFailures: 0,
    });
  });

  it('transient errors are retried inside the lease, then back off; the current token stays', async () => {
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'c1', version: 7 });
    world.zoho.script.push(
      new ZohoTransientError('HTTP 502'),
      new ZohoTransientError('HTTP 503'),
      new ZohoTransientError('timeout'),
    );

    const result = await refreshConnection(world, { connectionId: 'c1', trigger: 'scheduled' });

    expect(result).toMatchObject({
      outcome: 'failed',
      permanent: false,
      status: 'active',
      errorCode: 'transient',
    });
    expect(world.zoho.refreshCalls).toBe(3);
    expect(world.vault.writes).toBe(0);
    const stored = world.store.items.get('c1');
    expect(stored).toMatchObject({ version: 7, status: 'active', consecutiveFailures: 1 });
    expect(stored?.lease).toBeUndefined();
    expect(stored?.recentZohoCalls).toHaveLength(3);
    // The dashboard's "Zoho token requests" counts every attempt, as Zoho's limit does.
    expect(world.metrics.sum('ZohoCalls')).toBe(3);
    // First failure: 30 s base × (0.75 + 0.5 × 0.5).
    expect(stored?.refreshDueAt).toBe(world.clock.now() + 30_000);
  });

  it('a failing connection keeps a whole run of Zoho budget for 90 s before expiry', async () => {
    // Prepare: its first run failed three times 40 s ago; ten minutes of token left.
    const world = createFakeWorld();
    const started = world.clock.now();
    const expiresAt = started + 10 * 60_000;
    await addConnection(world, {
      connectionId: 'c1',
      expiresAt,
      refreshDueAt: started,
      consecutiveFailures: 1,
      recentZohoCalls: [started - 40_000, started - 39_600, started - 38_800],
    });
    world.zoho.script.push(
      new ZohoTransientError('HTTP 503'),
      new ZohoTransientError('HTTP 503'),
      new ZohoTransientError('HTTP 503'),
    );

    // Act
    const result = await refreshConnection(world, { connectionId: 'c1', trigger: 'scheduled' });

    // Assess: a third run at the backoff (60 s) would leave 0 of 9 calls for 90 s before expiry.
    expect(world.zoho.refreshCalls).toBe(3);
    expect(result).toMatchObject({ outcome: 'failed', retryAt: expiresAt - 90_000 });
    expect(world.store.items.get('c1')).toMatchObject({
      consecutiveFailures: 2,
      refreshDueAt: expiresAt - 90_000,
    });
    expect(world.store.items.get('c1')?.recentZohoCalls).toHaveLength(6);
  });

  it('recovers within the lease when a retry succeeds', async () => {
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'c1' });
    world.zoho.script.push(new ZohoTransientError('HTTP 503'));

    const result = await refreshConnection(world, { connectionId: 'c1', trigger: 'scheduled' });

    expect(result).toMatchObject({ outcome: 'refreshed', version: 1 });
    expect(world.zoho.refreshCalls).toBe(2);
  });

  it('a missing client app is retried with the backoff, without calling Zoho', async () => {
    // Prepare
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'c1' });
    const { ClientCredentialsNotFoundError } = await import('../../../functions/core/errors');
    world.credentials.get = async () => {
      throw new ClientCredentialsNotFoundError('books');
    };

    // Act
    const result = await refreshConnection(world, { connectionId: 'c1', trigger: 'scheduled' });

    // Assess: the client app serves many connections; a missing one keeps them on the schedule.
    expect(result).toMatchObject({
      outcome: 'failed',
      permanent: false,
      status: 'active',
      errorCode: 'client_credentials_not_found',
      retryAt: world.clock.now() + 30_000,
    });
    expect(world.zoho.refreshCalls).toBe(0);
    expect(world.store.items.get('c1')).toMatchObject({ status: 'active', consecutiveFailures: 1 });
  });

  it('an unexpected error is transient, logged by name only', async () => {
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'c1' });
    world.cipher.decrypt = async () => {
      throw new Error('AccessDenied for 1000.test-rt-c1');
    };

    const result = await refreshConnection(world, { connectionId: 'c1', trigger: 'scheduled' });

    expect(result).toMatchObject({ outcome: 'failed', permanent: false, errorCode: 'internal' });
    expect(JSON.stringify(world.log.lines)).not.toContain('test-rt-');
    expect(JSON.stringify(world.store.items.get('c1')?.lastError)).not.toContain('test-rt-');
  });
});
