import { describe, expect, it } from 'vitest';
import { ZohoMalformedResponseError } from '../../../functions/core/errors';
import { refreshConnection } from '../../../functions/core/refresh-connection';
import { refreshRejectedToken } from '../../../functions/core/token-rejected';
import { addConnection, createFakeWorld } from '../../support/fakes';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('the secret write budget in the refresh', () => {
  it('holds back a report once 6 versions were written this hour: no lease, no Zoho call, schedule untouched', async () => {
    // Prepare: an expired token (so the report is an ordinary one) and 6 writes in the last hour.
    const world = createFakeWorld();
    const now = world.clock.now();
    const writes = Array.from({ length: 6 }, (_, i) => now - 50 * MIN + i * MIN);
    await addConnection(world, {
      connectionId: 'acme',
      version: 9,
      expiresAt: now - 1,
      refreshDueAt: now + 5 * MIN,
      recentSecretWrites: writes,
    });

    // Act
    const result = await refreshRejectedToken(world, { connectionId: 'acme', version: 9, status: 401 });

    // Assess
    expect(result).toMatchObject({ outcome: 'skipped', reason: 'secret_write_budget' });
    expect(world.zoho.refreshCalls).toBe(0);
    expect(world.store.calls.acquireLease).toBeUndefined();
    expect(world.store.items.get('acme')?.refreshDueAt).toBe(now + 5 * MIN);
    expect(world.metrics.sum('SecretWriteBudgetExhausted', 'on_demand')).toBe(1);
    expect(world.store.history).toEqual([
      expect.objectContaining({
        outcome: 'secret_write_budget',
        errorCode: 'secret_write_budget',
        zohoCalls: 0,
      }),
    ]);
  });

  it('holds the schedule only at 72 writes a day, waits for the oldest to age out, and counts no failure', async () => {
    const world = createFakeWorld();
    const now = world.clock.now();
    const writes = Array.from({ length: 72 }, (_, i) => now - 23 * HOUR + i * 10 * MIN);
    await addConnection(world, {
      connectionId: 'acme',
      version: 80,
      expiresAt: now + 14 * MIN,
      refreshDueAt: now - 1,
      recentSecretWrites: writes,
    });

    const result = await refreshConnection(world, { connectionId: 'acme', trigger: 'scheduled' });

    expect(result).toMatchObject({
      outcome: 'failed',
      errorCode: 'secret_write_budget',
      status: 'active',
      retryAt: now - 23 * HOUR + 24 * HOUR + 1,
    });
    expect(world.zoho.refreshCalls).toBe(0);
    expect(world.store.items.get('acme')).toMatchObject({ consecutiveFailures: 0, version: 80 });
    expect(world.metrics.sum('SecretWriteBudgetExhausted', 'scheduled')).toBe(1);
    expect(world.vault.writes).toBe(0);
  });

  it('each committed refresh is counted in the write budget', async () => {
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'acme', version: 0 });

    await refreshConnection(world, { connectionId: 'acme', trigger: 'scheduled' });

    expect(world.store.items.get('acme')?.recentSecretWrites).toEqual([world.clock.now()]);
  });
});

describe('a malformed success answer', () => {
  it('costs one Zoho call per budget window, alarms, and holds back reports meanwhile', async () => {
    // Prepare
    const world = createFakeWorld();
    const now = world.clock.now();
    await addConnection(world, {
      connectionId: 'acme',
      version: 2,
      expiresAt: now - 1,
      refreshDueAt: now - 1,
    });
    world.zoho.script.push(new ZohoMalformedResponseError('expires_in missing'));

    // Act
    const first = await refreshConnection(world, { connectionId: 'acme', trigger: 'scheduled' });
    world.clock.advance(5 * MIN);
    const report = await refreshRejectedToken(world, { connectionId: 'acme', version: 2, status: 401 });

    // Assess
    expect(first).toMatchObject({ outcome: 'failed', errorCode: 'malformed_response', permanent: false });
    expect(world.zoho.refreshCalls).toBe(1);
    expect(world.store.items.get('acme')?.refreshDueAt).toBeGreaterThanOrEqual(now + 10 * MIN);
    expect(world.metrics.sum('ZohoMalformedResponse')).toBe(1);
    expect(report).toMatchObject({ outcome: 'skipped', reason: 'zoho_malformed_response' });
  });
});

describe('the refresher never deletes a secret', () => {
  it('leaves a secret written after a revoke to the operator, and says so', async () => {
    // Prepare: the connection is revoked between the secret write and the commit.
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'acme', version: 1, refreshDueAt: world.clock.now() - 1 });
    const write = world.vault.write.bind(world.vault);
    world.vault.write = async (token) => {
      const written = await write(token);
      await world.store.setStatus('acme', 'revoked', { encryptedRefreshToken: '', expiresAt: 0 });
      return written;
    };

    // Act
    const result = await refreshConnection(world, { connectionId: 'acme', trigger: 'scheduled' });

    // Assess
    expect(result).toMatchObject({ outcome: 'skipped', reason: 'lease_lost' });
    expect(world.vault.removes).toBe(0);
    expect(world.log.lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        message: expect.stringContaining('run the revoke again'),
      }),
    );
  });
});
