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
import { AttributeType, ProjectionType } from 'aws-cdk-lib/aws-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLocalResources, LOCAL_NAMES, type LocalResources } from '../../../dev/resources/resources';
import { LocalResourceError } from '../../../dev/resources/resources-table';
import { type CfnTemplate, stackTemplate, synthesizeTemplate } from '../../../dev/resources/stack-template';
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

let template: CfnTemplate;
let first: LocalResources;
let second: LocalResources;

/** The properties of the template's only resource of `type` whose logical id starts with `prefix`. */
function resourceOf(type: string, prefix: string): Record<string, unknown> {
  const found = Object.entries(template.Resources).filter(
    ([id, resource]) => resource.Type === type && id.startsWith(prefix),
  );
  expect(found, `${type} ${prefix}…`).toHaveLength(1);
  return found[0]?.[1].Properties ?? {};
}

beforeAll(async () => {
  template = await stackTemplate();
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
        `queue ${LOCAL_NAMES.deadLetterQueueName}`,
        `rule ${LOCAL_NAMES.eventsRuleName}`,
        `rule ${LOCAL_NAMES.rejectedRuleName}`,
        `table ${LOCAL_DEFAULTS.tableName}`,
        `topic ${LOCAL_DEFAULTS.alarmTopicName}`,
      ].sort(),
    );
    expect(second.created).toEqual([]);
    expect({ ...second, created: [] }).toEqual({ ...first, created: [] });
  });

  it("creates the table as the stack's template defines it: keys, indexes, TTL and backups", async () => {
    // Prepare
    const wanted = resourceOf('AWS::DynamoDB::Table', 'RefresherTable') as {
      KeySchema: unknown[];
      GlobalSecondaryIndexes: { IndexName: string; KeySchema: unknown[]; Projection: unknown }[];
      TimeToLiveSpecification: { AttributeName: string };
    };

    // Act
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: first.tableName }));
    const ttl = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: first.tableName }));
    const backups = await dynamodb.send(new DescribeContinuousBackupsCommand({ TableName: first.tableName }));

    // Assess
    expect(Table?.TableArn).toBe(first.tableArn);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.KeySchema).toEqual(wanted.KeySchema);
    const indexes = (Table?.GlobalSecondaryIndexes ?? []).map(({ IndexName, KeySchema, Projection }) => ({
      IndexName,
      KeySchema,
      Projection,
    }));
    const byName = (a: { IndexName?: string }, b: { IndexName?: string }) =>
      String(a.IndexName).localeCompare(String(b.IndexName));
    expect(indexes.sort(byName)).toEqual([...wanted.GlobalSecondaryIndexes].sort(byName));
    expect(indexes).toHaveLength(2);
    expect(ttl.TimeToLiveDescription).toEqual({
      TimeToLiveStatus: 'ENABLED',
      AttributeName: wanted.TimeToLiveSpecification.AttributeName,
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
        first.deadLetterQueueUrl,
      ].sort(),
    );
    expect(topics.Topics?.map((topic) => topic.TopicArn)).toEqual([first.alarmTopicArn]);
  });

  it("creates the queues with the template's redrive policy, visibility timeout and retention", async () => {
    // Prepare
    const wanted = resourceOf('AWS::SQS::Queue', 'RefresherRefreshFleetQueue');
    const wantedDeadLetters = resourceOf('AWS::SQS::Queue', 'RefresherRefreshFleetDeadLetterQueue');
    const wantedBusDeadLetters = resourceOf('AWS::SQS::Queue', 'RefresherDeadLetterQueue');

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
    const busDeadLetters = (await attributes(first.deadLetterQueueUrl)).Attributes;

    // Assess: five deliveries; six times the worker's 60 s timeout at the default settings
    expect(JSON.parse(queue?.RedrivePolicy ?? '')).toEqual({
      deadLetterTargetArn: first.refreshDeadLetterQueueArn,
      maxReceiveCount: (wanted.RedrivePolicy as { maxReceiveCount: number }).maxReceiveCount,
    });
    expect(REFRESH_MAX_RECEIVES).toBe(5);
    expect(queue).toMatchObject({
      VisibilityTimeout: String(wanted.VisibilityTimeout),
      MessageRetentionPeriod: String(wanted.MessageRetentionPeriod),
    });
    expect(queue?.VisibilityTimeout).toBe('360');
    expect(deadLetters).toMatchObject({
      MessageRetentionPeriod: String(wantedDeadLetters.MessageRetentionPeriod),
    });
    expect(busDeadLetters).toMatchObject({
      MessageRetentionPeriod: String(wantedBusDeadLetters.MessageRetentionPeriod),
    });
    expect(busDeadLetters?.RedrivePolicy).toBeUndefined();
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
    expect(Attributes?.VisibilityTimeout).toBe(
      String(resourceOf('AWS::SQS::Queue', 'RefresherRefreshFleetQueue').VisibilityTimeout),
    );
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
    // Prepare: the table as an older `init` made it, with the due index only
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

  it('follows a change of the construct without a second edit: an index and a queue setting', async () => {
    // Prepare: the stack as an edit of the construct would make it, with one more index on its
    // table, and at one secret write per second (a longer worker timeout, so a longer visibility)
    const changed = await synthesizeTemplate({
      refresher: { secretWritesPerSecond: 1 },
      change: (stack) =>
        stack.refresher.table.addGlobalSecondaryIndex({
          indexName: 'by-client',
          partitionKey: { name: 'clientRef', type: AttributeType.STRING },
          projectionType: ProjectionType.KEYS_ONLY,
        }),
    });

    // Act
    const made = await createLocalResources({
      endpoint,
      region,
      template: changed,
      names: { tableName: 'changed-table', refreshQueueName: 'changed-refresh' },
    });
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: 'changed-table' }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: made.refreshQueueUrl,
        AttributeNames: ['VisibilityTimeout'],
      }),
    );

    // Assess
    expect(Table?.GlobalSecondaryIndexes?.find((gsi) => gsi.IndexName === 'by-client')).toMatchObject({
      KeySchema: [{ AttributeName: 'clientRef', KeyType: 'HASH' }],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    });
    expect(Table?.GlobalSecondaryIndexes).toHaveLength(3);
    const changedQueue = Object.entries(changed.Resources).find(([id]) =>
      id.startsWith('RefresherRefreshFleetQueue'),
    )?.[1];
    expect(Attributes?.VisibilityTimeout).toBe(String(changedQueue?.Properties?.VisibilityTimeout));
    expect(Attributes?.VisibilityTimeout).not.toBe('360');
    expect([...made.created].sort()).toEqual(['queue changed-refresh', 'table changed-table']);
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
