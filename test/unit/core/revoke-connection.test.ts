import { describe, expect, it } from 'vitest';
import {
  ConnectionChangedError,
  RefreshTokenAlreadyInvalidError,
  ZohoTransientError,
} from '../../../functions/core/errors';
import { REVOKE_LEASE_WAIT_MS, revokeConnection } from '../../../functions/core/revoke-connection';
import { addConnection, createFakeWorld } from '../../support/fakes';

describe('revokeConnection', () => {
  it('revokes at Zoho with the decrypted refresh token, then marks revoked and removes the token', async () => {
    const world = createFakeWorld();
    await addConnection(world, {
      connectionId: 'acme',
      accountsServer: 'https://accounts.zoho.eu',
      expiresAt: world.clock.now() + 3_600_000,
    });
    await world.vault.write({
      connectionId: 'acme',
      version: 1,
      accessToken: '1000.test-at-1',
      apiDomain: 'a',
      tokenType: 'Bearer',
      expiresAt: 1,
    });

    const result = await revokeConnection(world, 'acme');

    expect(result).toEqual({
      outcome: 'revoked',
      connectionId: 'acme',
      revokedAtZoho: true,
      previousStatus: 'active',
    });
    expect(world.zoho.revoked).toEqual([
      { accountsServer: 'https://accounts.zoho.eu', refreshToken: '1000.test-rt-acme' },
    ]);
    // No token any more: expiresAt 0 keeps the expiry gauges off it.
    expect(world.store.items.get('acme')).toMatchObject({
      status: 'revoked',
      encryptedRefreshToken: '',
      expiresAt: 0,
    });
    expect(world.vault.versions.has('acme')).toBe(false);
    expect(world.store.history).toEqual([
      expect.objectContaining({ outcome: 'revoked', trigger: 'operator' }),
    ]);
  });

  it('a refresh token Zoho no longer knows still ends revoked', async () => {
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'acme', status: 'reauthorization_required' });
    world.zoho.revokeRefreshToken = async () => {
      throw new RefreshTokenAlreadyInvalidError('HTTP 400');
    };

    const result = await revokeConnection(world, 'acme');

    expect(result).toMatchObject({ revokedAtZoho: false, previousStatus: 'reauthorization_required' });
    expect(world.store.items.get('acme')?.status).toBe('revoked');
  });

  it('a transient Zoho failure changes nothing, so the operator can run it again', async () => {
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'acme' });
    await world.vault.write({
      connectionId: 'acme',
      version: 1,
      accessToken: '1000.test-at-1',
      apiDomain: 'a',
      tokenType: 'Bearer',
      expiresAt: 1,
    });
    world.zoho.revokeRefreshToken = async () => {
      throw new ZohoTransientError('HTTP 503');
    };

    await expect(revokeConnection(world, 'acme')).rejects.toBeInstanceOf(ZohoTransientError);
    expect(world.store.items.get('acme')?.status).toBe('active');
    expect(world.vault.versions.get('acme')).toHaveLength(1);
  });

  it('never overwrites a re-authorisation that lands while Zoho revokes the old token', async () => {
    // Prepare: an operator runs `connect` for the connection while the revoke is at Zoho.
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'acme', status: 'reauthorization_required' });
    const reauthorised = await world.cipher.encrypt('acme', '1000.test-rt-new');
    world.zoho.revokeRefreshToken = async () => {
      await world.store.setStatus('acme', 'active', { encryptedRefreshToken: reauthorised, lastError: null });
    };

    // Act
    const error = await revokeConnection(world, 'acme').catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConnectionChangedError);
    expect(world.store.items.get('acme')).toMatchObject({
      status: 'active',
      encryptedRefreshToken: reauthorised,
    });
    expect(world.store.history).toEqual([]);
  });

  it('run again on a revoked connection, removes a secret a refresh left behind and calls no one', async () => {
    // Prepare: the first revoke is done; a refresh that lost its lease wrote version 4 after it
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'acme', accountsServer: 'https://accounts.zoho.eu' });
    await revokeConnection(world, 'acme');
    await world.vault.write({
      connectionId: 'acme',
      version: 4,
      accessToken: '1000.test-at-4',
      apiDomain: 'a',
      tokenType: 'Bearer',
      expiresAt: 1,
    });
    world.cipher.decrypt = async () => expect.fail('a revoked connection has nothing to decrypt');

    // Act
    const result = await revokeConnection(world, 'acme');

    // Assess
    expect(result).toEqual({
      outcome: 'revoked',
      connectionId: 'acme',
      revokedAtZoho: false,
      previousStatus: 'revoked',
    });
    expect(world.vault.versions.has('acme')).toBe(false);
    expect(world.zoho.revoked).toHaveLength(1);
    expect(world.store.items.get('acme')).toMatchObject({ status: 'revoked', encryptedRefreshToken: '' });
    expect(world.store.history.map((entry) => [entry.outcome, entry.zohoCalls])).toEqual([
      ['revoked', 1],
      ['revoked', 0],
    ]);
  });

  it('with an expected status, changes nothing when the connection is in another', async () => {
    // Prepare: re-authorised between the operator's look and the revoke
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'acme' });

    // Act
    const error = await revokeConnection(world, 'acme', { expectedStatus: 'revoked' }).catch(
      (caught: unknown) => caught,
    );

    // Assess
    expect(error).toBeInstanceOf(ConnectionChangedError);
    expect(world.zoho.revoked).toEqual([]);
    expect(world.store.items.get('acme')?.status).toBe('active');
    expect(world.store.items.get('acme')?.lease).toBeUndefined();
    expect(world.store.history).toEqual([]);
  });

  it('an unknown connection is a ConnectionNotFoundError', async () => {
    await expect(revokeConnection(createFakeWorld(), 'ghost')).rejects.toMatchObject({
      code: 'connection_not_found',
    });
  });
});

