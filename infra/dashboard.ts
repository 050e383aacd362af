/**
 * The operator's dashboard: is everything refreshed, what fails and why, how close tokens get to
 * expiry, which connections need an operator, how Zoho answers, how fast the fleet refreshes against
 * the write limit and whether the refresh queue keeps up, whether anything is stuck in a dead-letter
 * queue, whether secret writes fail or are held back, what consumers report, and (with the connect
 * endpoint) how customers' connect links end.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { MetricsIdentity } from '../functions/aws/metrics-identity';
import { connectRow } from './connect-dashboard';
import { byReasonExpression, refresherMetrics } from './refresher-metrics';

const PERIOD = Duration.minutes(5);
const WIDTH = 12;
const HEIGHT = 6;

export interface RefresherDashboardProps {
  /** The instance whose refresher metrics the dashboard shows. */
  readonly metrics: MetricsIdentity;
  readonly deadLetterQueue: sqs.IQueue;
  readonly refreshQueue: sqs.IQueue;
  readonly refreshDeadLetterQueue: sqs.IQueue;
  readonly refreshWorkerFunction: lambda.IFunction;
  /** The connect endpoint's function: adds a row of connect links. @default none */
  readonly connectFunction?: lambda.IFunction;
  /** The workers' limit, drawn on the write-rate graph. */
  readonly secretWritesPerSecond: number;
  readonly alarms: readonly cloudwatch.IAlarm[];
}

/** The refresh queue's own metrics come every minute: graphed per minute, not per five. */
const MINUTE = Duration.minutes(1);

