/**
 * `lambda-footprint`: what the deployed functions need, measured. The construct is synthesized with
 * bundling (the bundles `cdk deploy` would upload), moto + the Zoho simulator hold N due
 * connections, and each bundle runs ONCE in a fresh node process with the template's memory-derived
 * heap flags and environment: one on-demand event, and one refresh-worker invocation with a full SQS
 * batch of the planner's orders (the planner, and the workers at scale, are measured by the fleet
 * simulation and the 2,000-connection emulator test). Reported: node's
 * boot, the cold start (import of the bundle), the invocation, peak RSS, heap and CPU time — the
 * evidence behind the functions' memory and timeout in infra/zoho-token-refresher.ts and
 * infra/refresh-fleet.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PythonNotFoundError } from '../../dev/emulator/python-env';
import { ENV } from '../../functions/aws/names';
import type { Connection } from '../../functions/core/connection';
import type { RefreshOrder } from '../../functions/core/ports';
import { writeIntervalMs } from '../../functions/core/write-pacer';
import { type Bench, type BenchContext, type BenchRow, Checks, row, skippedRow, summarise } from './harness';
import {
  type DeployedFunction,
  type DeployedFunctions,
  synthesizeRefresherFunctions,
} from './lambda-bundles';
import { type ChildRun, compileRunner, runInChild } from './lambda-child';
import { lambdaEnvironment, onDemandEvent, plannedOrder, refreshBatchEvent } from './lambda-footprint-world';
import type { RunnerReport } from './lambda-runner';
import { type MotoWorld, startMotoWorld } from './moto-world';

const NAME = 'lambda-footprint';
/** Parallel `zoho-tokens add` calls while preparing the connections. */
const SETUP_CONCURRENCY = 8;

export const lambdaFootprint: Bench = {
  name: NAME,
  description:
    'the deployed on-demand and worker bundles in fresh node processes: one rejected-token event, one SQS batch of refresh orders',
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
  await invoker.invoke(functions.onDemand, 'on-demand-refresh', onDemandEvent('warm-0', 0));
  return [await benchOnDemand(invoker, functions.onDemand), await benchWorker(invoker, functions)];
}

async function benchOnDemand(invoker: Invoker, onDemand: DeployedFunction): Promise<BenchRow> {
  await invoker.addDue('measured', 1);
  // A consumer reports the token of a connection that has never been refreshed: one Zoho call.
  const run = await invoker.invoke(onDemand, 'on-demand-refresh', onDemandEvent('measured-0', 0));
  const checks = commonChecks(run);
  checks.expect('Zoho token calls', run.zohoCalls, 1);
  const outcome = (run.report.result as { outcome?: unknown } | undefined)?.outcome;
  checks.expect('events answered "refreshed"', outcome === 'refreshed' ? 1 : 0, 1);
  return footprintRow(`${NAME}/on-demand`, 1, onDemand, run, checks, { what: 'one rejected-token event' });
}

/**
 * One full batch of the refresh queue, as the event source delivers it: the planner's orders (each
 * carrying its connection as read) for never-refreshed connections, so every order is one refresh
 * and one Zoho call. The batch's writes are paced (one per write interval), which sets its duration.
 */
async function benchWorker(invoker: Invoker, functions: DeployedFunctions): Promise<BenchRow> {
  const { worker, workerBatchSize: size } = functions;
  const ids = await invoker.addDue('batch', size);
  const orders = (await invoker.connections(ids)).map(plannedOrder);
  const run = await invoker.invoke(worker, 'refresh-worker', invoker.refreshBatch(orders));
  const refreshed = (await invoker.connections(ids)).filter((connection) => connection.version === 1).length;
  const failures = (run.report.result as { batchItemFailures?: unknown[] } | undefined)?.batchItemFailures;
  const checks = commonChecks(run);
  checks.expect("orders in the batch (the mapping's BatchSize)", orders.length, size);
  checks.expect('connections refreshed (version 0 → 1)', refreshed, size);
  checks.expect('Zoho token calls (one per order)', run.zohoCalls, size);
  checks.expect('batch item failures', failures?.length ?? -1, 0);
  const interval = writeIntervalMs(
    Number(worker.literalEnvironment[ENV.secretWritesPerSecond]),
    Number(worker.literalEnvironment[ENV.refreshWorkerConcurrency]),
  );
  return footprintRow(`${NAME}/worker-batch`, size, worker, run, checks, {
    what: `one SQS batch of ${size} refresh orders, per-op = one refresh; its ${size} secret writes paced ${interval} ms apart (>= ${((size * interval) / 1000).toFixed(1)} s of the total)`,
    extra: { refreshed, msPerRefresh: oneDecimal(run.report.invokeMs / size), writeIntervalMs: interval },
  });
}

