/**
 * Builds the CDK app of `cdk deploy`: the stack, named by context or DEFAULT_STACK_NAME, checked by
 * the cdk-nag AwsSolutions and Serverless packs (any unacknowledged finding fails the synth).
 * Separate from `app.ts` so tests synthesize exactly this app in-process.
 */
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { settingsFromContext } from './app-context';
import { ZohoTokenRefresherStack } from './zoho-token-refresher-stack';

export interface CreatedApp {
  readonly app: App;
  readonly stack: ZohoTokenRefresherStack;
}

/** The app with its one stack. No account or region is looked up: synth needs no credentials. */
export function createApp(props: AppProps = {}): CreatedApp {
  const app = new App(props);
  const settings = settingsFromContext(app.node);
  const stack = new ZohoTokenRefresherStack(app, settings.stackName, {
    refresher: settings.refresher,
    ...(settings.alarmTopicArn === undefined ? {} : { alarmTopicArn: settings.alarmTopicArn }),
    ...(settings.exampleConsumerConnectionId === undefined
      ? {}
      : { exampleConsumerConnectionId: settings.exampleConsumerConnectionId }),
  });
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true }),
    new ServerlessChecks(app, { verbose: true }),
  );
  return { app, stack };
}
