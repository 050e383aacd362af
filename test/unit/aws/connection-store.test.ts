import 'aws-sdk-client-mock-vitest/extend';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { toConnectionItem, toHistoryItem } from '../../../functions/aws/connection-items';
import { DynamoDbConnectionStore } from '../../../functions/aws/connection-store';
import { dueShardOf, TABLE_SCHEMA } from '../../../functions/aws/table';
import { connection, KEY, NOW, rejection, TABLE } from './fixtures';

const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

const HISTORY = {
  connectionId: 'books-eu',
  at: NOW,
  trigger: 'scheduled' as const,
  outcome: 'refreshed' as const,
  version: 8,
  durationMs: 420,
  zohoCalls: 1,
};
const COMMIT = {
  version: 8,
  expiresAt: NOW + 3_600_000,
  refreshDueAt: NOW + 2_640_000,
  refreshedAt: NOW,
  apiDomain: 'https://www.zohoapis.eu',
  recentSecretWrites: [NOW - 3_600_000, NOW],
  history: HISTORY,
};

const LEASE_HELD = 'leaseOwner = :owner AND leaseUntil > :now AND #status = :active';
/** What every lease-guarded write adds to its own names and values. */
const STATUS_NAME = { '#status': 'status' };
const heldBy = (owner: string) => ({
  ':owner': { S: owner },
  ':now': { N: String(NOW) },
  ':active': { S: 'active' },
});

