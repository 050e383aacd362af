import { describe, expect, it } from 'vitest';
import { RefreshTokenAlreadyInvalidError, ZohoTransientError } from '../../../functions/core/errors';
import { revokeConnection } from '../../../functions/core/revoke-connection';
import { addConnection, createFakeWorld } from '../../support/fakes';

describe('revokeConnection', () => {
  it('revokes at Zoho with the decrypted refresh token, then marks revoked and removes the token', async () => {
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'acme', accountsServer: 'https://accounts.zoho.eu' });
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
    expect(world.store.items.get('acme')).toMatchObject({ status: 'revoked', encryptedRefreshToken: '' });
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

  it('an unknown connection is a ConnectionNotFoundError', async () => {
    await expect(revokeConnection(createFakeWorld(), 'ghost')).rejects.toMatchObject({
      code: 'connection_not_found',
    });
  });
});
