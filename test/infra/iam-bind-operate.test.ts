/**
 * `bindConsumer` (the consumer grant and the library's environment, together) and `grantOperate`
 * (exactly what `zoho-tokens` calls with an operator's credentials), statement by statement.
 */
import { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../functions/core/errors';
import { ZohoTokenRefresher, type ZohoTokenRefresherProps } from '../../infra/zoho-token-refresher';
import {
  ALL_TOKENS,
  ARN_PREFIX,
  arnOf,
  CONTEXT_PRESENT,
  customerKey,
  logicalId,
  refresherStack,
  roleStatements,
  SECRETS_KEY_ARN,
  SECRETS_VIA,
  TEST_ENV,
  templateOf,
} from './infra-support';

/** A consumer function of the user's (not built by the construct). */
const booksFunction = (stack: Stack, id = 'Books') =>
  new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('export const handler = async () => ({});'),
  });

const variablesOf = (template: Template, fn: lambda.Function) =>
  (
    template.toJSON().Resources[logicalId(fn)].Properties as {
      Environment?: { Variables: Record<string, unknown> };
    }
  ).Environment?.Variables;

const reportOne = (refresher: ZohoTokenRefresher) => ({
  Effect: 'Allow',
  Action: 'events:PutEvents',
  Resource: arnOf(refresher.eventBus),
  Condition: {
    StringEquals: {
      'events:detail-type': 'Zoho Token Rejected',
      'events:source': 'zoho-token-refresher.consumer.acme-books',
    },
  },
});
const reportAny = (refresher: ZohoTokenRefresher) => ({
  Effect: 'Allow',
  Action: 'events:PutEvents',
  Resource: arnOf(refresher.eventBus),
  Condition: {
    StringEquals: { 'events:detail-type': 'Zoho Token Rejected' },
    StringLike: { 'events:source': 'zoho-token-refresher.consumer.*' },
  },
});
const READ_ONE = {
  Effect: 'Allow',
  Action: 'secretsmanager:GetSecretValue',
  Resource: `${ARN_PREFIX}zoho-token-refresher/acme-books/access-token-??????`,
};

