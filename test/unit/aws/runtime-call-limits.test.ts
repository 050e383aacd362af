/**
 * Every SDK client the refresher functions create carries the call limits of client-config.ts; an
 * injected one is used as it is.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterEach, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../functions/aws/runtime';
import { callLimitsOf, FUNCTION_CALL_LIMITS } from './call-limits-probe';

describe('createAwsClients', () => {
  const created: { destroy(): void }[] = [];
  afterEach(() => {
    for (const client of created.splice(0)) client.destroy();
  });

  it('creates DynamoDB, Secrets Manager, KMS and EventBridge clients with the call limits', async () => {
    // Act
    const clients = createAwsClients();
    created.push(...Object.values(clients));

    // Assess
    expect(Object.keys(clients).sort()).toEqual([
      'dynamodb',
      'eventBridge',
      'kms',
      'secretWrites',
      'secretsManager',
    ]);
    expect(clients.dynamodb).toBeInstanceOf(DynamoDBClient);
    expect(clients.secretsManager).toBeInstanceOf(SecretsManagerClient);
    expect(clients.secretWrites).toBeInstanceOf(SecretsManagerClient);
    expect(clients.kms).toBeInstanceOf(KMSClient);
    expect(clients.eventBridge).toBeInstanceOf(EventBridgeClient);
    const { secretWrites, ...others } = clients;
    for (const [name, client] of Object.entries(others)) {
      expect(await callLimitsOf(client), name).toEqual(FUNCTION_CALL_LIMITS);
    }
    // PutSecretValue: one attempt; the refresh retries a write itself, in a slot of the write pacer.
    expect(await callLimitsOf(secretWrites)).toEqual({ ...FUNCTION_CALL_LIMITS, maxAttempts: 1 });
  });

  it('writes secrets through an injected Secrets Manager client when no write client is given', () => {
    // Prepare
    const injected = new SecretsManagerClient({ region: 'eu-west-1' });

    // Act
    const clients = createAwsClients({ secretsManager: injected });
    created.push(...Object.values(clients).filter((client) => client !== injected), injected);

    // Assess
    expect(clients.secretWrites).toBe(injected);
  });

  it('keeps an injected client as it is and creates only the missing ones', async () => {
    // Prepare
    const injected = new KMSClient({ region: 'eu-west-1' });

    // Act
    const clients = createAwsClients({ kms: injected });
    created.push(...Object.values(clients));

    // Assess
    expect(clients.kms).toBe(injected);
    expect(await callLimitsOf(clients.kms)).toMatchObject({ requestTimeout: undefined, maxAttempts: 3 });
    expect(await callLimitsOf(clients.dynamodb)).toEqual(FUNCTION_CALL_LIMITS);
  });
});
