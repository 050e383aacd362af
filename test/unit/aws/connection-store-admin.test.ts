import 'aws-sdk-client-mock-vitest/extend';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { toConnectionItem } from '../../../functions/aws/connection-items';
import { DynamoDbConnectionStore } from '../../../functions/aws/connection-store';
import { dueShardOf } from '../../../functions/aws/table';
import {
  ConnectionAlreadyExistsError,
  ConnectionChangedError,
  ConnectionNotFoundError,
} from '../../../functions/core/errors';
import { connection, KEY, NOW, rejection, TABLE } from './fixtures';

const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

describe('DynamoDbConnectionStore: registration, reads and operator actions', () => {
  const dynamodb = mockClient(DynamoDBClient);
  const store = new DynamoDbConnectionStore({
    client: new DynamoDBClient({ region: 'us-east-1' }),
    tableName: TABLE,
  });

  beforeEach(() => {
    dynamodb.reset();
  });

  describe('registration and reads', () => {
    it('creates a connection only when the id is free', async () => {
      // Prepare
      const created = connection();
      dynamodb.on(PutItemCommand).resolvesOnce({}).rejects(conditionFailed());

      // Act
      await store.create(created);
      const error = await rejection(store.create(created));

      // Assess
      expect(dynamodb).toReceiveCommandTimes(PutItemCommand, 2);
      expect(dynamodb).toReceiveCommandWith(PutItemCommand, {
        TableName: TABLE,
        Item: toConnectionItem(created),
        ConditionExpression: 'attribute_not_exists(pk)',
      });
      expect(error).toBeInstanceOf(ConnectionAlreadyExistsError);
      expect(error.message).toBe("A connection 'books-eu' is already registered");
    });

    it('reads one connection with a strongly consistent read, undefined when absent', async () => {
      // Prepare
      dynamodb
        .on(GetItemCommand)
        .resolvesOnce({ Item: toConnectionItem(connection()) })
        .resolves({});

      // Act
      const found = await store.get('books-eu');
      const absent = await store.get('books-eu');

      // Assess
      expect(found).toEqual(connection());
      expect(absent).toBeUndefined();
      expect(dynamodb).toReceiveCommandWith(GetItemCommand, {
        TableName: TABLE,
        Key: KEY,
        ConsistentRead: true,
      });
    });
  });

  describe('operator status changes', () => {
    beforeEach(() => {
      dynamodb.on(UpdateItemCommand).resolves({});
    });

    it('takes a disabled connection off the due index', async () => {
      // Act
      await store.setStatus('books-eu', 'disabled');

      // Assess
      expect(dynamodb).toReceiveCommandWith(UpdateItemCommand, {
        Key: KEY,
        // Every operator status change also ends any lease, and moves leaseSeq on as a lease would
        // (a refresh order's snapshot from before it can no longer win a lease).
        UpdateExpression:
          'SET #status = :status, leaseSeq = leaseSeq + :one REMOVE leaseOwner, leaseUntil, dueShard, retryPartition',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': { S: 'disabled' }, ':one': { N: '1' } },
      });
    });

    it('re-enables with a new refresh token: dueShard back, error and failures cleared', async () => {
      // Act
      await store.setStatus('books-eu', 'active', {
        encryptedRefreshToken: 'bmV3LWNpcGhlcnRleHQ=',
        refreshDueAt: NOW,
        lastError: null,
      });

      // Assess
      expect(dynamodb).toReceiveCommandWith(UpdateItemCommand, {
        UpdateExpression:
          'SET #status = :status, leaseSeq = leaseSeq + :one, encryptedRefreshToken = :encryptedRefreshToken, ' +
          'refreshDueAt = :refreshDueAt, consecutiveFailures = :zero, dueShard = :dueShard ' +
          'REMOVE leaseOwner, leaseUntil, keptToken, lastError, retryPartition',
        ExpressionAttributeValues: {
          ':status': { S: 'active' },
          ':one': { N: '1' },
          ':encryptedRefreshToken': { S: 'bmV3LWNpcGhlcnRleHQ=' },
          ':refreshDueAt': { N: String(NOW) },
          ':zero': { N: '0' },
          ':dueShard': { S: dueShardOf('books-eu') },
        },
      });
    });

    it('sets a last error, removes only the lease and puts the connection on the retry index', async () => {
      // Act
      await store.setStatus('books-eu', 'active', {
        lastError: { code: 'operator', message: 'resumed', at: NOW },
      });

      // Assess
      expect(dynamodb).toReceiveCommandWith(UpdateItemCommand, {
        UpdateExpression:
          'SET #status = :status, leaseSeq = leaseSeq + :one, lastError = :lastError, dueShard = :dueShard, ' +
          'retryPartition = :retryPartition REMOVE leaseOwner, leaseUntil',
      });
    });

    it('throws ConnectionNotFoundError for an unknown id', async () => {
      // Prepare
      dynamodb.on(UpdateItemCommand).rejects(conditionFailed());

      // Act
      const error = await rejection(store.setStatus('nobody', 'revoked'));

      // Assess
      expect(error).toBeInstanceOf(ConnectionNotFoundError);
    });

    it('revokes only over the expected status, clearing the token expiry and the budget', async () => {
      // Act
      await store.setStatus('books-eu', 'revoked', {
        encryptedRefreshToken: '',
        expiresAt: 0,
        recentZohoCalls: [NOW - 1_000, NOW],
        expectedStatus: 'active',
      });

      // Assess
      expect(dynamodb).toReceiveCommandTimes(UpdateItemCommand, 1);
      expect(dynamodb).toReceiveCommandWith(UpdateItemCommand, {
        TableName: TABLE,
        Key: KEY,
        UpdateExpression:
          'SET #status = :status, leaseSeq = leaseSeq + :one, encryptedRefreshToken = :encryptedRefreshToken, ' +
          'expiresAt = :expiresAt, recentZohoCalls = :calls REMOVE leaseOwner, leaseUntil, keptToken, dueShard, retryPartition',
        ConditionExpression: 'attribute_exists(pk) AND #status = :expectedStatus',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': { S: 'revoked' },
          ':one': { N: '1' },
          ':encryptedRefreshToken': { S: '' },
          ':expiresAt': { N: '0' },
          ':calls': { L: [{ N: String(NOW - 1_000) }, { N: String(NOW) }] },
          ':expectedStatus': { S: 'active' },
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
    });

    it('throws ConnectionChangedError when the item exists with another status', async () => {
      // Prepare: the failed condition hands back the stored item (ALL_OLD).
      dynamodb.on(UpdateItemCommand).rejects(
        new ConditionalCheckFailedException({
          message: 'The conditional request failed',
          $metadata: {},
          Item: toConnectionItem(connection({ status: 'disabled' })),
        }),
      );

      // Act
      const error = await rejection(store.setStatus('books-eu', 'revoked', { expectedStatus: 'active' }));

      // Assess
      expect(error).toBeInstanceOf(ConnectionChangedError);
      expect(error.message).toBe(
        "Connection 'books-eu' is no longer active; it changed meanwhile and nothing was written. Look again with 'zoho-tokens status'",
      );
      expect(dynamodb).toReceiveCommandTimes(UpdateItemCommand, 1);
      expect(dynamodb).toReceiveCommandTimes(GetItemCommand, 0);
    });

    it('throws ConnectionNotFoundError when an expected status meets no item at all', async () => {
      // Prepare
      dynamodb.on(UpdateItemCommand).rejects(conditionFailed());

      // Act
      const error = await rejection(store.setStatus('nobody', 'revoked', { expectedStatus: 'active' }));

      // Assess
      expect(error).toBeInstanceOf(ConnectionNotFoundError);
    });
  });
});
