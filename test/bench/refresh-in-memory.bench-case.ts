/**
 * `refresh-in-memory`: the refresh use case end to end on in-memory ports, one connection after
 * another. `single-flight-in-memory`: 200 concurrent reports of one rejected version, 100 rounds;
 * every round must cost Zoho exactly one call.
 */
import { refreshConnection } from '../../functions/core/refresh-connection';
import { refreshRejectedToken } from '../../functions/core/token-rejected';
import { type Bench, Checks, measure, row } from './harness';
import { type BenchWorld, createBenchWorld } from './in-memory-world';

const SEQUENTIAL = 10_000;
const REPORTS = 200;
const ROUNDS = 100;
const REJECTED_VERSION = 3;

export const refreshInMemory: Bench = {
  name: 'refresh-in-memory',
  description: `${SEQUENTIAL.toLocaleString('en')} sequential refreshes of distinct connections (in-memory ports)`,
  async run() {
    const refreshed: number[] = [];
    const zohoCalls: number[] = [];
    const secretWrites: number[] = [];
    let last: BenchWorld | undefined;
    const measurement = await measure({
      runs: 5,
      warmupRuns: 1,
      setup: () => createBenchWorld(SEQUENTIAL, 'seq'),
      async run({ deps, ids }) {
        for (const connectionId of ids) await refreshConnection(deps, { connectionId, trigger: 'scheduled' });
      },
      after(state) {
        last = state;
        refreshed.push(state.metrics.total('RefreshSucceeded'));
        zohoCalls.push(state.world.zoho.refreshCalls);
        secretWrites.push(state.world.vault.writes);
      },
    });
    const checks = new Checks();
    checks.expectEach('refreshed', refreshed, SEQUENTIAL);
    checks.expectEach('Zoho calls', zohoCalls, SEQUENTIAL);
    checks.expectEach('secret writes', secretWrites, SEQUENTIAL);
    return [
      row('refresh-in-memory', SEQUENTIAL, measurement, {
        counts: {
          zohoCalls: zohoCalls.at(-1) ?? 0,
          secretWrites: secretWrites.at(-1) ?? 0,
          storeWrites: storeWrites(last),
        },
        checks: checks.list,
        note: 'per-op = one whole refresh: read, lease, budget, decrypt, Zoho, secret write, commit, history, event',
      }),
    ];
  },
};

/** Conditional writes one run made: lease, budget record, commit (history is not counted). */
function storeWrites(state: BenchWorld | undefined): number {
  const calls = state?.world.store.calls ?? {};
  return (calls.acquireLease ?? 0) + (calls.recordZohoCall ?? 0) + (calls.commitRefresh ?? 0);
}

export const singleFlightInMemory: Bench = {
  name: 'single-flight-in-memory',
  description: `${REPORTS} concurrent refreshRejectedToken for one version x ${ROUNDS} rounds (in-memory ports)`,
  async run() {
    const callsPerRound: number[] = [];
    const refreshedPerRound: number[] = [];
    let lastRunReports = 0;
    const measurement = await measure({
      runs: 5,
      warmupRuns: 1,
      setup: () => createBenchWorld(ROUNDS, 'sf', { version: REJECTED_VERSION }),
      async run({ deps, world, ids }) {
        lastRunReports = 0;
        for (const connectionId of ids) {
          const before = world.zoho.refreshCalls;
          const results = await Promise.all(
            Array.from({ length: REPORTS }, () =>
              refreshRejectedToken(deps, { connectionId, version: REJECTED_VERSION, status: 401 }),
            ),
          );
          lastRunReports += results.length;
          callsPerRound.push(world.zoho.refreshCalls - before);
          refreshedPerRound.push(results.filter((result) => result.outcome === 'refreshed').length);
        }
      },
    });
    const checks = new Checks();
    checks.expectEach('Zoho calls per round', callsPerRound, 1);
    checks.expectEach('reports that refreshed, per round', refreshedPerRound, 1);
    return [
      row('single-flight-in-memory', ROUNDS, measurement, {
        counts: {
          reportsPerRun: lastRunReports,
          zohoCallsPerRound: Math.max(...callsPerRound),
          roundsChecked: callsPerRound.length,
        },
        checks: checks.list,
        note: `per-op = one round of ${REPORTS} racing reports (warm-up rounds included in the checks)`,
      }),
    ];
  },
};
