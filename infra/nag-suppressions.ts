/**
 * Every acknowledged cdk-nag finding and every skipped checkov check, each with its reason, attached
 * to the one resource it is about (never to the whole stack). cdk-nag v3 reads acknowledgements
 * from `Validations.of(construct).acknowledge`; checkov reads `Metadata.checkov.skip` in the template.
 */
import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { ALL_CONNECTIONS, accessTokenSecretArn } from './consumer-access';
import type { ProjectFunction } from './refresher-function';
import { clientSecretsArn } from './refresher-permissions';

/** A checkov check skipped on one resource, with why. */
export interface CheckovSkip {
  readonly id: string;
  readonly comment: string;
}

/** Acknowledges cdk-nag rules (id → reason) on a construct and its children. */
export function acknowledge(construct: IConstruct, rules: Readonly<Record<string, string>>): void {
  for (const [id, reason] of Object.entries(rules)) Validations.of(construct).acknowledge({ id, reason });
}

/** Writes checkov skips into the CloudFormation Metadata of the construct's resource. */
export function skipCheckov(construct: IConstruct, skips: readonly CheckovSkip[]): void {
  const resource = CfnResource.isCfnResource(construct) ? construct : construct.node.defaultChild;
  if (resource === undefined || !CfnResource.isCfnResource(resource)) {
    throw new Error(`skipCheckov: ${construct.node.path} has no CloudFormation resource`);
  }
  const existing = (resource.getMetadata('checkov') as { skip?: CheckovSkip[] } | undefined)?.skip ?? [];
  resource.addMetadata('checkov', { skip: [...existing, ...skips] });
}

const NODE_22 =
  'Node.js 22 is the runtime this project builds, tests and supports (the design fixes it); a move to a newer runtime is a tested release of its own.';
const ON_FAILURE_DESTINATION =
  'Failed asynchronous invocations go to an on-failure destination (the SQS dead-letter queue), which records the request and the error; a DeadLetterConfig as well would deliver each failure twice.';
const SYNCHRONOUS_ONLY =
  'The example consumer is invoked synchronously (by hand or by a test), never asynchronously: there is no failed event to keep.';
const OPERATOR_SYNCHRONOUS =
  'The operator function is invoked synchronously by the CLI (RequestResponse), which shows a failure to the operator at once; a failed command must not be replayed later from a queue (a revoke or refresh an operator already gave up on), so there is no failed event to keep.';
const NO_TRACING =
  'Tracing is off by default (construct prop `tracing`): a trace would show only the invocation segments, which the metrics and structured logs already cover, X-Ray charges per trace, and it would add xray:Put* on resource * to every role.';
const XRAY_WILDCARD =
  'Tracing is on (construct prop `tracing`): xray:PutTraceSegments and xray:PutTelemetryRecords, which CDK adds, support no resource but *.';
const NO_VPC =
  'The functions call only public endpoints (Zoho and AWS APIs); a VPC would need a NAT gateway (about $32/month) and adds no protection to these calls.';
const PLAIN_ENVIRONMENT =
  'The environment holds only resource names, ARNs and numbers, never a secret; Lambda encrypts it at rest with its service key.';
const LOG_KEY =
  'Logs never contain a token, refresh token or client secret (a test scans them); CloudWatch Logs encrypts at rest with its service key, and a customer key would cost $1/month more.';

/**
 * The id cdk-nag gives a wildcard resource finding, `AwsSolutions-IAM5[Resource::<flattened ARN>]`:
 * the ARN as the template holds it, with `Ref`s written `<Name>` (as cdk-nag flattens them), so the
 * id is right whether or not the stack has a concrete account and region.
 */
