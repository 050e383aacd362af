/**
 * The construct's `metric…()` methods: the main signals of one refresher as CloudWatch metrics, for
 * alarms and dashboards of the user's own, never another instance's data.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { describe, expect, it } from 'vitest';
import { ZohoTokenRefresher } from '../../infra/zoho-token-refresher';
import { TEST_ENV, testApp } from './infra-support';

/** What identifies a metric and how it is aggregated. */
const shape = (metric: cloudwatch.Metric) => ({
  namespace: metric.namespace,
  metricName: metric.metricName,
  dimensions: metric.dimensions,
  statistic: metric.statistic,
  period: metric.period.toSeconds(),
});

function twoRefreshers() {
  const stack = new Stack(testApp(), 'Zoho', { env: TEST_ENV });
  return {
    stack,
    prod: new ZohoTokenRefresher(stack, 'Prod'),
    dev: new ZohoTokenRefresher(stack, 'Dev', { instanceName: 'dev', metricsNamespace: 'Team/Zoho' }),
  };
}

describe('metric helpers', () => {
  it('name the main signals with the statistic their alarms use, over five minutes', () => {
    const { prod } = twoRefreshers();
    const service = { service: 'zoho-token-refresher' };
    const of = (metricName: string, statistic: string) => ({
      namespace: 'ZohoTokenRefresher',
      metricName,
      dimensions: service,
      statistic,
      period: 300,
    });
    expect(
      [
        prod.metricRefreshFailed(),
        prod.metricReauthorizationRequired(),
        prod.metricExpiredTokens(),
        prod.metricConnectionsFailing(),
        prod.metricPlannerHeartbeat(),
      ].map(shape),
    ).toEqual([
      of('RefreshFailed', 'Sum'),
      of('ConnectionsNeedingReauthorization', 'Maximum'),
      of('ExpiredTokens', 'Maximum'),
      of('ConnectionsFailing', 'Maximum'),
      of('PlannerHeartbeat', 'Sum'),
    ]);
  });

  it("are each instance's own: namespace and service of that instance", () => {
    const { prod, dev } = twoRefreshers();
    expect(shape(dev.metricExpiredTokens())).toEqual({
      ...shape(prod.metricExpiredTokens()),
      namespace: 'Team/Zoho',
      dimensions: { service: 'zoho-token-refresher-dev' },
    });
  });

  it('take CDK metric options, and a reason dimension beside the service, which no option can replace', () => {
    const { dev } = twoRefreshers();
    const metric = dev.metricRefreshFailed({
      period: Duration.minutes(1),
      statistic: 'Average',
      dimensionsMap: { reason: 'throttled', service: 'zoho-token-refresher' },
    });
    expect(shape(metric)).toEqual({
      namespace: 'Team/Zoho',
      metricName: 'RefreshFailed',
      dimensions: { reason: 'throttled', service: 'zoho-token-refresher-dev' },
      statistic: 'Average',
      period: 60,
    });
    expect(shape(dev.metric('ZohoLatency', { statistic: 'p99' }))).toMatchObject({
      metricName: 'ZohoLatency',
      statistic: 'p99',
      dimensions: { service: 'zoho-token-refresher-dev' },
    });
  });

  it("make an alarm of the user's own on the instance's metric", () => {
    // Prepare
    const { stack, dev } = twoRefreshers();
    // Act
    dev.metricExpiredTokens().createAlarm(stack, 'MyExpiredTokens', { threshold: 1, evaluationPeriods: 1 });
    // Assess
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Team/Zoho',
      MetricName: 'ExpiredTokens',
      Dimensions: [{ Name: 'service', Value: 'zoho-token-refresher-dev' }],
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 1,
    });
  });
});
