/**
 * The `lambda-footprint` rows from what a child reported: the cold row is the first invocation
 * alone, the warm row every later one, with CPU per operation counted from the end of the first.
 */
import { describe, expect, it } from 'vitest';
import { Checks } from '../../bench/harness';
import type { DeployedFunction } from '../../bench/lambda-bundles';
import { coldRow, type Invocation, warmRow } from '../../bench/lambda-footprint-rows';
import type { RunnerMemory } from '../../bench/lambda-runner';

const MB = 1024 * 1024;

const WORKER: DeployedFunction = {
  bundle: '/tmp/index.mjs',
  bundleBytes: 512 * 1024,
  memoryMb: 256,
  timeoutSeconds: 60,
  literalEnvironment: {},
  referencedVariables: [],
};

/** The process after `cpuMs` of CPU time with `rssMb` resident. */
const memory = (cpuMs: number, rssMb: number): RunnerMemory => ({
  peakRssKb: rssMb * 1024,
  rssBytes: rssMb * MB,
  heapUsedBytes: 30 * MB,
  heapTotalBytes: 50 * MB,
  cpuMs,
});

/** A cold batch (400 ms of CPU after init) then three warm ones of 200, 220 and 180 ms of CPU. */
function workerRun(): Invocation {
  const invocation = (invokeMs: number, cpuMs: number, rssMb: number) => ({
    invokeMs,
    after: memory(cpuMs, rssMb),
    result: { batchItemFailures: [] },
  });
  return {
    exitCode: 0,
    output: { emfLines: 40, logLines: 40, otherLines: 0, secretLines: 0 },
    tail: [],
    zohoCalls: 40,
    report: {
      ok: true,
      bootMs: 40,
      initMs: 70,
      afterInit: memory(100, 50),
      invocations: [
        invocation(5_200, 500, 110),
        invocation(5_000, 700, 112),
        invocation(5_100, 920, 113),
        invocation(4_900, 1_100, 114),
      ],
    },
  };
}

describe('lambda-footprint rows', () => {
  it('counts the cold row from the first invocation only', () => {
    // Act
    const row = coldRow('worker-batch', 10, WORKER, workerRun(), new Checks(), { what: 'one batch' });

    // Assess
    expect(row.totalMs).toBe(5_200);
    expect(row.runs).toBe(1);
    expect(row.counts).toMatchObject({ invokeCpuMs: 400, cpuMsPerOp: 40, peakRssMb: 110, initCpuMs: 100 });
    // The simulator counts the whole child's Zoho calls: four batches', not the first's.
    expect(row.counts).toMatchObject({ zohoCallsAllInvocations: 40 });
    expect(row.counts.zohoCalls).toBeUndefined();
  });

  it('counts the warm row from every later invocation: median total, CPU per operation, RSS growth', () => {
    // Act
    const row = warmRow('worker-warm', 10, WORKER, workerRun(), { what: 'three more batches' });

    // Assess
    expect(row.runs).toBe(3);
    expect(row.totalMs).toBe(5_000);
    expect(row.counts).toEqual({
      invocations: 3,
      warmCpuMs: 600,
      cpuMsPerOp: 20,
      peakRssMb: 114,
      heapUsedMb: 30,
      heapTotalMb: 50,
      rssGrowthMb: 4,
    });
  });
});
