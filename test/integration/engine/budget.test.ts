import { describe, expect, it } from 'vitest';
import type { OnDemandResult } from '../../../functions/on-demand-refresh/token-rejected-handler';
import { useEngineWorld } from './world';

// Only Zoho's budget is tested here: the report rules and the write budget, which would stop this
// storm much earlier (report-brakes.test.ts), are loosened.
const world = useEngineWorld({
  policy: { freshReportWindowMs: 0, unscheduledWritesPerHour: 1_000, unscheduledWritesPerDay: 1_000 },
});
const WINDOW_MS = 10 * 60_000;

describe('the Zoho budget', () => {
  it('spends 9 Zoho calls on 50 reports of successive versions within 10 minutes, and Zoho never throttles', async () => {
    // Prepare
    const w = world();
    const id = 'storm';
    const { refreshToken } = await w.addConnection(id, 'us');
    const firstCallAt = w.clock.now();

    // Act: every consumer 401 reports the version it holds, 10 s apart: 50 reports in 490 s
    const results: OnDemandResult[] = [];
    for (let report = 0; report < 50; report++) {
      const current = (await w.ports.store.get(id)) ?? expect.fail('no connection');
      results.push(await w.onDemand(id, current.version));
      w.clock.advance(10_000);
    }

    // Assess: nine refreshes, then our own budget stops every further call before it reaches Zoho
    expect(w.sim.calls.tokenCallsFor(refreshToken)).toBe(9);
    expect(w.sim.calls.token).toBe(9);
    expect(results.slice(0, 9).map((result) => result.outcome)).toEqual(Array(9).fill('refreshed'));
    expect(results.slice(9).every((r) => r.outcome === 'failed' && r.errorCode === 'budget_exhausted')).toBe(
      true,
    );
    const connection = (await w.ports.store.get(id)) ?? expect.fail('no connection');
    expect(connection).toMatchObject({
      status: 'active',
      version: 9,
      consecutiveFailures: 0,
      // Due again the moment the first of the nine calls leaves the window.
      refreshDueAt: firstCallAt + WINDOW_MS + 1,
      lastError: { code: 'budget_exhausted' },
    });
    expect(connection.recentZohoCalls).toEqual(Array.from({ length: 9 }, (_, i) => firstCallAt + i * 10_000));
    expect(await w.scheduledIds()).toEqual([id]);
    const history = await w.ports.store.listHistory(id, 100);
    expect(history).toHaveLength(50);
    expect(history.filter((entry) => entry.outcome === 'throttled')).toEqual([]);
    expect(history.reduce((calls, entry) => calls + entry.zohoCalls, 0)).toBe(9);
    expect((await w.readSecret(id))?.value.version).toBe(9);
  });

  it('spends the budget again once the first call has left the window', async () => {
    // Prepare
    const w = world();
    const id = 'storm';
    const connection = (await w.ports.store.get(id)) ?? expect.fail('no connection');
    w.clock.advance(connection.refreshDueAt - w.clock.now());
    w.sim.resetCounters();

    // Act
    const result = await w.onDemand(id, 9);

    // Assess
    expect(result).toMatchObject({ outcome: 'refreshed', version: 10 });
    expect(w.sim.calls.token).toBe(1);
    expect((await w.ports.store.get(id))?.recentZohoCalls).toHaveLength(9);
  });
});
