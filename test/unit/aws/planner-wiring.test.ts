/**
 * The planner's composition root: the connection store and the refresh queue on the clients it is
 * given, and no module of the AWS clients the planner never calls — so its bundle carries none.
 */
import 'aws-sdk-client-mock-vitest/extend';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it, vi } from 'vitest';

/** The client packages the planner must not load; each records its own evaluation. */
const loaded = vi.hoisted(() => new Set<string>());
vi.mock('@aws-sdk/client-kms', () => {
  loaded.add('client-kms');
  return {};
});
vi.mock('@aws-sdk/client-secrets-manager', () => {
  loaded.add('client-secrets-manager');
  return {};
});
vi.mock('@aws-sdk/client-eventbridge', () => {
  loaded.add('client-eventbridge');
  return {};
});

const env = {
  TABLE_NAME: 'table-under-test',
  SECRET_PREFIX: 'prefix-under-test',
  REFRESH_TOKEN_KEY_ID: 'alias/key-under-test',
  EVENT_BUS_NAME: 'bus-under-test',
  REFRESH_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/refresh',
};

const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe('createPlannerDependencies', () => {
  it('loads no module of the KMS, Secrets Manager or EventBridge clients', async () => {
    // Act
    const { createPlannerDependencies } = await import('../../../functions/aws/planner-wiring');
    const { readRefresherConfig } = await import('../../../functions/aws/config');
    createPlannerDependencies(readRefresherConfig(env), { metrics: { add() {} }, log: silent });

    // Assess
    expect([...loaded]).toEqual([]);
  });

  it('reads the configured table on the given DynamoDB client and queues on the given SQS client', async () => {
    // Prepare
    const { createPlannerDependencies } = await import('../../../functions/aws/planner-wiring');
    const { readRefresherConfig } = await import('../../../functions/aws/config');
    const dynamodbClient = new DynamoDBClient({ region: 'us-east-1' });
    const sqsClient = new SQSClient({ region: 'us-east-1' });
    const dynamodb = mockClient(dynamodbClient);
    const sqs = mockClient(sqsClient);
    dynamodb.on(GetItemCommand).resolves({});
    sqs
      .on(SendMessageBatchCommand)
      .resolves({ Successful: [{ Id: '0', MessageId: 'm-1', MD5OfMessageBody: '' }] });
    const deps = createPlannerDependencies(readRefresherConfig(env), {
      metrics: { add() {} },
      log: silent,
      clients: { dynamodb: dynamodbClient },
      sqs: sqsClient,
    });

    // Act
    const connection = await deps.store.get('acme');
    await deps.queue.enqueue([{ connectionId: 'acme', dueAt: 0 }]);

    // Assess
    expect(connection).toBeUndefined();
    expect(dynamodb).toHaveReceivedCommandTimes(GetItemCommand, 1);
    expect(dynamodb).toHaveReceivedCommandWith(GetItemCommand, { TableName: 'table-under-test' });
    expect(sqs).toHaveReceivedCommandTimes(SendMessageBatchCommand, 1);
    expect(sqs).toHaveReceivedCommandWith(SendMessageBatchCommand, { QueueUrl: env.REFRESH_QUEUE_URL });
    expect(deps.policy.failingAfter).toBeGreaterThan(0);
  });
});

describe('createPlannerDependencies, the holds', () => {
  it('gives the planner the configured write rate and margin, which decide what is held back', async () => {
    // Prepare
    const { createPlannerDependencies } = await import('../../../functions/aws/planner-wiring');
    const { readRefresherConfig } = await import('../../../functions/aws/config');
    const config = readRefresherConfig({
      ...env,
      SECRET_WRITES_PER_SECOND: '40',
      REFRESH_MARGIN_SECONDS: '900',
    });

    // Act
    const deps = createPlannerDependencies(config, { metrics: { add() {} }, log: silent });

    // Assess
    expect(deps.secretWritesPerSecond).toBe(40);
    expect(deps.policy.marginMs).toBe(900_000);
  });
});
