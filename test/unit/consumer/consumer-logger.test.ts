/**
 * The consumer library's optional logger: a 401 and the report it causes, the wait and how it ends,
 * failing fast and a permission failure, each said once where it is decided, with the connection,
 * versions, Zoho's code and the request id, never a token.
 */
import 'aws-sdk-client-mock-vitest/extend';
import { Logger } from '@aws-lambda-powertools/logger';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import type { ConsumerLogAttributes, ConsumerLogger } from '../../../functions/consumer';
import { TokenRefreshTimeoutError, ZohoPermissionError } from '../../../functions/consumer/errors';
import { createZohoClient } from '../../../functions/consumer/zoho-fetch';
import { capturedOutput } from '../../support/log-capture';
import {
  CONNECTION_ID,
  HOUR,
  json,
  NOT_AUTHORIZED,
  recordingFetch,
  T0,
  useConsumerWorld,
  zohoAccepting,
} from './fixtures';

const world = useConsumerWorld();
const { eb } = world;

/** A logger that keeps every line, as a consumer's structured logger would receive it. */
function recordingLogger() {
  const lines: Array<{ level: string; message: string; attributes: ConsumerLogAttributes }> = [];
  const level = (name: string) => (message: string, attributes: ConsumerLogAttributes) => {
    lines.push({ level: name, message, attributes });
  };
  const logger = { debug: level('debug'), info: level('info'), warn: level('warn'), error: level('error') };
  return { logger, lines };
}

const clientWith = (
  logger: ConsumerLogger,
  fetch: Parameters<typeof world.clientOptions>[0],
  timeoutMs = 5_000,
) => createZohoClient({ ...world.clientOptions(fetch), logger, waitForRefresh: { timeoutMs } });

