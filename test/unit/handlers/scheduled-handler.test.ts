import { describe, expect, it } from 'vitest';
import { createSweepHandler } from '../../../functions/scheduled-refresh/sweep-handler';
import { addConnection, createFakeWorld } from '../../support/fakes';

describe('scheduled handler', () => {
  it('sweeps with the Lambda context’s remaining time', async () => {
    const world = createFakeWorld();
    for (let i = 0; i < 4; i++) await addConnection(world, { connectionId: `c${i}` });
    let remaining = 50_000;
    const context = { getRemainingTimeInMillis: () => (remaining -= 10_000) };

    const summary = await createSweepHandler(world, { concurrency: 1, reserveMs: 25_000 })({}, context);

    // 40 s, 30 s left: two taken; at 20 s it stops.
    expect(summary).toMatchObject({ due: 4, attempted: 2, leftForNextSweep: 2 });
    expect(world.zoho.refreshCalls).toBe(2);
  });
});
