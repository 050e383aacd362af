/**
 * The rows of the `lambda-footprint` benchmark: what one child process measured, as a table row.
 * The first invocation (cold: right after the import) gets a row of its own; the warm ones that
 * followed it in the same process get another, per invocation and per operation.
 */
import { type BenchRow, type Checks, row, summarise } from './harness';
import type { DeployedFunction } from './lambda-bundles';
import type { ChildRun } from './lambda-child';
import type { RunnerInvocation, RunnerMemory, RunnerReport } from './lambda-runner';

/** A child that reported success, and the Zoho calls it made. */
export type Invocation = ChildRun & {
  readonly report: Extract<RunnerReport, { ok: true }>;
  readonly zohoCalls: number;
};

/** What a row says in words, and counts of its own. */
export interface RowText {
  readonly what: string;
  readonly extra?: Record<string, number>;
}

export const oneDecimal = (value: number) => Math.round(value * 10) / 10;
const mebibytes = (bytes: number) => oneDecimal(bytes / 1024 / 1024);
/** "At 1,769 MB, a function has the equivalent of one vCPU" (Lambda developer guide, memory). */
const MB_PER_VCPU = 1769;

const vcpuOf = (fn: DeployedFunction) => fn.memoryMb / MB_PER_VCPU;

/** The CPU seconds of `cpuMs` on the vCPU share Lambda gives the function's memory size. */
const cpuBoundSeconds = (fn: DeployedFunction, cpuMs: number) => cpuMs / vcpuOf(fn) / 1000;

function memoryCounts(after: RunnerMemory) {
  return {
    peakRssMb: oneDecimal(after.peakRssKb / 1024),
    heapUsedMb: mebibytes(after.heapUsedBytes),
    heapTotalMb: mebibytes(after.heapTotalBytes),
  };
}

/** The first invocation of the child, right after the import. */
export function coldRow(
  name: string,
  iterations: number,
  fn: DeployedFunction,
  run: Invocation,
  checks: Checks,
  text: RowText,
): BenchRow {
  const { report, output } = run;
  const first = report.invocations[0] as RunnerInvocation;
  const memory = memoryCounts(first.after);
  const invokeCpuMs = first.after.cpuMs - report.afterInit.cpuMs;
  // The invocation's CPU time on the vCPU share Lambda gives this memory size: a LOWER bound of
  // its duration there (waits for AWS and Zoho come on top wherever they do not overlap it).
  const cpuBoundS = cpuBoundSeconds(fn, invokeCpuMs);
  const leftS = fn.timeoutSeconds - first.invokeMs / 1000;
  return row(name, iterations, summarise([first.invokeMs]), {
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
      ...memory,
      // The child's calls: of this invocation only when it made no other.
      [report.invocations.length === 1 ? 'zohoCalls' : 'zohoCallsAllInvocations']: run.zohoCalls,
      ...text.extra,
      emfLines: output.emfLines,
      logLines: output.logLines,
      otherLines: output.otherLines,
    },
    checks: checks.list,
    note: `${text.what}; total ms = the first invocation, in a fresh process, init excluded (${leftS.toFixed(1)} s of the ${fn.timeoutSeconds} s timeout left); peak RSS ${memory.peakRssMb} of ${fn.memoryMb} MB. moto + simulator on loopback and a whole core here, so the time is not Lambda's; at ${fn.memoryMb} MB (${vcpuOf(fn).toFixed(3)} vCPU) the CPU alone needs >= ${cpuBoundS.toFixed(1)} s`,
  });
}

/**
 * The invocations after the first, in the same process (a warm container): total ms per
 * invocation, CPU per operation, and the process's memory after the last, against after the first
 * (a container that keeps growing would show here).
 */
export function warmRow(
  name: string,
  opsPerInvocation: number,
  fn: DeployedFunction,
  run: Invocation,
  text: RowText,
): BenchRow {
  const [first, ...warm] = run.report.invocations as [RunnerInvocation, ...RunnerInvocation[]];
  const last = warm.at(-1) ?? first;
  const warmCpuMs = last.after.cpuMs - first.after.cpuMs;
  const ops = warm.length * opsPerInvocation;
  const memory = memoryCounts(last.after);
  const cpuMsPerOp = oneDecimal(warmCpuMs / ops);
  return row(name, opsPerInvocation, summarise(warm.map((invocation) => invocation.invokeMs)), {
    counts: {
      invocations: warm.length,
      warmCpuMs: oneDecimal(warmCpuMs),
      cpuMsPerOp,
      ...memory,
      rssGrowthMb: oneDecimal((last.after.rssBytes - first.after.rssBytes) / 1024 / 1024),
      ...text.extra,
    },
    checks: [],
    note: `${text.what}; total ms = one warm invocation (median of ${warm.length}, after the cold one in the same process); peak RSS ${memory.peakRssMb} of ${fn.memoryMb} MB after all of them; at ${fn.memoryMb} MB (${vcpuOf(fn).toFixed(3)} vCPU) one operation's CPU alone needs >= ${(cpuBoundSeconds(fn, cpuMsPerOp) * 1000).toFixed(0)} ms`,
  });
}
