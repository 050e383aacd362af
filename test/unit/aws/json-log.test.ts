/**
 * The functions' log lines: exactly the JSON Powertools Logger wrote before (log queries and metric
 * filters read these keys), the level threshold from the environment, and a log call that never throws.
 */
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { JsonLog, type LogLevel, readLogLevel } from '../../../functions/aws/json-log';
import { capturedOutput } from '../../support/log-capture';

const NOW = new Date('2026-12-06T23:03:29.586Z');

/** A JsonLog writing into `lines` at a fixed time, with no X-Ray header unless given. */
function recorded(options: { level?: LogLevel; trace?: string } = {}) {
  const lines: [string, string][] = [];
  const log = new JsonLog({
    service: 'zoho-token-refresher',
    level: options.level ?? 'DEBUG',
    write: (line, level) => lines.push([level, line]),
    now: () => NOW,
    traceHeader: () => options.trace,
  });
  return { log, lines };
}

const context = (requestId: string) =>
  ({
    functionName: 'zoho-refresher-Worker',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:zoho-refresher-Worker',
    memoryLimitInMB: '256',
    awsRequestId: requestId,
  }) as Context;

describe('JsonLog', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('writes one line per entry in the keys and order Powertools wrote, then the attributes', () => {
    // Prepare
    const { log, lines } = recorded();

    // Act
    log.info('Token refreshed', { connectionId: 'books-eu', version: 3 });
    log.debug('no attributes');

    // Assess
    expect(lines).toEqual([
      [
        'INFO',
        '{"level":"INFO","message":"Token refreshed","timestamp":"2026-12-06T23:03:29.586Z","service":"zoho-token-refresher","sampling_rate":0,"connectionId":"books-eu","version":3}',
      ],
      [
        'DEBUG',
        '{"level":"DEBUG","message":"no attributes","timestamp":"2026-12-06T23:03:29.586Z","service":"zoho-token-refresher","sampling_rate":0}',
      ],
    ]);
  });

  it("carries the invocation's Lambda context and X-Ray trace id once given, the latest invocation's", () => {
    // Prepare
    const { log, lines } = recorded({ trace: 'Root=1-6757a1b2-abc;Parent=def;Sampled=1' });

    // Act
    log.addContext(context('req-1'), true);
    log.warn('first');
    log.addContext(context('req-2'), false);
    log.error('second', { errorCode: 'zoho_transient' });

    // Assess
    expect(lines).toEqual([
      [
        'WARN',
        '{"level":"WARN","message":"first","timestamp":"2026-12-06T23:03:29.586Z","service":"zoho-token-refresher","cold_start":true,"function_arn":"arn:aws:lambda:eu-west-1:123456789012:function:zoho-refresher-Worker","function_memory_size":"256","function_name":"zoho-refresher-Worker","function_request_id":"req-1","sampling_rate":0,"xray_trace_id":"1-6757a1b2-abc"}',
      ],
      [
        'ERROR',
        '{"level":"ERROR","message":"second","timestamp":"2026-12-06T23:03:29.586Z","service":"zoho-token-refresher","cold_start":false,"function_arn":"arn:aws:lambda:eu-west-1:123456789012:function:zoho-refresher-Worker","function_memory_size":"256","function_name":"zoho-refresher-Worker","function_request_id":"req-2","sampling_rate":0,"xray_trace_id":"1-6757a1b2-abc","errorCode":"zoho_transient"}',
      ],
    ]);
  });

  it('never lets an attribute replace a key of its own', () => {
    // Prepare
    const { log, lines } = recorded();

    // Act
    log.info('real', { level: 'ERROR', message: 'forged', service: 'other', reason: 'kept' });

    // Assess
    expect(lines.map(([, line]) => JSON.parse(line))).toEqual([
      {
        level: 'INFO',
        message: 'real',
        timestamp: '2026-12-06T23:03:29.586Z',
        service: 'zoho-token-refresher',
        sampling_rate: 0,
        reason: 'kept',
      },
    ]);
  });

  it('writes errors as Powertools did, bigints as strings, and a note instead of a cycle', () => {
    // Prepare
    const { log, lines } = recorded();
    const error = Object.assign(new Error('boom', { cause: 'socket hang up' }), { code: 'zoho_transient' });
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;

    // Act
    log.error('failed', { error, count: 12n });
    log.warn('cyclic', { cycle });

    // Assess
    const [failed, cyclic] = lines.map(([, line]) => JSON.parse(line) as Record<string, unknown>);
    expect(failed?.count).toBe('12');
    expect(failed?.error).toEqual({
      name: 'Error',
      location: expect.stringMatching(/json-log\.test\.ts:\d+$/),
      message: 'boom',
      stack: error.stack,
      cause: 'socket hang up',
      code: 'zoho_transient',
    });
    expect(cyclic).toEqual({
      level: 'WARN',
      message: 'cyclic',
      timestamp: '2026-12-06T23:03:29.586Z',
      service: 'zoho-token-refresher',
      sampling_rate: 0,
      log_error: 'the attributes of this line could not be serialised',
    });
  });

  it('writes only the lines at or above its threshold', () => {
    // Prepare
    const { log, lines } = recorded({ level: 'WARN' });

    // Act
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');

    // Assess
    expect(lines.map(([level]) => level)).toEqual(['WARN', 'ERROR']);
  });

  it('writes debug and info to stdout, warn and error to stderr, by default', () => {
    // Prepare
    const log = new JsonLog({ service: 'zoho-token-refresher', level: 'DEBUG', now: () => NOW });
    const stdout = vi.spyOn(process.stdout, 'write');
    const stderr = vi.spyOn(process.stderr, 'write');
    const from = capturedOutput.length;

    // Act
    log.info('to stdout');
    log.error('to stderr');
    const [outCalls, errCalls] = [stdout.mock.calls.length, stderr.mock.calls.length];
    stdout.mockRestore();
    stderr.mockRestore();

    // Assess
    expect([outCalls, errCalls]).toEqual([1, 1]);
    expect(capturedOutput.slice(from).map((text) => JSON.parse(text).message)).toEqual([
      'to stdout',
      'to stderr',
    ]);
  });
});

describe('readLogLevel', () => {
  it("is INFO by default, POWERTOOLS_LOG_LEVEL or LOG_LEVEL when given, and never below Lambda's own", () => {
    expect(readLogLevel({})).toBe('INFO');
    expect(readLogLevel({ POWERTOOLS_LOG_LEVEL: 'debug' })).toBe('DEBUG');
    expect(readLogLevel({ LOG_LEVEL: 'WARN' })).toBe('WARN');
    expect(readLogLevel({ POWERTOOLS_LOG_LEVEL: 'verbose' })).toBe('INFO');
    expect(readLogLevel({ POWERTOOLS_LOG_LEVEL: 'DEBUG', AWS_LAMBDA_LOG_LEVEL: 'ERROR' })).toBe('ERROR');
    expect(readLogLevel({ POWERTOOLS_LOG_LEVEL: 'ERROR', AWS_LAMBDA_LOG_LEVEL: 'DEBUG' })).toBe('ERROR');
    expect(readLogLevel({ AWS_LAMBDA_LOG_LEVEL: 'FATAL' })).toBe('CRITICAL');
  });
});
