/**
 * What a consumer Lambda may do, and nothing else: read its access-token secret(s) and report a
 * rejected token of its connection(s) on the bus. Shared by `grantReadToken`, the managed consumer
 * policy and the tests, so the three can never drift apart.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { IConstruct } from 'constructs';
import {
  accessTokenSecretName,
  CONSUMER_EVENT_SOURCE_PREFIX,
  consumerEventSource,
  TOKEN_REJECTED_DETAIL_TYPE,
} from '../functions/aws/names';
import { parseConnectionId } from '../functions/core/connection';
import { ConfigurationError, InvalidInputError } from '../functions/core/errors';

/** Stands for "every connection" in {@link accessTokenSecretArn}. */
export const ALL_CONNECTIONS = '*';

/**
 * ARN pattern of a connection's access-token secret. Secrets Manager appends `-` and six random
 * characters to every secret ARN; `??????` matches exactly those, so `acme` never matches `acme-eu`.
 */
export function accessTokenSecretArn(scope: IConstruct, secretPrefix: string, connectionId: string): string {
  const stack = Stack.of(scope);
  return stack.formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${accessTokenSecretName(secretPrefix, connectionId)}-??????`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

export interface ConsumerAccess {
  readonly secretPrefix: string;
  /** A connection id, or {@link ALL_CONNECTIONS}. */
  readonly connectionId: string;
  readonly eventBus: events.IEventBus;
  /** The customer key of the access-token secrets, if any. */
  readonly accessTokenKey?: kms.IKey;
}

/** The consumer's statements: read, (decrypt via Secrets Manager,) report a rejection. */
export function consumerStatements(scope: IConstruct, access: ConsumerAccess): iam.PolicyStatement[] {
  const secretArn = accessTokenSecretArn(scope, access.secretPrefix, access.connectionId);
  const statements = [
    new iam.PolicyStatement({
      actions: ['secretsmanager:GetSecretValue'],
      resources: [secretArn],
    }),
  ];
  if (access.accessTokenKey !== undefined) {
    statements.push(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [access.accessTokenKey.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(scope).region}.amazonaws.com` },
          // Secrets Manager puts the secret's ARN into the encryption context: only these secrets.
          StringLike: { 'kms:EncryptionContext:SecretARN': secretArn },
        },
      }),
    );
  }
  statements.push(
    new iam.PolicyStatement({
      actions: ['events:PutEvents'],
      resources: [access.eventBus.eventBusArn],
      conditions: reportConditions(access.connectionId),
    }),
  );
  return statements;
}

/**
 * A consumer reports only "Zoho Token Rejected", only under the source of a connection it is
 * granted (the on-demand function refreshes the source's connection and refuses a detail naming
 * another), and so never as the refresher, whose events other systems trust. EventBridge checks
 * both keys for each entry of a PutEvents call. Connection ids hold no `*` or `?`, so only the
 * all-connections grant has a wildcard.
 */
export function reportConditions(connectionId: string): Record<string, Record<string, string>> {
  const detailType = { 'events:detail-type': TOKEN_REJECTED_DETAIL_TYPE };
  return connectionId === ALL_CONNECTIONS
    ? { StringEquals: detailType, StringLike: { 'events:source': `${CONSUMER_EVENT_SOURCE_PREFIX}*` } }
    : { StringEquals: { ...detailType, 'events:source': consumerEventSource(connectionId) } };
}

/**
 * Adds the consumer statements to a grantee's identity policy. No statement ids: one role may be
 * granted several connections, and ids must be unique within a policy.
 */
export function grantConsumer(scope: IConstruct, grantee: iam.IGrantable, access: ConsumerAccess): iam.Grant {
  return grantStatements(grantee, consumerStatements(scope, access));
}

/** Adds each statement (without sid) to the grantee's identity policy; one Grant for all of them. */
export function grantStatements(
  grantee: iam.IGrantable,
  statements: readonly iam.PolicyStatement[],
): iam.Grant {
  const grants = statements.map((statement) =>
    iam.Grant.addToPrincipal({
      grantee,
      actions: statement.actions,
      resourceArns: statement.resources,
      ...(Object.keys(statement.conditions).length === 0 ? {} : { conditions: statement.conditions }),
    }),
  );
  return grants.reduce((all, grant) => all.combine(grant));
}

/** A connection id as a grant needs it: of the contract's shape (it lands in an ARN), else a synth error. */
export function checkedConnectionId(connectionId: string): string {
  try {
    return parseConnectionId(connectionId);
  } catch (error) {
    if (error instanceof InvalidInputError)
      throw new ConfigurationError(`ZohoTokenRefresher: ${error.message}`);
    throw error;
  }
}
