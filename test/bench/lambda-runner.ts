/**
 * Runs in a FRESH node process (no tsx, no vitest), as Lambda's runtime would: imports one deployed
 * bundle (the cold start), invokes its `handler` with each event in turn with a Lambda-like context
 * (the first invocation cold, the others warm in the same container), and sends what it measured
 * to the parent over the IPC channel. stdout/stderr carry only the function's own output.
 * Node built-ins only: lambda-child.ts compiles this file with esbuild into the bench's temp folder.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

// Before anything else: the time node took to boot, from the process's time origin.
const bootMs = performance.now();

/** What the parent asks for (argv[2], JSON). */
export interface RunnerRequest {
  readonly bundle: string;
  readonly functionName: string;
  readonly memoryMb: number;
  readonly timeoutMs: number;
  /** One invocation per event, one after the other. */
  readonly events: readonly unknown[];
}

/** Memory of the process at one moment. */
export interface RunnerMemory {
  /** Peak resident set size of this process image, in KiB (see peakRssKb). */
  readonly peakRssKb: number;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  readonly heapTotalBytes: number;
  /** CPU time (user + system) since the process started, in ms: Lambda gives 256 MB a fraction of a vCPU. */
  readonly cpuMs: number;
}

/** One invocation. `result` is the handler's answer: counts and outcomes, no token. */
export interface RunnerInvocation {
  readonly invokeMs: number;
  /** The process after it (peak RSS and CPU time are the whole process's so far). */
  readonly after: RunnerMemory;
  readonly result: unknown;
}

/** What the runner sends back (IPC). */
export type RunnerReport =
  | {
      readonly ok: true;
      readonly bootMs: number;
      readonly initMs: number;
      readonly afterInit: RunnerMemory;
      /** One per event, in order. */
      readonly invocations: readonly RunnerInvocation[];
    }
  | { readonly ok: false; readonly stage: 'init' | 'invoke'; readonly error: string };

type Handler = (event: unknown, context: object) => Promise<unknown>;

/**
 * Linux's VmHWM: the high-water mark of this process image's memory. NOT `resourceUsage().maxRSS`:
 * Linux carries ru_maxrss over `execve`, and libuv spawns by fork + exec, so a child's maxRSS starts
 * at its PARENT's resident size (the bench's, with aws-cdk-lib loaded: 130-190 MB, measured).
 * Elsewhere maxRSS is the only figure there is.
 */
function peakRssKb(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match?.[1] !== undefined) return Number(match[1]);
  } catch {
    // Not Linux: fall through.
  }
  return process.resourceUsage().maxRSS;
}

function memory(): RunnerMemory {
  const { heapUsed, heapTotal, rss } = process.memoryUsage();
  const { user, system } = process.cpuUsage();
  return {
    peakRssKb: peakRssKb(),
    rssBytes: rss,
    heapUsedBytes: heapUsed,
    heapTotalBytes: heapTotal,
    cpuMs: (user + system) / 1000,
  };
}

/** The fields of Lambda's context object that Powertools and the handlers read. */
function lambdaContext(request: RunnerRequest, deadline: number) {
  const arn = `arn:aws:lambda:${process.env.AWS_REGION}:123456789012:function:${request.functionName}`;
  return {
    functionName: request.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: arn,
    memoryLimitInMB: String(request.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${request.functionName}`,
    logStreamName: 'bench/[$LATEST]0',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** An error's name and message; the project's errors never carry a token in either. */
const describe = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

function send(report: RunnerReport): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) throw new Error('lambda-runner needs an IPC channel (fork)');
    process.send(report, undefined, {}, () => resolve());
  });
}

async function main(): Promise<number> {
  const request = JSON.parse(process.argv[2] ?? '') as RunnerRequest;
  let handler: Handler;
  const initStarted = performance.now();
  try {
    const module = (await import(pathToFileURL(request.bundle).href)) as { handler?: unknown };
    if (typeof module.handler !== 'function') throw new Error('the bundle exports no handler function');
    handler = module.handler as Handler;
  } catch (error) {
    await send({ ok: false, stage: 'init', error: describe(error) });
    return 1;
  }
  const initMs = performance.now() - initStarted;
  const afterInit = memory();
  const invocations: RunnerInvocation[] = [];
  for (const event of request.events) {
    // Lambda's timeout counts from the invocation; the init phase has a separate limit.
    const deadline = Date.now() + request.timeoutMs;
    const invokeStarted = performance.now();
    try {
      const result = await handler(event, lambdaContext(request, deadline));
      invocations.push({ invokeMs: performance.now() - invokeStarted, after: memory(), result });
    } catch (error) {
      await send({ ok: false, stage: 'invoke', error: describe(error) });
      return 1;
    }
  }
  await send({ ok: true, bootMs, initMs, afterInit, invocations });
  return 0;
}

// Exit explicitly, as a frozen Lambda sandbox never waits for keep-alive sockets either.
main().then(
  (code) => process.exit(code),
  () => process.exit(2),
);
