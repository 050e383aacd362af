/**
 * What an operator's own credentials need to run every `zoho-tokens` command against a deployed
 * stack, action by action from what the CLI calls (cli/commands, cli/doctor, the adapters it
 * shares with the functions), and nothing else. No kms:Decrypt on the refresh-token key and no
 * secretsmanager:DeleteSecret: refresh, enable, revoke and `doctor ID` act through the operator
 * function, whose role alone may. No statement ids: one principal may operate several refreshers.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { CLIENT_REF_TAG } from '../functions/aws/client-credentials';
import { ALL_CONNECTIONS, accessTokenSecretArn, grantStatements, reportConditions } from './consumer-access';
import { CONNECTION_CONTEXT_PRESENT } from './refresh-token-key';
import { clientSecretsArn } from './refresher-permissions';

/** The refresher's resources the CLI touches. */
export interface OperatorAccess {
  readonly table: dynamodb.ITable;
  readonly eventBus: events.IEventBus;
  readonly refreshTokenKey: kms.IKey;
  readonly secretPrefix: string;
  readonly accessTokenKey: kms.IKey | undefined;
  readonly plannerFunction: lambda.IFunction;
  readonly refreshWorkerFunction: lambda.IFunction;
  readonly onDemandFunction: lambda.IFunction;
  readonly operatorFunction: lambda.IFunction;
  readonly alarmTopic: sns.ITopic;
  readonly deadLetterQueue: sqs.IQueue;
  readonly refreshQueue: sqs.IQueue;
  readonly refreshDeadLetterQueue: sqs.IQueue;
}

/** The operator's statements, each with the commands that need it. */
export function operatorStatements(scope: IConstruct, access: OperatorAccess): iam.PolicyStatement[] {
  const stack = Stack.of(scope);
  const allTokens = accessTokenSecretArn(scope, access.secretPrefix, ALL_CONNECTIONS);
  const clientApps = clientSecretsArn(scope, access.secretPrefix);
  const functions = [
    access.plannerFunction,
    access.refreshWorkerFunction,
    access.onDemandFunction,
    access.operatorFunction,
  ];
  const statements = [
    // Every command with --stack: the outputs name everything else.
    new iam.PolicyStatement({
      actions: ['cloudformation:DescribeStacks'],
      resources: [
        stack.formatArn({
          service: 'cloudformation',
          resource: 'stack',
          resourceName: `${stack.stackName}/*`,
        }),
      ],
    }),
    // GetItem: every command naming a connection; PutItem: add/connect of a new one; UpdateItem:
    // enable, and add/connect of a revoked one; Scan: status and doctor without ID; Query: history
    // (the table itself, never the due index); DescribeTable: doctor.
    new iam.PolicyStatement({
      actions: [
        'dynamodb:DescribeTable',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:Scan',
        'dynamodb:UpdateItem',
      ],
      resources: [access.table.tableArn],
    }),
    // refresh, enable, revoke, doctor ID and the first refresh of add/connect run in the operator
    // function; sweep runs the planner. Never the on-demand function (only the bus feeds it) nor
    // the refresh workers (only their queue does).
    new iam.PolicyStatement({
      actions: ['lambda:InvokeFunction'],
      resources: [access.operatorFunction.functionArn, access.plannerFunction.functionArn],
    }),
    // doctor: the functions read this table, bus, key and prefix.
    new iam.PolicyStatement({
      actions: ['lambda:GetFunctionConfiguration'],
      resources: functions.map((fn) => fn.functionArn),
    }),
    // add/connect store a refresh token; the key policy allows Encrypt only under a connection's context.
    new iam.PolicyStatement({
      actions: ['kms:Encrypt'],
      resources: [access.refreshTokenKey.keyArn],
      conditions: CONNECTION_CONTEXT_PRESENT,
    }),
    // doctor: the key is enabled.
    new iam.PolicyStatement({ actions: ['kms:DescribeKey'], resources: [access.refreshTokenKey.keyArn] }),
    // clients put writes a client app; add, connect and doctor read one.
    new iam.PolicyStatement({
      actions: [
        'secretsmanager:CreateSecret',
        'secretsmanager:GetSecretValue',
        'secretsmanager:PutSecretValue',
      ],
      resources: [clientApps],
    }),
    // CreateSecret with Tags is authorised as TagResource too; only the client-ref tag.
    new iam.PolicyStatement({
      actions: ['secretsmanager:TagResource'],
      resources: [clientApps],
      conditions: { 'ForAllValues:StringEquals': { 'aws:TagKeys': [CLIENT_REF_TAG] } },
    }),
    // doctor ID compares the access-token secret with the table; DescribeSecret tells a secret
    // scheduled for deletion from other refusals.
    new iam.PolicyStatement({
      actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
      resources: [allTokens],
    }),
    // reject publishes a consumer's report of any connection, as the connection's consumers may.
    new iam.PolicyStatement({
      actions: ['events:PutEvents'],
      resources: [access.eventBus.eventBusArn],
      conditions: reportConditions(ALL_CONNECTIONS),
    }),
    // doctor: the bus, the alarms, who hears the topic, the dead-letter queue.
    new iam.PolicyStatement({
      actions: ['events:DescribeEventBus'],
      resources: [access.eventBus.eventBusArn],
    }),
    new iam.PolicyStatement({
      actions: ['cloudwatch:DescribeAlarms'],
      // The stack's alarm names are generated: doctor finds them by the metric they watch.
      resources: [
        stack.formatArn({
          service: 'cloudwatch',
          resource: 'alarm',
          resourceName: '*',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
    }),
    new iam.PolicyStatement({
      actions: ['sns:ListSubscriptionsByTopic'],
      resources: [access.alarmTopic.topicArn],
    }),
    // doctor and status: the dead-letter queues, the refresh queue's depth and its oldest order.
    new iam.PolicyStatement({
      actions: ['sqs:GetQueueAttributes'],
      resources: [
        access.deadLetterQueue.queueArn,
        access.refreshQueue.queueArn,
        access.refreshDeadLetterQueue.queueArn,
      ],
    }),
  ];
  if (access.accessTokenKey !== undefined) {
    // doctor ID reads an access-token secret encrypted with the customer key, through Secrets Manager only.
    statements.push(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [access.accessTokenKey.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` },
          StringLike: { 'kms:EncryptionContext:SecretARN': allTokens },
        },
      }),
    );
  }
  return statements;
}

/** Adds the operator's statements to `grantee`'s identity policy. */
export function grantOperator(scope: IConstruct, grantee: iam.IGrantable, access: OperatorAccess): iam.Grant {
  return grantStatements(grantee, operatorStatements(scope, access));
}
