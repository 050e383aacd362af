/**
 * The resources the construct creates and their settings: table, functions, schedule and bus rule,
 * dead-letter queue; and what the props change.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ZohoTokenRefresher } from '../../infra/zoho-token-refresher';
import {
  arnOf,
  customerKey,
  logicalId,
  refresherStack,
  SECRETS_KEY_ARN,
  synthesizedRefresher,
  templateOf,
} from './infra-support';

describe('the default refresher', () => {
  let template: Template;
  let refresher: ZohoTokenRefresher;

  beforeAll(() => {
    ({ refresher, template } = synthesizedRefresher());
  });

  it('creates the table of TABLE_SCHEMA: on demand, PITR, TTL, the due index projecting all, retained', () => {
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
        ],
        AttributeDefinitions: Match.arrayWith([
          { AttributeName: 'dueShard', AttributeType: 'S' },
          { AttributeName: 'refreshDueAt', AttributeType: 'N' },
        ]),
      },
    });
  });

  it.each([
    ['ScheduledRefresh', 80, 1],
    ['OnDemandRefresh', 60, 5],
    ['Operator', 60, 3],
  ] as const)(
    'runs %s on Node 22, arm64, 256 MB, %i s, reserved concurrency %i',
    (name, timeout, reserved) => {
      const fn = refresher.node.findChild(name).node.findChild('Function');
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        MemorySize: 256,
        Timeout: timeout,
        ReservedConcurrentExecutions: reserved,
        Handler: 'index.handler',
        LoggingConfig: {
          LogGroup: { Ref: logicalId(refresher.node.findChild(name).node.findChild('Logs')) },
        },
        Environment: {
          Variables: {
            TABLE_NAME: { Ref: logicalId(refresher.table) },
            SECRET_PREFIX: 'zoho-token-refresher',
            REFRESH_TOKEN_KEY_ID: arnOf(refresher.refreshTokenKey),
            EVENT_BUS_NAME: { Ref: logicalId(refresher.eventBus) },
            REFRESH_MARGIN_SECONDS: '900',
            ZOHO_BUDGET: '9',
            SWEEP_CONCURRENCY: '8',
            ZOHO_TIMEOUT_MS: '8000',
          },
        },
      });
      expect(logicalId(fn)).toMatch(new RegExp(`^Refresher${name}Function`));
    },
  );

  it('sets no optional variable that was not configured', () => {
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function')) as {
      Properties: { Environment: { Variables: Record<string, unknown> } };
    }[]) {
      expect(Object.keys(fn.Properties.Environment.Variables)).not.toContain('ALLOWED_ACCOUNTS_SERVERS');
      expect(Object.keys(fn.Properties.Environment.Variables)).not.toContain('SECRET_KMS_KEY_ID');
    }
  });

  it('keeps function logs three months', () => {
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 90 }, 3);
  });

  it('sweeps at the schedule rate, with a dead-letter queue and retries on the target', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [
        {
          Arn: arnOf(refresher.scheduledFunction),
          DeadLetterConfig: { Arn: arnOf(refresher.deadLetterQueue) },
          RetryPolicy: { MaximumEventAgeInSeconds: 300, MaximumRetryAttempts: 2 },
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

  it('sends failed async invocations of the sweep and the on-demand refresh to the dead-letter queue', () => {
    const onFailure = { DestinationConfig: { OnFailure: { Destination: arnOf(refresher.deadLetterQueue) } } };
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(refresher.scheduledFunction) },
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 300,
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
  it('passes schedule, margin, budget, concurrency, prefix, servers and the secrets key to the three refreshers', () => {
    // Prepare
    const built = refresherStack({
      scheduleRate: Duration.minutes(2),
      refreshMargin: Duration.minutes(20),
      zohoBudget: 5,
      sweepConcurrency: 3,
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
            ZOHO_BUDGET: '5',
            SWEEP_CONCURRENCY: '3',
            ALLOWED_ACCOUNTS_SERVERS: 'https://accounts.example.com,https://sandbox.example.com:8443',
            SECRET_KMS_KEY_ID: SECRETS_KEY_ARN,
          }),
        },
      },
      3,
    );
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(2 minutes)' });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
  });

  it('sizes only the scheduled function with sweepMemorySize', () => {
    // Act
    const { refresher, template } = synthesizedRefresher({ sweepMemorySize: 1024 });

    // Assess
    const memoryOf = (name: string) =>
      (
        template.findResources('AWS::Lambda::Function')[
          logicalId(refresher.node.findChild(name).node.findChild('Function'))
        ] as { Properties: { MemorySize: number } }
      ).Properties.MemorySize;
    expect([memoryOf('ScheduledRefresh'), memoryOf('OnDemandRefresh'), memoryOf('Operator')]).toEqual([
      1024, 256, 256,
    ]);
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

  it('deploys the example consumer with its connection, the prefix and the bus', () => {
    // Prepare
    const built = refresherStack({ exampleConsumer: true, exampleConsumerConnectionId: 'acme-books' });
    // Act
    const template = templateOf(built.stack);
    // Assess
    template.resourceCountIs('AWS::Lambda::Function', 4);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Environment: {
        Variables: {
          CONNECTION_ID: 'acme-books',
          SECRET_PREFIX: 'zoho-token-refresher',
          EVENT_BUS_NAME: { Ref: logicalId(built.refresher.eventBus) },
        },
      },
    });
  });
});