const settle = (call: Promise<Response>) =>
  call.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('createZohoClient({ logger })', () => {
  it('says the 401, the report and the newer version, with the request id', async () => {
    // Prepare: Zoho takes only version 2; the report makes the refresher store it
    const { logger, lines } = recordingLogger();
    const { fetch } = recordingFetch(zohoAccepting(2));
    const zohoClient = clientWith(logger, fetch);

    // Act
    const response = await zohoClient.fetch('/books/v3/organizations', { requestId: 'req-1' });

    // Assess
    expect(response.status).toBe(200);
    expect(lines).toEqual([
      {
        level: 'warn',
        message: 'Zoho answered 401',
        attributes: { connectionId: CONNECTION_ID, version: 1, code: 57, requestId: 'req-1' },
      },
      {
        level: 'info',
        message: 'Reported the token version to the refresher; waiting for a newer one',
        attributes: {
          connectionId: CONNECTION_ID,
          version: 1,
          reason: 'rejected',
          requestId: 'req-1',
          timeoutMs: 5_000,
        },
      },
      {
        level: 'info',
        message: 'A newer token version arrived',
        attributes: { connectionId: CONNECTION_ID, version: 1, newVersion: 2, requestId: 'req-1' },
      },
    ]);
    expect(eb).toReceiveCommandTimes(PutEventsCommand, 1);
  });

  it('says when a wait timed out and when a later call fails fast because of it', async () => {
    // Prepare: the stored version 1 expired at T0 + 1 h and nothing replaces it
    world.clock.current = T0 + HOUR + 1;
    world.refreshOnReport = false;
    const { logger, lines } = recordingLogger();
    const { fetch } = recordingFetch(zohoAccepting(2));
    const zohoClient = clientWith(logger, fetch);

    // Act
    const waited = await settle(zohoClient.fetch('/x', { requestId: 'req-1' }));
    const fast = await settle(zohoClient.fetch('/x', { requestId: 'req-2' }));

    // Assess
    const retryAt = new Date(T0 + HOUR + 1 + 5_000 + 60_000).toISOString();
    expect(waited).toBeInstanceOf(TokenRefreshTimeoutError);
    expect(fast).toMatchObject({ failedFast: true });
    expect(lines.map(({ level, message }) => `${level}: ${message}`)).toEqual([
      'warn: The stored access token has expired; reporting it like a 401',
      'info: Reported the token version to the refresher; waiting for a newer one',
      'warn: No newer token version within the wait; calls needing one fail fast until retryAt',
      'warn: The stored access token has expired; reporting it like a 401',
      'debug: Failing fast: a wait for a newer version than this one timed out shortly before',
    ]);
    expect(lines[0]?.attributes).toEqual({
      connectionId: CONNECTION_ID,
      version: 1,
      expiresAt: new Date(T0 + HOUR).toISOString(),
      requestId: 'req-1',
    });
    expect(lines[2]?.attributes).toEqual({
      connectionId: CONNECTION_ID,
      version: 1,
      reason: 'expired',
      requestId: 'req-1',
      timeoutMs: 5_000,
      retryAt,
    });
    expect(lines[4]?.attributes).toEqual({
      connectionId: CONNECTION_ID,
      version: 1,
      reason: 'expired',
      requestId: 'req-2',
      retryAt,
    });
    expect(eb).toReceiveCommandTimes(PutEventsCommand, 1);
  });

  it('says a permission failure once per version, then quietly for each further call', async () => {
    // Prepare: Zoho refuses every token
    const { logger, lines } = recordingLogger();
    const { fetch } = recordingFetch(() => json(401, NOT_AUTHORIZED));
    const zohoClient = clientWith(logger, fetch);

    // Act
    const first = await settle(zohoClient.fetch('/x'));
    const second = await settle(zohoClient.fetch('/x'));

    // Assess
    expect(first).toBeInstanceOf(ZohoPermissionError);
    expect(second).toBeInstanceOf(ZohoPermissionError);
    expect(lines.map(({ level, message }) => `${level}: ${message}`)).toEqual([
      'warn: Zoho answered 401',
      'info: Reported the token version to the refresher; waiting for a newer one',
      'info: A newer token version arrived',
      'warn: Zoho answered 401 to a token that replaced a refused one: a permission problem, no refresh',
      'debug: Zoho answered 401 to a version it refused before; no report',
    ]);
    expect(lines[3]?.attributes).toEqual({ connectionId: CONNECTION_ID, version: 2, code: 57 });
    expect(eb).toReceiveCommandTimes(PutEventsCommand, 1);
  });

  it('never hands the logger a token, and writes through console as it is', async () => {
    // Prepare: console itself as the logger, so the suite's log scan reads what it wrote
    const { logger, lines } = recordingLogger();
    const both: ConsumerLogger = {
      warn: (message, attributes) => {
        logger.warn(message, attributes);
        console.warn(message, attributes);
      },
      info: (message, attributes) => {
        logger.info(message, attributes);
        console.info(message, attributes);
      },
    };
    const { fetch } = recordingFetch(() => json(401, NOT_AUTHORIZED));

    // Act
    await settle(clientWith(both, fetch).fetch('/x'));
    await settle(clientWith(console, fetch).fetch('/x'));

    // Assess
    expect(lines).toHaveLength(4);
    expect(JSON.stringify(lines)).not.toContain('test-at-');
  });

  it('goes on with the call when the logger throws, and writes no level the logger lacks', async () => {
    // Prepare
    let calls = 0;
    const broken: ConsumerLogger = {
      warn: () => {
        calls += 1;
        throw new Error('log sink down');
      },
    };
    const { fetch } = recordingFetch(zohoAccepting(2));

    // Act
    const response = await clientWith(broken, fetch).fetch('/x');

    // Assess
    expect(response.status).toBe(200);
    expect(calls).toBe(1);
  });

  it('writes through a Powertools Logger as it is: its JSON lines carry the attributes', async () => {
    // Prepare: the type annotation is a compile-time check that the Logger fits
    const logger: ConsumerLogger = new Logger({ serviceName: 'consumer' });
    const { fetch } = recordingFetch(zohoAccepting(2));
    const before = capturedOutput.length;

    // Act
    await clientWith(logger, fetch).fetch('/x', { requestId: 'req-pt' });

    // Assess
    const warnings = capturedOutput
      .slice(before)
      .filter((text) => text.includes('Zoho answered 401'))
      .map((text) => JSON.parse(text) as Record<string, unknown>);
    expect(warnings).toEqual([
      expect.objectContaining({
        level: 'WARN',
        message: 'Zoho answered 401',
        connectionId: CONNECTION_ID,
        version: 1,
        code: 57,
        requestId: 'req-pt',
      }),
    ]);
  });
});
