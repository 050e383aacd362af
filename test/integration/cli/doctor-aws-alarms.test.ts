/**
 * `zoho-tokens doctor` against a deployed stack (its outputs in the emulator's CloudFormation): it
 * must find every alarm of infra/alarm-specs.ts, including those on the functions and the
 * dead-letter queue, which only a deployed stack has; this file creates them as the stack would.
 */
import { PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALARM_SPECS, type AlarmSpec } from '../../../infra/alarm-specs';
import { OUTPUT_KEYS } from '../../../infra/output-keys';
import { runCli } from './cli-run';
import { useCliWorld } from './cli-world';
import { deployStack, ON_DEMAND, OPERATOR, PLANNER, WORKER } from './deployed-stack';

const world = useCliWorld();
const STACK = 'ZohoTokensDoctorTest';
const DEAD_LETTERS = 'zt-dead-letters';
let restoreEndpoint = () => {};

const stack = (...args: string[]) => [...args, '--stack', STACK, '--region', 'us-east-1'];

beforeAll(async () => {
  const { QueueUrl } = await world.clients.sqs.send(new CreateQueueCommand({ QueueName: DEAD_LETTERS }));
  restoreEndpoint = await deployStack(world, STACK, {
    [OUTPUT_KEYS.deadLetterQueueUrl]: QueueUrl ?? expect.fail('no dead-letter queue URL'),
  });
});

afterAll(() => restoreEndpoint());

describe('zoho-tokens doctor against a deployed stack', () => {
  it('looks for every alarm of the stack: the functions and the dead-letter queue too', async () => {
    // Prepare: the emulator holds the alarms of the dev CLI's `init` (the refresher's metrics and the refresh
    // queues'); the stack would add those on the functions and the bus's dead-letter queue
    const deployed = (spec: AlarmSpec) => {
      const { source } = spec;
      if (source.kind === 'function') {
        const name = { planner: PLANNER, refreshWorker: WORKER, onDemand: ON_DEMAND, operator: OPERATOR }[
          source.fn
        ];
        return { Namespace: 'AWS/Lambda', Dimensions: [{ Name: 'FunctionName', Value: name }] };
      }
      return { Namespace: 'AWS/SQS', Dimensions: [{ Name: 'QueueName', Value: DEAD_LETTERS }] };
    };
    const before = await runCli(stack('doctor', '--json'));
    const awsOnly = ALARM_SPECS.filter(
      (candidate) => candidate.source.kind === 'function' || candidate.source.kind === 'deadLetterQueue',
    );
    for (const spec of awsOnly) {
      await world.clients.cloudWatch.send(
        new PutMetricAlarmCommand({
          AlarmName: `${STACK}-${spec.id}`,
          ...deployed(spec),
          MetricName: spec.source.metric,
          Statistic: spec.statistic,
          Period: 300,
          Threshold: spec.threshold,
          EvaluationPeriods: spec.evaluationPeriods,
          ComparisonOperator: spec.comparison,
          TreatMissingData: spec.treatMissingData,
          AlarmActions: [world.resources.alarmTopicArn],
        }),
      );
    }

    // Act
    const after = await runCli(stack('doctor', '--json'));
    const byFlags = await runCli([
      'doctor',
      '--json',
      '--region',
      'us-east-1',
      '--table',
      world.resources.tableName,
      '--bus',
      world.resources.eventBusName,
      '--key',
      world.resources.keyArn,
    ]);

    // Assess
    const checksOf = (result: typeof before) =>
      result.json<{ checks: Array<{ name: string; status: string; message: string; fix?: string }> }>()
        .checks;
    expect(checksOf(before).find((check) => check.name === 'alarm PlannerErrors')).toEqual({
      name: 'alarm PlannerErrors',
      status: 'fail',
      message: `no alarm watches the Errors of function ${PLANNER}`,
      fix: "deploy the stack ('npx cdk deploy') or point --stack at the one these resources belong to",
    });
    expect(checksOf(before).find((check) => check.name === 'alarm OperatorThrottles')?.message).toBe(
      `no alarm watches the Throttles of function ${OPERATOR}`,
    );
    expect(checksOf(before).find((check) => check.name === 'alarm RefreshWorkerErrors')?.message).toBe(
      `no alarm watches the Errors of function ${WORKER}`,
    );
    // The stack's refresh queues (here init's) and their alarms are named by its outputs.
    expect(checksOf(before).find((check) => check.name === 'alarm RefreshBacklogAge')).toMatchObject({
      status: 'ok',
      message: `alarm zoho-token-refresher-RefreshBacklogAge watches ApproximateAgeOfOldestMessage`,
    });
    expect(checksOf(before).find((check) => check.name === 'alarm DeadLetterQueueNotEmpty')?.message).toBe(
      `no alarm watches the depth of queue ${DEAD_LETTERS}`,
    );
    const alarmVerdicts = Object.fromEntries(
      checksOf(after)
        .filter((check) => check.name.startsWith('alarm'))
        .map((check) => [check.name, check.status]),
    );
    expect(alarmVerdicts).toEqual({
      ...Object.fromEntries(ALARM_SPECS.map((spec) => [`alarm ${spec.id}`, 'ok'])),
      'alarm subscribers': 'ok',
    });
    expect(checksOf(byFlags).find((check) => check.name === 'alarms of the functions')).toEqual({
      name: 'alarms of the functions',
      status: 'warn',
      message:
        "RefreshBacklogAge, PlannerErrors, RefreshWorkerErrors, PlannerThrottles, OnDemandRefreshErrors, OnDemandRefreshThrottles, DeadLetterQueueNotEmpty, RefreshDeadLetterQueueNotEmpty, OperatorErrors, OperatorThrottles cannot be checked: the functions and the queues are known only from the stack's outputs",
      fix: 'pass --stack instead of --table/--bus/--key',
    });
  });

  it('fails an alarm topic nobody subscribed to: in AWS, unlike the emulator, it would send mail', async () => {
    // Prepare: a second stack whose alarm topic has no subscriber
    const { TopicArn } = await world.clients.sns.send(new CreateTopicCommand({ Name: 'zt-unheard-alarms' }));
    const topicArn = TopicArn ?? expect.fail('no topic ARN');
    const restore = await deployStack(world, 'ZohoTokensUnheard', { [OUTPUT_KEYS.alarmTopicArn]: topicArn });

    // Act
    let result: Awaited<ReturnType<typeof runCli>>;
    try {
      result = await runCli(['doctor', '--json', '--stack', 'ZohoTokensUnheard', '--region', 'us-east-1']);
    } finally {
      restore();
    }

    // Assess
    expect(result.code).toBe(1);
    const { checks } = result.json<{ checks: Array<{ name: string; status: string; message: string }> }>();
    expect(checks.find((check) => check.message.includes(topicArn))).toEqual({
      name: 'alarm subscribers',
      status: 'fail',
      message: `nobody is notified when an alarm fires (topic ${topicArn} has no subscriber)`,
      fix: `subscribe someone: aws sns subscribe --topic-arn ${topicArn} --protocol email --notification-endpoint you@example.com (or deploy with the alarmEmail property)`,
    });
  });
});
