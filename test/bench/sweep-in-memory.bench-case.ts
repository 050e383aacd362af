/**
 * `sweep-in-memory`: one scheduled sweep over 5,000 due connections with concurrency 8, on in-memory
 * ports: what the sweep's own machinery (due query, worker pool, summary) adds to the refreshes.
 */
import { sweepDueConnections } from '../../functions/core/sweep';
import { type Bench, Checks, measure, row } from './harness';
import { createBenchWorld } from './in-memory-world';

const DUE = 5_000;
const CONCURRENCY = 8;

export const sweepInMemory: Bench = {
  name: 'sweep-in-memory',
  description: `one sweep over ${DUE.toLocaleString('en')} due connections, concurrency ${CONCURRENCY} (in-memory ports)`,
  async run() {
    const refreshed: number[] = [];
    const zohoCalls: number[] = [];
    const dueQueries: number[] = [];
    const measurement = await measure({
      runs: 5,
      warmupRuns: 1,
      setup: () => createBenchWorld(DUE, 'due'),
      async run({ deps }) {
        const summary = await sweepDueConnections(deps, {
          concurrency: CONCURRENCY,
          remainingTimeMs: () => 900_000,
          reserveMs: 35_000,
          maxConnections: DUE,
        });
        refreshed.push(summary.refreshed);
      },
      after({ world }) {
        zohoCalls.push(world.zoho.refreshCalls);
        dueQueries.push(world.store.calls.listDue ?? 0);
      },
    });
    const checks = new Checks();
    checks.expectEach('refreshed by the sweep', refreshed, DUE);
    checks.expectEach('Zoho calls', zohoCalls, DUE);
    checks.expectEach('due-index queries', dueQueries, 1);
    return [
      row('sweep-in-memory', DUE, measurement, {
        counts: { zohoCalls: zohoCalls.at(-1) ?? 0, refreshed: refreshed.at(-1) ?? 0 },
        checks: checks.list,
        note: 'ops/s = refreshes per second of one sweep; total ms = the whole sweep',
      }),
    ];
  },
};