export function wildcardResourceFinding(scope: IConstruct, arn: string): string {
  const flatten = (node: unknown): string => {
    if (typeof node === 'string') return node;
    const value = node as { 'Fn::Join'?: [string, unknown[]]; Ref?: string };
    if (value['Fn::Join'] !== undefined) return value['Fn::Join'][1].map(flatten).join(value['Fn::Join'][0]);
    if (value.Ref !== undefined) return `<${value.Ref}>`;
    throw new Error(`wildcardResourceFinding: cannot flatten ${JSON.stringify(node)}`);
  };
  return `AwsSolutions-IAM5[Resource::${flatten(Stack.of(scope).resolve(arn))}]`;
}

/** The wildcard findings of a refresher role's policy: secret ARN patterns (ids are part of the name). */
function secretPatternFindings(role: IConstruct, secretPrefix: string): Record<string, string> {
  return {
    [wildcardResourceFinding(role, accessTokenSecretArn(role, secretPrefix, ALL_CONNECTIONS))]:
      'One secret per connection, created by the refresher when a connection is added: the connection id is part of the name, so the pattern is the narrowest possible (only `<prefix>/<id>/access-token` secrets).',
    [wildcardResourceFinding(role, clientSecretsArn(role, secretPrefix))]:
      'Client-app secrets are added by the operator (`zoho-tokens clients put`) at any time; the pattern covers exactly the `_clients/` folder of this prefix.',
  };
}

const QUEUE_REDRIVE =
  "The refresh worker is invoked by its SQS event source, never asynchronously: an order that keeps failing goes to the refresh queue's own dead-letter queue (redrive policy, five deliveries), which is alarmed; a DeadLetterConfig would never receive anything.";

/**
 * What a function built by {@link ProjectFunction} is, for its findings: a refresher invoked
 * asynchronously (the bus; with an on-failure destination), the planner (the schedule; with an
 * on-failure destination, no secrets), the refresh worker (an SQS event source), the operator
 * function (a refresher invoked synchronously), or the example consumer. Refreshers have secret
 * patterns in their policy.
 */
export type FunctionUse =
  | 'asyncRefresher'
  | 'planner'
  | 'queueWorker'
  | 'operator'
  | 'connectEndpoint'
  | 'exampleConsumer';

const CONNECT_SYNCHRONOUS =
  "The connect endpoint is invoked only through its Function URL, synchronously, by a customer's browser, which shows the answer at once; a failed callback must not be replayed from a queue (its code is single-use and lives a minute), so there is no failed event to keep.";

const NO_DEAD_LETTER_CONFIG: Record<FunctionUse, string> = {
  asyncRefresher: ON_FAILURE_DESTINATION,
  planner: ON_FAILURE_DESTINATION,
  queueWorker: QUEUE_REDRIVE,
  operator: OPERATOR_SYNCHRONOUS,
  connectEndpoint: CONNECT_SYNCHRONOUS,
  exampleConsumer: SYNCHRONOUS_ONLY,
};

/** Functions whose policy names the secret patterns (they refresh, so they write secrets). */
const REFRESHES: ReadonlySet<FunctionUse> = new Set([
  'asyncRefresher',
  'queueWorker',
  'operator',
  'connectEndpoint',
]);

/** The findings of a Lambda function built by {@link ProjectFunction}, used as `use` says. */
export function acknowledgeFunction(fn: ProjectFunction, secretPrefix: string, use: FunctionUse): void {
  const noDeadLetterConfig = NO_DEAD_LETTER_CONFIG[use];
  acknowledge(fn.fn, {
    'AwsSolutions-L1': NODE_22,
    'Serverless-LambdaLatestVersion': NODE_22,
    'Serverless-LambdaDLQ': noDeadLetterConfig,
  });
  if (fn.tracing === lambda.Tracing.DISABLED) acknowledge(fn.fn, { 'Serverless-LambdaTracing': NO_TRACING });
  else acknowledge(fn.role, { 'AwsSolutions-IAM5[Resource::*]': XRAY_WILDCARD });
  // Its EventInvokeConfig only turns retries off; the same reason holds for having no destination.
  if (use === 'operator' || use === 'connectEndpoint')
    acknowledge(fn.fn, { 'Serverless-LambdaAsyncFailureDestination': noDeadLetterConfig });
  if (REFRESHES.has(use)) acknowledge(fn.role, secretPatternFindings(fn.role, secretPrefix));
  if (use === 'queueWorker') {
    acknowledge(fn.fn, {
      'Serverless-LambdaEventSourceMappingDestination':
        "An SQS event source mapping takes no on-failure destination (Lambda supports one only for streams and Kafka): failed orders go to the refresh queue's own dead-letter queue through its redrive policy, which is alarmed.",
    });
  }
  skipCheckov(fn.fn, [
    { id: 'CKV_AWS_116', comment: noDeadLetterConfig },
    { id: 'CKV_AWS_117', comment: NO_VPC },
    { id: 'CKV_AWS_173', comment: PLAIN_ENVIRONMENT },
  ]);
  skipCheckov(fn.logGroup, [{ id: 'CKV_AWS_158', comment: LOG_KEY }]);
}

