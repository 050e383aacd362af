import { describe, expect, it } from 'vitest';
import { createTokenRejectedHandler } from '../../../functions/on-demand-refresh/token-rejected-handler';
import { addConnection, createFakeWorld } from '../../support/fakes';

/** A report as the bus delivers it, under the source of the connection its detail names. */
const event = (detail: unknown) => ({
  version: '0',
  id: 'e-1',
  source: `zoho-token-refresher.consumer.${(detail as { connectionId?: string } | undefined)?.connectionId ?? 'acme'}`,
  'detail-type': 'Zoho Token Rejected',
  account: '123456789012',
  time: '2026-11-26T08:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail,
});

describe('on-demand handler', () => {
  it('refreshes the reported version once', async () => {
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'acme', version: 2 });

    const result = await createTokenRejectedHandler(world)(
      event({ connectionId: 'acme', version: 2, status: 401 }),
    );

    expect(result).toMatchObject({ outcome: 'refreshed', version: 3 });
    expect(world.zoho.refreshCalls).toBe(1);
  });

  it('answers "already refreshed" and does nothing when the stored version is newer', async () => {
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'acme', version: 5 });

    const result = await createTokenRejectedHandler(world)(
      event({ connectionId: 'acme', version: 4, status: 401 }),
    );

    expect(result).toEqual({ outcome: 'skipped', reason: 'already_refreshed', version: 5 });
    expect(world.zoho.refreshCalls).toBe(0);
    expect(world.store.calls.acquireLease).toBeUndefined();
  });

  it.each([
    ['no detail', undefined, 'invalid_input'],
    ['a malformed detail', { connectionId: 'acme', version: 'two', status: 401 }, 'invalid_input'],
    ['an unknown connection', { connectionId: 'ghost', version: 1, status: 401 }, 'connection_not_found'],
  ])('refuses %s without throwing: logged reason, metric, token untouched', async (_label, detail, code) => {
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'acme' });

    const result = await createTokenRejectedHandler(world)(event(detail));

    expect(result).toMatchObject({ outcome: 'rejected' });
    expect(world.metrics.points).toEqual([{ name: 'InvalidEvent', value: 1, reason: code }]);
    expect(world.log.lines).toEqual([
      expect.objectContaining({ level: 'error', attributes: expect.objectContaining({ errorCode: code }) }),
    ]);
    expect(world.zoho.refreshCalls).toBe(0);
    expect(world.vault.writes).toBe(0);
  });

  it('throws what retrying can fix (the store is down), so Lambda retries and the DLQ catches it', async () => {
    const world = createFakeWorld();
    world.store.get = async () => {
      throw new Error('ProvisionedThroughputExceeded');
    };

    await expect(
      createTokenRejectedHandler(world)(event({ connectionId: 'acme', version: 1, status: 401 })),
    ).rejects.toThrow('ProvisionedThroughputExceeded');
  });
});
