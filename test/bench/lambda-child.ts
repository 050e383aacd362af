/**
 * Runs one deployed bundle once in a fresh node process (lambda-runner.ts) with the flags and
 * environment Lambda's Node.js runtime would give it, captures everything the function writes (EMF
 * metrics and log lines are counted, never printed), and stops the child whatever happens.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { findSecretLeaks } from '../support/secret-markers';
import type { DeployedFunction } from './lambda-bundles';
import type { RunnerReport, RunnerRequest } from './lambda-runner';

/** Lambda's own limit on the init phase; the invocation's timeout starts after it. */
const INIT_LIMIT_MS = 10_000;
/** Leeway for node's start and the report, before the child is killed as hung. */
const KILL_GRACE_MS = 5_000;
const TAIL_LINES = 5;
const TAIL_CHARS = 300;

/** Compiles the runner (node built-ins only) into `outdir`; returns its path. */
export async function compileRunner(outdir: string): Promise<string> {
  const outfile = join(outdir, 'lambda-runner.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('./lambda-runner.ts', import.meta.url))],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
  });
  return outfile;
}

/** The child's output, sorted into kinds; the lines themselves stay here. */
export interface CapturedOutput {
  /** CloudWatch EMF documents (functions/aws/metrics.ts). */
  readonly emfLines: number;
  /** Powertools Logger's JSON lines. */
  readonly logLines: number;
  /** Anything else (e.g. the SDK's Node-version warning on Node 20). */
  readonly otherLines: number;
  /** Lines carrying a secret marker: must be 0. */
  readonly secretLines: number;
}

export interface ChildRun {
  readonly exitCode: number | null;
  readonly report: RunnerReport | undefined;
  readonly output: CapturedOutput;
  /** The last lines the child wrote, for a failure's message (a line with a secret marker withheld). */
  readonly tail: readonly string[];
}

export interface ChildOptions {
  readonly runner: string;
  readonly fn: DeployedFunction;
  readonly functionName: string;
  /** The function's variables with the template's references replaced, plus the AWS endpoint. */
  readonly environment: Readonly<Record<string, string>>;
  /** One invocation per event, in one container: the first cold, the others warm. */
  readonly events: readonly unknown[];
}

/**
 * The flags of Lambda's Node.js bootstrap for the function's memory: new space a tenth of it (half
 * per semi-space), old space the rest. They bound the heap as Lambda would.
 */
export function lambdaNodeFlags(memoryMb: number): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  return [
    '--expose-gc',
    `--max-semi-space-size=${Math.floor(newSpace / 2)}`,
    `--max-old-space-size=${memoryMb - newSpace}`,
  ];
}

/**
 * Starts the child, waits for its exit (or kills it after the init limit and a timeout per
 * invocation), never leaves it running.
 */
export async function runInChild(options: ChildOptions): Promise<ChildRun> {
  const { fn } = options;
  const request: RunnerRequest = {
    bundle: fn.bundle,
    functionName: options.functionName,
    memoryMb: fn.memoryMb,
    timeoutMs: fn.timeoutSeconds * 1000,
    events: options.events,
  };
  const lines: string[] = [];
  let report: RunnerReport | undefined;
  const child: ChildProcess = fork(options.runner, [JSON.stringify(request)], {
    // Not the parent's tsx loader flags: a bare node, as Lambda starts it.
    execArgv: lambdaNodeFlags(fn.memoryMb),
    // Not the parent's environment: only what Lambda would set.
    env: { ...options.environment },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  // Should this process end abruptly (run.ts exits explicitly), the child goes with it.
  process.once('exit', kill);
  try {
    collectLines(child, lines);
    child.on('message', (message) => {
      report = message as RunnerReport;
    });
    const limitMs = INIT_LIMIT_MS + request.events.length * request.timeoutMs + KILL_GRACE_MS;
    const exitCode = await exited(child, limitMs);
    return { exitCode, report, output: classify(lines), tail: outputTail(lines) };
  } finally {
    kill();
    process.removeListener('exit', kill);
  }
}

/** Resolves with the exit code; rejects (and the caller kills) when the child outlives `limitMs`. */
function exited(child: ChildProcess, limitMs: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the function did not finish within ${limitMs} ms (init limit + timeouts)`)),
      limitMs,
    );
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

function collectLines(child: ChildProcess, lines: string[]): void {
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const parts = (pending + chunk).split('\n');
      pending = parts.pop() ?? '';
      lines.push(...parts.filter((line) => line.trim() !== ''));
    });
    stream?.on('end', () => {
      if (pending.trim() !== '') lines.push(pending);
    });
  }
}

function classify(lines: readonly string[]): CapturedOutput {
  let emfLines = 0;
  let logLines = 0;
  for (const line of lines) {
    const parsed = parseObject(line);
    if (parsed !== undefined && '_aws' in parsed) emfLines++;
    else if (parsed !== undefined && 'level' in parsed) logLines++;
  }
  return {
    emfLines,
    logLines,
    otherLines: lines.length - emfLines - logLines,
    secretLines: findSecretLeaks(lines).length,
  };
}

function outputTail(lines: readonly string[]): string[] {
  const leaks = new Set(findSecretLeaks(lines));
  return lines
    .slice(-TAIL_LINES)
    .map((line) => (leaks.has(line) ? '[withheld: carries a secret marker]' : line.slice(0, TAIL_CHARS)));
}

function parseObject(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
