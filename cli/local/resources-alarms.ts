/**
 * The CloudWatch alarms of `local init`: the alarms of infra/alarm-specs.ts on the refresher's own
 * metrics (the very list the stack is built from), notifying the local alarm topic. The function
 * and dead-letter-queue alarms watch resources that exist only in AWS, so the emulator has none.
 */
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../functions/aws/names';
import { periodSeconds, REFRESHER_METRIC_ALARMS } from '../../infra/alarm-specs';
import type { EmulatorClientConfig } from './resources';

/** The emulator's name of an alarm of the spec. */
export const localAlarmName = (prefix: string, id: string) => `${prefix}-${id}`;

/** Creates or updates (PutMetricAlarm overwrites) every refresher-metric alarm; returns their names. */
export async function ensureAlarms(
  config: EmulatorClientConfig,
  topicArn: string,
  prefix: string,
): Promise<string[]> {
  const cloudWatch = new CloudWatchClient(config);
  try {
    const names: string[] = [];
    for (const alarm of REFRESHER_METRIC_ALARMS) {
      const name = localAlarmName(prefix, alarm.id);
      await cloudWatch.send(
        new PutMetricAlarmCommand({
          AlarmName: name,
          AlarmDescription: alarm.description,
          Namespace: METRICS_NAMESPACE,
          MetricName: alarm.source.metric,
          Dimensions: [{ Name: 'service', Value: SERVICE_NAME }],
          Statistic: alarm.statistic,
          Period: periodSeconds(alarm),
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
