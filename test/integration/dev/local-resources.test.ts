import {
  CreateTableCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import {
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
} from '@aws-sdk/client-eventbridge';
import { DescribeKeyCommand, KMSClient, ListAliasesCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  GetQueueAttributesCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLocalResources, LOCAL_NAMES, type LocalResources } from '../../../dev/resources/resources';
import { LOCAL_REFRESH_QUEUE } from '../../../dev/resources/resources-refresh-queue';
import { LocalResourceError } from '../../../dev/resources/resources-table';
import { LOCAL_DEFAULTS } from '../../../functions/aws/names';
import { TABLE_SCHEMA } from '../../../functions/aws/table';
import { REFRESH_MAX_RECEIVES } from '../../../infra/refresh-queue-spec';
import { useEmulator } from '../../support/emulator';

const { endpoint, region, clientConfig } = useEmulator();
const dynamodb = new DynamoDBClient(clientConfig);
const kms = new KMSClient(clientConfig);
const events = new EventBridgeClient(clientConfig);
const sqs = new SQSClient(clientConfig);
const sns = new SNSClient(clientConfig);

let first: LocalResources;
let second: LocalResources;

beforeAll(async () => {
  first = await createLocalResources({ endpoint, region });
  second = await createLocalResources({ endpoint, region });
});

describe('createLocalResources', () => {
  it('creates every resource on the first call and none on the second', () => {
    // Assess
    expect([...first.created].sort()).toEqual(
      [
        `event bus ${LOCAL_DEFAULTS.eventBusName}`,
        `key ${LOCAL_DEFAULTS.keyAlias}`,
        `queue ${LOCAL_DEFAULTS.rejectedQueueName}`,
        `queue ${LOCAL_NAMES.eventsQueueName}`,
        `queue ${LOCAL_DEFAULTS.refreshQueueName}`,
        `queue ${LOCAL_DEFAULTS.refreshQueueName}-dlq`,
        `rule ${LOCAL_NAMES.eventsRuleName}`,
        `rule ${LOCAL_NAMES.rejectedRuleName}`,
        `table ${LOCAL_DEFAULTS.tableName}`,
        `topic ${LOCAL_DEFAULTS.alarmTopicName}`,
      ].sort(),
    );
    expect(second.created).toEqual([]);
    expect({ ...second, created: [] }).toEqual({ ...first, created: [] });
  });

  it('creates the table exactly per TABLE_SCHEMA', async () => {
    // Act
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: first.tableName }));
    const ttl = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: first.tableName }));
    const backups = await dynamodb.send(new DescribeContinuousBackupsCommand({ TableName: first.tableName }));

    // Assess
    expect(Table?.TableArn).toBe(first.tableArn);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
    ]);
    expect(Table?.GlobalSecondaryIndexes?.map((gsi) => gsi.IndexName).sort()).toEqual(
      [TABLE_SCHEMA.dueIndex.name, TABLE_SCHEMA.retryIndex.name].sort(),
    );
    const index = Table?.GlobalSecondaryIndexes?.find((gsi) => gsi.IndexName === TABLE_SCHEMA.dueIndex.name);
    expect(index?.KeySchema).toEqual([
      { AttributeName: TABLE_SCHEMA.dueIndex.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_SCHEMA.dueIndex.sortKey, KeyType: 'RANGE' },
    ]);
    expect(index?.Projection?.ProjectionType).toBe('ALL');
    const retry = Table?.GlobalSecondaryIndexes?.find(
      (gsi) => gsi.IndexName === TABLE_SCHEMA.retryIndex.name,
    );
    expect(retry?.KeySchema).toEqual([
      { AttributeName: TABLE_SCHEMA.retryIndex.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_SCHEMA.retryIndex.sortKey, KeyType: 'RANGE' },
    ]);
    expect(retry?.Projection).toEqual({
      ProjectionType: 'INCLUDE',
      NonKeyAttributes: [...TABLE_SCHEMA.retryIndex.projected],
    });
    expect(ttl.TimeToLiveDescription).toEqual({
      TimeToLiveStatus: 'ENABLED',
      AttributeName: TABLE_SCHEMA.ttlAttribute,
    });
    expect(
      backups.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus,
    ).toBe('ENABLED');
  });

  it('creates one symmetric key under the local alias', async () => {
    // Act
    const keys = await kms.send(new ListKeysCommand({}));
    const aliases = await kms.send(new ListAliasesCommand({}));
    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: LOCAL_DEFAULTS.keyAlias }));

    // Assess
    expect(keys.Keys?.map((key) => key.KeyId)).toEqual([first.keyId]);
    expect(aliases.Aliases?.filter((alias) => alias.AliasName === LOCAL_DEFAULTS.keyAlias)).toEqual([
      expect.objectContaining({ TargetKeyId: first.keyId }),
    ]);
    expect(KeyMetadata?.Arn).toBe(first.keyArn);
    expect(KeyMetadata?.KeySpec).toBe('SYMMETRIC_DEFAULT');
    expect(KeyMetadata?.KeyUsage).toBe('ENCRYPT_DECRYPT');
  });

  it('routes the two rules of the bus to one queue each', async () => {
    // Act
    const { Rules } = await events.send(new ListRulesCommand({ EventBusName: first.eventBusName }));
    const targets = async (rule: string) =>
      (await events.send(new ListTargetsByRuleCommand({ Rule: rule, EventBusName: first.eventBusName })))
        .Targets;
    const queues = await sqs.send(new ListQueuesCommand({}));
    const topics = await sns.send(new ListTopicsCommand({}));

    // Assess
    const patterns = Object.fromEntries(
      (Rules ?? []).map((rule) => [rule.Name, JSON.parse(rule.EventPattern ?? '')]),
    );
    expect(patterns).toEqual({
      [LOCAL_NAMES.rejectedRuleName]: {
        source: [{ prefix: 'zoho-token-refresher.consumer.' }],
        'detail-type': ['Zoho Token Rejected'],
      },
      [LOCAL_NAMES.eventsRuleName]: { source: ['zoho-token-refresher'] },
    });
    expect(await targets(LOCAL_NAMES.rejectedRuleName)).toEqual([
      expect.objectContaining({ Id: 'queue', Arn: first.rejectedQueueArn }),
    ]);
    expect(await targets(LOCAL_NAMES.eventsRuleName)).toEqual([
      expect.objectContaining({ Id: 'queue', Arn: first.eventsQueueArn }),
    ]);
    expect([...(queues.QueueUrls ?? [])].sort()).toEqual(
      [
        first.eventsQueueUrl,
        first.rejectedQueueUrl,
        first.refreshQueueUrl,
        first.refreshDeadLetterQueueUrl,
      ].sort(),
    );
    expect(topics.Topics?.map((topic) => topic.TopicArn)).toEqual([first.alarmTopicArn]);
  });

  it("creates the refresh queue with the stack's redrive policy, visibility timeout and retention", async () => {
    // Act
    const attributes = (QueueUrl: string) =>
      sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl,
          AttributeNames: ['RedrivePolicy', 'VisibilityTimeout', 'MessageRetentionPeriod'],
        }),
      );
    const queue = (await attributes(first.refreshQueueUrl)).Attributes;
    const deadLetters = (await attributes(first.refreshDeadLetterQueueUrl)).Attributes;

    // Assess: five deliveries; six times the worker's 60 s timeout at the default settings
    expect(JSON.parse(queue?.RedrivePolicy ?? '')).toEqual({
      deadLetterTargetArn: first.refreshDeadLetterQueueArn,
      maxReceiveCount: REFRESH_MAX_RECEIVES,
    });
    expect(queue).toMatchObject({ VisibilityTimeout: '360', MessageRetentionPeriod: '86400' });
    expect(deadLetters).toMatchObject({ MessageRetentionPeriod: String(14 * 86_400) });
  });

  it('puts back a redrive policy changed by hand', async () => {
    // Prepare
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: first.refreshQueueUrl,
        Attributes: { RedrivePolicy: '', VisibilityTimeout: '5' },
      }),
    );

    // Act
    const repaired = await createLocalResources({ endpoint, region });
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: first.refreshQueueUrl,
        AttributeNames: ['RedrivePolicy', 'VisibilityTimeout'],
      }),
    );

    // Assess
    expect(repaired.created).toEqual([]);
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '')).toMatchObject({
      deadLetterTargetArn: first.refreshDeadLetterQueueArn,
    });
    expect(Number(Attributes?.VisibilityTimeout)).toBe(LOCAL_REFRESH_QUEUE.visibilityTimeoutSeconds);
  });

  it('creates only the renamed resource when a name is overridden', async () => {
    // Act
    const renamed = await createLocalResources({ endpoint, region, names: { tableName: 'other-table' } });

    // Assess
    expect(renamed.created).toEqual(['table other-table']);
    expect(renamed.keyArn).toBe(first.keyArn);
    const { TableNames } = await dynamodb.send(new ListTablesCommand({}));
    expect([...(TableNames ?? [])].sort()).toEqual([LOCAL_DEFAULTS.tableName, 'other-table'].sort());
  });

  it('adds the retry index to a table made before it existed', async () => {
    // Prepare: the table as an older `local init` made it, with the due index only
    const { partitionKey, sortKey, dueIndex } = TABLE_SCHEMA;
    await dynamodb.send(
      new CreateTableCommand({
        TableName: 'older-table',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: partitionKey, AttributeType: 'S' },
          { AttributeName: sortKey, AttributeType: 'S' },
          { AttributeName: dueIndex.partitionKey, AttributeType: 'S' },
          { AttributeName: dueIndex.sortKey, AttributeType: 'N' },
        ],
        KeySchema: [
          { AttributeName: partitionKey, KeyType: 'HASH' },
          { AttributeName: sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: dueIndex.name,
            KeySchema: [
              { AttributeName: dueIndex.partitionKey, KeyType: 'HASH' },
              { AttributeName: dueIndex.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );

    // Act
    const upgraded = await createLocalResources({ endpoint, region, names: { tableName: 'older-table' } });
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: 'older-table' }));

    // Assess
    expect(upgraded.created).toEqual([`index older-table/${TABLE_SCHEMA.retryIndex.name}`]);
    expect(Table?.GlobalSecondaryIndexes?.map((gsi) => gsi.IndexName).sort()).toEqual(
      [dueIndex.name, TABLE_SCHEMA.retryIndex.name].sort(),
    );
  });

  it('refuses to reuse a table of that name with another key schema', async () => {
    // Prepare
    await dynamodb.send(
      new CreateTableCommand({
        TableName: 'foreign-table',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );

    // Act
    const attempt = createLocalResources({ endpoint, region, names: { tableName: 'foreign-table' } });

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(LocalResourceError);
  });
});

describe('the bus feeds the queues (how the sandbox drives the on-demand handler)', () => {
  it('delivers a consumer "Zoho Token Rejected" event (source per connection) to the rejected queue and refresher events to the other', async () => {
    // Prepare
    const entry = (source: string, detailType: string, detail: object) => ({
      EventBusName: first.eventBusName,
      Source: source,
      DetailType: detailType,
      Detail: JSON.stringify(detail),
    });
    const rejected = { connectionId: 'c1', version: 3, status: 401, code: 57 };

    // Act
    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          entry('zoho-token-refresher.consumer.c1', 'Zoho Token Rejected', rejected),
          entry('zoho-token-refresher.consumer.c1', 'Something Else', { connectionId: 'c1' }),
          // The source before reports were bound to connections: no longer a report.
          entry('zoho-token-refresher.consumer', 'Zoho Token Rejected', rejected),
          entry('zoho-token-refresher', 'Zoho Token Refreshed', { connectionId: 'c2', version: 8 }),
          entry('someone-else', 'Zoho Token Rejected', rejected),
        ],
      }),
    );
    const receive = (queueUrl: string) =>
      sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
    const fromRejected = await receive(first.rejectedQueueUrl);
    const fromEvents = await receive(first.eventsQueueUrl);

    // Assess
    expect(put.FailedEntryCount).toBe(0);
    expect(fromRejected.Messages).toHaveLength(1);
    expect(JSON.parse(fromRejected.Messages?.[0]?.Body ?? '')).toMatchObject({
      source: 'zoho-token-refresher.consumer.c1',
      'detail-type': 'Zoho Token Rejected',
      detail: rejected,
    });
    expect(fromEvents.Messages).toHaveLength(1);
    expect(JSON.parse(fromEvents.Messages?.[0]?.Body ?? '')).toMatchObject({
      source: 'zoho-token-refresher',
      'detail-type': 'Zoho Token Refreshed',
      detail: { connectionId: 'c2', version: 8 },
    });
  });
});

