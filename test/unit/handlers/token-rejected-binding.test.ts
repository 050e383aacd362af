/**
 * Reports are bound to connections: the on-demand function refreshes the connection the event's
 * source names (what IAM let the publisher use) and nothing else.
 */
import { describe, expect, it } from 'vitest';
import { createTokenRejectedHandler } from '../../../functions/on-demand-refresh/token-rejected-handler';
import { addConnection, createFakeWorld } from '../../support/fakes';

/** A report as the bus delivers it. */
const event = (source: unknown, detail: unknown) => ({
  version: '0',
  id: 'e-1',
  source,
  'detail-type': 'Zoho Token Rejected',
  account: '123456789012',
  time: '2026-11-26T08:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail,
});

async function twoConnections() {
  const world = createFakeWorld();
  await addConnection(world, { connectionId: 'acme', version: 2 });
  await addConnection(world, { connectionId: 'globex', version: 7 });
  return world;
}

describe('on-demand handler: reports bound to their source', () => {
  it("refuses a report under acme's source that names globex: logged as forged, counted, neither refreshed, not thrown", async () => {
    // Prepare
    const world = await twoConnections();

    // Act
    const result = await createTokenRejectedHandler(world)(
      event('zoho-token-refresher.consumer.acme', { connectionId: 'globex', version: 7, status: 401 }),
    );

    // Assess
    expect(result).toEqual({
      outcome: 'rejected',
      reason:
        "report under the source of connection 'acme' names connection 'globex' in its detail: refused as forged",
    });
    expect(world.metrics.points).toEqual([{ name: 'InvalidEvent', value: 1, reason: 'forged_report' }]);
    expect(world.log.lines).toEqual([
      expect.objectContaining({
        level: 'error',
        attributes: expect.objectContaining({ errorCode: 'forged_report' }),
      }),
    ]);
    expect(world.zoho.refreshCalls).toBe(0);
    expect(world.vault.writes).toBe(0);
    expect(world.store.calls.acquireLease).toBeUndefined();
    expect((await world.store.get('acme'))?.version).toBe(2);
    expect((await world.store.get('globex'))?.version).toBe(7);
  });

  it('refreshes the connection of the source when the detail does not repeat it', async () => {
    // Prepare
    const world = await twoConnections();

    // Act
    const result = await createTokenRejectedHandler(world)(
      event('zoho-token-refresher.consumer.globex', { version: 7, status: 401 }),
    );

    // Assess
    expect(result).toMatchObject({ outcome: 'refreshed', version: 8 });
    expect(world.zoho.refreshCalls).toBe(1);
    expect((await world.store.get('acme'))?.version).toBe(2);
  });

  it.each([
    ['the source before reports were bound to connections', 'zoho-token-refresher.consumer'],
    ["the refresher's own source", 'zoho-token-refresher'],
    ['another source', 'acme.billing'],
    ['no source', undefined],
    ['a source naming no valid connection id', 'zoho-token-refresher.consumer.a/b'],
    ['a source with nothing after the prefix', 'zoho-token-refresher.consumer.'],
  ])('refuses %s as invalid input, refreshing nothing', async (_label, source) => {
    // Prepare
    const world = await twoConnections();

    // Act
    const result = await createTokenRejectedHandler(world)(
      event(source, { connectionId: 'acme', version: 2, status: 401 }),
    );

    // Assess
    expect(result).toMatchObject({ outcome: 'rejected' });
    expect(world.metrics.points).toEqual([{ name: 'InvalidEvent', value: 1, reason: 'invalid_input' }]);
    expect(world.zoho.refreshCalls).toBe(0);
    expect(world.store.calls.acquireLease).toBeUndefined();
  });
});
