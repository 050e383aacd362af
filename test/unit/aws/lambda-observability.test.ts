/**
 * What the refresher functions do around every invocation: the Lambda context on each log line, one
 * `ColdStart` count on a container's first on-demand invocation, and the invocation's metrics
 * flushed when it ends — returned, thrown, or stopped just before Lambda's deadline.
 */
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { JsonLog } from '../../../functions/aws/json-log';
import {
  coldStartOnce,
  InvocationTimeoutError,
  type Observability,
  observed,
  TIMEOUT_EARLY_MS,
} from '../../../functions/aws/lambda-observability';
import { EmfMetrics } from '../../../functions/aws/metrics';
import { ZohoTransientError } from '../../../functions/core/errors';

/** Ports writing into `lines` (log lines and EMF documents, parsed, in the order written). */
function recordedPorts() {
  const lines: Record<string, unknown>[] = [];
  const write = (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>);
  const identity = { namespace: 'ZohoTokenRefresher', service: 'zoho-token-refresher' };
  const ports: Observability = {
    log: new JsonLog({ service: identity.service, level: 'INFO', write, traceHeader: () => undefined }),
    metrics: new EmfMetrics(identity, { write }),
  };
  return { ports, lines };
}

const context = (requestId: string, remainingMs?: number) =>
  ({
    functionName: 'zoho-refresher-Worker',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:zoho-refresher-Worker',
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    ...(remainingMs === undefined ? {} : { getRemainingTimeInMillis: () => remainingMs }),
  }) as Context;

/** What each line is: a log line's message, or an EMF document's metric names. */
const summary = (lines: Record<string, unknown>[]) =>
  lines.map((line) =>
    '_aws' in line
      ? `metrics ${Object.keys(line)
          .filter((key) => !['_aws', 'service', 'function_name', 'reason'].includes(key))
          .join(',')}`
      : `log ${String(line.message)} request=${String(line.function_request_id)} cold=${String(line.cold_start)}`,
  );

describe('observed', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('counts the cold start once, puts each invocation on its lines and flushes its metrics at its end', async () => {
    // Prepare
    const { ports, lines } = recordedPorts();
    const handler = observed(
      async (event: { n: number }) => {
        ports.log.info('working');
        ports.metrics.add('RefreshSucceeded', event.n, 'Count');
        return event.n * 2;
      },
      ports,
      coldStartOnce({ AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand' }),
    );

    // Act
    const results = [await handler({ n: 1 }, context('req-1')), await handler({ n: 2 }, context('req-2'))];

    // Assess
    expect(results).toEqual([2, 4]);
    expect(summary(lines)).toEqual([
      'metrics ColdStart',
      'log working request=req-1 cold=true',
      'metrics RefreshSucceeded',
      'log working request=req-2 cold=false',
      'metrics RefreshSucceeded',
    ]);
    expect(lines[0]).toMatchObject({ function_name: 'zoho-refresher-Worker', ColdStart: 1 });
    expect(lines.filter((line) => 'RefreshSucceeded' in line).map((line) => line.RefreshSucceeded)).toEqual([
      1, 2,
    ]);
  });

  it('flushes the metrics of an invocation that throws, and throws its error', async () => {
    // Prepare
    const { ports, lines } = recordedPorts();
    const failure = new ZohoTransientError('HTTP 503');
    const handler = observed(
      async () => {
        ports.metrics.add('RefreshFailed', 1, 'Count');
        throw failure;
      },
      ports,
      coldStartOnce({}),
    );

    // Act
    const outcome = handler({}, context('req-1')).catch((error: unknown) => error);

    // Assess
    expect(await outcome).toBe(failure);
    expect(summary(lines)).toEqual(['metrics RefreshFailed']);
  });

  it("stops an invocation just before Lambda's deadline with a typed error, its metrics flushed", async () => {
    // Prepare
    vi.useFakeTimers();
    const { ports, lines } = recordedPorts();
    const handler = observed(
      async () => {
        ports.metrics.add('ZohoCalls', 1, 'Count');
        return new Promise<never>(() => {});
      },
      ports,
      coldStartOnce({}),
    );

    // Act
    const outcome = handler({}, context('req-1', 1_000)).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(1_000 - TIMEOUT_EARLY_MS - 1);
    const flushedBefore = lines.length;
    await vi.advanceTimersByTimeAsync(1);

    // Assess
    expect(flushedBefore).toBe(0);
    expect(await outcome).toBeInstanceOf(InvocationTimeoutError);
    expect(summary(lines)).toEqual(['metrics ZohoCalls']);
  });

  it('leaves no deadline timer behind an invocation that ends in time', async () => {
    // Prepare
    vi.useFakeTimers();
    const { ports } = recordedPorts();
    const handler = observed(async () => 'done', ports, coldStartOnce({}));

    // Act
    const result = await handler({}, context('req-1', 60_000));

    // Assess
    expect(result).toBe('done');
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('coldStartOnce', () => {
  it('is true on the first call of an on-demand container only, never in a provisioned one', () => {
    const onDemand = coldStartOnce({ AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand' });
    const provisioned = coldStartOnce({ AWS_LAMBDA_INITIALIZATION_TYPE: 'provisioned-concurrency' });
    const outsideLambda = coldStartOnce({});

    expect([onDemand(), onDemand(), onDemand()]).toEqual([true, false, false]);
    expect([provisioned(), provisioned()]).toEqual([false, false]);
    expect(outsideLambda()).toBe(false);
  });
});
