/**
 * The resources the construct creates and their settings: table, functions, schedule and bus rule,
 * dead-letter queue; and what the props change.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ZohoTokenRefresher } from '../../infra/zoho-token-refresher';
import { ZohoTokenRefresherStack } from '../../infra/zoho-token-refresher-stack';
import {
  arnOf,
  customerKey,
  logicalId,
  refresherStack,
  SECRETS_KEY_ARN,
  synthesizedRefresher,
  TEST_ENV,
  templateOf,
  testApp,
} from './infra-support';

describe('the default refresher', () => {
  let template: Template;
  let refresher: ZohoTokenRefresher;

  beforeAll(() => {
    ({ refresher, template } = synthesizedRefresher());
  });

  it('creates the table of TABLE_SCHEMA: on demand, PITR, TTL, the due index projecting all, the slim retry index, retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        DeletionProtectionEnabled: true,
        GlobalSecondaryIndexes: [
          {
            IndexName: 'due-index',
            KeySchema: [
              { AttributeName: 'dueShard', KeyType: 'HASH' },
              { AttributeName: 'refreshDueAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            IndexName: 'retry-index',
            KeySchema: [
              { AttributeName: 'retryPartition', KeyType: 'HASH' },
              { AttributeName: 'expiresAt', KeyType: 'RANGE' },
            ],
            Projection: {
              ProjectionType: 'INCLUDE',
              NonKeyAttributes: ['connectionId', 'consecutiveFailures'],
            },
          },
        ],
        AttributeDefinitions: Match.arrayWith([
          { AttributeName: 'dueShard', AttributeType: 'S' },
          { AttributeName: 'refreshDueAt', AttributeType: 'N' },
          { AttributeName: 'retryPartition', AttributeType: 'S' },
          { AttributeName: 'expiresAt', AttributeType: 'N' },
        ]),
      },
    });
  });

  /** The ProjectFunction of each function, by the path of construct ids under the refresher. */
  const projectFunction = (path: readonly string[]) =>
    path.reduce((scope, id) => scope.node.findChild(id), refresher as import('constructs').IConstruct);

  it.each([
    [['RefreshFleet', 'Planner'], 512, 50, 1, true],
    [['RefreshFleet', 'Worker'], 256, 60, 10, true],
    [['OnDemandRefresh'], 256, 60, 5, false],
    [['Operator'], 256, 60, 3, false],
  ] as const)(
    'runs %j on Node 22, arm64, %i MB, %i s, reserved concurrency %i',
    (path, memory, timeout, reserved, hasQueue) => {
      const built = projectFunction(path);
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        MemorySize: memory,
        Timeout: timeout,
        ReservedConcurrentExecutions: reserved,
        Handler: 'index.handler',
        LoggingConfig: { LogGroup: { Ref: logicalId(built.node.findChild('Logs')) } },
        Environment: {
          Variables: {
            TABLE_NAME: { Ref: logicalId(refresher.table) },
            SECRET_PREFIX: 'zoho-token-refresher',
            REFRESH_TOKEN_KEY_ID: arnOf(refresher.refreshTokenKey),
            EVENT_BUS_NAME: { Ref: logicalId(refresher.eventBus) },
            REFRESH_MARGIN_SECONDS: '690',
            REFRESH_JITTER_SECONDS: '30',
            SECRET_WRITES_PER_SECOND: '20',
            REFRESH_WORKER_CONCURRENCY: '10',
            ZOHO_BUDGET: '9',
            ZOHO_TIMEOUT_MS: '8000',
            // Only the planner and the workers know the refresh queue.
            ...(hasQueue && { REFRESH_QUEUE_URL: { Ref: logicalId(refresher.refreshQueue) } }),
          },
        },
      });
      expect(logicalId(built.node.findChild('Function'))).toMatch(
        new RegExp(`^Refresher${path.join('')}Function`),
      );
    },
  );

  it('feeds the workers from the refresh queue: batches of ten, at most as many at once as they reserve, partial failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arnOf(refresher.refreshQueue),
      FunctionName: { Ref: logicalId(refresher.refreshWorkerFunction) },
      BatchSize: 10,
      ScalingConfig: { MaximumConcurrency: 10 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('holds orders in an encrypted queue whose visibility outlasts six worker timeouts, dead-lettering after five deliveries', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 360,
      MessageRetentionPeriod: 86_400,
      RedrivePolicy: { deadLetterTargetArn: arnOf(refresher.refreshDeadLetterQueue), maxReceiveCount: 5 },
    });
  });

  it('sets no optional variable that was not configured', () => {
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function')) as {
      Properties: { Environment: { Variables: Record<string, unknown> } };
    }[]) {
      expect(Object.keys(fn.Properties.Environment.Variables)).not.toContain('ALLOWED_ACCOUNTS_SERVERS');
      expect(Object.keys(fn.Properties.Environment.Variables)).not.toContain('SECRET_KMS_KEY_ID');
    }
  });

  it('keeps function logs three months', () => {
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 90 }, 4);
  });

  it('runs the planner every minute, with a dead-letter queue and retries on the target', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [
        {
          Arn: arnOf(refresher.plannerFunction),
          DeadLetterConfig: { Arn: arnOf(refresher.deadLetterQueue) },
          RetryPolicy: { MaximumEventAgeInSeconds: 60, MaximumRetryAttempts: 2 },
        },
      ],
    });
  });

  it('routes consumer rejection reports on the bus to the on-demand function, retrying, with a DLQ', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: logicalId(refresher.eventBus) },
      Targets: [
        {
          Arn: arnOf(refresher.onDemandFunction),
          DeadLetterConfig: { Arn: arnOf(refresher.deadLetterQueue) },
          RetryPolicy: { MaximumEventAgeInSeconds: 900, MaximumRetryAttempts: 4 },
        },
      ],
    });
  });

  it('sends failed async invocations of the planner and the on-demand refresh to the dead-letter queue', () => {
    const onFailure = { DestinationConfig: { OnFailure: { Destination: arnOf(refresher.deadLetterQueue) } } };
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(refresher.plannerFunction) },
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 60,
      ...onFailure,
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(refresher.onDemandFunction) },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 900,
      ...onFailure,
    });
  });

  it('never retries an operator command invoked asynchronously, nor queues it for later', () => {
    const configs = Object.values(template.findResources('AWS::Lambda::EventInvokeConfig')) as {
      Properties: Record<string, unknown>;
    }[];
    expect(
      configs.filter(
        (config) =>
          JSON.stringify(config.Properties.FunctionName) ===
          JSON.stringify({ Ref: logicalId(refresher.operatorFunction) }),
      ),
    ).toEqual([
      {
        Type: 'AWS::Lambda::EventInvokeConfig',
        Properties: {
          FunctionName: { Ref: logicalId(refresher.operatorFunction) },
          Qualifier: '$LATEST',
          MaximumRetryAttempts: 0,
        },
      },
    ]);
  });

  it('encrypts the dead-letter queue and refuses plain HTTP', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1_209_600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });
});

