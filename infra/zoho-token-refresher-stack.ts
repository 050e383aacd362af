/**
 * The stack `cdk deploy` creates: one `ZohoTokenRefresher`, a managed policy for consumers outside
 * the stack, the outputs the CLI reads and, on request, the example consumer (bound with
 * `bindConsumer`, as any user's consumer would be: the construct itself builds no demo).
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { ConfigurationError } from '../functions/core/errors';
import { ExampleConsumer } from './example-consumer';
import { acknowledgeConsumerPolicy } from './nag-suppressions';
import { addRefresherOutputs } from './outputs';
import { ZohoTokenRefresher, type ZohoTokenRefresherProps } from './zoho-token-refresher';

export interface ZohoTokenRefresherStackProps extends StackProps {
  /** Passed to the construct unchanged. @default - the construct's defaults */
  readonly refresher?: ZohoTokenRefresherProps;
  /**
   * ARN of an SNS topic of yours for the alarms, imported as the refresher's `existingAlarmTopic`
   * (context `alarmTopicArn`). Not with `refresher.existingAlarmTopic`.
   * @default - the refresher's own topic
   */
  readonly alarmTopicArn?: string;
  /**
   * Deploys `functions/example-consumer/handler.ts` bound to this connection, granted only what a
   * consumer needs (context `exampleConsumer` and `exampleConsumerConnectionId`).
   * @default - no example consumer
   */
  readonly exampleConsumerConnectionId?: string;
}

/** The deployable stack. */
export class ZohoTokenRefresherStack extends Stack {
  readonly refresher: ZohoTokenRefresher;
  /** Attach to consumer Lambdas deployed elsewhere: every connection's token (see the README). */
  readonly consumerPolicy: iam.ManagedPolicy;
  readonly exampleConsumer: ExampleConsumer | undefined;

  constructor(scope: Construct, id: string, props: ZohoTokenRefresherStackProps = {}) {
    super(scope, id, {
      description: 'zoho-token-refresher: keeps Zoho OAuth access tokens fresh in Secrets Manager',
      ...props,
    });
    this.refresher = new ZohoTokenRefresher(this, 'Refresher', refresherProps(this, props));
    this.consumerPolicy = this.refresher.consumerPolicy('ConsumerPolicy');
    acknowledgeConsumerPolicy(this.consumerPolicy, this.refresher.settings.secretPrefix);
    this.exampleConsumer =
      props.exampleConsumerConnectionId === undefined
        ? undefined
        : new ExampleConsumer(this, 'ExampleConsumer', {
            refresher: this.refresher,
            connectionId: props.exampleConsumerConnectionId,
          });
    // One refresher per stack: the CLI finds it by the stack's name (--stack), under the plain keys,
    // whatever its instanceName.
    addRefresherOutputs(this, this.refresher, {
      consumerPolicy: this.consumerPolicy,
      ...(this.exampleConsumer && { exampleConsumer: this.exampleConsumer.fn }),
      keyPrefix: '',
    });
  }
}

/** The refresher's props, with the alarm topic of `alarmTopicArn` imported. */
function refresherProps(stack: Stack, props: ZohoTokenRefresherStackProps): ZohoTokenRefresherProps {
  if (props.alarmTopicArn === undefined) return props.refresher ?? {};
  if (props.refresher?.existingAlarmTopic !== undefined) {
    throw new ConfigurationError(
      'ZohoTokenRefresherStack: alarmTopicArn and refresher.existingAlarmTopic exclude each other',
    );
  }
  return {
    ...props.refresher,
    existingAlarmTopic: sns.Topic.fromTopicArn(stack, 'ExistingAlarmTopic', props.alarmTopicArn),
  };
}
