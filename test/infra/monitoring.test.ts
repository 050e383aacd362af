/**
 * Monitoring: the encrypted alarm topic, the alarms on the refresher metrics (core's MetricName,
 * dimension service), on the functions and the dead-letter queue, the dashboard, and the outputs.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { OUTPUT_KEYS } from '../../infra/outputs';
import type { ZohoTokenRefresher } from '../../infra/zoho-token-refresher';
import { ZohoTokenRefresherStack } from '../../infra/zoho-token-refresher-stack';
import { arnOf, logicalId, refresherStack, TEST_ENV, templateOf, testApp } from './infra-support';

describe('monitoring of the default refresher', () => {
  let template: Template;
  let refresher: ZohoTokenRefresher;

  beforeAll(() => {
    // Prepare
    const built = refresherStack();
    refresher = built.refresher;
    // Act
    template = templateOf(built.stack);
  });

  it('encrypts the alarm topic with its own rotating key, refuses plain HTTP, has no subscription', () => {
    const topicKey = refresher.alarmTopic.key;
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: arnOf(topicKey) });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish' }),
        ]),
      },
    });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it.each([
    ['RefreshFailed', 'Sum', 'GreaterThanOrEqualToThreshold', 1, 'notBreaching'],
    ['ReauthorizationRequired', 'Sum', 'GreaterThanOrEqualToThreshold', 1, 'notBreaching'],
    ['ExpiredTokens', 'Maximum', 'GreaterThanOrEqualToThreshold', 1, 'notBreaching'],
    ['SweepHeartbeat', 'Sum', 'LessThanThreshold', 1, 'breaching'],
  ])('alarms on %s (%s %s %d, missing data %s)', (metric, statistic, operator, threshold, missing) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'ZohoTokenRefresher',
      MetricName: metric,
      Dimensions: [{ Name: 'service', Value: 'zoho-token-refresher' }],
      Statistic: statistic,
      ComparisonOperator: operator,
      Threshold: threshold,
      TreatMissingData: missing,
      AlarmActions: [{ Ref: logicalId(refresher.alarmTopic.topic) }],
    });
  });

  it('alarms on errors and throttles of both functions and on a non-empty dead-letter queue', () => {
    for (const fn of [refresher.scheduledFunction, refresher.onDemandFunction]) {
      for (const metric of ['Errors', 'Throttles']) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/Lambda',
          MetricName: metric,
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(fn) } }],
          AlarmActions: [{ Ref: logicalId(refresher.alarmTopic.topic) }],
        });
      }
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(refresher.deadLetterQueue), 'QueueName'] } },
      ],
      Threshold: 1,
    });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 9);
  });

  it('draws refreshes, failures by reason (SEARCH), seconds to expiry, Zoho latency and DLQ depth', () => {
    const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0] as {
      Properties: { DashboardBody: unknown };
    };
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const title of [
      'Refreshes',
      'Failures by reason',
      'Seconds to expiry (worst connection)',
      'Zoho token endpoint latency',
      'Dead-letter queue depth',
    ]) {
      expect(body).toContain(`\\"title\\":\\"${title}\\"`);
    }
    expect(body).toContain(
      `SEARCH('{ZohoTokenRefresher,reason,service} MetricName=\\\\\\"RefreshFailed\\\\\\" service=\\\\\\"zoho-token-refresher\\\\\\"', 'Sum', 300)`,
    );
  });
});

describe('the stack', () => {
  it('outputs every value the CLI reads, under the keys of OUTPUT_KEYS', () => {
    // Prepare
    const stack = new ZohoTokenRefresherStack(testApp(), 'ZohoTokenRefresher', { env: TEST_ENV });
    // Act
    const outputs = Template.fromStack(stack).toJSON().Outputs as Record<string, { Value: unknown }>;
    // Assess
    const { refresher } = stack;
    expect(Object.keys(outputs).sort()).toEqual(
      Object.values(OUTPUT_KEYS)
        .filter((key) => key !== OUTPUT_KEYS.exampleConsumerFunctionName)
        .sort(),
    );
    expect(outputs[OUTPUT_KEYS.tableName]?.Value).toEqual({ Ref: logicalId(refresher.table) });
    expect(outputs[OUTPUT_KEYS.eventBusName]?.Value).toEqual({ Ref: logicalId(refresher.eventBus) });
    expect(outputs[OUTPUT_KEYS.refreshTokenKeyArn]?.Value).toEqual(arnOf(refresher.refreshTokenKey));
    expect(outputs[OUTPUT_KEYS.secretPrefix]?.Value).toBe('zoho-token-refresher');
    expect(outputs[OUTPUT_KEYS.alarmTopicArn]?.Value).toEqual({ Ref: logicalId(refresher.alarmTopic.topic) });
    expect(outputs[OUTPUT_KEYS.scheduledFunctionName]?.Value).toEqual({
      Ref: logicalId(refresher.scheduledFunction),
    });
    expect(outputs[OUTPUT_KEYS.onDemandFunctionName]?.Value).toEqual({
      Ref: logicalId(refresher.onDemandFunction),
    });
    expect(outputs[OUTPUT_KEYS.consumerPolicyArn]?.Value).toEqual({
      Ref: logicalId(stack.consumerPolicy as iam.ManagedPolicy),
    });
  });
});
