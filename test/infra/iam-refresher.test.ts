/**
 * The exact IAM of the refresher roles: what each may do, on which resource, under which condition;
 * and which events reach the on-demand function.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ZohoTokenRefresher } from '../../infra/zoho-token-refresher';
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
  synthesizedRefresher,
  templateOf,
} from './infra-support';

function refresherStatements(refresher: ZohoTokenRefresher, fn: 'scheduled' | 'onDemand') {
  const role = fn === 'scheduled' ? refresher.scheduledFunction.role : refresher.onDemandFunction.role;
  const fnConstruct = refresher.node.findChild(fn === 'scheduled' ? 'ScheduledRefresh' : 'OnDemandRefresh');
  return {
    role,
    expected: [
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: arnOf(fnConstruct.node.findChild('Logs')),
      },
      {
        Sid: 'OnFailureDestination',
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Resource: arnOf(refresher.deadLetterQueue),
      },
      {
        Sid: 'ConnectionTable',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Resource: arnOf(refresher.table),
      },
      {
        Sid: 'AccessTokenSecrets',
        Effect: 'Allow',
        Action: [
          'secretsmanager:CreateSecret',
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
        ],
        Resource: ALL_TOKENS,
      },
      {
        Sid: 'TagNewAccessTokenSecrets',
        Effect: 'Allow',
        Action: 'secretsmanager:TagResource',
        Resource: ALL_TOKENS,
        Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['zoho-token-refresher:connection-id'] } },
      },
      {
        Sid: 'ReadClientApps',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: `${ARN_PREFIX}zoho-token-refresher/_clients/*`,
      },
      {
        Sid: 'PublishRefresherEvents',
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: arnOf(refresher.eventBus),
        Condition: { StringEquals: { 'events:source': 'zoho-token-refresher' } },
      },
      ...(fn === 'scheduled'
        ? [
            {
              Sid: 'SweepDueIndex',
              Effect: 'Allow',
              Action: 'dynamodb:Query',
              Resource: { 'Fn::Join': ['', [arnOf(refresher.table), '/index/due-index']] },
            },
          ]
        : [
            {
              Sid: 'RevokeRemovesAccessTokens',
              Effect: 'Allow',
              Action: 'secretsmanager:DeleteSecret',
              Resource: ALL_TOKENS,
            },
          ]),
      {
        Sid: 'DecryptRefreshTokens',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: arnOf(refresher.refreshTokenKey),
        Condition: CONTEXT_PRESENT,
      },
    ],
  };
}

describe('refresher roles', () => {
  let template: Template;
  let refresher: ZohoTokenRefresher;

  beforeAll(() => {
    ({ refresher, template } = synthesizedRefresher());
  });

  it.each(['scheduled', 'onDemand'] as const)('the %s role holds exactly its statements', (fn) => {
    const { role, expected } = refresherStatements(refresher, fn);
    const statements = roleStatements(template, role as iam.IRole);
    expect(statements).toHaveLength(expected.length);
    expect(statements).toEqual(expect.arrayContaining(expected));
  });

  it('attaches no managed policy to the refresher roles', () => {
    for (const role of [refresher.scheduledFunction.role, refresher.onDemandFunction.role]) {
      const resource = template.toJSON().Resources[logicalId(role as iam.IRole)];
      expect(resource.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('gives both refreshers kms access to a customer secrets key, only via Secrets Manager', () => {
    // Prepare
    const built = refresherStack({ accessTokenKey: customerKey() });
    // Act
    const template = templateOf(built.stack);
    // Assess
    for (const fn of [built.refresher.scheduledFunction, built.refresher.onDemandFunction]) {
      expect(roleStatements(template, fn.role as iam.IRole)).toContainEqual({
        Sid: 'AccessTokenKeyViaSecretsManager',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: SECRETS_KEY_ARN,
        Condition: { StringEquals: SECRETS_VIA },
      });
    }
  });
});

describe('event sources', () => {
  it('lets the bus rule react only to consumer rejection reports', () => {
    // Prepare
    const { stack, refresher } = refresherStack();
    // Act
    const template = templateOf(stack);
    // Assess
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: logicalId(refresher.eventBus) },
      EventPattern: { source: ['zoho-token-refresher.consumer'], 'detail-type': ['Zoho Token Rejected'] },
    });
  });
});
