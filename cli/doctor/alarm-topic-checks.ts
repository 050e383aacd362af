/** Doctor checks of the alarm topic: whether anyone hears it. */
import { ListSubscriptionsByTopicCommand, ListTopicsCommand } from '@aws-sdk/client-sns';
import type { AwsTarget, TargetClients } from '../aws-target';
import { type Check, fail, ok, warn } from './check';

/**
 * Whether anyone hears the alarm topic. An emulator never sends mail, so there a topic without a
 * subscriber is a warning (a deployed stack needs one); in AWS it is a failure.
 */
export async function subscriberCheck(
  target: AwsTarget,
  clients: TargetClients,
  topicArn: string,
): Promise<Check> {
  let confirmed = 0;
  let pending = 0;
  let NextToken: string | undefined;
  do {
    const page = await clients.sns.send(
      new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken }),
    );
    for (const subscription of page.Subscriptions ?? []) {
      if (subscription.SubscriptionArn === 'PendingConfirmation') pending += 1;
      else if (subscription.SubscriptionArn?.startsWith('arn:')) confirmed += 1;
    }
    NextToken = page.NextToken;
  } while (NextToken);
  const subscribe = `subscribe someone: aws sns subscribe --topic-arn ${topicArn} --protocol email --notification-endpoint you@example.com (or deploy with the alarmEmail property)`;
  if (confirmed > 0) return ok('alarm subscribers', `alarm topic has ${confirmed} confirmed subscriber(s)`);
  if (pending > 0) {
    return warn(
      'alarm subscribers',
      `alarm topic has ${pending} subscription(s) waiting for confirmation`,
      'click the link in the confirmation e-mail',
    );
  }
  if (target.local) {
    return warn(
      'alarm subscribers',
      `nobody would be notified when an alarm fires (topic ${topicArn} has no subscriber); the emulator sends no mail, so this matters only in AWS`,
      'in AWS, deploy with the alarmEmail property or subscribe someone to the alarm topic',
    );
  }
  return fail(
    'alarm subscribers',
    `nobody is notified when an alarm fires (topic ${topicArn} has no subscriber)`,
    subscribe,
  );
}

/** The ARN of the topic named `name`, if there is one. */
export async function findTopic(clients: TargetClients, name: string): Promise<string | undefined> {
  let NextToken: string | undefined;
  do {
    const page = await clients.sns.send(new ListTopicsCommand({ NextToken }));
    const found = page.Topics?.find((topic) => topic.TopicArn?.endsWith(`:${name}`));
    if (found?.TopicArn !== undefined) return found.TopicArn;
    NextToken = page.NextToken;
  } while (NextToken);
  return undefined;
}
