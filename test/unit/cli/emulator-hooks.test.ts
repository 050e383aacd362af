/**
 * The operator CLI targets an emulator generically; what an emulator needs beyond its endpoint (the
 * functions run in-process, moto's write guard) is plugged in by the workshop, never built in.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AwsSession } from '../../../cli/aws-session';
import type { TargetClients } from '../../../cli/aws-target';
import type { EmulatorHooks } from '../../../cli/emulator-hooks';
import { ConfigurationError } from '../../../functions/core/errors';

const ENDPOINT = 'http://127.0.0.1:1';

/** Hooks that only count how often the clients are adapted, and swap in a marked DynamoDB client. */
function countingHooks() {
  const adapted = new DynamoDBClient({ region: 'us-east-1' });
  const seen = { adaptations: 0 };
  const hooks: EmulatorHooks = {
    adaptClients: (clients: TargetClients) => {
      seen.adaptations += 1;
      clients.dynamodb.destroy();
      return { ...clients, dynamodb: adapted };
    },
    runOperator: () => Promise.reject(new Error('not used')),
    sweep: () => Promise.reject(new Error('not used')),
  };
  return { hooks, seen, adapted };
}

describe('the emulator hooks of a session', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('are absent from the shipped CLI: running a function against an emulator says where they are', () => {
    // Prepare
    const session = new AwsSession({ awsEndpoint: ENDPOINT });

    // Act
    const attempt = () => session.emulator();

    // Assess
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow("'npm run local -- <command> --aws-endpoint URL'");
  });

  it('adapt the clients of an emulator target once, and never those of AWS', async () => {
    // Prepare: credentials in the environment, so the AWS target resolves without a profile
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test-access-key');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test-secret-key');
    vi.stubEnv('AWS_PROFILE', '');
    const local = countingHooks();
    const aws = countingHooks();
    const emulatorSession = new AwsSession({ awsEndpoint: ENDPOINT }, local.hooks);
    const awsSession = new AwsSession({ region: 'eu-west-1', table: 't', bus: 'b', key: 'k' }, aws.hooks);

    // Act
    const first = await emulatorSession.clients();
    const second = await emulatorSession.clients();
    const real = await awsSession.clients();

    // Assess
    expect(first.dynamodb).toBe(local.adapted);
    expect(second).toBe(first);
    expect(local.seen.adaptations).toBe(1);
    expect(aws.seen.adaptations).toBe(0);
    expect(real.dynamodb).not.toBe(aws.adapted);
    expect(emulatorSession.emulator()).toBe(local.hooks);
    for (const session of [emulatorSession, awsSession]) session.destroy();
    aws.adapted.destroy();
  });
});
