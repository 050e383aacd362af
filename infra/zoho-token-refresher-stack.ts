/**
 * The stack `cdk deploy` creates: one `ZohoTokenRefresher`, a managed policy for consumers outside
 * the stack, and the outputs the CLI reads.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { acknowledgeConsumerPolicy } from './nag-suppressions';
import { addRefresherOutputs } from './outputs';
import { ZohoTokenRefresher, type ZohoTokenRefresherProps } from './zoho-token-refresher';

export interface ZohoTokenRefresherStackProps extends StackProps {
  /** Passed to the construct unchanged. @default - the construct's defaults */
  readonly refresher?: ZohoTokenRefresherProps;
}

/** The deployable stack. */
export class ZohoTokenRefresherStack extends Stack {
  readonly refresher: ZohoTokenRefresher;
  /** Attach to consumer Lambdas deployed elsewhere: every connection's token (see the README). */
  readonly consumerPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: ZohoTokenRefresherStackProps = {}) {
    super(scope, id, {
      description: 'zoho-token-refresher: keeps Zoho OAuth access tokens fresh in Secrets Manager',
      ...props,
    });
    this.refresher = new ZohoTokenRefresher(this, 'Refresher', props.refresher);
    this.consumerPolicy = this.refresher.consumerPolicy('ConsumerPolicy');
    acknowledgeConsumerPolicy(this.consumerPolicy, this.refresher.settings.secretPrefix);
    addRefresherOutputs(this, this.refresher, { consumerPolicy: this.consumerPolicy });
  }
}
