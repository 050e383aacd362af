/**
 * Monitoring: the encrypted alarm topic, the alarms on the refresher metrics (core's MetricName,
 * dimension service), on the functions and the dead-letter queue, the dashboard, and the outputs.
 */
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALARM_SPECS } from '../../infra/alarm-specs';
import { OUTPUT_KEYS } from '../../infra/outputs';
import type { ZohoTokenRefresher } from '../../infra/zoho-token-refresher';
import { ZohoTokenRefresherStack } from '../../infra/zoho-token-refresher-stack';
import {
  arnOf,
  logicalId,
  refresherStack,
  synthesizedRefresher,
  TEST_ENV,
  templateOf,
  testApp,
} from './infra-support';

const GTE = 'GreaterThanOrEqualToThreshold';
/** A fleet gauge: at least 1 in the one minute of a planner run; no data keeps the state. */
const gauge = (metric: string) => ({
  MetricName: metric,
  Statistic: 'Maximum',
  ComparisonOperator: GTE,
  Threshold: 1,
  Period: 60,
  EvaluationPeriods: 1,
  TreatMissingData: 'ignore',
});

/** Any data point of a refresher metric in one five-minute window; no data is no trouble. */
const anyInFiveMinutes = (metric: string) => ({
  MetricName: metric,
  Statistic: 'Sum',
  ComparisonOperator: GTE,
  Threshold: 1,
  Period: 300,
  EvaluationPeriods: 1,
  TreatMissingData: 'notBreaching',
});

/** The alarms on the refresher's own metrics, by id, with every setting spelled out. */
const REFRESHER_METRIC_ALARMS = {
  SecretWriteFailures: anyInFiveMinutes('SecretWriteFailed'),
  SecretWriteBudgetExhausted: anyInFiveMinutes('SecretWriteBudgetExhausted'),
  ZohoMalformedResponse: anyInFiveMinutes('ZohoMalformedResponse'),
  ConnectionsNeedingReauthorization: gauge('ConnectionsNeedingReauthorization'),
  ConnectionsMisconfigured: gauge('ConnectionsMisconfigured'),
  ConnectionsFailing: gauge('ConnectionsFailing'),
  ExpiredTokens: gauge('ExpiredTokens'),
  RefreshFailures: {
    MetricName: 'RefreshFailed',
    Statistic: 'Sum',
    ComparisonOperator: GTE,
    Threshold: 1,
    Period: 300,
    EvaluationPeriods: 3,
    DatapointsToAlarm: 2,
    TreatMissingData: 'notBreaching',
  },
  PlannerHeartbeatMissing: {
    MetricName: 'PlannerHeartbeat',
    Statistic: 'Sum',
    ComparisonOperator: 'LessThanThreshold',
    Threshold: 1,
    Period: 60,
    EvaluationPeriods: 3,
    TreatMissingData: 'breaching',
  },
};

