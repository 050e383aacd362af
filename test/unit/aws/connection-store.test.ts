import 'aws-sdk-client-mock-vitest/extend';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { toConnectionItem } from '../../../functions/aws/connection-item';
import { DynamoDbConnectionStore } from '../../../functions/aws/connection-store';
import { dueShardOf, TABLE_SCHEMA } from '../../../functions/aws/table';
import { connection, KEY, NOW, rejection, TABLE } from './fixtures';

const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

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

    it('commits a refresh under the lease: version, expiry, due time, domain; clears failures, error and lease; keeps dueShard', async () => {
      // Prepare
      dynamodb.on(UpdateItemCommand).resolves({});
      const commit = {
        version: 8,
        expiresAt: NOW + 3_600_000,
        refreshDueAt: NOW + 2_640_000,
        refreshedAt: NOW,
        apiDomain: 'https://www.zohoapis.eu',
        recentSecretWrites: [NOW - 3_600_000, NOW],
      };

      // Act
      const held = await store.commitRefresh('books-eu', 'sweep-1', commit, NOW);

      // Assess
      expect(held).toBe(true);
      const input = dynamodb.commandCalls(UpdateItemCommand)[0]?.args[0].input;
      expect(input).toEqual({
        TableName: TABLE,
        Key: KEY,
        UpdateExpression:
          'SET version = :version, expiresAt = :expiresAt, refreshDueAt = :refreshDueAt, refreshedAt = :refreshedAt, ' +
          'apiDomain = :apiDomain, consecutiveFailures = :zero, recentSecretWrites = :writes ' +
          'REMOVE lastError, leaseOwner, leaseUntil, keptToken',
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
          ...heldBy('sweep-1'),
        },
      });
      expect(input?.UpdateExpression).not.toContain('dueShard');
    });

    it.each([
      [
        'commitRefresh',
        () =>
          store.commitRefresh(
            'books-eu',
            'sweep-1',
            {
              version: 8,
              expiresAt: NOW,
              refreshDueAt: NOW,
              refreshedAt: NOW,
              apiDomain: 'https://www.zohoapis.eu',
              recentSecretWrites: [NOW],
            },
            NOW,
          ),
      ],
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

    it('records a permanent failure: status, error, no lease, and moves dueShard to the operator partition so the sweep stops', async () => {
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
          'dueShard = :dueShard REMOVE leaseOwner, leaseUntil',
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

    it('records a transient failure of an active connection keeping it on the due index', async () => {
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
          'dueShard = :dueShard REMOVE leaseOwner, leaseUntil',
      );
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
