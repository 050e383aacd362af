import { describe, expect, it } from 'vitest';
import { ConnectionChangedError, ConnectionNotFoundError } from '../../../functions/core/errors';
import { useEngineWorld } from './world';

const world = useEngineWorld();

/**
 * An operator's status change against the emulator: conditional on the status read before it, and a
 * failed condition told apart (changed meanwhile, or not there) from the item DynamoDB hands back.
 */
describe('DynamoDbConnectionStore.setStatus with an expected status', () => {
  it('writes over the expected status: token expiry and budget replaced, the lease ended', async () => {
    // Prepare
    const w = world();
    const { connection } = await w.addConnection('sc-expected');
    const now = w.clock.now();
    await w.ports.store.acquireLease(connection, { owner: 'revoke-1', until: now + 60_000 }, now);

    // Act
    await w.ports.store.setStatus('sc-expected', 'revoked', {
      encryptedRefreshToken: '',
      expiresAt: 0,
      recentZohoCalls: [now - 1_000, now],
      expectedStatus: 'active',
    });

    // Assess
    const stored = await w.ports.store.get('sc-expected');
    expect(stored).toMatchObject({
      status: 'revoked',
      encryptedRefreshToken: '',
      expiresAt: 0,
      recentZohoCalls: [now - 1_000, now],
    });
    expect(stored?.lease).toBeUndefined();
    expect(await w.scheduledIds()).not.toContain('sc-expected');
  });

  it('throws ConnectionChangedError and writes nothing when the status moved on', async () => {
    // Prepare: another operator disabled the connection after it was read as active.
    const w = world();
    await w.addConnection('sc-changed');
    await w.ports.store.setStatus('sc-changed', 'disabled');
    const before = await w.ports.store.get('sc-changed');

    // Act
    const error = await w.ports.store
      .setStatus('sc-changed', 'revoked', { encryptedRefreshToken: '', expectedStatus: 'active' })
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConnectionChangedError);
    expect(await w.ports.store.get('sc-changed')).toEqual(before);
  });

  it('throws ConnectionNotFoundError for an id that is not there, expected status or not', async () => {
    // Prepare
    const w = world();

    // Act
    const errors = await Promise.all([
      w.ports.store.setStatus('sc-nobody', 'revoked', { expectedStatus: 'active' }).catch((e: unknown) => e),
      w.ports.store.setStatus('sc-nobody', 'revoked').catch((e: unknown) => e),
    ]);

    // Assess
    expect(errors.map((e) => e instanceof ConnectionNotFoundError)).toEqual([true, true]);
    expect(await w.ports.store.get('sc-nobody')).toBeUndefined();
  });
});