describe('bindConsumer', () => {
  it("grants one connection's secret and reports, and sets the variables createZohoClient() reads", () => {
    // Prepare
    const { stack, refresher } = refresherStack();
    const fn = booksFunction(stack);
    // Act
    refresher.bindConsumer(fn, 'acme-books');
    // Assess
    const template = templateOf(stack);
    expect(roleStatements(template, fn.role as iam.IRole)).toEqual([READ_ONE, reportOne(refresher)]);
    expect(variablesOf(template, fn)).toEqual({
      ZOHO_TOKENS_CONNECTION_ID: 'acme-books',
      ZOHO_TOKENS_SECRET_PREFIX: 'zoho-token-refresher',
      ZOHO_TOKENS_EVENT_BUS_NAME: { Ref: logicalId(refresher.eventBus) },
    });
  });

  it("with '*' grants every connection, as the consumer policy does, and names no connection", () => {
    // Prepare
    const { stack, refresher } = refresherStack({ instanceName: 'dev' });
    const fn = booksFunction(stack);
    // Act
    refresher.bindConsumer(fn, '*');
    // Assess
    const template = templateOf(stack);
    expect(roleStatements(template, fn.role as iam.IRole)).toEqual([
      {
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: `${ARN_PREFIX}zoho-token-refresher-dev/*/access-token-??????`,
      },
      reportAny(refresher),
    ]);
    expect(variablesOf(template, fn)).toEqual({
      ZOHO_TOKENS_SECRET_PREFIX: 'zoho-token-refresher-dev',
      ZOHO_TOKENS_EVENT_BUS_NAME: { Ref: logicalId(refresher.eventBus) },
    });
  });

  it('adds kms:Decrypt via Secrets Manager on the customer key of the secrets, for that secret only', () => {
    // Prepare
    const { stack, refresher } = refresherStack({ accessTokenKey: customerKey() });
    const fn = booksFunction(stack);
    // Act
    refresher.bindConsumer(fn, 'acme-books');
    // Assess
    expect(roleStatements(templateOf(stack), fn.role as iam.IRole)).toEqual([
      READ_ONE,
      {
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: SECRETS_KEY_ARN,
        Condition: {
          StringEquals: SECRETS_VIA,
          StringLike: { 'kms:EncryptionContext:SecretARN': READ_ONE.Resource },
        },
      },
      reportOne(refresher),
    ]);
  });

  it('binds a function in another stack of the account through a reference to the bus', () => {
    // Prepare
    const { app, refresher } = refresherStack();
    const consumers = new Stack(app, 'Consumers', { env: TEST_ENV });
    const fn = booksFunction(consumers);
    // Act
    refresher.bindConsumer(fn, 'acme-books');
    // Assess
    const template = templateOf(consumers);
    expect(variablesOf(template, fn)).toEqual({
      ZOHO_TOKENS_CONNECTION_ID: 'acme-books',
      ZOHO_TOKENS_SECRET_PREFIX: 'zoho-token-refresher',
      // The app's cross-stack references are weak (cdk.json): an output of the refresher's stack.
      ZOHO_TOKENS_EVENT_BUS_NAME: {
        'Fn::GetStackOutput': expect.objectContaining({
          StackName: 'Test',
          OutputName: expect.stringContaining('RefresherEventBus'),
        }),
      },
    });
  });

  it('takes the same binding twice, and refuses a second connection or refresher for one function', () => {
    // Prepare
    const { stack, refresher } = refresherStack();
    const dev = new ZohoTokenRefresher(stack, 'Dev', { instanceName: 'dev' });
    const fn = booksFunction(stack);
    refresher.bindConsumer(fn, 'acme-books');
    // Act + Assess
    refresher.bindConsumer(fn, 'acme-books');
    expect(() => refresher.bindConsumer(fn, 'acme-crm')).toThrow(ConfigurationError);
    expect(() => refresher.bindConsumer(fn, '*')).toThrow(
      /Test\/Books is already bound to connection 'acme-books'.*bind it once, with '\*' for several connections/,
    );
    expect(() => dev.bindConsumer(fn, 'acme-books')).toThrow(
      /is already bound to the refresher Test\/Refresher/,
    );
    expect(variablesOf(templateOf(stack), fn)?.ZOHO_TOKENS_CONNECTION_ID).toBe('acme-books');
  });

  it.each(['../other', 'a/b', '', '**'])('refuses the connection id %j', (connectionId) => {
    const { stack, refresher } = refresherStack();
    expect(() => refresher.bindConsumer(booksFunction(stack), connectionId)).toThrow(
      /ZohoTokenRefresher: connection id must be/,
    );
  });
});

