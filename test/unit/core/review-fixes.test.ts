import { describe, expect, it } from 'vitest';
import {
  AccountsServerNotAllowedError,
  InvalidInputError,
  MisconfigurationError,
  StoredTokenUnreadableError,
  ZohoThrottledError,
} from '../../../functions/core/errors';
import { refreshConnection } from '../../../functions/core/refresh-connection';
import { REVOKE_LEASE_WAIT_MS, revokeConnection } from '../../../functions/core/revoke-connection';
import { refreshRejectedToken } from '../../../functions/core/token-rejected';
import { addConnection, createFakeWorld } from '../../support/fakes';

const HOUR = 3_600_000;

describe('errors that retrying cannot fix take the connection off the schedule', () => {
  it.each([
    ['a disallowed accounts server', new AccountsServerNotAllowedError('evil.example')],
    [
      'a misconfiguration raised by an adapter',
      new MisconfigurationError('refresh_token_cipher_refused', 'KMS refused'),
    ],
    [
      'an input that breaks a contract',
      new InvalidInputError('refresh_token is empty; nothing was sent to Zoho'),
    ],
  ])('%s → misconfigured, one attempt, no retry', async (_label, error) => {
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'c1' });
    world.zoho.script.push(error);

    const result = await refreshConnection(world, { connectionId: 'c1', trigger: 'scheduled' });

    expect(result).toMatchObject({ outcome: 'failed', permanent: true, status: 'misconfigured' });
    expect(world.zoho.refreshCalls).toBe(1);
    expect(await world.store.listNeedingOperator(10)).toHaveLength(1);
  });
});

describe('a refusal by the host guard', () => {
  it('is recorded as no Zoho call in history and metrics: nothing was sent', async () => {
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'c1' });
    world.zoho.script.push(new AccountsServerNotAllowedError('http://127.0.0.1:9'));

    await refreshConnection(world, { connectionId: 'c1', trigger: 'operator' });

    expect(world.store.history).toEqual([
      expect.objectContaining({
        outcome: 'misconfigured',
        errorCode: 'accounts_server_not_allowed',
        zohoCalls: 0,
      }),
    ]);
    expect(world.metrics.sum('ZohoCalls')).toBe(0);
    expect(world.metrics.points.some((p) => p.name === 'ZohoLatency')).toBe(false);
  });
});

describe("Zoho's throttle window holds for every trigger", () => {
  it('consumer reports inside the window make no Zoho call; after it, one', async () => {
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'c1', version: 3 });
    world.zoho.script.push(new ZohoThrottledError('blocked'));
    await refreshConnection(world, { connectionId: 'c1', trigger: 'scheduled' });

    const during = [];
    for (let i = 0; i < 4; i++) {
      world.clock.advance(25_000);
      during.push(await refreshRejectedToken(world, { connectionId: 'c1', version: 3, status: 401 }));
    }
    world.clock.advance(10 * 60_000);
    const after = await refreshRejectedToken(world, { connectionId: 'c1', version: 3, status: 401 });

    expect(during.map((r) => r.outcome === 'skipped' && r.reason)).toEqual(Array(4).fill('zoho_throttled'));
    expect(after).toMatchObject({ outcome: 'refreshed', version: 4 });
    expect(world.zoho.refreshCalls).toBe(2);
  });
});

describe('the stored secret', () => {
  it('an unreadable secret counts as absent and is replaced by the next version', async () => {
    const world = createFakeWorld();
    // A run died here (its lease is left), so the refresh reads the secret before minting.
    const lease = { owner: 'dead-run', until: world.clock.now() - 1 };
    await addConnection(world, { connectionId: 'c1', version: 2, lease });
    world.vault.read = async () => {
      throw new StoredTokenUnreadableError('malformed_access_token_secret', 'not the contract shape');
    };

    const result = await refreshConnection(world, { connectionId: 'c1', trigger: 'scheduled' });

    expect(result).toMatchObject({ outcome: 'refreshed', version: 3 });
    expect(world.log.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
  });

  it('an expired secret left by a crashed run is not adopted: the new token takes the version after it', async () => {
    const world = createFakeWorld();
    const now = world.clock.now();
    await addConnection(world, { connectionId: 'c1', version: 5 });
    await world.vault.write({
      connectionId: 'c1',
      version: 6,
      accessToken: '1000.test-at-6',
      apiDomain: 'a',
      tokenType: 'Bearer',
      expiresAt: now - 1,
    });

    const result = await refreshConnection(world, { connectionId: 'c1', trigger: 'scheduled' });

    expect(result).toEqual({
      outcome: 'refreshed',
      version: 7,
      expiresAt: now + HOUR,
      refreshDueAt: now + HOUR - world.policy.marginMs - world.policy.jitterMs / 2,
    });
    expect(world.zoho.refreshCalls).toBe(1);
    expect(world.store.items.get('c1')?.version).toBe(7);
  });
});

describe('revoke and a refresh in flight', () => {
  it('a failure recorded after a revoke changes nothing and announces nothing', async () => {
    // Prepare: the refresh is inside Zoho's call when the operator revokes.
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'c1' });
    let revoke: Promise<unknown> | undefined;
    world.zoho.refreshAccessToken = async () => {
      revoke = revokeConnection(world, 'c1').catch((error: unknown) => error);
      await world.clock.sleep(1);
      throw new ZohoThrottledError('blocked');
    };

    // Act
    const refresh = await refreshConnection(world, { connectionId: 'c1', trigger: 'scheduled' });
    await revoke;

    // Assess: the revoke waited for the lease, so the refresh's failure landed first; either way
    // the connection ends revoked, with no re-authorisation or failure event after the revoke.
    expect(
      refresh.outcome === 'failed' || (refresh.outcome === 'skipped' && refresh.reason === 'lease_lost'),
    ).toBe(true);
    expect(world.store.items.get('c1')).toMatchObject({ status: 'revoked', encryptedRefreshToken: '' });
    expect(world.zoho.revoked).toHaveLength(1);
  });

  it('a refresh whose lease was taken by a revoke cannot commit or rewrite the secret', async () => {
    const world = createFakeWorld({ leaseMs: 1_000 });
    await addConnection(world, { connectionId: 'c1' });
    world.zoho.refreshAccessToken = async () => {
      // The refresh stalls past its lease; the revoke takes a fresh one and finishes first.
      world.clock.advance(1_001);
      await revokeConnection(world, 'c1');
      return { accessToken: '1000.test-at-late', expiresInSeconds: 3600, tokenType: 'Bearer' };
    };

    const refresh = await refreshConnection(world, { connectionId: 'c1', trigger: 'scheduled' });

    expect(refresh).toMatchObject({ outcome: 'skipped', reason: 'lease_lost' });
    expect(world.store.items.get('c1')).toMatchObject({ status: 'revoked', version: 0 });
    expect(world.vault.versions.has('c1')).toBe(false);
    expect(world.events.published).toEqual([]);
  });

  it('a revoke gives up with ConnectionBusyError while a refresh keeps its lease, and changes nothing', async () => {
    const world = createFakeWorld();
    const now = world.clock.now();
    await addConnection(world, { connectionId: 'c1', lease: { owner: 'stuck', until: now + 10 * HOUR } });

    await expect(revokeConnection(world, 'c1')).rejects.toMatchObject({ code: 'connection_busy' });
    expect(world.zoho.revoked).toHaveLength(0);
    expect(world.store.items.get('c1')?.status).toBe('active');
    // The wait is bounded well inside the on-demand function's 30 s.
    expect(world.clock.now() - now).toBe(REVOKE_LEASE_WAIT_MS);
  });
});
