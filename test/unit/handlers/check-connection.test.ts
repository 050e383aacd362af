import { describe, expect, it, vi } from 'vitest';
import {
  MalformedAccessTokenSecretError,
  RefreshTokenKeyUnavailableError,
} from '../../../functions/aws/errors';
import { checkConnection } from '../../../functions/core/check-connection';
import { ClientCredentialsNotFoundError, ConnectionNotFoundError } from '../../../functions/core/errors';
import { createOperatorHandler } from '../../../functions/operator/operator-handler';
import { addConnection, createFakeWorld, type FakeWorld } from '../../support/fakes';

const TOKEN = {
  accessToken: '1000.test-at-check',
  apiDomain: 'https://www.zohoapis.com',
  tokenType: 'Bearer',
  expiresAt: Date.UTC(2030, 0, 1),
  version: 3,
  connectionId: 'acme',
} as const;

/** Everything a check could change or call, but the store's reads: it must change nothing, call no one. */
function sideEffects(world: FakeWorld) {
  const { get: _get, ...writes } = world.store.calls;
  return {
    storeWrites: { ...writes },
    history: world.store.history.length,
    vaultWrites: world.vault.writes,
    zohoCalls: world.zoho.refreshCalls,
    revoked: world.zoho.revoked.length,
    events: world.events.published.length,
    metrics: world.metrics.points.length,
  };
}

describe('checkConnection (the check operator command)', () => {
  it('reads all three parts with the refresher ports, calls no one and returns no secret', async () => {
    // Prepare
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'acme', dc: 'eu', version: 3 });
    await world.vault.write(TOKEN);
    const credentials = vi.spyOn(world.credentials, 'get');
    const before = sideEffects(world);

    // Act
    const result = await checkConnection(world, 'acme');

    // Assess
    expect(result).toEqual({
      outcome: 'checked',
      connectionId: 'acme',
      refreshTokenDecrypts: true,
      clientAppReadable: true,
      accessTokenReadable: true,
      accessTokenVersion: 3,
      problems: [],
    });
    expect(credentials).toHaveBeenCalledExactlyOnceWith('books', 'eu');
    expect(sideEffects(world)).toEqual(before);
    const text = JSON.stringify(result);
    for (const marker of ['test-rt-', 'test-cs-', 'test-at-', '1000.CLIENT'])
      expect(text).not.toContain(marker);
  });

  it('counts an access-token secret not written yet as readable, without a version', async () => {
    // Prepare
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'fresh' });

    // Act
    const result = await checkConnection(world, 'fresh');

    // Assess
    expect(result).toEqual({
      outcome: 'checked',
      connectionId: 'fresh',
      refreshTokenDecrypts: true,
      clientAppReadable: true,
      accessTokenReadable: true,
      problems: [],
    });
  });

  it('names each failed part by error name, code and cause, never by message, in a fixed order', async () => {
    // Prepare
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'acme' });
    const denied = Object.assign(new Error('User arn:aws:iam::1:role/x is not authorized'), {
      name: 'AccessDeniedException',
    });
    vi.spyOn(world.cipher, 'decrypt').mockRejectedValue(
      new RefreshTokenKeyUnavailableError('acme', 'decrypt', 'AccessDeniedException', { cause: denied }),
    );
    vi.spyOn(world.credentials, 'get').mockRejectedValue(new ClientCredentialsNotFoundError('books'));
    vi.spyOn(world.vault, 'read').mockRejectedValue(new MalformedAccessTokenSecretError('acme'));
    const before = sideEffects(world);

    // Act
    const result = await checkConnection(world, 'acme');

    // Assess
    expect(result).toEqual({
      outcome: 'checked',
      connectionId: 'acme',
      refreshTokenDecrypts: false,
      clientAppReadable: false,
      accessTokenReadable: false,
      problems: [
        'refresh token: RefreshTokenKeyUnavailableError [refresh_token_key_unavailable] caused by AccessDeniedException',
        "client app 'books' (us): ClientCredentialsNotFoundError [client_credentials_not_found]",
        'access-token secret: MalformedAccessTokenSecretError [malformed_access_token_secret]',
      ],
    });
    expect(JSON.stringify(result)).not.toContain('not authorized');
    expect(sideEffects(world)).toEqual(before);
  });

  it('names a plain error by its name only', async () => {
    // Prepare: the fake cipher refuses a ciphertext bound to another connection with a plain Error.
    const world = createFakeWorld();
    const other = await addConnection(world, { connectionId: 'other' });
    await addConnection(world, { connectionId: 'acme', encryptedRefreshToken: other.encryptedRefreshToken });

    // Act
    const result = await checkConnection(world, 'acme');

    // Assess
    expect(result.refreshTokenDecrypts).toBe(false);
    expect(result.problems).toEqual(['refresh token: Error']);
  });

  it('reports a revoked connection without asking the cipher', async () => {
    // Prepare
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'gone', status: 'revoked', encryptedRefreshToken: '' });
    const decrypt = vi.spyOn(world.cipher, 'decrypt');

    // Act
    const result = await checkConnection(world, 'gone');

    // Assess
    expect(result).toMatchObject({
      refreshTokenDecrypts: false,
      clientAppReadable: true,
      accessTokenReadable: true,
      problems: ['refresh token: none is stored (revoked)'],
    });
    expect(decrypt).not.toHaveBeenCalled();
  });

  it('throws for an unknown connection', async () => {
    // Act
    const error = await checkConnection(createFakeWorld(), 'nope').catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(ConnectionNotFoundError);
  });
});

describe('the check command on the operator function', () => {
  it('answers the check of a misconfigured connection as well as of an active one', async () => {
    // Prepare
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'acme', status: 'misconfigured' });
    const before = sideEffects(world);

    // Act
    const result = await createOperatorHandler(world)({
      operatorCommand: 'check',
      connectionId: 'acme',
    });

    // Assess
    expect(result).toEqual({
      outcome: 'checked',
      connectionId: 'acme',
      refreshTokenDecrypts: true,
      clientAppReadable: true,
      accessTokenReadable: true,
      problems: [],
    });
    expect(sideEffects(world)).toEqual(before);
    expect(world.store.items.get('acme')?.status).toBe('misconfigured');
  });

  it('refuses an unknown connection with a metric, not a throw', async () => {
    // Prepare
    const world = createFakeWorld();

    // Act
    const result = await createOperatorHandler(world)({
      operatorCommand: 'check',
      connectionId: 'nope',
    });

    // Assess
    expect(result).toEqual({ outcome: 'rejected', reason: "No connection 'nope' is registered" });
    expect(world.metrics.points).toEqual([
      { name: 'InvalidEvent', value: 1, reason: 'connection_not_found' },
    ]);
  });

  it('refuses a check without a valid connection id', async () => {
    // Prepare
    const world = createFakeWorld();

    // Act
    const result = await createOperatorHandler(world)({
      operatorCommand: 'check',
      connectionId: '../x',
    });

    // Assess
    expect(result).toMatchObject({ outcome: 'rejected' });
    expect(world.metrics.points).toEqual([{ name: 'InvalidEvent', value: 1, reason: 'invalid_input' }]);
  });
});
