import { describe, expect, it } from 'vitest';
import { refreshConnection } from '../../../functions/core/refresh-connection';
import type { OnDemandResult } from '../../../functions/on-demand-refresh/token-rejected-handler';
import { useEngineWorld } from './world';

const world = useEngineWorld();
const MIN = 60_000;

describe('consumer reports cannot exhaust a secret or a token budget (real DynamoDB and Secrets Manager)', () => {
  it('a permission-only 401 from 50 containers over an hour costs at most one refresh per 10 minutes', async () => {
    // Prepare: a connection refreshed by the schedule (version 1, fresh).
    const w = world();
    const id = 'no-scope';
    const { refreshToken } = await w.addConnection(id, 'us');
    await w.sweep();
    w.sim.resetCounters();

    // Act: every 72 s for an hour a new container reads the current version and reports it.
    const results: OnDemandResult[] = [];
    for (let report = 0; report < 50; report++) {
      const current = (await w.ports.store.get(id)) ?? expect.fail('no connection');
      results.push(await w.onDemand(id, current.version));
      w.clock.advance(72_000);
    }

    // Assess: the first report of each 10-minute window refreshes (reports 0, 9, 18, 27, 36); from the
    // sixth window on (reports 45-49) 6 writes this hour, the schedule's included, hold them back.
    const outcomes = results.map((r) => (r.outcome === 'skipped' ? r.reason : r.outcome));
    expect(outcomes.filter((o) => o === 'refreshed')).toHaveLength(5);
    expect(outcomes.slice(45)).toEqual(Array(5).fill('secret_write_budget'));
    expect(outcomes.filter((o) => o === 'fresh_token_rejected')).toHaveLength(40);
    expect(w.sim.calls.tokenCallsFor(refreshToken)).toBe(5);
    const connection = (await w.ports.store.get(id)) ?? expect.fail('no connection');
    expect(connection).toMatchObject({ status: 'active', version: 6, freshRejections: 40 });
    expect(connection.recentSecretWrites).toHaveLength(6);
    const history = await w.ports.store.listHistory(id, 100);
    expect(history.filter((entry) => entry.outcome === 'fresh_token_rejected')).toHaveLength(40);
    expect((await w.readSecret(id))?.value.version).toBe(6);
    expect(w.metrics.sum('FreshTokenRejected')).toBe(50);
  });

  it('operator refreshes stop at 6 secret writes an hour; the current token stays', async () => {
    // Prepare: a connection the schedule refreshed once (1 write this hour).
    const w = world();
    const id = 'operator-storm';
    const { refreshToken } = await w.addConnection(id, 'us');
    await w.sweep();
    w.sim.resetCounters();

    // Act: an operator forces 10 refreshes, a minute apart.
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 10; attempt++) {
      const result = await refreshConnection(w.deps, { connectionId: id, trigger: 'operator', force: true });
      outcomes.push(result.outcome === 'skipped' ? result.reason : result.outcome);
      w.clock.advance(MIN);
    }

    // Assess: 5 more writes make 6 this hour; the other 5 ask neither Zoho nor Secrets Manager.
    expect(outcomes).toEqual([...Array(5).fill('refreshed'), ...Array(5).fill('secret_write_budget')]);
    expect(w.sim.calls.tokenCallsFor(refreshToken)).toBe(5);
    const connection = (await w.ports.store.get(id)) ?? expect.fail('no connection');
    expect(connection).toMatchObject({ status: 'active', version: 6 });
    expect(connection.recentSecretWrites).toHaveLength(6);
    expect((await w.readSecret(id))?.value.version).toBe(6);
  });

  it('refuses a report of a version never issued, with no Zoho call and no write', async () => {
    const w = world();
    const id = 'forged-version';
    const { refreshToken } = await w.addConnection(id, 'us');
    await w.sweep();
    w.sim.resetCounters();

    const result = await w.onDemand(id, 99);

    expect(result).toMatchObject({ outcome: 'rejected' });
    expect(w.sim.calls.tokenCallsFor(refreshToken)).toBe(0);
    expect((await w.readSecret(id))?.value.version).toBe(1);
  });
});
