/**
 * The stack outputs the CLI reads (`zoho-tokens --stack`), under the keys of `output-keys.ts`,
 * each behind the refresher's key prefix when a stack holds several.
 */
import { CfnOutput, type Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { ConfigurationError } from '../functions/core/errors';
import { OUTPUT_KEYS, type OutputKey } from './output-keys';
import type { ZohoTokenRefresher } from './zoho-token-refresher';

export { OUTPUT_KEYS, type OutputKey } from './output-keys';

/** What else {@link addRefresherOutputs} may output, and under which keys. */
export interface RefresherOutputOptions {
  /** Output as `ConsumerPolicyArn`. @default - none */
  readonly consumerPolicy?: iam.IManagedPolicy;
  /** Output as `ExampleConsumerFunctionName` (the project's own stack, on request). @default - none */
  readonly exampleConsumer?: lambda.IFunction;
  /**
   * Prepended to every key (`DevTableName`): letters and digits. `''` keeps the keys the CLI reads
   * by default, right for a stack that holds this one refresher; every refresher of one stack needs
   * a prefix of its own.
   * @default - the refresher's instance prefix: '' without an instanceName, else the name capitalised ('Dev')
   */
  readonly keyPrefix?: string;
}

const KEY_PREFIX = /^[A-Za-z0-9]*$/;

/**
 * Adds the outputs to `stack`, with the keys of {@link OUTPUT_KEYS} behind the key prefix (outputs
 * made directly in a stack keep their id as key; inside a construct CDK would add a hash). Call it
 * once per refresher of a stack, including a stack of your own.
 */
export function addRefresherOutputs(
  stack: Stack,
  refresher: ZohoTokenRefresher,
  extras: RefresherOutputOptions = {},
): void {
  const prefix = extras.keyPrefix ?? refresher.settings.identity.outputPrefix;
  if (!KEY_PREFIX.test(prefix)) {
    throw new ConfigurationError(
      `addRefresherOutputs: keyPrefix must be letters and digits (got ${JSON.stringify(prefix.slice(0, 40))})`,
    );
  }
  const taken = stack.node.tryFindChild(`${prefix}${OUTPUT_KEYS.tableName}`);
  if (taken !== undefined) {
    throw new ConfigurationError(
      `addRefresherOutputs: stack ${stack.stackName} already has the outputs of a refresher under the key prefix '${prefix}': give ${refresher.node.path} an instanceName of its own, or pass another keyPrefix`,
    );
  }
  const values: [OutputKey, string, string][] = [
    [OUTPUT_KEYS.tableName, refresher.table.tableName, 'Connections table'],
    [
      OUTPUT_KEYS.eventBusName,
      refresher.eventBus.eventBusName,
      'Bus for rejected-token reports and refresher events',
    ],
    [OUTPUT_KEYS.eventBusArn, refresher.eventBus.eventBusArn, 'ARN of the bus'],
    [OUTPUT_KEYS.refreshTokenKeyArn, refresher.refreshTokenKey.keyArn, 'KMS key of the refresh tokens'],
    [
      OUTPUT_KEYS.secretPrefix,
      refresher.settings.secretPrefix,
      'Prefix of the access-token and client-app secrets',
    ],
    [OUTPUT_KEYS.alarmTopicArn, refresher.alarmTopic.topic.topicArn, 'SNS topic the alarms notify'],
    [
      OUTPUT_KEYS.plannerFunctionName,
      refresher.plannerFunction.functionName,
      'Planner function (every minute)',
    ],
    [
      OUTPUT_KEYS.refreshWorkerFunctionName,
      refresher.refreshWorkerFunction.functionName,
      'Refresh worker function (SQS event source)',
    ],
    [OUTPUT_KEYS.refreshQueueUrl, refresher.refreshQueue.queueUrl, "Refresh queue (the planner's orders)"],
    [
      OUTPUT_KEYS.refreshDeadLetterQueueUrl,
      refresher.refreshDeadLetterQueue.queueUrl,
      'Refresh orders that failed five deliveries',
    ],
    [OUTPUT_KEYS.onDemandFunctionName, refresher.onDemandFunction.functionName, 'On-demand refresh function'],
    [
      OUTPUT_KEYS.operatorFunctionName,
      refresher.operatorFunction.functionName,
      'Operator function (zoho-tokens refresh, enable, revoke, doctor ID)',
    ],
    [
      OUTPUT_KEYS.operatorFunctionArn,
      refresher.operatorFunction.functionArn,
      "ARN of the operator function: operators' policies allow lambda:InvokeFunction on it",
    ],
    [OUTPUT_KEYS.deadLetterQueueUrl, refresher.deadLetterQueue.queueUrl, 'Dead-letter queue'],
    [OUTPUT_KEYS.dashboardName, refresher.dashboard.dashboard.dashboardName, 'CloudWatch dashboard'],
  ];
  if (extras.consumerPolicy !== undefined) {
    values.push([
      OUTPUT_KEYS.consumerPolicyArn,
      extras.consumerPolicy.managedPolicyArn,
      'Managed policy for consumer Lambdas outside the stack (every connection)',
    ]);
  }
  if (refresher.connectEndpoint !== undefined) {
    values.push(
      [
        OUTPUT_KEYS.connectBaseUrl,
        refresher.connectEndpoint.baseUrl,
        'Connect endpoint: where connect links point',
      ],
      [
        OUTPUT_KEYS.connectRedirectUri,
        refresher.connectEndpoint.redirectUri,
        "Redirect URI of the connect endpoint: register it in Zoho's API console (server-based client)",
      ],
    );
  }
  if (extras.exampleConsumer !== undefined) {
    values.push([
      OUTPUT_KEYS.exampleConsumerFunctionName,
      extras.exampleConsumer.functionName,
      'Example consumer function',
    ]);
  }
  const { metrics } = refresher.settings.identity;
  values.push(
    [OUTPUT_KEYS.metricsNamespace, metrics.namespace, 'CloudWatch namespace of the refresher metrics'],
    [
      OUTPUT_KEYS.metricsService,
      metrics.service,
      "The refresher metrics' service dimension (and the logs' service)",
    ],
  );
  for (const [key, value, description] of values) {
    new CfnOutput(stack, `${prefix}${key}`, { value, description });
  }
}
