/**
 * What the `lambda-footprint` bench hands the deployed functions: the worker's SQS batch (the
 * planner's orders, as the event source mapping delivers them) and the environment that points the
 * bundles at the emulator. The batch runs here through the worker handler on in-memory ports.
 */
import { describe, expect, it } from 'vitest';
import { ENV } from '../../../functions/aws/names';
import { decodeRefreshOrder } from '../../../functions/aws/refresh-order-codec';
import { createRefreshWorkerHandler } from '../../../functions/refresh-worker/refresh-worker-handler';
import type { DeployedFunction } from '../../bench/lambda-bundles';
import { lambdaEnvironment, plannedOrder, refreshBatchEvent } from '../../bench/lambda-footprint-world';
import type { MotoWorld } from '../../bench/moto-world';
import { addConnection, createFakeWorld, RecordingQueue } from '../../support/fakes';

const QUEUE = { arn: 'arn:aws:sqs:us-east-1:123456789012:refresh', region: 'us-east-1' };
const BATCH = 10;

async function dueConnections(count: number) {
  const world = createFakeWorld();
  const connections = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      addConnection(world, { connectionId: `batch-${i}`, refreshDueAt: world.clock.now() }),
    ),
  );
  return { world, connections };
}

describe('refreshBatchEvent', () => {
  it('delivers one record per order, each body the order the planner sent', async () => {
    // Prepare
    const { connections } = await dueConnections(BATCH);
    const orders = connections.map(plannedOrder);

    // Act
    const event = refreshBatchEvent(orders, QUEUE);

    // Assess
    expect(event.Records).toHaveLength(BATCH);
    expect(event.Records.map((record) => decodeRefreshOrder(record.body))).toEqual(orders);
    expect(new Set(event.Records.map((record) => record.messageId)).size).toBe(BATCH);
    expect(event.Records.filter((record) => record.eventSourceARN === QUEUE.arn)).toHaveLength(BATCH);
    expect(event.Records.filter((record) => record.attributes.ApproximateReceiveCount === '1')).toHaveLength(
      BATCH,
    );
  });

  it('is a batch the worker handler refreshes in full: one Zoho call per order, no failures', async () => {
    // Prepare
    const { world, connections } = await dueConnections(BATCH);
    const queue = new RecordingQueue();
    const handler = createRefreshWorkerHandler({ ...world, queue }, { concurrency: BATCH });

    // Act
    const response = await handler(refreshBatchEvent(connections.map(plannedOrder), QUEUE));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(world.zoho.refreshCalls).toBe(BATCH);
    const refreshed = [...world.store.items.values()].filter((connection) => connection.version === 1);
    expect(refreshed).toHaveLength(BATCH);
    expect(queue.sends).toBe(0);
  });
});

describe('lambdaEnvironment', () => {
  it("points the worker's refresh queue reference at the emulator's queue", () => {
    // Prepare
    const world = {
      resources: {
        tableName: 'table',
        keyArn: 'arn:key',
        eventBusName: 'bus',
        refreshQueueUrl: 'http://127.0.0.1:5000/123456789012/refresh',
        secretPrefix: 'zoho-token-refresher',
      },
      accountsServer: 'http://127.0.0.1:9000',
      endpoint: 'http://127.0.0.1:5000',
      region: 'us-east-1',
    } as unknown as Pick<MotoWorld, 'resources' | 'accountsServer' | 'endpoint' | 'region'>;
    const worker: DeployedFunction = {
      bundle: '/tmp/index.mjs',
      bundleBytes: 1,
      memoryMb: 256,
      timeoutSeconds: 90,
      literalEnvironment: { [ENV.secretPrefix]: 'zoho-token-refresher' },
      referencedVariables: [ENV.tableName, ENV.refreshQueueUrl],
    };

    // Act
    const environment = lambdaEnvironment(world, worker, 'refresh-worker');

    // Assess
    expect(environment[ENV.refreshQueueUrl]).toBe('http://127.0.0.1:5000/123456789012/refresh');
    expect(environment[ENV.tableName]).toBe('table');
    expect(environment.AWS_LAMBDA_FUNCTION_MEMORY_SIZE).toBe('256');
  });
});