describe('revokeConnection waiting for a refresh that holds the lease', () => {
  it('goes ahead as soon as the refresh ends, not when its lease would run out', async () => {
    // Prepare: a refresh holds a one-minute lease and ends 3 s into the revoke's wait.
    const world = createFakeWorld();
    const started = world.clock.now();
    await addConnection(world, {
      connectionId: 'acme',
      lease: { owner: 'refresh', until: started + 60_000 },
    });
    const sleep = world.clock.sleep;
    world.clock.sleep = async (ms) => {
      await sleep(ms);
      if (world.clock.now() - started >= 3_000)
        await world.store.releaseLease('acme', 'refresh', world.clock.now());
    };

    // Act
    const result = await revokeConnection(world, 'acme');

    // Assess
    expect(result).toMatchObject({ outcome: 'revoked', revokedAtZoho: true, previousStatus: 'active' });
    expect(world.clock.now() - started).toBe(3_000);
    expect(world.zoho.revoked).toHaveLength(1);
  });

  it('gives up with ConnectionBusyError after the bounded wait, within the on-demand timeout', async () => {
    // Prepare: a crashed refresh left a lease that runs 45 s more (the on-demand function has 30 s).
    const world = createFakeWorld();
    const started = world.clock.now();
    await addConnection(world, {
      connectionId: 'acme',
      lease: { owner: 'crashed', until: started + 45_000 },
    });

    // Act
    const error = await revokeConnection(world, 'acme').catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'connection_busy' });
    expect(world.clock.now() - started).toBe(REVOKE_LEASE_WAIT_MS);
    expect(REVOKE_LEASE_WAIT_MS).toBe(15_000);
    expect(world.zoho.revoked).toHaveLength(0);
    expect(world.store.items.get('acme')).toMatchObject({ status: 'active', lease: { owner: 'crashed' } });
  });

  it('takes a lease that runs out within the wait the moment it does', async () => {
    // Prepare
    const world = createFakeWorld();
    const started = world.clock.now();
    await addConnection(world, { connectionId: 'acme', lease: { owner: 'crashed', until: started + 2_500 } });

    // Act
    const result = await revokeConnection(world, 'acme');

    // Assess
    expect(result).toMatchObject({ outcome: 'revoked', previousStatus: 'active' });
    expect(world.clock.now() - started).toBe(2_500);
  });
});