/** The connections table. */
export function acknowledgeTable(table: dynamodb.Table): void {
  skipCheckov(table, [
    {
      id: 'CKV_AWS_119',
      comment:
        'Refresh tokens are encrypted item by item with the customer key under a per-connection context; a customer key on the table as well would make every operator who reads `zoho-tokens status` need kms:Decrypt on it.',
    },
  ]);
}

/** The dead-letter queue. */
export function acknowledgeDeadLetterQueue(queue: sqs.Queue): void {
  acknowledge(queue, {
    'AwsSolutions-SQS3':
      'This queue is the dead-letter queue (of the event rules and of the async invocations); its depth raises an alarm.',
    'Serverless-SQSRedrivePolicy':
      'This queue is the dead-letter queue; a dead-letter queue of its own would only move the same messages further away.',
  });
  skipCheckov(queue, [
    {
      id: 'CKV_AWS_27',
      comment:
        'Encrypted with SQS-managed SSE, which this check does not recognise; the AWS managed key aws/sqs would stop EventBridge from delivering dead letters (its key policy cannot grant events.amazonaws.com), and a customer key costs $1/month for messages that hold no secret.',
    },
  ]);
}

const SQS_MANAGED_ENCRYPTION = {
  id: 'CKV_AWS_27',
  comment:
    'Encrypted with SQS-managed SSE, which this check does not recognise; the messages are refresh orders whose only secret material is KMS ciphertext bound to a connection (only the refresher roles may decrypt it), so a customer key ($1/month) would protect nothing more.',
};

/** The refresh queue and its dead-letter queue. */
export function acknowledgeFleetQueues(queue: sqs.Queue, deadLetterQueue: sqs.Queue): void {
  skipCheckov(queue, [SQS_MANAGED_ENCRYPTION]);
  acknowledge(deadLetterQueue, {
    'AwsSolutions-SQS3':
      "This queue is the refresh queue's dead-letter queue (orders that failed five deliveries); its depth raises the RefreshDeadLetterQueueNotEmpty alarm.",
    'Serverless-SQSRedrivePolicy':
      'This queue is a dead-letter queue; a dead-letter queue of its own would only move the same messages further away.',
  });
  skipCheckov(deadLetterQueue, [SQS_MANAGED_ENCRYPTION]);
}

/** The e-mail subscription of the alarm topic. */
export function acknowledgeEmailSubscription(subscription: sns.Subscription): void {
  acknowledge(subscription, {
    'Serverless-SNSRedrivePolicy':
      'An e-mail subscription: SNS retries e-mail itself, and the alarm stays in ALARM state on the dashboard if the mail is lost.',
  });
}

/** The stack's managed policy for consumers of every connection. */
export function acknowledgeConsumerPolicy(policy: iam.ManagedPolicy, secretPrefix: string): void {
  acknowledge(policy, {
    [wildcardResourceFinding(policy, accessTokenSecretArn(policy, secretPrefix, ALL_CONNECTIONS))]:
      'This policy is for consumers that serve every connection (documented); per-connection consumers use grantReadToken or consumerPolicy(id, connectionId), which name one secret.',
  });
}