describe('the due index', () => {
  it('holds only items that have a dueShard (a sparse index)', async () => {
    // Prepare
    const { partitionKey, sortKey, dueIndex } = TABLE_SCHEMA;
    const put = (id: string, extra: Record<string, { S: string } | { N: string }>) =>
      dynamodb.send(
        new PutItemCommand({
          TableName: first.tableName,
          Item: { [partitionKey]: { S: `CONN#${id}` }, [sortKey]: { S: 'CONNECTION' }, ...extra },
        }),
      );
    await put('due-early', { [dueIndex.partitionKey]: { S: 'due#1' }, [dueIndex.sortKey]: { N: '1000' } });
    await put('due-late', { [dueIndex.partitionKey]: { S: 'due#1' }, [dueIndex.sortKey]: { N: '5000' } });
    await put('other-shard', { [dueIndex.partitionKey]: { S: 'due#2' }, [dueIndex.sortKey]: { N: '1000' } });
    await put('unscheduled', { [dueIndex.sortKey]: { N: '1000' } });

    // Act
    const due = await dynamodb.send(
      new QueryCommand({
        TableName: first.tableName,
        IndexName: dueIndex.name,
        KeyConditionExpression: '#shard = :shard AND #due <= :now',
        ExpressionAttributeNames: { '#shard': dueIndex.partitionKey, '#due': dueIndex.sortKey },
        ExpressionAttributeValues: { ':shard': { S: 'due#1' }, ':now': { N: '2000' } },
      }),
    );
    const wholeIndex = await dynamodb.send(
      new ScanCommand({ TableName: first.tableName, IndexName: dueIndex.name }),
    );

    // Assess
    expect(due.Items?.map((item) => item[partitionKey]?.S)).toEqual(['CONN#due-early']);
    expect(wholeIndex.Items?.map((item) => item[partitionKey]?.S).sort()).toEqual(
      ['CONN#due-early', 'CONN#due-late', 'CONN#other-shard'].sort(),
    );
  });
});
