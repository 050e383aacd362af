/**
 * The exact IAM of the refresher roles: what each may do, on which resource, under which condition
 * (only the operator function's may delete a secret); and who may invoke which function (the rules
 * their own function, nothing the operator function).
 */
import type { Template } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
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
  synthesizedRefresher,
  TEST_ENV,
  templateOf,
  testApp,
} from './infra-support';

/** An action that deletes a secret, written out or by a wildcard. */
const mayDeleteSecret = (action: string) =>
  action === '*' || /^secretsmanager:(\*|Delete\*|DeleteSecret)$/i.test(action);

type Kind = 'worker' | 'onDemand' | 'operator';
const KINDS: readonly Kind[] = ['worker', 'onDemand', 'operator'];

/** The ProjectFunction construct of each function (its log group is a child). */
const constructOf = (refresher: ZohoTokenRefresher, kind: Kind | 'planner') =>
  ({
    planner: refresher.node.findChild('RefreshFleet').node.findChild('Planner'),
    worker: refresher.node.findChild('RefreshFleet').node.findChild('Worker'),
    onDemand: refresher.node.findChild('OnDemandRefresh'),
    operator: refresher.node.findChild('Operator'),
  })[kind];

const functionOf = (refresher: ZohoTokenRefresher, kind: Kind | 'planner') =>
  ({
    planner: refresher.plannerFunction,
    worker: refresher.refreshWorkerFunction,
    onDemand: refresher.onDemandFunction,
    operator: refresher.operatorFunction,
  })[kind];

const logsStatement = (refresher: ZohoTokenRefresher, kind: Kind | 'planner') => ({
  Effect: 'Allow',
  Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
  Resource: arnOf(constructOf(refresher, kind).node.findChild('Logs')),
});