describe('grantOperate', () => {
  const operator = (props: ZohoTokenRefresherProps | ((stack: Stack) => ZohoTokenRefresherProps) = {}) => {
    const { stack, refresher } = refresherStack();
    // refresherStack builds with props at once; for props needing the stack, build a second stack.
    const built =
      typeof props === 'function'
        ? (() => {
            const other = new Stack(refresher.node.root as never, 'Other', {
              env: { ...TEST_ENV, region: 'us-east-1' },
            });
            return { stack: other, refresher: new ZohoTokenRefresher(other, 'Refresher', props(other)) };
          })()
        : Object.keys(props).length === 0
          ? { stack, refresher }
          : refresherStack(props);
    const role = new iam.Role(built.stack, 'Operators', { assumedBy: new iam.AccountRootPrincipal() });
    built.refresher.grantOperate(role);
    return { ...built, statements: roleStatements(templateOf(built.stack), role) };
  };

  const fnArn = (fn: lambda.IFunction) => arnOf(fn);
  const everyCommand = (refresher: ZohoTokenRefresher, stack: Stack, arn: (service: string) => string) => [
    {
      Effect: 'Allow',
      Action: 'cloudformation:DescribeStacks',
      Resource: `${arn('cloudformation')}stack/${stack.stackName}/*`,
    },
    {
      Effect: 'Allow',
      Action: [
        'dynamodb:DescribeTable',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:Scan',
        'dynamodb:UpdateItem',
      ],
      Resource: arnOf(refresher.table),
    },
    {
      Effect: 'Allow',
      Action: 'lambda:InvokeFunction',
      Resource: [fnArn(refresher.operatorFunction), fnArn(refresher.plannerFunction)],
    },
    {
      Effect: 'Allow',
      Action: 'lambda:GetFunctionConfiguration',
      Resource: [
        fnArn(refresher.onDemandFunction),
        fnArn(refresher.operatorFunction),
        fnArn(refresher.plannerFunction),
        fnArn(refresher.refreshWorkerFunction),
      ],
    },
    {
      Effect: 'Allow',
      Action: 'kms:Encrypt',
      Resource: arnOf(refresher.refreshTokenKey),
      Condition: CONTEXT_PRESENT,
    },
    { Effect: 'Allow', Action: 'kms:DescribeKey', Resource: arnOf(refresher.refreshTokenKey) },
    {
      Effect: 'Allow',
      Action: [
        'secretsmanager:CreateSecret',
        'secretsmanager:GetSecretValue',
        'secretsmanager:PutSecretValue',
      ],
      Resource: `${arn('secretsmanager')}secret:${refresher.settings.secretPrefix}/_clients/*`,
    },
    {
      Effect: 'Allow',
      Action: 'secretsmanager:TagResource',
      Resource: `${arn('secretsmanager')}secret:${refresher.settings.secretPrefix}/_clients/*`,
      Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['zoho-token-refresher:client-ref'] } },
    },
    {
      Effect: 'Allow',
      Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
      Resource: `${arn('secretsmanager')}secret:${refresher.settings.secretPrefix}/*/access-token-??????`,
    },
    reportAny(refresher),
    { Effect: 'Allow', Action: 'events:DescribeEventBus', Resource: arnOf(refresher.eventBus) },
    { Effect: 'Allow', Action: 'cloudwatch:DescribeAlarms', Resource: `${arn('cloudwatch')}alarm:*` },
  ];
  const arnIn = (region: string) => (service: string) => `arn:aws:${service}:${region}:${TEST_ENV.account}:`;

  it('is exactly what every zoho-tokens command calls, on this refresher only', () => {
    // Prepare + Act
    const { stack, refresher, statements } = operator();
    // Assess
    expect(statements).toEqual([
      ...everyCommand(refresher, stack, arnIn(TEST_ENV.region)),
      {
        Effect: 'Allow',
        Action: 'sns:ListSubscriptionsByTopic',
        Resource: { Ref: logicalId(refresher.alarmTopic.topic as never) },
      },
      {
        Effect: 'Allow',
        Action: 'sqs:GetQueueAttributes',
        Resource: [
          arnOf(refresher.deadLetterQueue),
          arnOf(refresher.refreshDeadLetterQueue),
          arnOf(refresher.refreshQueue),
        ],
      },
    ]);
  });

  it('never decrypts a refresh token, deletes a secret or invokes the on-demand function', () => {
    const { refresher, statements } = operator({ accessTokenKey: customerKey() });
    const actions = statements.flatMap((statement) => [statement.Action].flat());
    expect(actions).not.toContain('secretsmanager:DeleteSecret');
    const onRefreshKey = statements.filter(
      (statement) => JSON.stringify(statement.Resource) === JSON.stringify(arnOf(refresher.refreshTokenKey)),
    );
    expect(onRefreshKey.flatMap((statement) => [statement.Action].flat())).toEqual([
      'kms:Encrypt',
      'kms:DescribeKey',
    ]);
    const invoke = statements.find((statement) => statement.Action === 'lambda:InvokeFunction');
    expect(JSON.stringify(invoke)).not.toContain(logicalId(refresher.onDemandFunction));
  });

  it('adds kms:Decrypt via Secrets Manager on the customer key, for the access-token secrets (doctor ID)', () => {
    const { statements } = operator({ accessTokenKey: customerKey() });
    expect(statements.at(-1)).toEqual({
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: SECRETS_KEY_ARN,
      Condition: { StringEquals: SECRETS_VIA, StringLike: { 'kms:EncryptionContext:SecretARN': ALL_TOKENS } },
    });
  });

  it("lists the subscribers of the team's topic when the alarms go there", () => {
    const teamTopic = 'arn:aws:sns:us-east-1:111122223333:team-alarms';
    const { statements } = operator((stack) => ({
      instanceName: 'dev',
      existingAlarmTopic: sns.Topic.fromTopicArn(stack, 'TeamAlarms', teamTopic),
    }));
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: 'sns:ListSubscriptionsByTopic',
      Resource: teamTopic,
    });
    expect(statements[0]).toEqual({
      Effect: 'Allow',
      Action: 'cloudformation:DescribeStacks',
      Resource: 'arn:aws:cloudformation:us-east-1:111122223333:stack/Other/*',
    });
  });
});