describe('DynamoDbConnectionStore: lease and lease-guarded writes', () => {
  const dynamodb = mockClient(DynamoDBClient);
  const store = new DynamoDbConnectionStore({
    client: new DynamoDBClient({ region: 'us-east-1' }),
    tableName: TABLE,
    historySuffix: () => 'cafe0001',
  });

  beforeEach(() => {
    dynamodb.reset();
  });

  describe('lease and writes', () => {
    it('takes the lease with one conditional write on version, lease sequence, status and a free or expired lease', async () => {
      // Prepare
      const seen = connection();
      const leased = connection({ lease: { owner: 'sweep-1', until: NOW + 60_000 }, leaseSeq: 4 });
      dynamodb.on(UpdateItemCommand).resolves({ Attributes: toConnectionItem(leased) });

      // Act
      const result = await store.acquireLease(seen, { owner: 'sweep-1', until: NOW + 60_000 }, NOW);

      // Assess
      expect(result).toEqual(leased);
      expect(dynamodb).toReceiveCommandTimes(UpdateItemCommand, 1);
      expect(dynamodb).toReceiveCommandWith(UpdateItemCommand, {
        TableName: TABLE,
        Key: KEY,
        UpdateExpression: 'SET leaseOwner = :owner, leaseUntil = :leaseUntil, leaseSeq = :nextSeq',
        ConditionExpression:
          'attribute_exists(pk) AND version = :seenVersion AND leaseSeq = :seenSeq AND #status = :active AND (attribute_not_exists(leaseOwner) OR leaseUntil <= :now)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':owner': { S: 'sweep-1' },
          ':leaseUntil': { N: String(NOW + 60_000) },
          ':nextSeq': { N: '4' },
          ':seenVersion': { N: '7' },
          ':seenSeq': { N: '3' },
          ':active': { S: 'active' },
          ':now': { N: String(NOW) },
        },
        ReturnValues: 'ALL_NEW',
      });
    });

    it('records the first Zoho call in the lease write when asked to (the whole budget list)', async () => {
      // Prepare
      const seen = connection();
      dynamodb.on(UpdateItemCommand).resolves({ Attributes: toConnectionItem(seen) });

      // Act
      await store.acquireLease(seen, { owner: 'sweep-1', until: NOW + 60_000 }, NOW, {
        recentZohoCalls: [NOW - 60_000, NOW],
      });

      // Assess
      const input = dynamodb.commandCalls(UpdateItemCommand)[0]?.args[0].input;
      expect(input?.UpdateExpression).toBe(
        'SET leaseOwner = :owner, leaseUntil = :leaseUntil, leaseSeq = :nextSeq, recentZohoCalls = :calls',
      );
      expect(input?.ExpressionAttributeValues?.[':calls']).toEqual({
        L: [{ N: String(NOW - 60_000) }, { N: String(NOW) }],
      });
      expect(input?.ConditionExpression).toContain('leaseSeq = :seenSeq');
    });

    it('answers undefined when another caller won the race (condition failed)', async () => {
      // Prepare
      dynamodb.on(UpdateItemCommand).rejects(conditionFailed());

      // Act
      const result = await store.acquireLease(connection(), { owner: 'sweep-2', until: NOW + 60_000 }, NOW);

      // Assess
      expect(result).toBeUndefined();
      expect(dynamodb).toReceiveCommandTimes(UpdateItemCommand, 1);
    });

    it('lets any other DynamoDB error through the lease write', async () => {
      // Prepare
      const throttled = new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} });
      dynamodb.on(UpdateItemCommand).rejects(throttled);

      // Act
      const error = await rejection(
        store.acquireLease(connection(), { owner: 'sweep-1', until: NOW + 60_000 }, NOW),
      );

      // Assess
      expect(error).toBe(throttled);
    });

    it('records a Zoho call and extends the lease only while holding it', async () => {
      // Prepare
      dynamodb.on(UpdateItemCommand).resolves({});

      // Act
      const held = await store.recordZohoCall('books-eu', 'sweep-1', [NOW - 1_000, NOW], NOW + 60_000, NOW);

      // Assess
      expect(held).toBe(true);
      expect(dynamodb).toReceiveCommandWith(UpdateItemCommand, {
        Key: KEY,
        UpdateExpression: 'SET recentZohoCalls = :calls, leaseUntil = :leaseUntil',
        ConditionExpression: LEASE_HELD,
        ExpressionAttributeNames: STATUS_NAME,
        ExpressionAttributeValues: {
          ':calls': { L: [{ N: String(NOW - 1_000) }, { N: String(NOW) }] },
          ':leaseUntil': { N: String(NOW + 60_000) },
          ...heldBy('sweep-1'),
        },
      });
    });

    it('commits under the lease and writes the history item in one transaction', async () => {
      // Prepare
      dynamodb.on(TransactWriteItemsCommand).resolves({});

      // Act
      const held = await store.commitRefresh('books-eu', 'sweep-1', COMMIT, NOW);

      // Assess
      expect(held).toBe(true);
      expect(dynamodb).toReceiveCommandTimes(TransactWriteItemsCommand, 1);
      expect(dynamodb).toReceiveCommandTimes(UpdateItemCommand, 0);
      const input = dynamodb.commandCalls(TransactWriteItemsCommand)[0]?.args[0].input;
      expect(input?.TransactItems).toEqual([
        {
          Update: {
            TableName: TABLE,
            Key: KEY,
            UpdateExpression:
              'SET version = :version, expiresAt = :expiresAt, refreshDueAt = :refreshDueAt, refreshedAt = :refreshedAt, ' +
              'apiDomain = :apiDomain, consecutiveFailures = :zero, recentSecretWrites = :writes, dueShard = :dueShard ' +
              'REMOVE lastError, leaseOwner, leaseUntil, keptToken, retryPartition',
            ConditionExpression: LEASE_HELD,
            ExpressionAttributeNames: STATUS_NAME,
            ExpressionAttributeValues: {
              ':writes': { L: [{ N: String(NOW - 3_600_000) }, { N: String(NOW) }] },
              ':version': { N: '8' },
              ':expiresAt': { N: String(NOW + 3_600_000) },
              ':refreshDueAt': { N: String(NOW + 2_640_000) },
              ':refreshedAt': { N: String(NOW) },
              ':apiDomain': { S: 'https://www.zohoapis.eu' },
              ':zero': { N: '0' },
              ':dueShard': { S: dueShardOf('books-eu') },
              ...heldBy('sweep-1'),
            },
          },
        },
        { Put: { TableName: TABLE, Item: toHistoryItem(HISTORY, 'cafe0001') } },
      ]);
    });

    it('answers false when the commit transaction fails its lease condition; writes no history', async () => {
      // Prepare
      dynamodb.on(TransactWriteItemsCommand).rejects(cancelled('ConditionalCheckFailed', 'None'));

      // Act
      const held = await store.commitRefresh('books-eu', 'sweep-1', COMMIT, NOW);

      // Assess
      expect(held).toBe(false);
      expect(dynamodb).toReceiveCommandTimes(TransactWriteItemsCommand, 1);
    });

    it('tries a commit again that a concurrent write to the item interrupted', async () => {
      // Prepare
      dynamodb
        .on(TransactWriteItemsCommand)
        .rejectsOnce(cancelled('TransactionConflict', 'None'))
        .resolves({});

      // Act
      const held = await store.commitRefresh('books-eu', 'sweep-1', COMMIT, NOW);

      // Assess
      expect(held).toBe(true);
      expect(dynamodb).toReceiveCommandTimes(TransactWriteItemsCommand, 2);
    });

    it('gives up after three interrupted commits and lets the error through', async () => {
      // Prepare
      const conflict = cancelled('TransactionConflict', 'None');
      dynamodb.on(TransactWriteItemsCommand).rejects(conflict);

      // Act
      const error = await rejection(store.commitRefresh('books-eu', 'sweep-1', COMMIT, NOW));

      // Assess
      expect(error).toBe(conflict);
      expect(dynamodb).toReceiveCommandTimes(TransactWriteItemsCommand, 3);
    });

    it.each([
      [
        'recordFailure',
        () =>
          store.recordFailure(
            'books-eu',
            'sweep-1',
            {
              status: 'active',
              refreshDueAt: NOW + 30_000,
              consecutiveFailures: 1,
              lastError: { code: 'transient', message: 'Zoho call failed transiently: 503', at: NOW },
            },
            NOW,
          ),
      ],
      ['releaseLease', () => store.releaseLease('books-eu', 'sweep-1', NOW)],
      ['recordZohoCall', () => store.recordZohoCall('books-eu', 'sweep-1', [NOW], NOW + 60_000, NOW)],
    ])('%s answers false once the lease is lost or the connection left active', async (_name, act) => {
      // Prepare
      dynamodb.on(UpdateItemCommand).rejects(conditionFailed());

      // Act
      const held = await act();

      // Assess
      expect(held).toBe(false);
      expect(dynamodb).toReceiveCommandTimes(UpdateItemCommand, 1);
      expect(dynamodb).toReceiveCommandWith(UpdateItemCommand, {
        ConditionExpression: LEASE_HELD,
        ExpressionAttributeNames: STATUS_NAME,
      });
      expect(
        dynamodb.commandCalls(UpdateItemCommand)[0]?.args[0].input.ExpressionAttributeValues,
      ).toMatchObject(heldBy('sweep-1'));
    });

    it('records a permanent failure: status, error, no lease, and moves dueShard to the operator partition so the planner stops, and takes it off the retry index', async () => {
      // Prepare
      dynamodb.on(UpdateItemCommand).resolves({});
      const lastError = {
        code: 'reauthorization_required',
        message: 'Zoho rejected the refresh token',
        at: NOW,
      };

      // Act
      const held = await store.recordFailure(
        'books-eu',
        'sweep-1',
        { status: 'reauthorization_required', refreshDueAt: NOW, consecutiveFailures: 1, lastError },
        NOW,
      );

      // Assess
      expect(held).toBe(true);
      expect(dynamodb).toReceiveCommandWith(UpdateItemCommand, {
        UpdateExpression:
          'SET #status = :status, refreshDueAt = :refreshDueAt, consecutiveFailures = :failures, lastError = :lastError, ' +
          'dueShard = :dueShard REMOVE leaseOwner, leaseUntil, retryPartition',
        ConditionExpression: LEASE_HELD,
        ExpressionAttributeNames: STATUS_NAME,
        ExpressionAttributeValues: {
          ':status': { S: 'reauthorization_required' },
          ':refreshDueAt': { N: String(NOW) },
          ':failures': { N: '1' },
          ':lastError': {
            M: {
              code: { S: 'reauthorization_required' },
              message: { S: 'Zoho rejected the refresh token' },
              at: { N: String(NOW) },
            },
          },
          ':dueShard': { S: 'operator' },
          ...heldBy('sweep-1'),
        },
      });
      expect(TABLE_SCHEMA.operatorShard).toBe('operator');
    });

    it('records a transient failure of an active connection keeping it on the due index and putting it on the retry index', async () => {
      // Prepare
      dynamodb.on(UpdateItemCommand).resolves({});

      // Act
      await store.recordFailure(
        'books-eu',
        'sweep-1',
        {
          status: 'active',
          refreshDueAt: NOW + 30_000,
          consecutiveFailures: 2,
          lastError: { code: 'transient', message: 'Zoho call failed transiently: 503', at: NOW },
        },
        NOW,
      );

      // Assess
      const input = dynamodb.commandCalls(UpdateItemCommand)[0]?.args[0].input;
      expect(input?.UpdateExpression).toBe(
        'SET #status = :status, refreshDueAt = :refreshDueAt, consecutiveFailures = :failures, lastError = :lastError, ' +
          'dueShard = :dueShard, retryPartition = :retryPartition REMOVE leaseOwner, leaseUntil',
      );
      expect(input?.ExpressionAttributeValues?.[':retryPartition']).toEqual({ S: 'retry' });
      expect(input?.ExpressionAttributeValues?.[':dueShard']).toEqual({ S: dueShardOf('books-eu') });
    });

    it('releases the lease conditionally, changing nothing else', async () => {
      // Prepare
      dynamodb.on(UpdateItemCommand).resolves({});

      // Act
      const held = await store.releaseLease('books-eu', 'sweep-1', NOW);

      // Assess
      expect(held).toBe(true);
      expect(dynamodb).toReceiveCommandWith(UpdateItemCommand, {
        UpdateExpression: 'REMOVE leaseOwner, leaseUntil',
        ConditionExpression: LEASE_HELD,
        ExpressionAttributeNames: STATUS_NAME,
        ExpressionAttributeValues: heldBy('sweep-1'),
      });
    });
  });
});