function refresherStatements(refresher: ZohoTokenRefresher, fn: Kind) {
  const role = functionOf(refresher, fn).role;
  return {
    role,
    expected: [
      logsStatement(refresher, fn),
      // Only the on-demand function is invoked asynchronously: the operator synchronously, the
      // worker by its SQS event source (whose failures go to the refresh queue's dead-letter queue).
      ...(fn === 'onDemand'
        ? [
            {
              Sid: 'OnFailureDestination',
              Effect: 'Allow',
              Action: 'sqs:SendMessage',
              Resource: arnOf(refresher.deadLetterQueue),
            },
          ]
        : []),
      // The event source mapping reads and deletes the worker's orders.
      ...(fn === 'worker'
        ? [
            {
              Effect: 'Allow',
              Action: [
                'sqs:ChangeMessageVisibility',
                'sqs:DeleteMessage',
                'sqs:GetQueueAttributes',
                'sqs:GetQueueUrl',
                'sqs:ReceiveMessage',
              ],
              Resource: arnOf(refresher.refreshQueue),
            },
            {
              Sid: 'RequeueRefreshOrders',
              Effect: 'Allow',
              Action: 'sqs:SendMessage',
              Resource: arnOf(refresher.refreshQueue),
            },
          ]
        : []),
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
      ...(fn === 'operator'
        ? [
            {
              Sid: 'RevokeRemovesAccessTokens',
              Effect: 'Allow',
              Action: 'secretsmanager:DeleteSecret',
              Resource: ALL_TOKENS,
            },
          ]
        : []),
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

  it.each(KINDS)('the %s role holds exactly its statements', (fn) => {
    const { role, expected } = refresherStatements(refresher, fn);
    const statements = roleStatements(template, role as iam.IRole);
    expect(statements).toHaveLength(expected.length);
    expect(statements).toEqual(expect.arrayContaining(expected));
  });

  it('lets the planner query the two sparse indexes and queue orders, and nothing else: no secret, no key, no item write', () => {
    // Act
    const statements = roleStatements(template, refresher.plannerFunction.role as iam.IRole);

    // Assess
    const expected = [
      logsStatement(refresher, 'planner'),
      {
        Sid: 'OnFailureDestination',
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Resource: arnOf(refresher.deadLetterQueue),
      },
      {
        Sid: 'PlannerReadsIndexes',
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: [
          { 'Fn::Join': ['', [arnOf(refresher.table), '/index/due-index']] },
          { 'Fn::Join': ['', [arnOf(refresher.table), '/index/retry-index']] },
        ],
      },
      {
        Sid: 'QueueRefreshOrders',
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Resource: arnOf(refresher.refreshQueue),
      },
    ];
    expect(statements).toHaveLength(expected.length);
    expect(statements).toEqual(expect.arrayContaining(expected));
  });

  it('lets no key policy statement name the planner', () => {
    // Act
    const keyPolicy = JSON.stringify(
      template.toJSON().Resources[logicalId(refresher.refreshTokenKey)].Properties.KeyPolicy,
    );

    // Assess
    expect(keyPolicy).not.toContain(logicalId(refresher.plannerFunction.role as iam.IRole));
    expect(keyPolicy).toContain(logicalId(refresher.refreshWorkerFunction.role as iam.IRole));
  });

  it('attaches no managed policy to the refresher roles', () => {
    for (const role of KINDS.map((kind) => functionOf(refresher, kind).role)) {
      const resource = template.toJSON().Resources[logicalId(role as iam.IRole)];
      expect(resource.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('gives every refresher kms access to a customer secrets key, only via Secrets Manager', () => {
    // Prepare
    const built = refresherStack({ accessTokenKey: customerKey() });
    // Act
    const template = templateOf(built.stack);
    // Assess
    for (const fn of KINDS.map((kind) => functionOf(built.refresher, kind))) {
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

describe('deleting secrets', () => {
  it("lets no policy of the stack but the operator role's delete a secret", () => {
    // Prepare: every optional principal present (example consumer, consumer policy, secrets key)
    const stack = new ZohoTokenRefresherStack(testApp(), 'Deletes', {
      env: TEST_ENV,
      exampleConsumerConnectionId: 'acme-books',
      refresher: { accessTokenKey: customerKey() },
    });
    const template = templateOf(stack);

    // Act: every Allow that could delete a secret, in inline and managed policies
    const deleting: unknown[] = [];
    for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
      for (const resource of Object.values(template.findResources(type)) as {
        Properties: { Roles?: unknown[]; PolicyDocument: { Statement: Record<string, unknown>[] } };
      }[]) {
        for (const statement of resource.Properties.PolicyDocument.Statement) {
          const actions = [statement.Action].flat() as string[];
          if (statement.Effect === 'Allow' && actions.some(mayDeleteSecret)) {
            deleting.push({ roles: resource.Properties.Roles ?? '<managed policy>', statement });
          }
        }
      }
    }

    // Assess
    expect(deleting).toEqual([
      {
        roles: [{ Ref: logicalId(stack.refresher.operatorFunction.role as iam.IRole) }],
        statement: {
          Sid: 'RevokeRemovesAccessTokens',
          Effect: 'Allow',
          Action: 'secretsmanager:DeleteSecret',
          Resource: ALL_TOKENS,
        },
      },
    ]);
  });
});

describe('who may invoke the functions', () => {
  let template: Template;
  let refresher: ZohoTokenRefresher;

  beforeAll(() => {
    ({ refresher, template } = synthesizedRefresher());
  });

  /** The resource-based invoke permissions of the template, by function: who, from where. */
  const permissionsOf = (kind: Kind | 'planner') =>
    (
      Object.values(template.findResources('AWS::Lambda::Permission')) as {
        Properties: { FunctionName: unknown; Principal: string; Action: string; SourceArn?: unknown };
      }[]
    )
      .map((permission) => permission.Properties)
      .filter(
        (permission) =>
          JSON.stringify(permission.FunctionName) === JSON.stringify(arnOf(functionOf(refresher, kind))),
      );
  const ruleArn = (id: string) => arnOf(refresher.node.findChild(id));

  it('lets only the schedule rule invoke the planner, only the bus rule the on-demand refresh, and no one the worker', () => {
    expect(permissionsOf('planner')).toEqual([
      {
        FunctionName: arnOf(refresher.plannerFunction),
        Action: 'lambda:InvokeFunction',
        Principal: 'events.amazonaws.com',
        SourceArn: arnOf(refresher.node.findChild('RefreshFleet').node.findChild('Schedule')),
      },
    ]);
    // The worker is polled by its event source mapping with its own role: no resource policy.
    expect(permissionsOf('worker')).toEqual([]);
    expect(permissionsOf('onDemand')).toEqual([
      {
        FunctionName: arnOf(refresher.onDemandFunction),
        Action: 'lambda:InvokeFunction',
        Principal: 'events.amazonaws.com',
        SourceArn: ruleArn('TokenRejectedRule'),
      },
    ]);
  });

  it('gives the operator function no resource policy, no rule and no event source: only IAM principals granted lambda:InvokeFunction (operators) reach it', () => {
    const operatorArn = JSON.stringify(arnOf(refresher.operatorFunction));
    expect(permissionsOf('operator')).toEqual([]);
    const rules = Object.values(template.findResources('AWS::Events::Rule')) as {
      Properties: { Targets: { Arn: unknown }[] };
    }[];
    expect(
      rules.flatMap((rule) => rule.Properties.Targets).map((target) => JSON.stringify(target.Arn)),
    ).not.toContain(operatorArn);
    // The one event source mapping feeds the worker.
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(refresher.refreshWorkerFunction) },
    });
    template.resourceCountIs('AWS::Lambda::Url', 0);
  });

  it("grants no role of the stack lambda:InvokeFunction: the CLI invokes with the operator's own credentials", () => {
    const invoking = (
      Object.values(template.findResources('AWS::IAM::Policy')) as {
        Properties: { PolicyDocument: { Statement: { Action: string | string[] }[] } };
      }[]
    ).flatMap((policy) =>
      policy.Properties.PolicyDocument.Statement.filter((statement) =>
        [statement.Action].flat().some((action) => action.startsWith('lambda:')),
      ),
    );
    expect(invoking).toEqual([]);
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
      EventPattern: {
        source: [{ prefix: 'zoho-token-refresher.consumer.' }],
        'detail-type': ['Zoho Token Rejected'],
      },
    });
  });
});
