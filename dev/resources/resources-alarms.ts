/**
 * The CloudWatch alarms of `local init`: the alarms of infra/alarm-specs.ts (the very list the stack
 * is built from) on what the emulator holds — the refresher's own metrics, the refresh queue and its
 * dead-letter queue — notifying the local alarm topic. The alarms on the functions and on the bus's
 * dead-letter queue watch resources that exist only in AWS, so the emulator has none.
 */
import { CloudWatchClient, type Dimension, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CONFIG_DEFAULTS } from '../../functions/aws/config';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../functions/aws/names';
import { ALARM_SPECS, type AlarmSpec, alarmThreshold, periodSeconds } from '../../infra/alarm-specs';
import type { EmulatorClientConfig } from './resources';

/** The emulator's name of an alarm of the spec. */
export const localAlarmName = (prefix: string, id: string) => `${prefix}-${id}`;

/** The queues the local queue alarms watch. */
export interface LocalAlarmQueues {
  readonly refreshQueueName: string;
  readonly refreshDeadLetterQueueName: string;
}

/** What an alarm of the spec watches in the emulator; undefined for the alarms that exist only in AWS. */
export function localWatch(
  spec: AlarmSpec,
  queues: LocalAlarmQueues,
): { readonly namespace: string; readonly dimension: Dimension } | undefined {
  switch (spec.source.kind) {
    case 'refresher':
      return { namespace: METRICS_NAMESPACE, dimension: { Name: 'service', Value: SERVICE_NAME } };
    case 'refreshQueue':
      return { namespace: 'AWS/SQS', dimension: { Name: 'QueueName', Value: queues.refreshQueueName } };
    case 'refreshDeadLetterQueue':
      return {
        namespace: 'AWS/SQS',
        dimension: { Name: 'QueueName', Value: queues.refreshDeadLetterQueueName },
      };
    case 'function':
    case 'deadLetterQueue':
      return undefined;
  }
}

/**
 * Creates or updates (PutMetricAlarm overwrites) every alarm the emulator can hold, at the stack's
 * default settings; returns their names.
 */
export async function ensureAlarms(
  config: EmulatorClientConfig,
  topicArn: string,
  prefix: string,
  queues: LocalAlarmQueues,
): Promise<string[]> {
  const cloudWatch = new CloudWatchClient(config);
  try {
    const names: string[] = [];
    for (const alarm of ALARM_SPECS) {
      const watch = localWatch(alarm, queues);
      if (watch === undefined) continue;
      const name = localAlarmName(prefix, alarm.id);
      await cloudWatch.send(
        new PutMetricAlarmCommand({
          AlarmName: name,
          AlarmDescription: alarm.description,
          Namespace: watch.namespace,
          MetricName: alarm.source.metric,
          Dimensions: [watch.dimension],
          Statistic: alarm.statistic,
          Period: periodSeconds(alarm),
          Threshold: alarmThreshold(alarm, CONFIG_DEFAULTS.refreshMarginSeconds),
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
