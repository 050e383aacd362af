/**
 * The example consumer (`functions/example-consumer/handler.ts`), deployed on request to show what a
 * consumer is granted and given: `bindConsumer` for one connection (its grant and settings) and
 * nothing more.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { acknowledgeFunction } from './nag-suppressions';
import { ProjectFunction } from './refresher-function';
import type { ZohoTokenRefresher } from './zoho-token-refresher';

export interface ExampleConsumerProps {
  readonly refresher: ZohoTokenRefresher;
  readonly connectionId: string;
}

/** The example consumer function and its grant. */
export class ExampleConsumer extends Construct {
  readonly fn: lambda.Function;

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
      // bindConsumer below sets everything the handler reads.
      environment: {},
      // Nothing to keep: an example.
      removalPolicy: RemovalPolicy.DESTROY,
      logRetention: refresher.settings.logRetention,
      tracing: refresher.settings.tracing,
    });
    this.fn = consumer.fn;
    refresher.bindConsumer(consumer.fn, props.connectionId);
    acknowledgeFunction(consumer, refresher.settings.secretPrefix, 'exampleConsumer');
  }
}
