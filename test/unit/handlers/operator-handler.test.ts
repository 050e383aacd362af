import { describe, expect, it } from 'vitest';
import { createTokenRejectedHandler } from '../../../functions/on-demand-refresh/token-rejected-handler';
import { addConnection, createFakeWorld } from '../../support/fakes';

describe('operator commands on the on-demand function (direct invoke)', () => {
  it('refresh --force refreshes a connection that is not due', async () => {
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'acme', refreshDueAt: Date.UTC(2030, 0, 1) });

    const result = await createTokenRejectedHandler(world)({
      operatorCommand: 'refresh',
      connectionId: 'acme',
      force: true,
    });

    expect(result).toMatchObject({ outcome: 'refreshed', version: 1 });
    expect(world.store.history[0]?.trigger).toBe('operator');
  });

  it('revoke revokes', async () => {
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'acme' });

    const result = await createTokenRejectedHandler(world)({
      operatorCommand: 'revoke',
      connectionId: 'acme',
    });

    expect(result).toMatchObject({ outcome: 'revoked', connectionId: 'acme' });
    expect(world.store.items.get('acme')?.status).toBe('revoked');
  });

  it('an unknown command is refused with a metric, not thrown', async () => {
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'acme' });

    const result = await createTokenRejectedHandler(world)({
      operatorCommand: 'delete-everything',
      connectionId: 'acme',
    });

    expect(result).toMatchObject({ outcome: 'rejected' });
    expect(world.metrics.points).toEqual([{ name: 'InvalidEvent', value: 1, reason: 'invalid_input' }]);
    expect(world.store.items.get('acme')?.status).toBe('active');
  });
});
