import { CreateQueueCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { resetMoto } from '../../dev/emulator/moto-server';
import { useEmulator } from '../support/emulator';

const { endpoint, clientConfig } = useEmulator();
const sqs = new SQSClient(clientConfig);

describe('the integration emulator', () => {
  it('listens on loopback only', () => {
    // Assess
    expect(new URL(endpoint).hostname).toBe('127.0.0.1');
  });

  it('gives workers fake credentials, so a client without an endpoint cannot use a real account', () => {
    // Assess
    expect(process.env.AWS_ACCESS_KEY_ID).toBe('testing');
    expect(process.env.AWS_SECRET_ACCESS_KEY).toBe('testing');
    expect(process.env.AWS_REGION).toBe('us-east-1');
    expect(process.env.AWS_PROFILE).toBeUndefined();
  });

  it('forgets every resource on reset', async () => {
    // Prepare
    await sqs.send(new CreateQueueCommand({ QueueName: 'reset-probe' }));
    const before = await sqs.send(new ListQueuesCommand({}));

    // Act
    await resetMoto(endpoint);
    const after = await sqs.send(new ListQueuesCommand({}));

    // Assess
    expect(before.QueueUrls).toHaveLength(1);
    expect(after.QueueUrls ?? []).toEqual([]);
  });
});
