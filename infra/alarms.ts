/**
 * The alarms an operator needs, all notifying one SNS topic: the CDK form of the plain lists in
 * alarm-specs.ts (which `doctor` reads too; the emulator gets them from the synthesized template)
 * and connect-alarm-specs.ts (with the connect endpoint only).
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { MetricsIdentity } from '../functions/aws/metrics-identity';
import { REASON_DIMENSION } from '../functions/aws/names';
import {
  ALARM_SPECS,
  type AlarmSpec,
  alarmThreshold,
  periodSeconds,
  type RefresherFunction,
} from './alarm-specs';
import { CONNECT_ALARM_SPECS, type ConnectAlarmSpec } from './connect-alarm-specs';
import { refresherMetric, refresherMetrics } from './refresher-metrics';

export interface RefresherAlarmsProps {
  readonly topic: sns.ITopic;
  /** The instance whose refresher metrics the alarms watch. */
  readonly metrics: MetricsIdentity;
  readonly functions: Readonly<Record<RefresherFunction, lambda.IFunction>>;
  readonly deadLetterQueue: sqs.IQueue;
  readonly refreshQueue: sqs.IQueue;
  readonly refreshDeadLetterQueue: sqs.IQueue;
  /** The stack's refresh margin: the refresh queue's backlog may not grow older. */
  readonly refreshMarginSeconds: number;
  /** The connect endpoint's function: its alarms (CONNECT_ALARM_SPECS) join the others. @default none */
  readonly connectFunction?: lambda.IFunction;
}

/**
 * The refresher's alarms, one per entry of ALARM_SPECS, and of CONNECT_ALARM_SPECS with a connect
 * function, under the spec's id.
 */
export class RefresherAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly #action: actions.SnsAction;
  readonly #refreshMarginSeconds: number;

  constructor(scope: Construct, id: string, props: RefresherAlarmsProps) {
    super(scope, id);
    this.#action = new actions.SnsAction(props.topic);
    this.#refreshMarginSeconds = props.refreshMarginSeconds;
    for (const spec of ALARM_SPECS) this.#add(spec, metricOf(spec, props));
    const { connectFunction } = props;
    if (connectFunction === undefined) return;
    for (const spec of CONNECT_ALARM_SPECS) {
      this.#add(spec, connectMetricOf(spec, connectFunction, props.metrics));
    }
  }

  #add(spec: Omit<AlarmSpec, 'source'>, metric: cloudwatch.IMetric): void {
    const alarm = new cloudwatch.Alarm(this, spec.id, {
      metric,
      threshold: alarmThreshold(spec, this.#refreshMarginSeconds),
      evaluationPeriods: spec.evaluationPeriods,
      ...(spec.datapointsToAlarm === undefined ? {} : { datapointsToAlarm: spec.datapointsToAlarm }),
      comparisonOperator: COMPARISONS[spec.comparison],
      treatMissingData: MISSING_DATA[spec.treatMissingData],
      alarmDescription: spec.description,
    });
    alarm.addAlarmAction(this.#action);
    alarm.addOkAction(this.#action);
    this.alarms.push(alarm);
  }
}

const COMPARISONS: Record<AlarmSpec['comparison'], cloudwatch.ComparisonOperator> = {
  GreaterThanOrEqualToThreshold: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  LessThanThreshold: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
};

const MISSING_DATA: Record<AlarmSpec['treatMissingData'], cloudwatch.TreatMissingData> = {
  breaching: cloudwatch.TreatMissingData.BREACHING,
  notBreaching: cloudwatch.TreatMissingData.NOT_BREACHING,
  ignore: cloudwatch.TreatMissingData.IGNORE,
};

/** The CDK metric an alarm spec watches, with its statistic and period. */
function metricOf(spec: AlarmSpec, props: RefresherAlarmsProps): cloudwatch.IMetric {
  const period = Duration.seconds(periodSeconds(spec));
  const options = { period, statistic: spec.statistic };
  const { source } = spec;
  switch (source.kind) {
    case 'refresher':
      return refresherMetrics(props.metrics)(source.metric, spec.statistic, period);
    case 'function': {
      const fn = props.functions[source.fn];
      return source.metric === 'Errors' ? fn.metricErrors(options) : fn.metricThrottles(options);
    }
    case 'deadLetterQueue':
      return props.deadLetterQueue.metricApproximateNumberOfMessagesVisible(options);
    case 'refreshQueue':
      return props.refreshQueue.metricApproximateAgeOfOldestMessage(options);
    case 'refreshDeadLetterQueue':
      return props.refreshDeadLetterQueue.metricApproximateNumberOfMessagesVisible(options);
  }
}

/**
 * The CDK metric a connect alarm watches. The failures are a sum over their reasons: each
 * `ConnectLinkFailed` data point is stored once per `reason` (and once without), and only the
 * endpoint's own failures count.
 */
function connectMetricOf(
  spec: ConnectAlarmSpec,
  fn: lambda.IFunction,
  identity: MetricsIdentity,
): cloudwatch.IMetric {
  const period = Duration.seconds(periodSeconds(spec));
  const { source } = spec;
  if (source.kind === 'connectFunction') {
    const options = { period, statistic: spec.statistic };
    return source.metric === 'Errors' ? fn.metricErrors(options) : fn.metricThrottles(options);
  }
  const usingMetrics = Object.fromEntries(
    source.reasons.map((reason) => [
      reason,
      refresherMetric(identity, source.metric, {
        statistic: spec.statistic,
        period,
        dimensionsMap: { [REASON_DIMENSION]: reason },
      }),
    ]),
  );
  return new cloudwatch.MathExpression({
    expression: `SUM([${source.reasons.join(', ')}])`,
    usingMetrics,
    label: `${source.metric} (${source.reasons.join(', ')})`,
    period,
  });
}
