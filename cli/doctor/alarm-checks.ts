/**
 * Doctor checks of the alarms: every alarm of infra/alarm-specs.ts exists (found by what it
 * watches, since the stack's alarm names are generated), matches its definition and notifies a
 * topic that has a subscriber. An emulator holds only the alarms on the refresher's own metrics.
 */
import { DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { LOCAL_DEFAULTS, METRICS_NAMESPACE, SERVICE_NAME } from '../../functions/aws/names';
import { ALARM_SPECS, type AlarmSpec } from '../../infra/alarm-specs';
import type { AwsTarget, TargetClients, TargetNames } from '../aws-target';
import { localRefreshQueueUrls } from '../refresh-queue';
import { findTopic, subscriberCheck } from './alarm-topic-checks';
import { type Check, fail, ok, warn } from './check';

/** What an alarm of the spec watches, as DescribeAlarms reports it. */
export interface Watched {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimension: { readonly name: string; readonly value: string };
  /** In words, for a verdict. */
  readonly label: string;
}

/** How to put a missing or different alarm back. */
const fixAlarms = (target: AwsTarget) =>
  target.local
    ? "run 'npm run local -- init --aws-endpoint …' again"
    : "deploy the stack ('npx cdk deploy') or point --stack at the one these resources belong to";

export async function alarmChecks(target: AwsTarget, clients: TargetClients): Promise<Check[]> {
  const alarms = await describeAllAlarms(clients);
  const checks: Check[] = [];
  const topics = new Set<string>(
    target.names.alarmTopicArn === undefined ? [] : [target.names.alarmTopicArn],
  );
  const awsOnly: string[] = [];
  const unknown: string[] = [];
  // In an emulator the queues are `init`'s, found by name; in AWS the stack names them.
  const names = { ...target.names, ...(target.local && (await localRefreshQueueUrls(target, clients.sqs))) };
  for (const spec of ALARM_SPECS) {
    if (target.local && spec.source.kind === 'function') {
      awsOnly.push(spec.id);
      continue;
    }
    const watched = watchedBy(spec, names);
    if (watched === undefined) {
      unknown.push(spec.id);
      continue;
    }
    const name = `alarm ${spec.id}`;
    const alarm = alarms.find((candidate) => watches(candidate, watched));
    if (alarm === undefined) {
      checks.push(fail(name, `no alarm watches ${watched.label}`, fixAlarms(target)));
      continue;
    }
    const actions = (alarm.AlarmActions ?? []).filter((arn) => /^arn:[^:]+:sns:/.test(arn));
    for (const arn of actions) topics.add(arn);
    const differences = differencesFrom(spec, alarm);
    if (actions.length === 0) {
      checks.push(
        fail(name, `alarm ${alarm.AlarmName} notifies nobody`, 'give it the alarm topic as alarm action'),
      );
    } else if (differences.length > 0) {
      checks.push(
        warn(
          name,
          `alarm ${alarm.AlarmName} differs from its definition: ${differences.join('; ')}`,
          fixAlarms(target),
        ),
      );
    } else {
      checks.push(ok(name, `alarm ${alarm.AlarmName} watches ${watched.metricName}`));
    }
  }
  if (awsOnly.length > 0) {
    checks.push(
      ok(
        'alarms in AWS only',
        `not checked: the emulator runs no functions, so the ${awsOnly.length} alarms on them (${awsOnly.join(', ')}) exist only in a deployed stack`,
      ),
    );
  }
  if (unknown.length > 0) {
    checks.push(
      target.local
        ? warn(
            'alarms of the queues',
            `${unknown.join(', ')} cannot be checked: the emulator has no refresh queue`,
            fixAlarms(target),
          )
        : warn(
            'alarms of the functions',
            `${unknown.join(', ')} cannot be checked: the functions and the queues are known only from the stack's outputs`,
            'pass --stack instead of --table/--bus/--key',
          ),
    );
  }
  if (topics.size === 0 && target.local) {
    const local = await findTopic(clients, LOCAL_DEFAULTS.alarmTopicName);
    if (local !== undefined) topics.add(local);
  }
  if (topics.size === 0) {
    checks.push(fail('alarm topic', 'no alarm topic found', fixAlarms(target)));
  }
  for (const topicArn of topics) checks.push(await subscriberCheck(target, clients, topicArn));
  return checks;
}

/** What the alarm of `spec` watches in this target; undefined when the resource's name is unknown. */
/** What the alarm of `spec` watches in the target `names` describe; undefined when it has no such resource. */
export function watchedBy(spec: AlarmSpec, names: TargetNames): Watched | undefined {
  const { source } = spec;
  switch (source.kind) {
    case 'refresher':
      // A named instance publishes under its own service (and maybe namespace): its stack says which.
      return {
        namespace: names.metricsNamespace ?? METRICS_NAMESPACE,
        metricName: source.metric,
        dimension: { name: 'service', value: names.metricsService ?? SERVICE_NAME },
        label: `the ${source.metric} metric`,
      };
    case 'function': {
      const functionName = {
        planner: names.plannerFunctionName,
        refreshWorker: names.refreshWorkerFunctionName,
        onDemand: names.onDemandFunctionName,
        operator: names.operatorFunctionName,
      }[source.fn];
      return functionName === undefined
        ? undefined
        : {
            namespace: 'AWS/Lambda',
            metricName: source.metric,
            dimension: { name: 'FunctionName', value: functionName },
            label: `the ${source.metric} of function ${functionName}`,
          };
    }
    case 'refreshQueue':
    case 'refreshDeadLetterQueue': {
      const url = source.kind === 'refreshQueue' ? names.refreshQueueUrl : names.refreshDeadLetterQueueUrl;
      const queueName = url?.split('/').pop();
      return queueName === undefined || queueName === ''
        ? undefined
        : {
            namespace: 'AWS/SQS',
            metricName: source.metric,
            dimension: { name: 'QueueName', value: queueName },
            label: `the ${source.metric} of queue ${queueName}`,
          };
    }
    case 'deadLetterQueue': {
      const queueName = names.deadLetterQueueUrl?.split('/').pop();
      return queueName === undefined || queueName === ''
        ? undefined
        : {
            namespace: 'AWS/SQS',
            metricName: source.metric,
            dimension: { name: 'QueueName', value: queueName },
            label: `the depth of queue ${queueName}`,
          };
    }
  }
}

function watches(alarm: MetricAlarm, watched: Watched): boolean {
  return (
    alarm.Namespace === watched.namespace &&
    alarm.MetricName === watched.metricName &&
    (alarm.Dimensions ?? []).some(
      (dimension) => dimension.Name === watched.dimension.name && dimension.Value === watched.dimension.value,
    )
  );
}

/** The settings in which a found alarm departs from its spec (the period depends on the stack's rate). */
function differencesFrom(spec: AlarmSpec, alarm: MetricAlarm): string[] {
  const expected: [string, unknown, unknown][] = [
    ['statistic', alarm.Statistic, spec.statistic],
    // A threshold that is the stack's refresh margin is whatever the stack was deployed with.
    ['threshold', alarm.Threshold, spec.thresholdIsRefreshMargin ? alarm.Threshold : spec.threshold],
    ['comparison', alarm.ComparisonOperator, spec.comparison],
    ['evaluation periods', alarm.EvaluationPeriods, spec.evaluationPeriods],
    [
      'datapoints to alarm',
      alarm.DatapointsToAlarm ?? alarm.EvaluationPeriods,
      spec.datapointsToAlarm ?? spec.evaluationPeriods,
    ],
    ['missing data', alarm.TreatMissingData ?? 'missing', spec.treatMissingData],
  ];
  return expected
    .filter(([, actual, wanted]) => actual !== wanted)
    .map(([setting, actual, wanted]) => `${setting} is ${String(actual)}, expected ${String(wanted)}`);
}

async function describeAllAlarms(clients: TargetClients): Promise<MetricAlarm[]> {
  const alarms: MetricAlarm[] = [];
  let NextToken: string | undefined;
  do {
    const page = await clients.cloudWatch.send(new DescribeAlarmsCommand({ NextToken }));
    alarms.push(...(page.MetricAlarms ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return alarms;
}
