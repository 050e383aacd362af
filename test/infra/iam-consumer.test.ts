/**
 * What a consumer is granted (exactly), and that no principal but the three refresher roles can
 * ever decrypt a refresh token.
 */
import { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ZohoTokenRefresher } from '../../infra/zoho-token-refresher';
import { ZohoTokenRefresherStack } from '../../infra/zoho-token-refresher-stack';
import {
  ALL_TOKENS,
  ARN_PREFIX,
  arnOf,
  CONTEXT_PRESENT,
  customerKey,
  logicalId,
  refresherStack,
  roleStatements,
  SECRETS_KEY_ARN,
  SECRETS_VIA,
  TEST_ENV,
  templateOf,
  testApp,
} from './infra-support';

describe('a consumer grant', () => {
  const consumer = (refresher: ZohoTokenRefresher) => {
    const role = new iam.Role(Stack.of(refresher), 'ConsumerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    refresher.grantReadToken(role, 'acme-books');
    return role;
  };
  const readOne = {
    Effect: 'Allow',
    Action: 'secretsmanager:GetSecretValue',
    Resource: `${ARN_PREFIX}zoho-token-refresher/acme-books/access-token-??????`,
  };
  const report = (refresher: ZohoTokenRefresher) => ({
    Effect: 'Allow',
    Action: 'events:PutEvents',
    Resource: arnOf(refresher.eventBus),
    Condition: {
      StringEquals: {
        'events:detail-type': 'Zoho Token Rejected',
        'events:source': 'zoho-token-refresher.consumer.acme-books',
      },
    },
  });
  const reportAny = (refresher: ZohoTokenRefresher) => ({
    Effect: 'Allow',
    Action: 'events:PutEvents',
    Resource: arnOf(refresher.eventBus),
    Condition: {
      StringEquals: { 'events:detail-type': 'Zoho Token Rejected' },
      StringLike: { 'events:source': 'zoho-token-refresher.consumer.*' },
    },
  });

  it("is GetSecretValue on its one secret and PutEvents of reports under its connection's source, nothing else", () => {
    // Prepare
    const { stack, refresher } = refresherStack();
    // Act
    const role = consumer(refresher);
    // Assess
    expect(roleStatements(templateOf(stack), role)).toEqual([readOne, report(refresher)]);
  });

  it('adds kms:Decrypt on the customer key, via Secrets Manager, for that secret only', () => {
    // Prepare
    const { stack, refresher } = refresherStack({ accessTokenKey: customerKey() });
    // Act
    const role = consumer(refresher);
    // Assess
    expect(roleStatements(templateOf(stack), role)).toEqual([
      readOne,
      {
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: SECRETS_KEY_ARN,
        Condition: {
          StringEquals: SECRETS_VIA,
          StringLike: { 'kms:EncryptionContext:SecretARN': readOne.Resource },
        },
      },
      report(refresher),
    ]);
  });

  it('the stack consumer policy covers every connection under the prefix, nothing else', () => {
    // Prepare
    const stack = new ZohoTokenRefresherStack(testApp(), 'Stack', { env: TEST_ENV });
    // Act
    const template = templateOf(stack);
    // Assess
    const policy = template.toJSON().Resources[logicalId(stack.consumerPolicy)];
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: ALL_TOKENS },
      reportAny(stack.refresher),
    ]);
  });
});

const DECRYPTING = [
  /^kms:\*$/,
  /^kms:Decrypt$/,
  /^kms:ReEncrypt/,
  /^kms:CreateGrant$/,
  /^kms:De\*$/,
  /^kms:Re\*$/,
  /^kms:Cr.*\*$/,
  /^\*$/,
];
const canDecrypt = (action: string) => DECRYPTING.some((pattern) => pattern.test(action));
const actionsOf = (statement: { Action: string | string[] }) => [statement.Action].flat();

describe('the refresh-token key', () => {
  let template: Template;
  let refresher: ZohoTokenRefresher;
  let keyId: string;

  beforeAll(() => {
    // Every optional principal present (example consumer, customer secrets key, e-mail).
    const stack = new ZohoTokenRefresherStack(testApp(), 'Keys', {
      env: TEST_ENV,
      exampleConsumerConnectionId: 'acme-books',
      refresher: { accessTokenKey: customerKey(), alarmEmail: 'ops@example.com' },
    });
    ({ refresher } = stack);
    template = templateOf(stack);
    keyId = logicalId(refresher.refreshTokenKey);
  });

  it('lets exactly the three refreshing roles decrypt (never the planner), and only with the connection context', () => {
    const key = template.toJSON().Resources[keyId];
    const decrypting = (
      key.Properties.KeyPolicy.Statement as {
        Action: string | string[];
        Principal: unknown;
        Condition?: unknown;
      }[]
    ).filter((statement) => actionsOf(statement).some(canDecrypt));
    expect(decrypting).toEqual([
      expect.objectContaining({
        Principal: { AWS: arnOf(refresher.refreshWorkerFunction.role as iam.IRole) },
        Action: 'kms:Decrypt',
        Condition: CONTEXT_PRESENT,
      }),
      expect.objectContaining({
        Principal: { AWS: arnOf(refresher.onDemandFunction.role as iam.IRole) },
        Action: 'kms:Decrypt',
        Condition: CONTEXT_PRESENT,
      }),
      expect.objectContaining({
        Principal: { AWS: arnOf(refresher.operatorFunction.role as iam.IRole) },
        Action: 'kms:Decrypt',
        Condition: CONTEXT_PRESENT,
      }),
    ]);
  });

  it('rotates and gives the account administration and Encrypt, never Decrypt', () => {
    const key = template.toJSON().Resources[keyId];
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const forAccount = (
      key.Properties.KeyPolicy.Statement as { Sid: string; Action: string | string[] }[]
    ).filter((s) => ['KeyAdministration', 'OperatorsEncryptRefreshTokens'].includes(s.Sid));
    expect(forAccount).toHaveLength(2);
    expect(forAccount.flatMap(actionsOf).filter(canDecrypt)).toEqual([]);
  });

  it('appears in no identity policy that can decrypt, except the three refreshing roles', () => {
    const refresherRoles = [
      refresher.refreshWorkerFunction.role,
      refresher.onDemandFunction.role,
      refresher.operatorFunction.role,
    ].map((role) => ({
      Ref: logicalId(role as iam.IRole),
    }));
    const holders: unknown[] = [];
    for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
      for (const resource of Object.values(template.findResources(type)) as {
        Properties: {
          Roles?: unknown[];
          PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] };
        };
      }[]) {
        const decrypts = resource.Properties.PolicyDocument.Statement.some(
          (s) =>
            actionsOf(s).some(canDecrypt) && JSON.stringify(s.Resource).match(new RegExp(`${keyId}|"\\*"`)),
        );
        if (decrypts) holders.push(...(resource.Properties.Roles ?? ['<managed policy>']));
      }
    }
    expect(holders).toEqual(refresherRoles);
  });
});