describe('monitoring of the default refresher', () => {
  let template: Template;
  let refresher: ZohoTokenRefresher;

  beforeAll(() => {
    ({ refresher, template } = synthesizedRefresher());
  });

  it('encrypts the alarm topic with its own rotating key, refuses plain HTTP, has no subscription', () => {
    const topicKey = refresher.alarmTopic.key ?? expect.fail('the refresher made no topic key');
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

  /** Every alarm of the template, by the construct id the spec gives it. */
  const alarmsById = () => {
    const found = template.findResources('AWS::CloudWatch::Alarm');
    return Object.fromEntries(
      ALARM_SPECS.map((spec) => {
        const alarm = refresher.alarms.node.findChild(spec.id) as cloudwatch.Alarm;
        const resource = found[logicalId(alarm)] as { Properties: Record<string, unknown> } | undefined;
        return [spec.id, resource?.Properties];
      }),
    );
  };

  it('has exactly the alarms of the spec, each notifying the topic on ALARM and on OK', () => {
    const topic = [{ Ref: logicalId(refresher.alarmTopic.topic) }];
    template.resourceCountIs('AWS::CloudWatch::Alarm', 19);
    expect(ALARM_SPECS.map((spec) => spec.id).sort()).toEqual(
      [
        'ConnectionsFailing',
        'ConnectionsMisconfigured',
        'ConnectionsNeedingReauthorization',
        'DeadLetterQueueNotEmpty',
        'ExpiredTokens',
        'OnDemandRefreshErrors',
        'OnDemandRefreshThrottles',
        'OperatorErrors',
        'OperatorThrottles',
        'PlannerErrors',
        'PlannerHeartbeatMissing',
        'PlannerThrottles',
        'RefreshBacklogAge',
        'RefreshDeadLetterQueueNotEmpty',
        'RefreshFailures',
        'RefreshWorkerErrors',
        'SecretWriteBudgetExhausted',
        'SecretWriteFailures',
        'ZohoMalformedResponse',
      ].sort(),
    );
    const alarms = alarmsById();
    for (const spec of ALARM_SPECS) {
      expect(alarms[spec.id], spec.id).toMatchObject({
        Statistic: spec.statistic,
        // The default margin, 690 s, for the backlog's age.
        Threshold: spec.threshold,
        ComparisonOperator: spec.comparison,
        EvaluationPeriods: spec.evaluationPeriods,
        TreatMissingData: spec.treatMissingData,
        AlarmDescription: spec.description,
        AlarmActions: topic,
        OKActions: topic,
      });
    }
  });

  it.each(Object.entries(REFRESHER_METRIC_ALARMS))(
    '%s: metric, statistic, threshold, period, missing data',
    (id, expected) => {
      expect(alarmsById()[id]).toEqual({
        Namespace: 'ZohoTokenRefresher',
        Dimensions: [{ Name: 'service', Value: 'zoho-token-refresher' }],
        ...expected,
        AlarmDescription: expect.any(String),
        AlarmActions: [{ Ref: logicalId(refresher.alarmTopic.topic) }],
        OKActions: [{ Ref: logicalId(refresher.alarmTopic.topic) }],
      });
    },
  );

  it("keeps every description within CloudWatch's 1,024 characters", () => {
    for (const spec of ALARM_SPECS) expect(spec.description.length, spec.id).toBeLessThanOrEqual(1024);
  });

  it('alarms on secret writes and malformed Zoho answers, but leaves reports of fresh tokens to the dashboard', () => {
    // A consumer calling outside its token's scope is that consumer's bug, contained by the refresher
    // (one refresh per connection per 10 minutes): no alarm one misbehaving consumer can hold on.
    const metrics = Object.values(alarmsById()).map((properties) => properties?.MetricName);
    expect(metrics).toEqual(
      expect.arrayContaining(['SecretWriteFailed', 'SecretWriteBudgetExhausted', 'ZohoMalformedResponse']),
    );
    expect(metrics).not.toContain('FreshTokenRejected');
    expect(metrics).not.toContain('MintedTokenKept');
  });

  it('says in each secret-write alarm what the operator does', () => {
    const descriptions = alarmsById();
    const failures = descriptions.SecretWriteFailures?.AlarmDescription;
    for (const reason of [
      'secret_throttled',
      'secret_write_failed',
      'secret_version_quota',
      'secret_pending_deletion',
      'secret_access_denied',
    ]) {
      expect(failures).toContain(reason);
    }
    expect(failures).toContain('`aws secretsmanager restore-secret');
    expect(failures).toContain("'Secret write failures by reason'");
    expect(descriptions.SecretWriteBudgetExhausted?.AlarmDescription).toContain('FreshTokenRejected');
    expect(descriptions.ZohoMalformedResponse?.AlarmDescription).toContain('`zoho-tokens history <id>`');
  });

  it('no longer alarms on the ReauthorizationRequired count (it missed and flapped), only on the gauges', () => {
    const metrics = Object.values(alarmsById()).map((properties) => properties?.MetricName);
    expect(metrics).not.toContain('ReauthorizationRequired');
  });

  it('says in each gauge alarm what the operator does', () => {
    const descriptions = alarmsById();
    expect(descriptions.ConnectionsNeedingReauthorization?.AlarmDescription).toContain(
      '`zoho-tokens connect --id <id> ...`',
    );
    expect(descriptions.ConnectionsNeedingReauthorization?.AlarmDescription).toContain(
      'reauthorization_required',
    );
    expect(descriptions.ConnectionsMisconfigured?.AlarmDescription).toContain('`zoho-tokens clients put`');
    expect(descriptions.ConnectionsFailing?.AlarmDescription).toContain('`zoho-tokens history <id>`');
    expect(descriptions.ExpiredTokens?.AlarmDescription).toContain('`zoho-tokens refresh <id>`');
  });

  it("alarms when the oldest refresh order is older than the stack's margin, two minutes in a row", () => {
    // Prepare: a margin of 20 minutes
    const built = refresherStack({ refreshMargin: Duration.minutes(20) });
    const template = templateOf(built.stack);

    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [logicalId(built.refresher.refreshQueue), 'QueueName'] },
        },
      ],
      Statistic: 'Maximum',
      ComparisonOperator: GTE,
      Threshold: 1_200,
      Period: 60,
      EvaluationPeriods: 2,
      TreatMissingData: 'notBreaching',
    });
    expect(alarmsById().RefreshBacklogAge).toMatchObject({ Threshold: 690 });
    expect(alarmsById().RefreshBacklogAge?.AlarmDescription).toContain('secretWritesPerSecond');
  });

  it('alarms on a non-empty refresh dead-letter queue, naming what to do', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [logicalId(refresher.refreshDeadLetterQueue), 'QueueName'] },
        },
      ],
      Statistic: 'Maximum',
      Threshold: 1,
      Period: 300,
    });
    expect(alarmsById().RefreshDeadLetterQueueNotEmpty?.AlarmDescription).toContain(
      '`zoho-tokens doctor <id>`',
    );
  });

  it('emits the gauges and the heartbeat every minute: their alarms look at one-minute periods', () => {
    // Act
    const periods = Object.fromEntries(
      Object.values(alarmsById()).map((alarm) => [alarm?.MetricName, alarm?.Period]),
    );

    // Assess
    expect(periods).toMatchObject({
      ConnectionsNeedingReauthorization: 60,
      ConnectionsMisconfigured: 60,
      ConnectionsFailing: 60,
      ExpiredTokens: 60,
      PlannerHeartbeat: 60,
      RefreshFailed: 300,
      SecretWriteFailed: 300,
      SecretWriteBudgetExhausted: 300,
      ZohoMalformedResponse: 300,
    });
  });

  it('alarms on errors of every function, throttles of all but the worker, and a non-empty dead-letter queue', () => {
    for (const fn of [refresher.plannerFunction, refresher.onDemandFunction, refresher.operatorFunction]) {
      for (const metric of ['Errors', 'Throttles']) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/Lambda',
          MetricName: metric,
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(fn) } }],
          Statistic: 'Sum',
          AlarmActions: [{ Ref: logicalId(refresher.alarmTopic.topic) }],
        });
      }
    }
    expect(alarmsById().OnDemandRefreshThrottles).toMatchObject({ EvaluationPeriods: 3, Threshold: 1 });
    expect(alarmsById().PlannerThrottles).toMatchObject({ EvaluationPeriods: 1, Threshold: 1 });
    // The event source never runs more workers than they reserve: a throttle cannot happen.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(refresher.refreshWorkerFunction) } }],
    });
    // An operator command refused for concurrency may be an emergency revoke: the first one counts.
    expect(alarmsById().OperatorThrottles).toMatchObject({ EvaluationPeriods: 1, Threshold: 1, Period: 300 });
    expect(alarmsById().OperatorErrors).toMatchObject({ EvaluationPeriods: 1, Threshold: 1, Period: 300 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(refresher.deadLetterQueue), 'QueueName'] } },
      ],
      Statistic: 'Maximum',
      Threshold: 1,
    });
  });

  it('draws refreshes, failures by reason (SEARCH), seconds to expiry (the fleet gauge), the connections needing attention, Zoho latency, refresh throughput against the write limit, the refresh queue backlog, both DLQs, secret writes, consumer reports and refused Zoho answers', () => {
    const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0] as {
      Properties: { DashboardBody: unknown };
    };
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const title of [
      'Refreshes',
      'Failures by reason',
      'Seconds to expiry (worst connection)',
      'Zoho token endpoint latency',
      'Connections needing attention',
      'Refresh throughput',
      'Refresh queue backlog',
      'Dead-letter queues',
      'Secret writes held back or failed',
      'Secret write failures by reason',
      'Consumer reports',
      'Zoho answers refused and budget',
    ]) {
      expect(body).toContain(`\\"title\\":\\"${title}\\"`);
    }
    for (const metric of [
      'MinSecondsToExpiry',
      'ConnectionsNeedingReauthorization',
      'ConnectionsMisconfigured',
      'ConnectionsFailing',
      'RefreshesPlanned',
      'RefreshesOverdue',
      'RefreshOrderFailed',
      'RefreshOrdersNotQueued',
      'ApproximateAgeOfOldestMessage',
      'ConcurrentExecutions',
      'SecretWriteFailed',
      'MintedTokenKept',
      'SecretWriteBudgetExhausted',
      'FreshTokenRejected',
      'ZohoMalformedResponse',
    ]) {
      expect(body).toContain(`\\"${metric}\\"`);
    }
    expect(body).toContain('\\"stat\\":\\"Minimum\\"');
    // The workers' limit drawn on the throughput graph.
    expect(body).toContain('{\\"value\\":20,\\"label\\":\\"secretWritesPerSecond\\"');
    expect(body).not.toContain('\\"SecondsToExpiry\\"');
    for (const metric of ['RefreshFailed', 'SecretWriteFailed']) {
      expect(body).toContain(
        `SEARCH('{ZohoTokenRefresher,reason,service} MetricName=\\\\\\"${metric}\\\\\\" service=\\\\\\"zoho-token-refresher\\\\\\"', 'Sum', 300)`,
      );
    }
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
        // Optional outputs: the example consumer's and the connect endpoint's.
        .filter(
          (key) =>
            key !== OUTPUT_KEYS.exampleConsumerFunctionName &&
            key !== OUTPUT_KEYS.connectBaseUrl &&
            key !== OUTPUT_KEYS.connectRedirectUri,
        )
        .sort(),
    );
    expect(outputs[OUTPUT_KEYS.tableName]?.Value).toEqual({ Ref: logicalId(refresher.table) });
    expect(outputs[OUTPUT_KEYS.eventBusName]?.Value).toEqual({ Ref: logicalId(refresher.eventBus) });
    expect(outputs[OUTPUT_KEYS.refreshTokenKeyArn]?.Value).toEqual(arnOf(refresher.refreshTokenKey));
    expect(outputs[OUTPUT_KEYS.secretPrefix]?.Value).toBe('zoho-token-refresher');
    expect(outputs[OUTPUT_KEYS.alarmTopicArn]?.Value).toEqual({ Ref: logicalId(refresher.alarmTopic.topic) });
    expect(outputs[OUTPUT_KEYS.plannerFunctionName]?.Value).toEqual({
      Ref: logicalId(refresher.plannerFunction),
    });
    expect(outputs[OUTPUT_KEYS.refreshWorkerFunctionName]?.Value).toEqual({
      Ref: logicalId(refresher.refreshWorkerFunction),
    });
    expect(outputs[OUTPUT_KEYS.refreshQueueUrl]?.Value).toEqual({ Ref: logicalId(refresher.refreshQueue) });
    expect(outputs[OUTPUT_KEYS.refreshDeadLetterQueueUrl]?.Value).toEqual({
      Ref: logicalId(refresher.refreshDeadLetterQueue),
    });
    expect(outputs[OUTPUT_KEYS.onDemandFunctionName]?.Value).toEqual({
      Ref: logicalId(refresher.onDemandFunction),
    });
    expect(outputs[OUTPUT_KEYS.operatorFunctionName]?.Value).toEqual({
      Ref: logicalId(refresher.operatorFunction),
    });
    expect(outputs[OUTPUT_KEYS.operatorFunctionArn]?.Value).toEqual(arnOf(refresher.operatorFunction));
    expect(outputs[OUTPUT_KEYS.consumerPolicyArn]?.Value).toEqual({
      Ref: logicalId(stack.consumerPolicy as iam.ManagedPolicy),
    });
  });
});
