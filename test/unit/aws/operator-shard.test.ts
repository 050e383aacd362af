import 'aws-sdk-client-mock-vitest/extend';
import {
  DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { toConnectionItem } from '../../../functions/aws/connection-items';
import { DUE_SHARDS } from '../../../functions/aws/connection-queries';
import { DynamoDbConnectionStore } from '../../../functions/aws/connection-store';
import { dueShardFor, dueShardOf, TABLE_SCHEMA } from '../../../functions/aws/table';
import { CONNECTION_STATUSES, type ConnectionStatus } from '../../../functions/core/connection';
import { connection, NOW, TABLE } from './fixtures';

const waiting = (connectionId: string, status: ConnectionStatus = 'reauthorization_required') =>
  toConnectionItem(connection({ connectionId, status }));

/**
 * Answers due-index queries per partition; a page's `next` becomes its LastEvaluatedKey. `sent` gets
 * a copy of each input as it was sent (the SDK's paginator changes one input object page by page).
 */
function partitionPages(
  pages: Record<string, { items: ReturnType<typeof waiting>[]; next?: boolean }[]>,
  sent: QueryCommandInput[] = [],
) {
  return (input: QueryCommandInput): Partial<QueryCommandOutput> => {
    sent.push({ ...input });
    const shard = input.ExpressionAttributeValues?.[':shard']?.S ?? '';
    const index = input.ExclusiveStartKey === undefined ? 0 : Number(input.ExclusiveStartKey.page?.N);
    const page = pages[shard]?.[index] ?? { items: [] };
    return {
      Items: page.items,
      ...(page.next === true ? { LastEvaluatedKey: { page: { N: String(index + 1) } } } : {}),
    };
  };
}

describe('the operator partition of the due index', () => {
  const dynamodb = mockClient(DynamoDBClient);
  const store = new DynamoDbConnectionStore({
    client: new DynamoDBClient({ region: 'us-east-1' }),
    tableName: TABLE,
  });

  beforeEach(() => {
    dynamodb.reset();
  });

  it('maps every status to its partition: due#N when active, operator when waiting, none otherwise', () => {
    // Act
    const partitions = Object.fromEntries(CONNECTION_STATUSES.map((s) => [s, dueShardFor('books-eu', s)]));

    // Assess
    expect(partitions).toEqual({
      active: dueShardOf('books-eu'),
      reauthorization_required: 'operator',
      misconfigured: 'operator',
      revoked: undefined,
      disabled: undefined,
    });
    expect(DUE_SHARDS).not.toContain(TABLE_SCHEMA.operatorShard);
  });

  it('lists the connections waiting for an operator with one paged Query of that partition, no scan', async () => {
    // Prepare
    const sent: QueryCommandInput[] = [];
    dynamodb.on(QueryCommand).callsFake(
      partitionPages(
        {
          operator: [
            { items: [waiting('a'), waiting('b', 'misconfigured')], next: true },
            { items: [waiting('c')] },
          ],
        },
        sent,
      ),
    );

    // Act
    const listed = await store.listNeedingOperator(10);

    // Assess
    expect(listed.map((c) => [c.connectionId, c.status])).toEqual([
      ['a', 'reauthorization_required'],
      ['b', 'misconfigured'],
      ['c', 'reauthorization_required'],
    ]);
    expect(dynamodb).toReceiveCommandTimes(QueryCommand, 2);
    const query = {
      TableName: TABLE,
      IndexName: 'due-index',
      KeyConditionExpression: 'dueShard = :shard',
      ExpressionAttributeValues: { ':shard': { S: 'operator' } },
      ScanIndexForward: true,
      Limit: 10,
    };
    expect(sent).toEqual([
      { ...query, ExclusiveStartKey: undefined },
      { ...query, ExclusiveStartKey: { page: { N: '1' } } },
    ]);
  });

  it('stops at the limit, and asks nothing for a limit of 0', async () => {
    // Prepare
    dynamodb
      .on(QueryCommand)
      .callsFake(partitionPages({ operator: [{ items: [waiting('a'), waiting('b')], next: true }] }));

    // Act
    const limited = await store.listNeedingOperator(2);
    const none = await store.listNeedingOperator(0);

    // Assess
    expect(limited.map((c) => c.connectionId)).toEqual(['a', 'b']);
    expect(none).toEqual([]);
    expect(dynamodb).toReceiveCommandTimes(QueryCommand, 1);
  });

  it('never reads the operator partition when listing what is due', async () => {
    // Prepare
    dynamodb.on(QueryCommand).callsFake(partitionPages({ operator: [{ items: [waiting('a')] }] }));

    // Act
    const due = await store.listDue(Number.MAX_SAFE_INTEGER, 10);

    // Assess
    expect(due).toEqual([]);
    const shardsQueried = dynamodb
      .commandCalls(QueryCommand)
      .map((call) => call.args[0].input.ExpressionAttributeValues?.[':shard']?.S);
    expect(shardsQueried.sort()).toEqual([...DUE_SHARDS].sort());
  });

  describe('writes that change the status', () => {
    beforeEach(() => {
      dynamodb.on(UpdateItemCommand).resolves({});
    });

    it('records a misconfigured client on the operator partition', async () => {
      // Act
      await store.recordFailure(
        'books-eu',
        'sweep-1',
        {
          status: 'misconfigured',
          refreshDueAt: NOW,
          consecutiveFailures: 1,
          lastError: { code: 'misconfigured', message: 'Zoho rejected the client: invalid_client', at: NOW },
        },
        NOW,
      );

      // Assess
      const input = dynamodb.commandCalls(UpdateItemCommand)[0]?.args[0].input;
      expect(input?.UpdateExpression).toBe(
        'SET #status = :status, refreshDueAt = :refreshDueAt, consecutiveFailures = :failures, lastError = :lastError, ' +
          'dueShard = :dueShard REMOVE leaseOwner, leaseUntil, retryPartition',
      );
      expect(input?.ExpressionAttributeValues?.[':dueShard']).toEqual({ S: 'operator' });
    });

    it('records a failure into a status no one acts on (revoked) by removing dueShard', async () => {
      // Act
      await store.recordFailure(
        'books-eu',
        'sweep-1',
        {
          status: 'revoked',
          refreshDueAt: NOW,
          consecutiveFailures: 1,
          lastError: { code: 'revoked', message: 'the refresh token was revoked', at: NOW },
        },
        NOW,
      );

      // Assess
      const input = dynamodb.commandCalls(UpdateItemCommand)[0]?.args[0].input;
      expect(input?.UpdateExpression).toBe(
        'SET #status = :status, refreshDueAt = :refreshDueAt, consecutiveFailures = :failures, lastError = :lastError ' +
          'REMOVE leaseOwner, leaseUntil, dueShard, retryPartition',
      );
      expect(input?.ExpressionAttributeValues?.[':dueShard']).toBeUndefined();
    });

    it('moves a connection an operator marks as waiting onto the operator partition', async () => {
      // Act
      await store.setStatus('books-eu', 'reauthorization_required');

      // Assess
      expect(dynamodb).toReceiveCommandWith(UpdateItemCommand, {
        UpdateExpression:
          'SET #status = :status, leaseSeq = leaseSeq + :one, dueShard = :dueShard REMOVE leaseOwner, leaseUntil, retryPartition',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: {
          ':status': { S: 'reauthorization_required' },
          ':one': { N: '1' },
          ':dueShard': { S: 'operator' },
        },
      });
    });
  });
});
