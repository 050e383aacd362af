import 'aws-sdk-client-mock-vitest/extend';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  ConnectionTokenNotFoundError,
  MalformedTokenSecretError,
  TokenExpiredError,
  TokenSecretReadError,
} from '../../../functions/consumer/errors';
import { createTokenReader } from '../../../functions/consumer/token-reader';
import { CONNECTION_ID, HOUR, RecordingClock, SECRET_NAME, secretString, T0 } from './fixtures';

const sm = mockClient(SecretsManagerClient);
const client = new SecretsManagerClient({ region: 'eu-west-1' });

function reader(clock: RecordingClock, refreshSkewMs?: number) {
  return createTokenReader({ connectionId: CONNECTION_ID, client, clock, refreshSkewMs });
}

describe('createTokenReader', () => {
  let clock: RecordingClock;

  beforeEach(() => {
    sm.reset();
    clock = new RecordingClock();
  });

  describe('getToken', () => {
    it('reads the contract secret once and serves later calls from memory', async () => {
      // Prepare
      sm.on(GetSecretValueCommand).resolves({ SecretString: secretString(3, T0 + HOUR) });
      const tokens = reader(clock);

      // Act
      const first = await tokens.getToken();
      clock.current = T0 + 30 * 60_000;
      const second = await tokens.getToken();

      // Assess
      expect(sm).toReceiveCommandTimes(GetSecretValueCommand, 1);
      expect(sm).toReceiveCommandWith(GetSecretValueCommand, { SecretId: SECRET_NAME });
      expect(first).toEqual({
        connectionId: CONNECTION_ID,
        version: 3,
        accessToken: '1000.test-at-v3',
        apiDomain: 'https://www.zohoapis.eu',
        tokenType: 'Bearer',
        expiresAt: T0 + HOUR,
      });
      expect(second).toBe(first);
    });

    it('makes exactly one read for 50 concurrent calls on a cold cache', async () => {
      // Prepare
      sm.on(GetSecretValueCommand).resolves({ SecretString: secretString(1, T0 + HOUR) });
      const tokens = reader(clock);

      // Act
      const results = await Promise.all(Array.from({ length: 50 }, () => tokens.getToken()));

      // Assess
      expect(sm).toReceiveCommandTimes(GetSecretValueCommand, 1);
      expect(new Set(results.map((token) => token.version))).toEqual(new Set([1]));
    });

    it('lets the cache end at expires_at minus the skew and then reads the newer version', async () => {
      // Prepare
      sm.on(GetSecretValueCommand)
        .resolvesOnce({ SecretString: secretString(1, T0 + HOUR) })
        .resolves({ SecretString: secretString(2, T0 + 2 * HOUR) });
      const tokens = reader(clock, 60_000);
      await tokens.getToken();

      // Act
      clock.current = T0 + HOUR - 60_001;
      const justBefore = await tokens.getToken();
      clock.current = T0 + HOUR - 60_000;
      const atSkew = await tokens.getToken();

      // Assess
      expect(justBefore.version).toBe(1);
      expect(atSkew.version).toBe(2);
      expect(sm).toReceiveCommandTimes(GetSecretValueCommand, 2);
    });

    it('never hands out an expired token and does not cache one', async () => {
      // Prepare
      sm.on(GetSecretValueCommand).resolves({ SecretString: secretString(4, T0 + HOUR) });
      const tokens = reader(clock);
      await tokens.getToken();
      clock.current = T0 + HOUR;

      // Act
      const first = await tokens.getToken().catch((error: unknown) => error);
      const second = await tokens.getToken().catch((error: unknown) => error);

      // Assess
      expect(first).toBeInstanceOf(TokenExpiredError);
      expect(second).toBeInstanceOf(TokenExpiredError);
      expect(first).toMatchObject({ code: 'token_expired', connectionId: CONNECTION_ID, version: 4 });
      expect(String((first as Error).message)).not.toContain('test-at-');
      expect(sm).toReceiveCommandTimes(GetSecretValueCommand, 3);
    });

    it('peeks at the newest token read, expired or not, without reading', async () => {
      // Prepare: version 4 read, then expired, then version 5 stored.
      sm.on(GetSecretValueCommand)
        .resolvesOnce({ SecretString: secretString(4, T0 + HOUR) })
        .resolvesOnce({ SecretString: secretString(4, T0 + HOUR) })
        .resolves({ SecretString: secretString(5, T0 + 2 * HOUR) });
      const tokens = reader(clock);
      const beforeAnyRead = tokens.peek();
      await tokens.getToken();
      clock.current = T0 + HOUR;

      // Act
      const refused = await tokens.getToken().catch((error: unknown) => error);
      const expiredView = tokens.peek();
      await tokens.getToken();
      const newerView = tokens.peek();

      // Assess
      expect(beforeAnyRead).toBeUndefined();
      expect(refused).toBeInstanceOf(TokenExpiredError);
      expect(expiredView).toMatchObject({ version: 4, expiresAt: T0 + HOUR });
      expect(newerView).toMatchObject({ version: 5, expiresAt: T0 + 2 * HOUR });
      expect(sm).toReceiveCommandTimes(GetSecretValueCommand, 3);
    });

    it('does not cache a short-lived token longer than its life', async () => {
      // Prepare: 90 s of life with a 60 s skew leaves 30 s of cache.
      sm.on(GetSecretValueCommand).resolves({ SecretString: secretString(5, T0 + 90_000) });
      const tokens = reader(clock, 60_000);

      // Act
      await tokens.getToken();
      clock.current = T0 + 29_999;
      await tokens.getToken();
      const readsWhileCached = sm.commandCalls(GetSecretValueCommand).length;
      clock.current = T0 + 30_000;
      await tokens.getToken();

      // Assess
      expect(readsWhileCached).toBe(1);
      expect(sm).toReceiveCommandTimes(GetSecretValueCommand, 2);
    });

    it('serves a token inside the skew without caching it, so the next call looks for a newer one', async () => {
      // Prepare: 30 s of life, less than the 60 s skew.
      sm.on(GetSecretValueCommand).resolves({ SecretString: secretString(6, T0 + 30_000) });
      const tokens = reader(clock, 60_000);

      // Act
      const first = await tokens.getToken();
      const second = await tokens.getToken();

      // Assess
      expect([first.version, second.version]).toEqual([6, 6]);
      expect(sm).toReceiveCommandTimes(GetSecretValueCommand, 2);
    });

    it('reads again after invalidate', async () => {
      // Prepare
      sm.on(GetSecretValueCommand).resolves({ SecretString: secretString(1, T0 + HOUR) });
      const tokens = reader(clock);
      await tokens.getToken();

      // Act
      tokens.invalidate();
      await tokens.getToken();

      // Assess
      expect(sm).toReceiveCommandTimes(GetSecretValueCommand, 2);
    });

    it('names the missing secret with ConnectionTokenNotFoundError', async () => {
      // Prepare
      sm.on(GetSecretValueCommand).rejects(
        new ResourceNotFoundException({ message: 'not found', $metadata: {} }),
      );

      // Act
      const error = await reader(clock)
        .getToken()
        .catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(ConnectionTokenNotFoundError);
      expect(error).toMatchObject({ code: 'token_not_found', secretName: SECRET_NAME });
      expect((error as Error).message).toContain(SECRET_NAME);
    });

    it.each([
      ['not JSON', '1000.test-at-raw'],
      ['another shape', JSON.stringify({ access_token: '1000.test-at-x' })],
      ['another connection', secretString(1, T0 + HOUR, 'other-books')],
    ])('rejects a secret holding %s without quoting it', async (_case, value) => {
      // Prepare
      sm.on(GetSecretValueCommand).resolves({ SecretString: value });

      // Act
      const error = await reader(clock)
        .getToken()
        .catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(MalformedTokenSecretError);
      expect((error as Error).message).not.toContain('test-at-');
    });

    it('wraps other read failures in TokenSecretReadError', async () => {
      // Prepare
      const denied = Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
      sm.on(GetSecretValueCommand).rejects(denied);

      // Act
      const error = await reader(clock)
        .getToken()
        .catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(TokenSecretReadError);
      expect(error).toMatchObject({ code: 'token_secret_unreadable', cause: denied });
    });
  });
});
