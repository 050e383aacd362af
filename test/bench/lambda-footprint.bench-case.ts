/**
 * `lambda-footprint`: what the deployed functions need, measured. The construct is synthesized with
 * bundling (the bundles `cdk deploy` would upload), moto + the Zoho simulator hold N due
 * connections, and each bundle runs in a fresh node process with the template's memory-derived
 * heap flags and environment: one on-demand event; full SQS batches of the planner's orders to the
 * refresh worker, the first cold and four more warm in the same process (the planner, and the
 * workers at scale, are measured by the fleet simulation and the 2,000-connection emulator test).
 * Reported: node's boot, the cold start (import of the bundle), each invocation, peak RSS, heap and
 * CPU time — the evidence behind the functions' memory and timeout in infra/zoho-token-refresher.ts
 * and infra/refresh-fleet.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PythonNotFoundError } from '../../dev/emulator/python-env';
import { ENV } from '../../functions/aws/names';
import type { Connection } from '../../functions/core/connection';
import type { RefreshOrder } from '../../functions/core/ports';
import { writeIntervalMs } from '../../functions/core/write-pacer';
import { type Bench, type BenchContext, type BenchRow, Checks, skippedRow } from './harness';
import {
  type DeployedFunction,
  type DeployedFunctions,
  synthesizeRefresherFunctions,
} from './lambda-bundles';
import { compileRunner, runInChild } from './lambda-child';
import { coldRow, type Invocation, oneDecimal, warmRow } from './lambda-footprint-rows';
import { lambdaEnvironment, onDemandEvent, plannedOrder, refreshBatchEvent } from './lambda-footprint-world';
import { type MotoWorld, startMotoWorld } from './moto-world';

const NAME = 'lambda-footprint';
/** Parallel `zoho-tokens add` calls while preparing the connections. */
const SETUP_CONCURRENCY = 8;
/** Worker batches after the first in the same container: the steady state of a busy worker. */
const WARM_WORKER_BATCHES = 4;

export const lambdaFootprint: Bench = {
  name: NAME,
  description:
    'the deployed on-demand and worker bundles in fresh node processes: one rejected-token event; SQS batches of refresh orders, one cold and four warm',
  async run(context) {
    if (!context.emulator) return [skippedRow(NAME, 'skipped: --no-emulator')];
    const outdir = await mkdtemp(join(tmpdir(), 'zoho-lambda-footprint-'));
    try {
      context.progress(`${NAME}: synthesizing the construct with bundling (CDK runs esbuild)`);
      const functions = await synthesizeRefresherFunctions(outdir);
      const runner = await compileRunner(outdir);
      let world: MotoWorld;
      try {
        world = await startMotoWorld(context.progress);
      } catch (error) {
        if (error instanceof PythonNotFoundError) return [skippedRow(NAME, `skipped: ${error.message}`)];
        throw error;
      }
      try {
        return await benchAll(new Invoker(world, runner, context), functions);
      } finally {
        await world.stop();
      }
    } finally {
      await rm(outdir, { recursive: true, force: true });
    }
  },
};

async function benchAll(invoker: Invoker, functions: DeployedFunctions): Promise<BenchRow[]> {
  // Untimed: moto's first use of each service (lazy imports in the emulator) is not the function's.
  await invoker.addDue('warm', 1);
  await invoker.invoke(functions.onDemand, 'on-demand-refresh', [onDemandEvent('warm-0', 0)]);
  return [await benchOnDemand(invoker, functions.onDemand), ...(await benchWorker(invoker, functions))];
}

async function benchOnDemand(invoker: Invoker, onDemand: DeployedFunction): Promise<BenchRow> {
  await invoker.addDue('measured', 1);
  // A consumer reports the token of a connection that has never been refreshed: one Zoho call.
  const run = await invoker.invoke(onDemand, 'on-demand-refresh', [onDemandEvent('measured-0', 0)]);
  const checks = commonChecks(run);
  checks.expect('Zoho token calls', run.zohoCalls, 1);
  const outcome = (run.report.invocations[0]?.result as { outcome?: unknown } | undefined)?.outcome;
  checks.expect('events answered "refreshed"', outcome === 'refreshed' ? 1 : 0, 1);
  return coldRow(`${NAME}/on-demand`, 1, onDemand, run, checks, { what: 'one rejected-token event' });
}

/**
 * Full batches of the refresh queue, as the event source delivers them, one after the other in
 * one container: the planner's orders (each carrying its connection as read) for never-refreshed
 * connections, so every order is one refresh and one Zoho call. A batch's writes are paced (one
 * per write interval), which sets its duration.
 */
