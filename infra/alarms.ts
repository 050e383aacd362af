/**
 * The alarms an operator needs, all notifying one SNS topic. Each description says what happened
 * and what to do, because it is what arrives in the e-mail.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../functions/aws/names';
import type { MetricName } from '../functions/core/ports';

const FIVE_MINUTES = Duration.minutes(5);

/** A metric the refresher emits, with the `service` dimension every data point carries. */
export function refresherMetric(
  name: MetricName,
  statistic: string,
  period: Duration = FIVE_MINUTES,
  label?: string,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: SERVICE_NAME },
    statistic,
    period,
    ...(label === undefined ? {} : { label }),
  });
}

export interface RefresherAlarmsProps {
  readonly topic: sns.ITopic;
  readonly scheduledFunction: lambda.IFunction;
  readonly onDemandFunction: lambda.IFunction;
  readonly deadLetterQueue: sqs.IQueue;
  /** The sweep's rate: the heartbeat is expected once per rate. */
  readonly scheduleRate: Duration;
}

/** The refresher's alarms. */
export class RefresherAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: RefresherAlarmsProps) {
    super(scope, id);
    const gte = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
    const notBreaching = cloudwatch.TreatMissingData.NOT_BREACHING;

    // A single transient failure is normal (the current token stays valid); failures in two of three
    // consecutive 5-minute windows are a persisting problem.
    this.#add('RefreshFailures', refresherMetric('RefreshFailed', 'Sum'), {
      threshold: 1,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: gte,
      treatMissingData: notBreaching,
      alarmDescription:
        'Zoho token refreshes keep failing. Run `zoho-tokens status` and `zoho-tokens history <id>`; the dashboard splits failures by reason.',
    });
    this.#add('ReauthorizationRequired', refresherMetric('ReauthorizationRequired', 'Sum'), {
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: gte,
      treatMissingData: notBreaching,
      alarmDescription:
        'Zoho rejected a refresh token (revoked, deleted or evicted). The connection is off the schedule until someone authorises it again: `zoho-tokens connect --id <id> ...`.',
    });
    this.#add('ExpiredTokens', refresherMetric('ExpiredTokens', 'Maximum'), {
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: gte,
      // Silence is the heartbeat alarm's job.
      treatMissingData: notBreaching,
      alarmDescription:
        'At least one active connection holds an expired access token: its consumers are failing now. Check `zoho-tokens status`.',
    });
    // Two windows in a row without a sweep (not one: EventBridge may deliver a schedule late).
    this.#add('SweepHeartbeatMissing', refresherMetric('SweepHeartbeat', 'Sum', props.scheduleRate), {
      threshold: 1,
      evaluationPeriods: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      alarmDescription:
        'The scheduled sweep has not run for two schedule periods: tokens are not being refreshed. Check the scheduled function and its rule.',
    });
    for (const [name, fn] of [
      ['ScheduledRefresh', props.scheduledFunction],
      ['OnDemandRefresh', props.onDemandFunction],
    ] as const) {
      this.#add(`${name}Errors`, fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }), {
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: gte,
        treatMissingData: notBreaching,
        alarmDescription: `The ${name} function failed (an unhandled error, a timeout or a crash). See its log group.`,
      });
    }
    // One sweep at a time: a throttle means a sweep overran into the next one.
    this.#add(
      'ScheduledRefreshThrottles',
      props.scheduledFunction.metricThrottles({ period: FIVE_MINUTES }),
      {
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: gte,
        treatMissingData: notBreaching,
        alarmDescription:
          'A sweep was throttled: the previous one was still running. Sweeps may be too slow.',
      },
    );
    // A burst of 401 reports is throttled on purpose (it protects the Zoho budget) and retried by
    // Lambda; only throttling that lasts 15 minutes is worth a page.
    this.#add('OnDemandRefreshThrottles', props.onDemandFunction.metricThrottles({ period: FIVE_MINUTES }), {
      threshold: 1,
      evaluationPeriods: 3,
      comparisonOperator: gte,
      treatMissingData: notBreaching,
      alarmDescription:
        'On-demand refreshes have been throttled for 15 minutes: consumers keep reporting rejected tokens.',
    });
    this.#add(
      'DeadLetterQueueNotEmpty',
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: FIVE_MINUTES,
        statistic: 'Maximum',
      }),
      {
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: gte,
        treatMissingData: notBreaching,
        alarmDescription:
          'An event or invocation failed for good and landed in the dead-letter queue. Read the messages, fix the cause, then purge the queue.',
      },
    );

    const action = new actions.SnsAction(props.topic);
    for (const alarm of this.alarms) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
  }

  #add(id: string, metric: cloudwatch.IMetric, options: Omit<cloudwatch.CreateAlarmOptions, 'metric'>): void {
    this.alarms.push(new cloudwatch.Alarm(this, id, { metric, ...options }));
  }
}
