/**
 * The CloudWatch alarms of `local init`: the alarms of infra/alarms.ts on the refresher's own
 * metrics, with the same metric, statistic, threshold and missing-data rule, notifying the local
 * alarm topic. (The function and dead-letter-queue alarms watch resources that exist only in AWS.)
 * `zoho-tokens doctor` checks for exactly these metrics, locally and in AWS.
 */
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../functions/aws/names';
import type { MetricName } from '../../functions/core/ports';
import type { EmulatorClientConfig } from './resources';

/** One alarm on a refresher metric, as infra/alarms.ts defines it. */
export interface RefresherAlarmSpec {
  /** The construct id in infra/alarms.ts; the local alarm is `<prefix>-<id>`. */
  readonly id: string;
  readonly metric: MetricName;
  readonly statistic: 'Sum' | 'Maximum';
  readonly threshold: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm?: number;
  readonly comparison: 'GreaterThanOrEqualToThreshold' | 'LessThanThreshold';
  readonly treatMissingData: 'breaching' | 'notBreaching';
  readonly description: string;
}

/** The stack's default sweep rate: the heartbeat period. */
const SCHEDULE_RATE_SECONDS = 300;

export const REFRESHER_ALARMS: readonly RefresherAlarmSpec[] = [
  {
    id: 'RefreshFailures',
    metric: 'RefreshFailed',
    statistic: 'Sum',
    threshold: 1,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    comparison: 'GreaterThanOrEqualToThreshold',
    treatMissingData: 'notBreaching',
    description:
      'Zoho token refreshes keep failing. Run `zoho-tokens status` and `zoho-tokens history <id>`.',
  },
  {
    id: 'ReauthorizationRequired',
    metric: 'ReauthorizationRequired',
    statistic: 'Sum',
    threshold: 1,
    evaluationPeriods: 1,
    comparison: 'GreaterThanOrEqualToThreshold',
    treatMissingData: 'notBreaching',
    description: 'Zoho rejected a refresh token. Authorise it again: `zoho-tokens connect --id <id> ...`.',
  },
  {
    id: 'ExpiredTokens',
    metric: 'ExpiredTokens',
    statistic: 'Maximum',
    threshold: 1,
    evaluationPeriods: 1,
    comparison: 'GreaterThanOrEqualToThreshold',
    treatMissingData: 'notBreaching',
    description: 'An active connection holds an expired access token. Check `zoho-tokens status`.',
  },
  {
    id: 'SweepHeartbeatMissing',
    metric: 'SweepHeartbeat',
    statistic: 'Sum',
    threshold: 1,
    evaluationPeriods: 2,
    comparison: 'LessThanThreshold',
    treatMissingData: 'breaching',
    description: 'The scheduled sweep has not run for two schedule periods: tokens are not being refreshed.',
  },
];

/** Creates or updates (PutMetricAlarm overwrites) every alarm; returns their names. */
export async function ensureAlarms(
  config: EmulatorClientConfig,
  topicArn: string,
  prefix: string,
): Promise<string[]> {
  const cloudWatch = new CloudWatchClient(config);
  try {
    const names: string[] = [];
    for (const alarm of REFRESHER_ALARMS) {
      const name = `${prefix}-${alarm.id}`;
      const period = alarm.metric === 'SweepHeartbeat' ? SCHEDULE_RATE_SECONDS : 300;
      await cloudWatch.send(
        new PutMetricAlarmCommand({
          AlarmName: name,
          AlarmDescription: alarm.description,
          Namespace: METRICS_NAMESPACE,
          MetricName: alarm.metric,
          Dimensions: [{ Name: 'service', Value: SERVICE_NAME }],
          Statistic: alarm.statistic,
          Period: period,
          Threshold: alarm.threshold,
          EvaluationPeriods: alarm.evaluationPeriods,
          ...(alarm.datapointsToAlarm === undefined ? {} : { DatapointsToAlarm: alarm.datapointsToAlarm }),
          ComparisonOperator: alarm.comparison,
          TreatMissingData: alarm.treatMissingData,
          AlarmActions: [topicArn],
          OKActions: [topicArn],
        }),
      );
      names.push(name);
    }
    return names;
  } finally {
    cloudWatch.destroy();
  }
}