describe('configured refresher', () => {
  it('passes margin, jitter, budget, write limit, prefix, servers and the secrets key to the four functions', () => {
    // Prepare
    const built = refresherStack({
      refreshMargin: Duration.minutes(20),
      refreshJitter: Duration.seconds(90),
      zohoBudget: 5,
      secretWritesPerSecond: 40,
      secretPrefix: 'team-a/zoho',
      allowedAccountsServers: ['https://accounts.example.com/', 'https://sandbox.example.com:8443'],
      alarmEmail: 'ops@example.com',
      accessTokenKey: customerKey(),
    });
    // Act
    const template = templateOf(built.stack);
    // Assess
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      {
        Environment: {
          Variables: Match.objectLike({
            SECRET_PREFIX: 'team-a/zoho',
            REFRESH_MARGIN_SECONDS: '1200',
            REFRESH_JITTER_SECONDS: '90',
            ZOHO_BUDGET: '5',
            SECRET_WRITES_PER_SECOND: '40',
            REFRESH_WORKER_CONCURRENCY: '20',
            ALLOWED_ACCOUNTS_SERVERS: 'https://accounts.example.com,https://sandbox.example.com:8443',
            SECRET_KMS_KEY_ID: SECRETS_KEY_ARN,
          }),
        },
      },
      4,
    );
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ScalingConfig: { MaximumConcurrency: 20 },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: Match.absent(),
      ReservedConcurrentExecutions: 20,
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
  });

  it('destroys table, key and logs only when asked to', () => {
    // Prepare
    const built = refresherStack({ removalPolicy: RemovalPolicy.DESTROY });
    // Act
    const template = templateOf(built.stack);
    // Assess
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: { DeletionProtectionEnabled: false },
    });
    template.allResources('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
    template.allResources('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete' });
  });

  it('deploys the example consumer bound to its connection: the prefix, the bus and the connection', () => {
    // Prepare
    const stack = new ZohoTokenRefresherStack(testApp(), 'Example', {
      env: TEST_ENV,
      exampleConsumerConnectionId: 'acme-books',
    });
    // Act
    const template = templateOf(stack);
    // Assess
    template.resourceCountIs('AWS::Lambda::Function', 5);
    const consumer = stack.exampleConsumer;
    if (consumer === undefined) throw new Error('the stack built no example consumer');
    template.hasOutput('ExampleConsumerFunctionName', { Value: { Ref: logicalId(consumer.fn) } });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Environment: {
        // Exactly what bindConsumer sets, and nothing of the refresher's own settings.
        Variables: {
          ZOHO_TOKENS_CONNECTION_ID: 'acme-books',
          ZOHO_TOKENS_SECRET_PREFIX: 'zoho-token-refresher',
          ZOHO_TOKENS_EVENT_BUS_NAME: { Ref: logicalId(stack.refresher.eventBus) },
        },
      },
    });
  });

  it('builds no example consumer in the construct: 4 functions and no example output without the stack asking', () => {
    // Act
    const stack = new ZohoTokenRefresherStack(testApp(), 'NoExample', { env: TEST_ENV });
    const template = templateOf(stack);
    // Assess
    template.resourceCountIs('AWS::Lambda::Function', 4);
    expect(stack.exampleConsumer).toBeUndefined();
    expect(Object.keys(template.findOutputs('ExampleConsumerFunctionName'))).toEqual([]);
  });
});
