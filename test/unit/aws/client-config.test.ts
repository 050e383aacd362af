/**
 * The call limits of every SDK client: read back from a built client, and seen at work against a
 * loopback server that accepts a connection and then never answers, stops mid-answer, or trickles.
 */
import { createServer, type Socket } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AWS_CALL_LIMITS,
  AWS_CALL_WORST_CASE_MS,
  type AwsCallLimits,
  awsCallWorstCaseMs,
  awsClientConfig,
} from '../../../functions/aws/client-config';
import { SecretsManagerTokenVault } from '../../../functions/aws/token-vault';
import { SecretWriteFailedError } from '../../../functions/core/errors';
import { callLimitsOf, FUNCTION_CALL_LIMITS } from './call-limits-probe';
import { NOW, PREFIX, rejection } from './fixtures';

/**
 * A loopback TCP server that reads each request and answers it with `answer`: nothing, a fixed
 * start that never ends, or a header line every 50 ms that never ends (the socket is never idle).
 */
async function stallingServer(answer: { readonly start?: string; readonly trickle?: boolean } = {}) {
  const sockets = new Set<Socket>();
  let requests = 0;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('data', () => {
      requests++;
      if (answer.start !== undefined) socket.write(answer.start);
      if (answer.trickle !== true) return;
      const timer = setInterval(() => socket.write('X-Padding: 1\r\n'), 50);
      socket.once('close', () => clearInterval(timer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Small limits, so a test waits a fraction of a second; the mechanism is the production one. */
const TEST_LIMITS: AwsCallLimits = { connectionTimeoutMs: 1_000, requestTimeoutMs: 200, maxAttempts: 2 };

const token = {
  connectionId: 'books-eu',
  version: 8,
  accessToken: '1000.test-at-stalled',
  apiDomain: 'https://www.zohoapis.eu',
  tokenType: 'Bearer',
  expiresAt: NOW + 3_600_000,
};

describe('awsClientConfig', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  const vaultAt = (endpoint: string) => {
    const client = new SecretsManagerClient({
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      ...awsClientConfig(TEST_LIMITS),
    });
    cleanups.push(() => client.destroy());
    return new SecretsManagerTokenVault({ client, secretPrefix: PREFIX });
  };

  it('gives a client a connect and a request timeout that throw, an idle timeout and 2 attempts', async () => {
    // Prepare
    const client = new SecretsManagerClient({ region: 'us-east-1', ...awsClientConfig() });
    cleanups.push(() => client.destroy());

    // Act
    const limits = await callLimitsOf(client);

    // Assess
    expect(limits).toEqual(FUNCTION_CALL_LIMITS);
    expect(AWS_CALL_LIMITS).toEqual({ connectionTimeoutMs: 1_000, requestTimeoutMs: 2_000, maxAttempts: 2 });
  });

  it('bounds one call at 5 s (2 attempts of 2 s, 1 s throttling backoff): three writes fit in 15 s', () => {
    expect(AWS_CALL_WORST_CASE_MS).toBe(5_000);
    expect(3 * AWS_CALL_WORST_CASE_MS).toBeLessThanOrEqual(15_000);
    // 3 attempts of 2 s, then waits of at most 1 s and 2 s.
    expect(awsCallWorstCaseMs({ ...AWS_CALL_LIMITS, maxAttempts: 3 })).toBe(9_000);
  });

  it('ends a call that a server accepts and never answers: a retryable typed error after 2 attempts', async () => {
    // Prepare
    const server = await stallingServer();
    cleanups.push(server.close);
    const vault = vaultAt(server.endpoint);

    // Act
    const error = await rejection(vault.write(token));

    // Assess
    expect(error).toBeInstanceOf(SecretWriteFailedError);
    expect(error).toMatchObject({ code: 'secret_write_failed', retryable: true });
    expect((error.cause as Error).name).toBe('TimeoutError');
    expect(error.message).not.toContain('test-at-');
    expect(server.requests()).toBe(TEST_LIMITS.maxAttempts);
  });

  it('ends a call whose answer stops half-way through its body', async () => {
    // Prepare: the headers promise 200 bytes, 9 arrive
    const server = await stallingServer({
      start:
        'HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 200\r\n\r\n{"ARN":"a',
    });
    cleanups.push(server.close);
    const vault = vaultAt(server.endpoint);

    // Act
    const error = await rejection(vault.write(token));

    // Assess
    expect(error).toBeInstanceOf(SecretWriteFailedError);
    expect((error.cause as Error).name).toBe('TimeoutError');
    expect(server.requests()).toBe(TEST_LIMITS.maxAttempts);
  });

  it('ends a call whose answer trickles in without end (never idle, so only the request timeout can)', async () => {
    // Prepare
    const server = await stallingServer({ start: 'HTTP/1.1 200 OK\r\n', trickle: true });
    cleanups.push(server.close);
    const vault = vaultAt(server.endpoint);

    // Act
    const error = await rejection(vault.write(token));

    // Assess
    expect(error).toBeInstanceOf(SecretWriteFailedError);
    expect((error.cause as Error).name).toBe('TimeoutError');
    expect(server.requests()).toBe(TEST_LIMITS.maxAttempts);
  });
});
