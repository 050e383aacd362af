/**
 * The stack output keys: a contract between the stack and the CLI. Kept apart from `outputs.ts`
 * so the CLI can read them without loading aws-cdk-lib. A stack with several refreshers prefixes
 * each one's keys (`addRefresherOutputs`' keyPrefix, by default the capitalised instanceName:
 * `DevTableName`); a stack with one has them as they are.
 */

/** Output key (the CloudFormation `OutputKey`) of every value the CLI needs. */
export const OUTPUT_KEYS = {
  tableName: 'TableName',
  eventBusName: 'EventBusName',
  eventBusArn: 'EventBusArn',
  /** ARN of the refresh-token key (the CLI encrypts new refresh tokens with it). */
  refreshTokenKeyArn: 'RefreshTokenKeyArn',
  secretPrefix: 'SecretPrefix',
  alarmTopicArn: 'AlarmTopicArn',
  /** The function `zoho-tokens sweep` invokes against a deployed stack. */
  plannerFunctionName: 'PlannerFunctionName',
  refreshWorkerFunctionName: 'RefreshWorkerFunctionName',
  /** The planner's orders (status: queue depth and the oldest order). */
  refreshQueueUrl: 'RefreshQueueUrl',
  refreshDeadLetterQueueUrl: 'RefreshDeadLetterQueueUrl',
  onDemandFunctionName: 'OnDemandRefreshFunctionName',
  /** The function `refresh`, `enable`, `revoke` and `doctor ID` invoke. */
  operatorFunctionName: 'OperatorFunctionName',
  /** Its ARN: the resource of the lambda:InvokeFunction an operator's policy grants. */
  operatorFunctionArn: 'OperatorFunctionArn',
  deadLetterQueueUrl: 'DeadLetterQueueUrl',
  dashboardName: 'DashboardName',
  /** Namespace and `service` dimension of the refresher metrics: what doctor's alarm checks look for. */
  metricsNamespace: 'MetricsNamespace',
  metricsService: 'MetricsService',
  /** Present when the connect endpoint is deployed: its base URL (`zoho-tokens link create` uses it). */
  connectBaseUrl: 'ConnectBaseUrl',
  /** Present when the connect endpoint is deployed: the redirect URI to register in Zoho's API console. */
  connectRedirectUri: 'ConnectRedirectUri',
  /** Present when the stack made a consumer policy. */
  consumerPolicyArn: 'ConsumerPolicyArn',
  /** Present when the example consumer is deployed. */
  exampleConsumerFunctionName: 'ExampleConsumerFunctionName',
} as const;

/** One of the {@link OUTPUT_KEYS}. */
export type OutputKey = (typeof OUTPUT_KEYS)[keyof typeof OUTPUT_KEYS];