/** The refresher's CloudWatch dashboard. */
export class RefresherDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: RefresherDashboardProps) {
    super(scope, id);
    // Every refresher metric below is this instance's.
    const refresherMetric = refresherMetrics(props.metrics);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(1),
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Refreshes',
            width: WIDTH,
            height: HEIGHT,
            left: [
              refresherMetric('RefreshSucceeded', 'Sum', PERIOD, 'succeeded'),
              refresherMetric('RefreshFailed', 'Sum', PERIOD, 'failed'),
              refresherMetric('RefreshSkipped', 'Sum', PERIOD, 'skipped (someone else refreshed)'),
              refresherMetric('ZohoCalls', 'Sum', PERIOD, 'Zoho token requests'),
            ],
          }),
          new cloudwatch.GraphWidget({
            title: 'Failures by reason',
            width: WIDTH,
            height: HEIGHT,
            left: [
              new cloudwatch.MathExpression({
                expression: byReasonExpression(props.metrics, 'RefreshFailed'),
                usingMetrics: {},
                label: '',
                period: PERIOD,
              }),
            ],
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Seconds to expiry (worst connection)',
            width: WIDTH,
            height: HEIGHT,
            // The sweep's gauge over every active connection with a token, not only the fresh ones.
            left: [refresherMetric('MinSecondsToExpiry', 'Minimum', PERIOD, 'min seconds to expiry')],
            right: [refresherMetric('ExpiredTokens', 'Maximum', PERIOD, 'expired tokens')],
            leftAnnotations: [{ value: 0, label: 'expired', color: cloudwatch.Color.RED }],
          }),
          new cloudwatch.GraphWidget({
            title: 'Zoho token endpoint latency',
            width: WIDTH,
            height: HEIGHT,
            left: [
              refresherMetric('ZohoLatency', 'p50', PERIOD, 'p50'),
              refresherMetric('ZohoLatency', 'p99', PERIOD, 'p99'),
              refresherMetric('ZohoLatency', 'Maximum', PERIOD, 'max'),
            ],
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Connections needing attention',
            width: WIDTH,
            height: HEIGHT,
            left: [
              refresherMetric(
                'ConnectionsNeedingReauthorization',
                'Maximum',
                PERIOD,
                'need re-authorisation',
              ),
              refresherMetric('ConnectionsMisconfigured', 'Maximum', PERIOD, 'misconfigured'),
              refresherMetric('ConnectionsFailing', 'Maximum', PERIOD, 'failing (3+ in a row)'),
              refresherMetric('ExpiredTokens', 'Maximum', PERIOD, 'expired tokens'),
            ],
            leftYAxis: { min: 0 },
          }),
          new cloudwatch.AlarmStatusWidget({
            title: 'Alarms',
            width: WIDTH,
            height: HEIGHT,
            alarms: [...props.alarms],
          }),
        ],
        [
          // The fleet's pulse: the planner's orders, the refreshes (= secret writes) per second against
          // the workers' limit, and how many workers run to keep up.
          new cloudwatch.GraphWidget({
            title: 'Refresh throughput',
            width: WIDTH,
            height: HEIGHT,
            left: [
              new cloudwatch.MathExpression({
                expression: 'succeeded / 60',
                usingMetrics: { succeeded: refresherMetric('RefreshSucceeded', 'Sum', MINUTE) },
                label: 'refreshes per second',
                period: MINUTE,
              }),
            ],
            leftAnnotations: [
              {
                value: props.secretWritesPerSecond,
                label: 'secretWritesPerSecond',
                color: cloudwatch.Color.ORANGE,
              },
            ],
            right: [
              refresherMetric('RefreshesPlanned', 'Sum', MINUTE, 'orders planned per minute'),
              props.refreshWorkerFunction.metric('ConcurrentExecutions', {
                statistic: 'Maximum',
                period: MINUTE,
                label: 'workers running',
              }),
            ],
            leftYAxis: { min: 0 },
          }),
          // A backlog shows as the oldest order's age (normally under two minutes: orders wait for
          // their due time) and as connections overdue in the table.
          new cloudwatch.GraphWidget({
            title: 'Refresh queue backlog',
            width: WIDTH,
            height: HEIGHT,
            left: [
              props.refreshQueue.metricApproximateAgeOfOldestMessage({
                statistic: 'Maximum',
                period: MINUTE,
                label: 'oldest order (s)',
              }),
            ],
            right: [
              props.refreshQueue.metricApproximateNumberOfMessagesVisible({
                statistic: 'Maximum',
                period: MINUTE,
                label: 'orders ready',
              }),
              refresherMetric('RefreshesOverdue', 'Maximum', MINUTE, 'connections overdue 2+ min'),
              refresherMetric('RefreshOrderFailed', 'Sum', MINUTE, 'orders that threw'),
              refresherMetric('RefreshOrdersNotQueued', 'Sum', MINUTE, 'orders not queued'),
            ],
            leftYAxis: { min: 0 },
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Dead-letter queues',
            width: WIDTH,
            height: HEIGHT,
            left: [
              props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
                period: PERIOD,
                statistic: 'Maximum',
                label: 'events and invocations',
              }),
              props.refreshDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
                period: PERIOD,
                statistic: 'Maximum',
                label: 'refresh orders',
              }),
            ],
            leftYAxis: { min: 0 },
          }),
          new cloudwatch.GraphWidget({
            title: 'Zoho answers refused and budget',
            width: WIDTH,
            height: HEIGHT,
            left: [
              refresherMetric('ZohoMalformedResponse', 'Sum', PERIOD, 'success answers refused'),
              refresherMetric('BudgetExhausted', 'Sum', PERIOD, 'Zoho budget exhausted'),
            ],
            leftYAxis: { min: 0 },
          }),
        ],
        [
          // A failed write leaves the minted token waiting on the connection; the budget holds back
          // refreshes of a secret that took too many versions. Both should stay at zero.
          new cloudwatch.GraphWidget({
            title: 'Secret writes held back or failed',
            width: WIDTH,
            height: HEIGHT,
            left: [
              refresherMetric('SecretWriteFailed', 'Sum', PERIOD, 'writes failed'),
              refresherMetric('MintedTokenKept', 'Sum', PERIOD, 'minted tokens kept for the next run'),
              refresherMetric(
                'SecretWriteBudgetExhausted',
                'Sum',
                PERIOD,
                'refreshes held back by the write budget',
              ),
            ],
            leftYAxis: { min: 0 },
          }),
          new cloudwatch.GraphWidget({
            title: 'Secret write failures by reason',
            width: WIDTH,
            height: HEIGHT,
            left: [
              new cloudwatch.MathExpression({
                expression: byReasonExpression(props.metrics, 'SecretWriteFailed'),
                usingMetrics: {},
                label: '',
                period: PERIOD,
              }),
            ],
          }),
        ],
        [
          // Reports of tokens minted minutes ago cost no Zoho call: a consumer calling outside its
          // token's scope, organisation or data centre shows here, not as refreshes.
          new cloudwatch.GraphWidget({
            title: 'Consumer reports',
            width: 2 * WIDTH,
            height: HEIGHT,
            left: [
              refresherMetric('FreshTokenRejected', 'Sum', PERIOD, 'fresh token reported (no refresh)'),
              refresherMetric('AlreadyRefreshed', 'Sum', PERIOD, 'already refreshed'),
              refresherMetric('InvalidEvent', 'Sum', PERIOD, 'invalid reports'),
            ],
            leftYAxis: { min: 0 },
          }),
        ],
        ...(props.connectFunction === undefined
          ? []
          : [connectRow(props.metrics, props.connectFunction, { width: WIDTH, height: HEIGHT })]),
      ],
    });
  }
}
