/**
 * The KMS key that encrypts refresh tokens. Its key policy is written out in full (no default
 * `kms:*` for the account), so IAM policies alone can never let anyone decrypt: only the principals
 * the key policy names — the refresher roles — may, and only with the connection-id context.
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ENCRYPTION_CONTEXT_KEY } from '../functions/aws/kms-cipher';

/** The condition that a request carries the connection-id encryption context (present, any value). */
export const CONNECTION_CONTEXT_PRESENT = {
  Null: { [`kms:EncryptionContext:${ENCRYPTION_CONTEXT_KEY}`]: 'false' },
};

/**
 * What the account's administrators keep. Deliberately no Decrypt, ReEncrypt*, CreateGrant or
 * GenerateDataKey*: each of those would hand out the plaintext of a refresh token. PutKeyPolicy
 * stays, or the key could never be managed again (KMS refuses such a policy); changing the policy
 * is an audited CloudTrail event.
 */
const ADMIN_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:RevokeGrant',
  'kms:RotateKeyOnDemand',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
];

export interface RefreshTokenKeyProps {
  readonly removalPolicy: RemovalPolicy;
}

/** The refresh-token key; call {@link RefreshTokenKey.allowDecrypt} once per refresher role. */
export class RefreshTokenKey extends Construct {
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: RefreshTokenKeyProps) {
    super(scope, id);
    const account = new iam.AccountRootPrincipal();
    const policy = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'KeyAdministration',
          principals: [account],
          actions: ADMIN_ACTIONS,
          resources: ['*'],
        }),
        // Operators store refresh tokens (`zoho-tokens add` / `connect`): encrypting is enough for
        // that, and only under a connection's context.
        new iam.PolicyStatement({
          sid: 'OperatorsEncryptRefreshTokens',
          principals: [account],
          actions: ['kms:Encrypt'],
          resources: ['*'],
          conditions: CONNECTION_CONTEXT_PRESENT,
        }),
      ],
    });
    this.key = new kms.Key(this, 'Key', {
      description:
        'zoho-token-refresher: encrypts Zoho refresh tokens; only the refresher functions may decrypt',
      enableKeyRotation: true,
      // With the default key policies (CDK v2), a given policy replaces the default `kms:*` grant.
      policy,
      removalPolicy: props.removalPolicy,
      pendingWindow: Duration.days(30),
    });
  }

  /** Lets exactly this role decrypt refresh tokens: key policy and identity policy, both conditioned. */
  allowDecrypt(role: iam.Role, sid: string): void {
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid,
        principals: [new iam.ArnPrincipal(role.roleArn)],
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: CONNECTION_CONTEXT_PRESENT,
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DecryptRefreshTokens',
        actions: ['kms:Decrypt'],
        resources: [this.key.keyArn],
        conditions: CONNECTION_CONTEXT_PRESENT,
      }),
    );
  }
}
