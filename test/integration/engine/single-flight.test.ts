import { describe, expect, it } from 'vitest';
import type { OnDemandResult } from '../../../functions/on-demand-refresh/token-rejected-handler';
import { useEngineWorld } from './world';

const world = useEngineWorld();
const REPORTS = 200;

describe('single flight on real conditional writes', () => {
  it('turns 200 racing reports of one version, and a racing sweep, into exactly one Zoho call', async () => {
    // Prepare: a connection at version 1 whose refresh is due, so the sweep races the reports too
    const w = world();
    const id = 'racing';
    const { refreshToken } = await w.addConnection(id, 'eu');
    expect(await w.sweep()).toMatchObject({ refreshed: 1 });
    const before = (await w.ports.store.get(id)) ?? expect.fail('no connection');
    w.clock.advance(before.refreshDueAt - w.clock.now());
    w.sim.resetCounters();

    // Act
    const [sweep, ...results] = await Promise.all([
      w.sweep(),
      ...Array.from({ length: REPORTS }, () => w.onDemand(id, 1)),
    ]);

    // Assess: one call to Zoho, one new version, everyone else told someone else did it
    expect(w.sim.calls.token).toBe(1);
    expect(w.sim.calls.tokenCallsFor(refreshToken)).toBe(1);
    const after = (await w.ports.store.get(id)) ?? expect.fail('no connection');
    expect(after.version).toBe(2);
    expect(after.lease).toBeUndefined();
    // The first refresh left the 10-minute budget window; only this one counts.
    expect(after.recentZohoCalls).toEqual([w.clock.now()]);
    expect((await w.readSecret(id))?.value.version).toBe(2);
    expect((await w.readSecret(id))?.versionCount).toBe(2);
    const outcomes = tally(results);
    const sweepRefreshed = sweep?.refreshed ?? 0;
    expect((outcomes.refreshed ?? 0) + sweepRefreshed).toBe(1);
    expect(outcomes.failed ?? 0).toBe(0);
    expect(outcomes.rejected ?? 0).toBe(0);
    expect((outcomes['skipped:already_refreshed'] ?? 0) + (outcomes['skipped:lease_held'] ?? 0)).toBe(
      REPORTS - (outcomes.refreshed ?? 0),
    );
    const history = await w.ports.store.listHistory(id, 10);
    expect(history.map((entry) => [entry.outcome, entry.version, entry.zohoCalls])).toEqual([
      ['refreshed', 2, 1],
      ['refreshed', 1, 1],
    ]);
  });

  it('adds no Zoho call when the same reports arrive again after the refresh', async () => {
    // Prepare
    const w = world();
    w.sim.resetCounters();

    // Act
    const results = await Promise.all(Array.from({ length: REPORTS }, () => w.onDemand('racing', 1)));

    // Assess
    expect(w.sim.calls.token).toBe(0);
    expect(tally(results)).toEqual({ 'skipped:already_refreshed': REPORTS });
    expect((await w.ports.store.get('racing'))?.version).toBe(2);
  });
});

function tally(results: readonly OnDemandResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const result of results) {
    const key = result.outcome === 'skipped' ? `skipped:${result.reason}` : result.outcome;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
