/**
 * A "deployed stack" for the CLI's AWS mode: its outputs in the emulator's CloudFormation, a
 * subscriber on the alarm topic, and AWS_ENDPOINT_URL pointing the SDK at the emulator (without
 * --aws-endpoint the CLI is in AWS mode). Lambda is the one service the tests mock themselves.
 */
import { CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { SubscribeCommand } from '@aws-sdk/client-sns';
import { OUTPUT_KEYS } from '../../../infra/output-keys';
import type { CliWorld } from './cli-world';

export const ON_DEMAND = 'zt-on-demand';
export const PLANNER = 'zt-planner';
export const WORKER = 'zt-refresh-worker';
export const OPERATOR = 'zt-operator';

/**
 * Creates the stack; returns what restores AWS_ENDPOINT_URL (call it in afterAll). `without`: outputs
 * an older version of the stack did not have.
 */
export async function deployStack(
  world: CliWorld,
  stackName: string,
  extraOutputs: Record<string, string> = {},
  without: readonly string[] = [],
): Promise<() => void> {
  const savedEndpoint = process.env.AWS_ENDPOINT_URL;
  process.env.AWS_ENDPOINT_URL = world.endpoint;
  const outputs: Record<string, string> = {
    [OUTPUT_KEYS.tableName]: world.resources.tableName,
    [OUTPUT_KEYS.eventBusName]: world.resources.eventBusName,
    [OUTPUT_KEYS.refreshTokenKeyArn]: world.resources.keyArn,
    [OUTPUT_KEYS.secretPrefix]: world.resources.secretPrefix,
    [OUTPUT_KEYS.alarmTopicArn]: world.resources.alarmTopicArn,
    [OUTPUT_KEYS.plannerFunctionName]: PLANNER,
    [OUTPUT_KEYS.refreshWorkerFunctionName]: WORKER,
    // The queues of the dev CLI's `init` stand in for the stack's.
    [OUTPUT_KEYS.refreshQueueUrl]: world.resources.refreshQueueUrl,
    [OUTPUT_KEYS.refreshDeadLetterQueueUrl]: world.resources.refreshDeadLetterQueueUrl,
    [OUTPUT_KEYS.onDemandFunctionName]: ON_DEMAND,
    [OUTPUT_KEYS.operatorFunctionName]: OPERATOR,
    ...extraOutputs,
  };
  for (const key of without) delete outputs[key];
  await world.clients.cloudFormation.send(
    new CreateStackCommand({
      StackName: stackName,
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
  return () => {
    if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
    else process.env.AWS_ENDPOINT_URL = savedEndpoint;
  };
}