async function benchWorker(invoker: Invoker, functions: DeployedFunctions): Promise<BenchRow[]> {
  const { worker, workerBatchSize: size } = functions;
  const batches: string[][] = [];
  for (let batch = 0; batch <= WARM_WORKER_BATCHES; batch++) {
    batches.push(await invoker.addDue(`batch${batch}`, size));
  }
  const events = await Promise.all(
    batches.map(async (ids) => invoker.refreshBatch((await invoker.connections(ids)).map(plannedOrder))),
  );
  const run = await invoker.invoke(worker, 'refresh-worker', events);
  const ids = batches.flat();
  const refreshed = (await invoker.connections(ids)).filter((connection) => connection.version === 1).length;
  const failures = run.report.invocations.map(
    (invocation) =>
      (invocation.result as { batchItemFailures?: unknown[] } | undefined)?.batchItemFailures?.length ?? -1,
  );
  const checks = commonChecks(run);
  checks.expectEach(
    "orders per batch (the mapping's BatchSize)",
    events.map((event) => event.Records.length),
    size,
  );
  checks.expect('batches answered', run.report.invocations.length, batches.length);
  checks.expect('connections refreshed (version 0 → 1)', refreshed, ids.length);
  checks.expect('Zoho token calls (one per order)', run.zohoCalls, ids.length);
  checks.expectEach('batch item failures per batch', failures, 0);
  const interval = writeIntervalMs(
    Number(worker.literalEnvironment[ENV.secretWritesPerSecond]),
    Number(worker.literalEnvironment[ENV.refreshWorkerConcurrency]),
  );
  const paced = `its ${size} secret writes paced ${interval} ms apart (>= ${((size * interval) / 1000).toFixed(1)} s of the total)`;
  const first = run.report.invocations[0]?.invokeMs ?? Number.NaN;
  return [
    coldRow(`${NAME}/worker-batch`, size, worker, run, checks, {
      what: `one SQS batch of ${size} refresh orders, per-op = one refresh; ${paced}`,
      extra: { msPerRefresh: oneDecimal(first / size), writeIntervalMs: interval },
    }),
    warmRow(`${NAME}/worker-warm`, size, worker, run, {
      what: `${WARM_WORKER_BATCHES} more batches of ${size} in the same container, per-op = one refresh; ${paced}`,
      extra: { writeIntervalMs: interval },
    }),
  ];
}

/** Prepares connections and runs one bundle in a fresh child against the world. */
class Invoker {
  constructor(
    private readonly world: MotoWorld,
    private readonly runner: string,
    private readonly context: BenchContext,
  ) {}

  /** Registers `count` due connections; returns their ids. */
  async addDue(prefix: string, count: number): Promise<string[]> {
    this.context.progress(`${NAME}: registering ${count} due connections (KMS-encrypted refresh tokens)`);
    const ids = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
    await this.world.addConnections(ids, SETUP_CONCURRENCY);
    return ids;
  }

  /** The connections' items as the table holds them now. */
  connections(ids: readonly string[]): Promise<Connection[]> {
    return Promise.all(
      ids.map(async (id) => {
        const connection = await this.world.deps.store.get(id);
        if (connection === undefined) throw new Error(`connection ${id} is not in the table`);
        return connection;
      }),
    );
  }

  /** The orders as one delivery of the emulator's refresh queue. */
  refreshBatch(orders: readonly RefreshOrder[]) {
    const { resources, region } = this.world;
    return refreshBatchEvent(orders, { arn: resources.refreshQueueArn, region });
  }

  /** One container: the first event cold, the others warm. */
  async invoke(fn: DeployedFunction, functionName: string, events: readonly unknown[]): Promise<Invocation> {
    this.context.progress(`${NAME}: ${functionName} in a fresh node process (${events.length} invocations)`);
    this.world.sim.resetCounters();
    const run = await runInChild({
      runner: this.runner,
      fn,
      functionName,
      environment: lambdaEnvironment(this.world, fn, functionName),
      events,
    });
    const { report } = run;
    if (report?.ok !== true) {
      const why =
        report === undefined
          ? `exited with ${run.exitCode} and no report`
          : `failed at ${report.stage}: ${report.error}`;
      throw new Error(`${functionName} ${why}; last output: ${run.tail.join(' | ')}`);
    }
    return { ...run, report, zohoCalls: this.world.sim.calls.token };
  }
}

function commonChecks(run: Invocation): Checks {
  const checks = new Checks();
  checks.expect('exit code', run.exitCode ?? -1, 0);
  checks.expect('output lines with a secret marker', run.output.secretLines, 0);
  return checks;
}
