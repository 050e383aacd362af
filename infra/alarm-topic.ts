/**
 * The SNS topic every alarm notifies: the team's own (`existingAlarmTopic`), or one of the
 * refresher's, encrypted with a key of its own. Not the refresh-token key: CloudWatch must be able
 * to decrypt on this one, and no principal but the refreshers may ever decrypt with that one.
 */
import { ArnFormat, Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { acknowledgeEmailSubscription } from './nag-suppressions';

export interface AlarmTopicProps {
  /** Subscribed by e-mail when given. */
  readonly email: string | undefined;
  readonly removalPolicy: RemovalPolicy;
}

/** The alarm topic and its key. */
export class AlarmTopic extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const fromOurAlarms = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: {
        'aws:SourceArn': stack.formatArn({
          service: 'cloudwatch',
          resource: 'alarm',
          resourceName: '*',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    };
    this.key = new kms.Key(this, 'Key', {
      description: 'zoho-token-refresher: encrypts the alarm topic',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
      pendingWindow: Duration.days(30),
    });
    // CloudWatch publishes the alarm; publishing to an encrypted topic needs the key.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: fromOurAlarms,
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'Zoho token refresher alarms',
      masterKey: this.key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: fromOurAlarms,
      }),
    );
    if (props.email !== undefined) {
      const subscription = new sns.Subscription(this, 'Email', {
        topic: this.topic,
        protocol: sns.SubscriptionProtocol.EMAIL,
        endpoint: props.email,
      });
      acknowledgeEmailSubscription(subscription);
    }
  }
}

/** Where the alarms go: the topic, and its key when the refresher made both. */
export interface AlarmRouting {
  readonly topic: sns.ITopic;
  /** undefined for an existing topic: its encryption is its owner's business. */
  readonly key: kms.IKey | undefined;
}

export interface AlarmRoutingProps extends AlarmTopicProps {
  readonly existingTopic: sns.ITopic | undefined;
}

/** The existing topic as is (no resource made), or a new {@link AlarmTopic} under `id`. */
export function alarmRouting(scope: Construct, id: string, props: AlarmRoutingProps): AlarmRouting {
  if (props.existingTopic !== undefined) return { topic: props.existingTopic, key: undefined };
  const { topic, key } = new AlarmTopic(scope, id, {
    email: props.email,
    removalPolicy: props.removalPolicy,
  });
  return { topic, key };
}
