/**
 * `zoho-tokens doctor` against a deployed stack (its outputs in the emulator's CloudFormation): it
 * must find every alarm of infra/alarm-specs.ts, including those on the functions and the
 * dead-letter queue, which only a deployed stack has; this file creates them as the stack would.
 */
import { CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALARM_SPECS, type AlarmSpec } from '../../../infra/alarm-specs';
import { OUTPUT_KEYS } from '../../../infra/output-keys';
import { runCli } from './cli-run';
import { useCliWorld } from './cli-world';

const world = useCliWorld();
const STACK = 'ZohoTokensDoctorTest';
const ON_DEMAND = 'zt-on-demand';
const SCHEDULED = 'zt-scheduled';
const DEAD_LETTERS = 'zt-dead-letters';
const savedEndpoint = process.env.AWS_ENDPOINT_URL;

const stack = (...args: string[]) => [...args, '--stack', STACK, '--region', 'us-east-1'];

beforeAll(async () => {
  // Without --aws-endpoint the CLI is in AWS mode; the SDK finds the emulator through this variable.
  process.env.AWS_ENDPOINT_URL = world.endpoint;
  const { QueueUrl } = await world.clients.sqs.send(new CreateQueueCommand({ QueueName: DEAD_LETTERS }));
  const outputs: Record<string, string> = {
    [OUTPUT_KEYS.tableName]: world.resources.tableName,
    [OUTPUT_KEYS.eventBusName]: world.resources.eventBusName,
    [OUTPUT_KEYS.refreshTokenKeyArn]: world.resources.keyArn,
    [OUTPUT_KEYS.secretPrefix]: world.resources.secretPrefix,
    [OUTPUT_KEYS.alarmTopicArn]: world.resources.alarmTopicArn,
    [OUTPUT_KEYS.scheduledFunctionName]: SCHEDULED,
    [OUTPUT_KEYS.onDemandFunctionName]: ON_DEMAND,
    [OUTPUT_KEYS.deadLetterQueueUrl]: QueueUrl ?? expect.fail('no dead-letter queue URL'),
  };
  await world.clients.cloudFormation.send(
    new CreateStackCommand({
      StackName: STACK,
      TemplateBody: JSON.stringify({
        Resources: { Placeholder: { Type: 'AWS::SQS::Queue' } },
        Outputs: Object.fromEntries(Object.entries(outputs).map(([key, value]) => [key, { Value: value }])),
      }),
    }),
  );
  await world.clients.sns.send(
    new SubscribeCommand({
      TopicArn: world.resources.alarmTopicArn,
      Protocol: 'sqs',
      Endpoint: world.resources.eventsQueueArn,
    }),
  );
});

afterAll(() => {
  if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
  else process.env.AWS_ENDPOINT_URL = savedEndpoint;
});

describe('zoho-tokens doctor against a deployed stack', () => {
  it('looks for every alarm of the stack: the functions and the dead-letter queue too', async () => {
    // Prepare: the emulator holds the refresher-metric alarms of `local init`; the stack would add these
    const deployed = (spec: AlarmSpec) => {
      const { source } = spec;
      if (source.kind === 'function') {
        const name = source.fn === 'scheduled' ? SCHEDULED : ON_DEMAND;
        return { Namespace: 'AWS/Lambda', Dimensions: [{ Name: 'FunctionName', Value: name }] };
      }
      return { Namespace: 'AWS/SQS', Dimensions: [{ Name: 'QueueName', Value: DEAD_LETTERS }] };
    };
    const before = await runCli(stack('doctor', '--json'));
    for (const spec of ALARM_SPECS.filter((candidate) => candidate.source.kind !== 'refresher')) {
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
    expect(checksOf(before).find((check) => check.name === 'alarm ScheduledRefreshErrors')).toEqual({
      name: 'alarm ScheduledRefreshErrors',
      status: 'fail',
      message: `no alarm watches the Errors of function ${SCHEDULED}`,
      fix: "deploy the stack ('npx cdk deploy') or point --stack at the one these resources belong to",
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
        "ScheduledRefreshErrors, OnDemandRefreshErrors, ScheduledRefreshThrottles, OnDemandRefreshThrottles, DeadLetterQueueNotEmpty cannot be checked: the functions and the dead-letter queue are known only from the stack's outputs",
      fix: 'pass --stack instead of --table/--bus/--key',
    });
  });
});