type OkReport = Extract<RunnerReport, { ok: true }>;
type Invocation = ChildRun & { readonly report: OkReport; readonly zohoCalls: number };

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

  async invoke(fn: DeployedFunction, functionName: string, event: unknown): Promise<Invocation> {
    this.context.progress(`${NAME}: ${functionName} in a fresh node process`);
    this.world.sim.resetCounters();
    const run = await runInChild({
      runner: this.runner,
      fn,
      functionName,
      environment: lambdaEnvironment(this.world, fn, functionName),
      event,
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

const oneDecimal = (value: number) => Math.round(value * 10) / 10;
const mebibytes = (bytes: number) => oneDecimal(bytes / 1024 / 1024);
/** "At 1,769 MB, a function has the equivalent of one vCPU" (Lambda developer guide, memory). */
const MB_PER_VCPU = 1769;

function footprintRow(
  name: string,
  iterations: number,
  fn: DeployedFunction,
  run: Invocation,
  checks: Checks,
  describe: { readonly what: string; readonly extra?: Record<string, number> },
): BenchRow {
  const { report, output } = run;
  const peakRssMb = oneDecimal(report.afterInvoke.peakRssKb / 1024);
  const invokeCpuMs = report.afterInvoke.cpuMs - report.afterInit.cpuMs;
  // The invocation's CPU time on the vCPU share Lambda gives this memory size: a LOWER bound of
  // its duration there (waits for AWS and Zoho come on top wherever they do not overlap it).
  const cpuBoundS = invokeCpuMs / (fn.memoryMb / MB_PER_VCPU) / 1000;
  const leftS = fn.timeoutSeconds - report.invokeMs / 1000;
  return row(name, iterations, summarise([report.invokeMs]), {
    counts: {
      memoryMb: fn.memoryMb,
      timeoutS: fn.timeoutSeconds,
      bundleKb: Math.round(fn.bundleBytes / 1024),
      bootMs: oneDecimal(report.bootMs),
      initMs: oneDecimal(report.initMs),
      initCpuMs: oneDecimal(report.afterInit.cpuMs),
      invokeCpuMs: oneDecimal(invokeCpuMs),
      cpuMsPerOp: oneDecimal(invokeCpuMs / iterations),
      rssAfterInitMb: oneDecimal(report.afterInit.peakRssKb / 1024),
      peakRssMb,
      heapUsedMb: mebibytes(report.afterInvoke.heapUsedBytes),
      heapTotalMb: mebibytes(report.afterInvoke.heapTotalBytes),
      zohoCalls: run.zohoCalls,
      ...describe.extra,
      emfLines: output.emfLines,
      logLines: output.logLines,
      otherLines: output.otherLines,
    },
    checks: checks.list,
    note: `${describe.what}; total ms = the invocation, once, in a fresh process, init excluded (${leftS.toFixed(1)} s of the ${fn.timeoutSeconds} s timeout left); peak RSS ${peakRssMb} of ${fn.memoryMb} MB. moto + simulator on loopback and a whole core here, so the time is not Lambda's; at ${fn.memoryMb} MB (${(fn.memoryMb / MB_PER_VCPU).toFixed(3)} vCPU) the CPU alone needs >= ${cpuBoundS.toFixed(1)} s`,
  });
}
