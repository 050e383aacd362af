/**
 * The operator's dashboard: is everything refreshed, what fails and why, how close tokens get to
 * expiry, which connections need an operator, how Zoho answers, whether anything is stuck in the
 * dead-letter queue, whether secret writes fail or are held back, and what consumers report.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { MetricsIdentity } from '../functions/aws/metrics-identity';
import { byReasonExpression, refresherMetrics } from './refresher-metrics';

const PERIOD = Duration.minutes(5);
const WIDTH = 12;
const HEIGHT = 6;

export interface RefresherDashboardProps {
  /** The instance whose refresher metrics the dashboard shows. */
  readonly metrics: MetricsIdentity;
  readonly deadLetterQueue: sqs.IQueue;
  readonly alarms: readonly cloudwatch.IAlarm[];
}

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
          // Due connections per sweep against those it left over: a backlog that persists means
          // the fleet outgrew the scheduled function (sweepMemorySize).
          new cloudwatch.GraphWidget({
            title: 'Sweep capacity',
            width: WIDTH,
            height: HEIGHT,
            left: [
              refresherMetric('SweepConnections', 'Maximum', PERIOD, 'due per sweep'),
              refresherMetric('SweepBacklog', 'Maximum', PERIOD, 'left for the next sweep'),
            ],
            leftYAxis: { min: 0 },
          }),
          new cloudwatch.GraphWidget({
            title: 'Dead-letter queue depth',
            width: WIDTH,
            height: HEIGHT,
            left: [
              props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
                period: PERIOD,
                statistic: 'Maximum',
                label: 'messages',
              }),
            ],
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
            width: WIDTH,
            height: HEIGHT,
            left: [
              refresherMetric('FreshTokenRejected', 'Sum', PERIOD, 'fresh token reported (no refresh)'),
              refresherMetric('AlreadyRefreshed', 'Sum', PERIOD, 'already refreshed'),
              refresherMetric('InvalidEvent', 'Sum', PERIOD, 'invalid reports'),
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
      ],
    });
  }
}
