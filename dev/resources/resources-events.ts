/**
 * The messaging resources of the dev CLI's `init`: the custom bus, the rules that feed SQS queues (the
 * local stand-in for the stack's Lambda targets) and the alarm topic.
 */
import {
  CreateEventBusCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-eventbridge';
import { CreateTopicCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { EmulatorClientConfig } from './resources';
import { answered, LocalResourceError, type Note } from './resources-table';

/** Finds or creates the custom event bus. */
export async function ensureEventBus(
  config: EmulatorClientConfig,
  name: string,
  note: Note,
): Promise<{ name: string; arn: string }> {
  const events = new EventBridgeClient(config);
  try {
    try {
      const bus = await events.send(new DescribeEventBusCommand({ Name: name }));
      return { name, arn: answered(bus.Arn, 'an event bus ARN') };
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
    const { EventBusArn } = await events.send(new CreateEventBusCommand({ Name: name }));
    note('event bus', name);
    return { name, arn: answered(EventBusArn, 'an event bus ARN') };
  } finally {
    events.destroy();
  }
}

/**
 * A rule on the bus whose only target is a queue. PutRule and PutTargets overwrite, so a second
 * run also repairs a pattern or target that was changed by hand.
 */
export async function ensureRuleToQueue(
  config: EmulatorClientConfig,
  busName: string,
  ruleName: string,
  queueName: string,
  pattern: object,
  note: Note,
): Promise<{ queueUrl: string; queueArn: string; ruleArn: string }> {
  const events = new EventBridgeClient(config);
  const sqs = new SQSClient(config);
  try {
    const { queueUrl, queueArn } = await ensureQueue(sqs, queueName, note);
    const ruleExisted = await ruleExists(events, busName, ruleName);
    const { RuleArn } = await events.send(
      new PutRuleCommand({
        Name: ruleName,
        EventBusName: busName,
        EventPattern: JSON.stringify(pattern),
        State: 'ENABLED',
      }),
    );
    const ruleArn = answered(RuleArn, 'a rule ARN');
    if (!ruleExisted) note('rule', ruleName);
    // The emulator ignores queue policies; AWS needs this one, so the local setup mirrors it.
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: queueUrl,
        Attributes: { Policy: queuePolicy(queueArn, ruleArn) },
      }),
    );
    const targets = await events.send(
      new PutTargetsCommand({
        Rule: ruleName,
        EventBusName: busName,
        Targets: [{ Id: 'queue', Arn: queueArn }],
      }),
    );
    if ((targets.FailedEntryCount ?? 0) > 0) {
      throw new LocalResourceError(
        `Rule '${ruleName}' refused its target: ${JSON.stringify(targets.FailedEntries)}`,
      );
    }
    return { queueUrl, queueArn, ruleArn };
  } finally {
    events.destroy();
    sqs.destroy();
  }
}

/** Finds or creates a queue (with `attributes` when it creates one); returns its URL and ARN. */
export async function ensureQueue(
  sqs: SQSClient,
  name: string,
  note: Note,
  attributes: Record<string, string> = {},
): Promise<{ queueUrl: string; queueArn: string }> {
  let queueUrl: string;
  try {
    queueUrl = answered(
      (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl,
      'a queue URL',
    );
  } catch (error) {
    if (!(error instanceof QueueDoesNotExist)) throw error;
    queueUrl = answered(
      (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl,
      'a queue URL',
    );
    note('queue', name);
  }
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  return { queueUrl, queueArn: answered(Attributes?.QueueArn, 'a queue ARN') };
}

async function ruleExists(events: EventBridgeClient, busName: string, ruleName: string): Promise<boolean> {
  try {
    await events.send(new DescribeRuleCommand({ Name: ruleName, EventBusName: busName }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}

/** Lets only this rule send to the queue. */
function queuePolicy(queueArn: string, ruleArn: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
      },
    ],
  });
}

/** CreateTopic is idempotent; the list tells whether this call created it. */
export async function ensureTopic(config: EmulatorClientConfig, name: string, note: Note): Promise<string> {
  const sns = new SNSClient(config);
  try {
    const existed = await topicExists(sns, name);
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
    if (!existed) note('topic', name);
    return answered(TopicArn, 'a topic ARN');
  } finally {
    sns.destroy();
  }
}

async function topicExists(sns: SNSClient, name: string): Promise<boolean> {
  let NextToken: string | undefined;
  do {
    const page = await sns.send(new ListTopicsCommand({ NextToken }));
    if (page.Topics?.some((topic) => topic.TopicArn?.endsWith(`:${name}`))) return true;
    NextToken = page.NextToken;
  } while (NextToken);
  return false;
}
