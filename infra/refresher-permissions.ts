/**
 * The refresher roles' identity policies, action by action from what the adapters in
 * `functions/aws` call. Nothing on `*`: every statement names the table, index, secret pattern,
 * bus, queue or key it needs. The worker, on-demand and operator roles share what a refresh needs;
 * beyond it, only the worker may queue a refresh order again and only the operator function may
 * delete an access-token secret. The planner refreshes nothing: it may read the two sparse indexes
 * and queue orders, and nothing else (no secret, no key, no item write).
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { REFRESHER_EVENT_SOURCE } from '../functions/aws/names';
import { TABLE_SCHEMA } from '../functions/aws/table';
import { CONNECTION_ID_TAG } from '../functions/aws/token-vault';
import { ALL_CONNECTIONS, accessTokenSecretArn } from './consumer-access';

export interface RefresherAccess {
  readonly table: dynamodb.ITable;
  readonly eventBus: events.IEventBus;
  readonly secretPrefix: string;
  readonly accessTokenKey: kms.IKey | undefined;
  /** Which function the role runs: what it may do beyond a refresh follows from it. */
  readonly kind: RefresherKind;
  /** The worker's refresh queue, where it queues a due time the planner has passed. */
  readonly refreshQueue?: sqs.IQueue;
}

/**
 * The functions that refresh: the refresh workers (the planner's orders), the on-demand refresh of
 * consumers' reports, and the operator function (operators' refresh, revoke and check).
 */
export type RefresherKind = 'worker' | 'onDemand' | 'operator';

/** ARN of the due index (the planner's due connections and the operator partition). */
export const dueIndexArn = (table: dynamodb.ITable) =>
  `${table.tableArn}/index/${TABLE_SCHEMA.dueIndex.name}`;

/** ARN of the retry index (the planner's failing connections, for the fleet gauges). */
export const retryIndexArn = (table: dynamodb.ITable) =>
  `${table.tableArn}/index/${TABLE_SCHEMA.retryIndex.name}`;

/** The planner's statements: query the two sparse indexes, queue refresh orders. */
export function grantPlanner(role: iam.Role, access: { table: dynamodb.ITable; refreshQueue: sqs.IQueue }) {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'PlannerReadsIndexes',
      actions: ['dynamodb:Query'],
      resources: [dueIndexArn(access.table), retryIndexArn(access.table)],
    }),
  );
  role.addToPrincipalPolicy(queueOrders('QueueRefreshOrders', access.refreshQueue));
}

const queueOrders = (sid: string, queue: sqs.IQueue) =>
  new iam.PolicyStatement({ sid, actions: ['sqs:SendMessage'], resources: [queue.queueArn] });

/** ARN pattern of every client-app secret (`<prefix>/_clients/<clientRef>`). */
export function clientSecretsArn(scope: IConstruct, secretPrefix: string): string {
  return Stack.of(scope).formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${secretPrefix}/_clients/*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** Adds the refresher's statements (all but the refresh-token key, which {@link RefreshTokenKey} grants). */
export function grantRefresher(role: iam.Role, access: RefresherAccess): void {
  const stack = Stack.of(role);
  const allTokens = accessTokenSecretArn(role, access.secretPrefix, ALL_CONNECTIONS);
  const statements = [
    // The lease, the commit, the failure record (UpdateItem), history (PutItem, also inside the
    // commit's TransactWriteItems, which IAM authorises action by action), the connection (GetItem).
    new iam.PolicyStatement({
      sid: 'ConnectionTable',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      resources: [access.table.tableArn],
    }),
    // DescribeSecret: after a refused write, whether the secret is scheduled for deletion (token-vault.ts).
    new iam.PolicyStatement({
      sid: 'AccessTokenSecrets',
      actions: [
        'secretsmanager:GetSecretValue',
        'secretsmanager:PutSecretValue',
        'secretsmanager:CreateSecret',
        'secretsmanager:DescribeSecret',
      ],
      resources: [allTokens],
    }),
    // CreateSecret with Tags is authorised as TagResource too; only the connection-id tag.
    new iam.PolicyStatement({
      sid: 'TagNewAccessTokenSecrets',
      actions: ['secretsmanager:TagResource'],
      resources: [allTokens],
      conditions: { 'ForAllValues:StringEquals': { 'aws:TagKeys': [CONNECTION_ID_TAG] } },
    }),
    new iam.PolicyStatement({
      sid: 'ReadClientApps',
      actions: ['secretsmanager:GetSecretValue'],
      resources: [clientSecretsArn(role, access.secretPrefix)],
    }),
    new iam.PolicyStatement({
      sid: 'PublishRefresherEvents',
      actions: ['events:PutEvents'],
      resources: [access.eventBus.eventBusArn],
      // The refreshers speak only as the refresher: never as a consumer (that would trigger refreshes).
      conditions: { StringEquals: { 'events:source': REFRESHER_EVENT_SOURCE } },
    }),
  ];
  // None of them lists: each acts on the one connection it is given.
  if (access.kind === 'worker') {
    if (access.refreshQueue === undefined)
      throw new Error('grantRefresher: a worker needs its refresh queue');
    statements.push(queueOrders('RequeueRefreshOrders', access.refreshQueue));
  }
  // Only `revoke` deletes a secret, and only the operator function runs it: neither a refresh of
  // any trigger nor a report can remove a token consumers read.
  if (access.kind === 'operator') {
    statements.push(
      new iam.PolicyStatement({
        sid: 'RevokeRemovesAccessTokens',
        actions: ['secretsmanager:DeleteSecret'],
        resources: [allTokens],
      }),
    );
  }
  if (access.accessTokenKey !== undefined) {
    // Writing and reading a secret under a customer key: Secrets Manager asks KMS on our behalf.
    statements.push(
      new iam.PolicyStatement({
        sid: 'AccessTokenKeyViaSecretsManager',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [access.accessTokenKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` } },
      }),
    );
  }
  for (const statement of statements) role.addToPrincipalPolicy(statement);
}
