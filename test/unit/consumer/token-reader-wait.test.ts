import 'aws-sdk-client-mock-vitest/extend';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { TokenRefreshTimeoutError } from '../../../functions/consumer/errors';
import { createTokenReader } from '../../../functions/consumer/token-reader';
import { CONNECTION_ID, HOUR, RecordingClock, secretString, T0 } from './fixtures';

const sm = mockClient(SecretsManagerClient);
const client = new SecretsManagerClient({ region: 'eu-west-1' });

function reader(clock: RecordingClock, refreshSkewMs?: number) {
  return createTokenReader({ connectionId: CONNECTION_ID, client, clock, refreshSkewMs });
}

describe('createTokenReader().waitForNewerThan', () => {
  let clock: RecordingClock;

  beforeEach(() => {
    sm.reset();
    clock = new RecordingClock();
  });

  describe('waitForNewerThan', () => {
    it('re-reads with backoff until a newer version appears, then caches it', async () => {
      // Prepare
      sm.on(GetSecretValueCommand)
        .resolvesOnce({ SecretString: secretString(1, T0 + HOUR) })
        .resolvesOnce({ SecretString: secretString(1, T0 + HOUR) })
        .resolvesOnce({ SecretString: secretString(1, T0 + HOUR) })
        .resolves({ SecretString: secretString(2, T0 + 2 * HOUR) });
      const tokens = reader(clock);
      await tokens.getToken();

      // Act
      const newer = await tokens.waitForNewerThan(1, { timeoutMs: 20_000 });
      const afterwards = await tokens.getToken();

      // Assess
      expect(newer.version).toBe(2);
      expect(afterwards).toBe(newer);
      expect(clock.sleeps).toEqual([250, 500]);
      expect(sm).toReceiveCommandTimes(GetSecretValueCommand, 4);
    });

    it('gives up with TokenRefreshTimeoutError after the timeout, delays capped at maxDelayMs', async () => {
      // Prepare
      sm.on(GetSecretValueCommand).resolves({ SecretString: secretString(1, T0 + HOUR) });
      const tokens = reader(clock);

      // Act
      const error = await tokens
        .waitForNewerThan(1, { timeoutMs: 5_000, initialDelayMs: 250, maxDelayMs: 1_000 })
        .catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(TokenRefreshTimeoutError);
      expect(error).toMatchObject({ version: 1, timeoutMs: 5_000 });
      expect(clock.sleeps).toEqual([250, 500, 1_000, 1_000, 1_000, 1_000, 250]);
      expect(clock.current - T0).toBe(5_000);
      expect(sm).toReceiveCommandTimes(GetSecretValueCommand, 8);
    });

    it('returns a cached newer version without reading', async () => {
      // Prepare
      sm.on(GetSecretValueCommand).resolves({ SecretString: secretString(7, T0 + HOUR) });
      const tokens = reader(clock);
      await tokens.getToken();

      // Act
      const token = await tokens.waitForNewerThan(6, { timeoutMs: 1_000 });

      // Assess
      expect(token.version).toBe(7);
      expect(sm).toReceiveCommandTimes(GetSecretValueCommand, 1);
      expect(clock.sleeps).toEqual([]);
    });
  });
});
