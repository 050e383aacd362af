/**
 * The example consumer (`functions/example-consumer/handler.ts`), deployed on request to show what a
 * consumer is granted: `grantReadToken` for one connection and nothing more.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { ENV } from '../functions/aws/names';
import { acknowledgeFunction } from './nag-suppressions';
import { ProjectFunction } from './refresher-function';
import type { ZohoTokenRefresher } from './zoho-token-refresher';

/** The example handler reads this variable (it is the consumer's own setting, not the refresher's). */
export const EXAMPLE_CONNECTION_ID_ENV = 'CONNECTION_ID';

export interface ExampleConsumerProps {
  readonly refresher: ZohoTokenRefresher;
  readonly connectionId: string;
}

/** The example consumer function and its grant. */
export class ExampleConsumer extends Construct {
  readonly fn: nodejs.NodejsFunction;

  constructor(scope: Construct, id: string, props: ExampleConsumerProps) {
    super(scope, id);
    const { refresher } = props;
    const consumer = new ProjectFunction(this, 'Consumer', {
      handlerName: 'example-consumer',
      description: `zoho-token-refresher: example consumer of connection ${props.connectionId}`,
      // One Zoho Books call per invocation: the smallest useful size and a generous timeout.
      memorySize: 256,
      timeout: Duration.seconds(30),
      // Invoked by hand; a cap keeps a loop or a test run from spending Zoho's API quota.
      reservedConcurrentExecutions: 2,
      environment: {
        [EXAMPLE_CONNECTION_ID_ENV]: props.connectionId,
        [ENV.secretPrefix]: refresher.settings.secretPrefix,
        [ENV.eventBusName]: refresher.eventBus.eventBusName,
      },
      // Nothing to keep: an example.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.fn = consumer.fn;
    refresher.grantReadToken(consumer.role, props.connectionId);
    acknowledgeFunction(consumer, refresher.settings.secretPrefix, 'exampleConsumer');
  }
}
