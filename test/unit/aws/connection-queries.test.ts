import 'aws-sdk-client-mock-vitest/extend';
import {
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { toConnectionItem, toHistoryItem } from '../../../functions/aws/connection-items';
import { DUE_SHARDS } from '../../../functions/aws/connection-queries';
import { DynamoDbConnectionStore } from '../../../functions/aws/connection-store';
import { CorruptStoredItemError } from '../../../functions/aws/errors';
import { dueShardOf } from '../../../functions/aws/table';
import type { HistoryEntry } from '../../../functions/core/ports';
import { connection, NOW, rejection, TABLE } from './fixtures';

const due = (connectionId: string, refreshDueAt: number) =>
  toConnectionItem(connection({ connectionId, refreshDueAt }));

/**
 * Answers due-index queries from pages per shard; a page's `next` is its LastEvaluatedKey. `sent`
 * gets a copy of each input as it was sent: the SDK's paginator sends one input object, changed
 * page by page, so the client mock's own record shows every call with the last page's values.
 */
function dueIndexPages(
  pages: Record<string, { items: ReturnType<typeof due>[]; next?: string }[]>,
  sent: QueryCommandInput[] = [],
) {
  return (input: QueryCommandInput): Partial<QueryCommandOutput> => {
    sent.push({ ...input });
    const shard = input.ExpressionAttributeValues?.[':shard']?.S ?? '';
    const index = input.ExclusiveStartKey === undefined ? 0 : Number(input.ExclusiveStartKey.page?.N);
    const page = pages[shard]?.[index] ?? { items: [] };
    return {
      Items: page.items,
      ...(page.next === undefined ? {} : { LastEvaluatedKey: { page: { N: String(index + 1) } } }),
    };
  };
}

describe('DynamoDbConnectionStore: listings', () => {
  const dynamodb = mockClient(DynamoDBClient);
  const client = new DynamoDBClient({ region: 'us-east-1' });
  const store = new DynamoDbConnectionStore({ client, tableName: TABLE, historySuffix: () => 'a1b2c3d4' });

  beforeEach(() => {
    dynamodb.reset();
  });

  it('names every due shard a connection can land in', () => {
    // Act
    const shardsSeen = new Set(Array.from({ length: 400 }, (_, i) => dueShardOf(`connection-${i}`)));

    // Assess
    expect([...shardsSeen].sort()).toEqual([...DUE_SHARDS].sort());
    expect(DUE_SHARDS).toEqual(Array.from({ length: 16 }, (_, i) => `due#${i}`));
  });

  it('keeps every shard a smaller count wrote among the shards it reads (raising the count strands nothing)', () => {
    // Prepare: the hash as it was with 4 shards (the same function, modulo 4)
    const ids = Array.from({ length: 400 }, (_, i) => `connection-${i}`);
    const hash = (id: string) => {
      let h = 0;
      for (const char of id) h = (h * 31 + char.charCodeAt(0)) >>> 0;
      return h;
    };

    // Act
    const writtenWithFour = new Set(ids.map((id) => `due#${hash(id) % 4}`));

    // Assess: still read, and the new shard is the same hash modulo 16
    for (const shard of writtenWithFour) expect(DUE_SHARDS).toContain(shard);
    for (const id of ids) expect(dueShardOf(id)).toBe(`due#${hash(id) % 16}`);
  });

  it('lists the retry index: its one partition, soonest expiry first, paged, keys and failure count only', async () => {
    // Prepare: the index projects the keys, connectionId and consecutiveFailures
    const retrying = (connectionId: string, expiresAt: number, failures: number) => ({
      pk: { S: `CONN#${connectionId}` },
      sk: { S: 'CONNECTION' },
      retryPartition: { S: 'retry' },
      expiresAt: { N: String(expiresAt) },
      connectionId: { S: connectionId },
      consecutiveFailures: { N: String(failures) },
    });
    dynamodb
      .on(QueryCommand)
      .resolvesOnce({ Items: [retrying('a', NOW - 5, 4)], LastEvaluatedKey: { page: { N: '1' } } })
      .resolves({ Items: [retrying('b', NOW + 60_000, 1)] });

    // Act
    const listed = await store.listRetrying(100);

    // Assess
    expect(listed).toEqual([
      { connectionId: 'a', expiresAt: NOW - 5, consecutiveFailures: 4 },
      { connectionId: 'b', expiresAt: NOW + 60_000, consecutiveFailures: 1 },
    ]);
    expect(dynamodb).toReceiveCommandTimes(QueryCommand, 2);
    expect(dynamodb).toReceiveCommandWith(QueryCommand, {
      TableName: TABLE,
      IndexName: 'retry-index',
      KeyConditionExpression: 'retryPartition = :partition',
      ExpressionAttributeValues: { ':partition': { S: 'retry' } },
      ScanIndexForward: true,
      Limit: 100,
    });
  });

  it('reads only a window of due times when asked (BETWEEN, both ends included)', async () => {
    // Prepare
    dynamodb.on(QueryCommand).callsFake(dueIndexPages({ 'due#5': [{ items: [due('w', NOW + 10)] }] }));

    // Act
    const listed = await store.listDue(NOW + 59_999, 100, NOW);

    // Assess
    expect(listed.map((c) => c.connectionId)).toEqual(['w']);
    expect(dynamodb).toReceiveCommandWith(QueryCommand, {
      KeyConditionExpression: 'dueShard = :shard AND refreshDueAt BETWEEN :notBefore AND :dueBy',
      ExpressionAttributeValues: {
        ':shard': { S: 'due#5' },
        ':notBefore': { N: String(NOW) },
        ':dueBy': { N: String(NOW + 59_999) },
      },
    });
  });

  it('queries each due shard, follows pages and merges them earliest first up to the limit', async () => {
    // Prepare
    const sent: QueryCommandInput[] = [];
    dynamodb.on(QueryCommand).callsFake(
      dueIndexPages(
        {
          'due#0': [{ items: [due('a', NOW - 300)], next: 'more' }, { items: [due('c', NOW - 100)] }],
          'due#1': [{ items: [due('b', NOW - 500)] }],
          'due#3': [{ items: [due('d', NOW - 200)] }],
        },
        sent,
      ),
    );

    // Act
    const listed = await store.listDue(NOW, 3);

    // Assess
    expect(listed.map((c) => c.connectionId)).toEqual(['b', 'a', 'd']);
    expect(dynamodb).toReceiveCommandTimes(QueryCommand, DUE_SHARDS.length + 1);
    const query = (shard: string) => ({
      TableName: TABLE,
      IndexName: 'due-index',
      KeyConditionExpression: 'dueShard = :shard AND refreshDueAt <= :dueBy',
      ExpressionAttributeValues: { ':shard': { S: shard }, ':dueBy': { N: String(NOW) } },
      ScanIndexForward: true,
      // Every page asks for the limit: the paginator sends the same input again.
      Limit: 3,
      ExclusiveStartKey: undefined,
    });
    expect(sent).toEqual([
      ...DUE_SHARDS.map(query),
      { ...query('due#0'), ExclusiveStartKey: { page: { N: '1' } } },
    ]);
  });

  it('returns every due connection when the limit allows, still in due order', async () => {
    // Prepare
    dynamodb.on(QueryCommand).callsFake(
      dueIndexPages({
        'due#0': [{ items: [due('a', NOW - 300)], next: 'more' }, { items: [due('c', NOW - 100)] }],
        'due#2': [{ items: [due('b', NOW - 500), due('e', NOW - 100)] }],
      }),
    );

    // Act
    const listed = await store.listDue(NOW, 10);

    // Assess
    expect(listed.map((c) => c.connectionId)).toEqual(['b', 'a', 'c', 'e']);
  });

  it('stops paging a shard once it alone fills the limit', async () => {
    // Prepare
    dynamodb
      .on(QueryCommand)
      .callsFake(dueIndexPages({ 'due#0': [{ items: [due('a', NOW - 300)], next: 'more' }] }));

    // Act
    const listed = await store.listDue(NOW, 1);

    // Assess
    expect(listed.map((c) => c.connectionId)).toEqual(['a']);
    expect(dynamodb).toReceiveCommandTimes(QueryCommand, DUE_SHARDS.length);
  });

  it('fails on an unreadable item without a handler, skips and reports it with one', async () => {
    // Prepare
    const { version: _version, ...broken } = due('broken', NOW - 900);
    dynamodb
      .on(QueryCommand)
      .callsFake(dueIndexPages({ 'due#1': [{ items: [broken, due('ok', NOW - 10)] }] }));
    const reported: CorruptStoredItemError[] = [];
    const tolerant = new DynamoDbConnectionStore({
      client,
      tableName: TABLE,
      onCorruptItem: (e) => reported.push(e),
    });

    // Act
    const strictError = await rejection(store.listDue(NOW, 5));
    const listed = await tolerant.listDue(NOW, 5);

    // Assess
    expect(strictError).toBeInstanceOf(CorruptStoredItemError);
    expect(listed.map((c) => c.connectionId)).toEqual(['ok']);
    expect(reported.map((e) => e.message)).toEqual([
      "Stored connection broken is unreadable: attribute 'version' is missing or not a number",
    ]);
  });

  it('lists every connection item across scan pages, history excluded by the filter', async () => {
    // Prepare
    dynamodb
      .on(ScanCommand)
      .resolvesOnce({ Items: [due('zeta', NOW)], LastEvaluatedKey: { pk: { S: 'CONN#zeta' } } })
      .resolvesOnce({ Items: [due('alpha', NOW)] });

    // Act
    const listed = await store.listAll();

    // Assess
    expect(listed.map((c) => c.connectionId)).toEqual(['alpha', 'zeta']);
    expect(dynamodb).toReceiveCommandTimes(ScanCommand, 2);
    expect(dynamodb).toReceiveNthCommandWith(ScanCommand, 1, {
      TableName: TABLE,
      FilterExpression: 'sk = :connectionSortKey',
      ExpressionAttributeValues: { ':connectionSortKey': { S: 'CONNECTION' } },
    });
    expect(dynamodb).toReceiveNthCommandWith(ScanCommand, 2, {
      ExclusiveStartKey: { pk: { S: 'CONN#zeta' } },
    });
  });

  it('appends history under the connection with a time-ordered sort key and a 30-day TTL', async () => {
    // Prepare
    dynamodb.on(PutItemCommand).resolves({});
    const entry: HistoryEntry = {
      connectionId: 'books-eu',
      at: NOW,
      trigger: 'scheduled',
      outcome: 'refreshed',
      version: 8,
      durationMs: 420,
      zohoCalls: 1,
    };

    // Act
    await store.appendHistory(entry);

    // Assess
    expect(dynamodb).toReceiveCommandTimes(PutItemCommand, 1);
    expect(dynamodb).toReceiveCommandWith(PutItemCommand, {
      TableName: TABLE,
      Item: {
        pk: { S: 'CONN#books-eu' },
        sk: { S: `HIST#00${NOW}#a1b2c3d4` },
        ttl: { N: String(NOW / 1000 + 30 * 86_400) },
        connectionId: { S: 'books-eu' },
        at: { N: String(NOW) },
        trigger: { S: 'scheduled' },
        outcome: { S: 'refreshed' },
        version: { N: '8' },
        durationMs: { N: '420' },
        zohoCalls: { N: '1' },
      },
    });
  });

  it('lists history newest first with begins_with on the sort key and the limit', async () => {
    // Prepare
    const entry = (at: number): HistoryEntry => ({
      connectionId: 'books-eu',
      at,
      trigger: 'on_demand',
      outcome: 'transient_error',
      version: 7,
      durationMs: 10_000,
      zohoCalls: 3,
      errorCode: 'transient',
    });
    dynamodb
      .on(QueryCommand)
      .resolves({ Items: [toHistoryItem(entry(NOW), 'x'), toHistoryItem(entry(NOW - 1), 'y')] });

    // Act
    const history = await store.listHistory('books-eu', 2);

    // Assess
    expect(history).toEqual([entry(NOW), entry(NOW - 1)]);
    expect(dynamodb).toReceiveCommandTimes(QueryCommand, 1);
    expect(dynamodb).toReceiveCommandWith(QueryCommand, {
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :historyPrefix)',
      ExpressionAttributeValues: { ':pk': { S: 'CONN#books-eu' }, ':historyPrefix': { S: 'HIST#' } },
      ScanIndexForward: false,
      Limit: 2,
    });
  });
});
