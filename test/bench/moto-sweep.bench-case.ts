/**
 * `moto-sweep`: the refresher against real APIs, locally. One scheduled sweep of 200 connections
 * (concurrency 8) through the real adapters on moto and the real Zoho client against the simulator;
 * then 200 concurrent "Zoho Token Rejected" events for one connection, against real conditional
 * writes, in rounds. Needs Python (moto); skipped with a note under `--no-emulator` or without it.
 */
import { PythonNotFoundError } from '../../dev/emulator/python-env';
import { sweepReserveMs } from '../../functions/aws/refresher';
import type { SweepSummary } from '../../functions/core/sweep';
import {
  createTokenRejectedHandler,
  type OnDemandResult,
} from '../../functions/on-demand-refresh/token-rejected-handler';
import { createSweepHandler } from '../../functions/scheduled-refresh/sweep-handler';
import { type Bench, type BenchContext, type BenchRow, Checks, measure, row, skippedRow } from './harness';
import { type MotoWorld, startMotoWorld } from './moto-world';

const CONNECTIONS = 200;
const WARMUP_CONNECTIONS = 8;
const CONCURRENCY = 8;
const REPORTS = 200;
const ON_DEMAND_ROUNDS = 3;
const lambdaContext = { getRemainingTimeInMillis: () => 900_000 };

export const motoSweep: Bench = {
  name: 'moto-sweep',
  description: `moto + Zoho simulator: a sweep of ${CONNECTIONS} connections, then ${REPORTS} racing on-demand events`,
  async run(context) {
    if (!context.emulator) return [skippedRow('moto-sweep', 'skipped: --no-emulator')];
    let world: MotoWorld;
    try {
      world = await startMotoWorld(context.progress);
    } catch (error) {
      if (error instanceof PythonNotFoundError)
        return [skippedRow('moto-sweep', `skipped: ${error.message}`)];
      throw error;
    }
    try {
      const sweepRow = await benchSweep(world, context);
      const onDemandRow = await benchOnDemand(world, context);
      return [sweepRow, onDemandRow];
    } finally {
      await world.stop();
    }
  },
};

function sweepOnce(world: MotoWorld): Promise<SweepSummary> {
  return createSweepHandler(world.deps, {
    concurrency: CONCURRENCY,
    reserveMs: sweepReserveMs(world.config),
  })({}, lambdaContext);
}

async function benchSweep(world: MotoWorld, context: BenchContext): Promise<BenchRow> {
  // Warm-up: SDK sockets, the client-credentials cache, moto's first use of each service.
  await world.addConnections(
    Array.from({ length: WARMUP_CONNECTIONS }, (_, i) => `warm-${i}`),
    CONCURRENCY,
  );
  await sweepOnce(world);
  context.progress(`moto-sweep: registering ${CONNECTIONS} connections (KMS-encrypted refresh tokens)`);
  const ids = Array.from({ length: CONNECTIONS }, (_, i) => `moto-${i}`);
  await world.addConnections(ids, CONCURRENCY);

  let summary: SweepSummary | undefined;
  let zohoCalls = 0;
  let awsCalls: Record<string, number> = {};
  const measurement = await measure({
    runs: 1,
    warmupRuns: 0,
    setup: () => {
      world.sim.resetCounters();
      world.resetAwsCalls();
    },
    run: async () => {
      summary = await sweepOnce(world);
    },
    after: () => {
      zohoCalls = world.sim.calls.token;
      awsCalls = world.awsCalls();
    },
  });
  const versions = await Promise.all(ids.map(async (id) => (await world.ports.store.get(id))?.version ?? 0));
  const checks = new Checks();
  checks.expect('Zoho token calls', zohoCalls, CONNECTIONS);
  checks.expect('refreshed by the sweep', summary?.refreshed ?? 0, CONNECTIONS);
  checks.expect('failed', summary?.failed ?? -1, 0);
  checks.expect('connections at version 1', versions.filter((v) => v === 1).length, CONNECTIONS);
  checks.expect('KMS Decrypt calls', awsCalls.Decrypt ?? 0, CONNECTIONS);
  checks.expect('events published', awsCalls.PutEvents ?? 0, CONNECTIONS);
  return row('moto-sweep', CONNECTIONS, measurement, {
    counts: { zohoCalls, ...awsCalls, logWarnings: world.logged.warn, logErrors: world.logged.error },
    checks: checks.list,
    note: `per-op = one refresh within a sweep of ${CONNECTIONS} at concurrency ${CONCURRENCY}; moto writes are serialised (dev/emulator/moto-write-guard.ts)${loggedNote(world)}`,
  });
}

async function benchOnDemand(world: MotoWorld, context: BenchContext): Promise<BenchRow> {
  const id = 'moto-0';
  const handler = createTokenRejectedHandler(world.deps);
  const callsPerRound: number[] = [];
  const refreshedPerRound: number[] = [];
  const versionStepPerRound: number[] = [];
  const decryptsPerRound: number[] = [];
  const secretWritesPerRound: number[] = [];
  let awsCalls: Record<string, number> = {};
  let version = 0;
  context.progress(`moto-sweep: ${REPORTS} racing on-demand events x ${ON_DEMAND_ROUNDS + 1} rounds`);
  const measurement = await measure({
    runs: ON_DEMAND_ROUNDS,
    warmupRuns: 1,
    setup: async () => {
      version = (await world.ports.store.get(id))?.version ?? -1;
      world.sim.resetCounters();
      world.resetAwsCalls();
    },
    run: async () => {
      const event = {
        source: `zoho-token-refresher.consumer.${id}`,
        'detail-type': 'Zoho Token Rejected',
        detail: { connectionId: id, version, status: 401 },
      };
      const results: OnDemandResult[] = await Promise.all(
        Array.from({ length: REPORTS }, () => handler(event)),
      );
      refreshedPerRound.push(results.filter((result) => result.outcome === 'refreshed').length);
    },
    after: async () => {
      callsPerRound.push(world.sim.calls.token);
      awsCalls = world.awsCalls();
      decryptsPerRound.push(awsCalls.Decrypt ?? 0);
      secretWritesPerRound.push(awsCalls.PutSecretValue ?? 0);
      versionStepPerRound.push(((await world.ports.store.get(id))?.version ?? 0) - version);
    },
  });
  const checks = new Checks();
  checks.expectEach('Zoho token calls per round', callsPerRound, 1);
  checks.expectEach('events that refreshed, per round', refreshedPerRound, 1);
  checks.expectEach('version step per round', versionStepPerRound, 1);
  // Only the lease winner may touch the refresh token and the secret.
  checks.expectEach('KMS Decrypt calls per round', decryptsPerRound, 1);
  checks.expectEach('secret writes per round', secretWritesPerRound, 1);
  return row('moto-sweep/on-demand', REPORTS, measurement, {
    counts: { zohoCallsPerRound: Math.max(...callsPerRound), ...awsCalls },
    checks: checks.list,
    note: `total ms = one round of ${REPORTS} concurrent events for one connection (median of ${ON_DEMAND_ROUNDS}); AWS calls of the last round. Events that still see the old version and a free lease each try a conditional UpdateItem; the moto guard serialises those, DynamoDB would run them in parallel${loggedNote(world)}`,
  });
}

/** The refresher's own warnings, when there were any: they explain a failed check. */
function loggedNote(world: MotoWorld): string {
  return world.logged.messages.length === 0 ? '' : `; logged: ${world.logged.messages.join(' | ')}`;
}
