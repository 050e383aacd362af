/**
 * cdk-nag (v3: packs are validation plugins, findings are `validateScope` violations): the
 * AwsSolutions and Serverless packs report nothing, errors or warnings, for the default stack and
 * for one with every option on; every acknowledgement carries a reason.
 */
import { Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../infra/create-app';
import { ZohoTokenRefresherStack } from '../../infra/zoho-token-refresher-stack';
import { cdkJsonContext, customerKey, TEST_ENV, testApp } from './infra-support';

const packs = () => [
  new AwsSolutionsChecks(undefined, { verbose: true }),
  new ServerlessChecks(undefined, { verbose: true }),
];

/** Every finding of both packs, as "rule at path" lines (readable when a test fails). */
function findings(scope: IConstruct): string[] {
  return packs().flatMap((pack) =>
    pack
      .validateScope(scope)
      .violations.flatMap((violation) =>
        violation.violatingResources.map(
          (r) => `${violation.severity} ${violation.ruleName} at ${r.constructPath}`,
        ),
      ),
  );
}

function acknowledgements(scope: IConstruct): { path: string; id: string; reason: string }[] {
  return scope.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id,
          reason,
        })),
      ),
  );
}

describe('cdk-nag', () => {
  let defaultStack: ZohoTokenRefresherStack;
  let fullStack: ZohoTokenRefresherStack;

  beforeAll(() => {
    // Prepare
    const app = testApp();
    const accessTokenKey = customerKey();
    defaultStack = new ZohoTokenRefresherStack(app, 'Default', { env: TEST_ENV });
    fullStack = new ZohoTokenRefresherStack(app, 'Full', {
      env: TEST_ENV,
      exampleConsumerConnectionId: 'acme-books',
      refresher: {
        // A second refresher in the same account and region: it needs an identity of its own.
        instanceName: 'full',
        tracing: lambda.Tracing.ACTIVE,
        alarmEmail: 'ops@example.com',
        connectEndpoint: true,
        allowedAccountsServers: ['https://accounts.example.com'],
        secretPrefix: 'prod/zoho',
        accessTokenKey,
      },
    });
  });

  it('finds nothing in the default stack, in either pack', () => {
    expect(findings(defaultStack)).toEqual([]);
  });

  it('finds nothing with instance name, tracing, e-mail, example consumer, custom servers, prefix and secrets key on', () => {
    expect(findings(fullStack)).toEqual([]);
  });

  it('has a written reason on every acknowledgement, and acknowledges only on resources, never the stack', () => {
    const acks = acknowledgements(fullStack);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.reason.length, `${ack.id} at ${ack.path}`).toBeGreaterThan(40);
      expect(ack.path).not.toBe(fullStack.node.path);
    }
  });

  it('still reports what is not acknowledged (the packs are live)', () => {
    // Prepare
    new sqs.Queue(defaultStack, 'Unacknowledged');
    // Act
    const found = findings(defaultStack);
    // Assess
    expect(found).toEqual([
      'error AwsSolutions-SQS3 at Default/Unacknowledged/Resource',
      'error AwsSolutions-SQS4 at Default/Unacknowledged/Resource',
      'error Serverless-SQSRedrivePolicy at Default/Unacknowledged/Resource',
    ]);
  });

  it('runs both packs when the app synthesizes, and fails the synth on a finding', () => {
    // Prepare
    const { app, stack } = createApp({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
    new sqs.Queue(stack, 'Unacknowledged');
    // Act
    let failure: unknown;
    try {
      app.synth();
    } catch (error) {
      failure = error;
    }
    // Assess
    expect(String(failure)).toMatch(/AwsSolutions::AwsSolutions-SQS3/);
    expect(String(failure)).toMatch(/Serverless::Serverless-SQSRedrivePolicy/);
  });
});
