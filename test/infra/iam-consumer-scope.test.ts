/**
 * What a consumer grant reaches, asked of the synthesized template with an IAM evaluator: a
 * principal granted connection A can publish reports under A's source only, the on-demand function
 * turns anything it can publish into a refresh of A or nothing, the all-connections grant still
 * reports for every connection, and no grant reads or decrypts a client app's secret.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ReservedClientNameError } from '../../functions/aws/errors';
import { parseClientName } from '../../functions/aws/names';
import { InvalidInputError } from '../../functions/core/errors';
import { parseTokenRejectedEvent } from '../../functions/on-demand-refresh/token-rejected-event';
import type { ZohoTokenRefresher } from '../../infra/zoho-token-refresher';
import { type AccessRequest, allows, type PolicyStatement } from './iam-eval';
import {
  ARN_PREFIX,
  arnOf,
  customerKey,
  logicalId,
  refresherStack,
  roleStatements,
  SECRETS_KEY_ARN,
  SECRETS_VIA,
  TEST_ENV,
  templateOf,
} from './infra-support';

const BUS_ARN = `arn:aws:events:${TEST_ENV.region}:${TEST_ENV.account}:event-bus/zoho-token-refresher`;
const REJECTED = 'Zoho Token Rejected';
const A = 'acme-books';

const connectionIds = () => fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/);
/** Secrets Manager's random ARN suffix. */
const arnSuffixes = () => fc.stringMatching(/^[A-Za-z0-9]{6}$/);

/** The three consumer grants of one refresher: on A (a role), on `globex` and on every connection. */
interface Grants {
  readonly onA: PolicyStatement[];
  readonly onGlobex: PolicyStatement[];
  readonly onAll: PolicyStatement[];
}

function synthesizeGrants(secretPrefix?: string): Grants {
  const { stack, refresher } = refresherStack({
    accessTokenKey: customerKey(),
    ...(secretPrefix === undefined ? {} : { secretPrefix }),
  });
  const role = new iam.Role(Stack.of(refresher), 'ConsumerRole', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
  });
  refresher.grantReadToken(role, A);
  const globex = refresher.consumerPolicy('GlobexConsumer', 'globex');
  const all = refresher.consumerPolicy('AllConnections');
  const template = templateOf(stack);
  const managed = (policy: iam.ManagedPolicy) =>
    template.toJSON().Resources[logicalId(policy)].Properties.PolicyDocument.Statement;
  return {
    onA: withBusArn(refresher, roleStatements(template, role)),
    onGlobex: withBusArn(refresher, managed(globex)),
    onAll: withBusArn(refresher, managed(all)),
  };
}

/** The bus ARN is the one token the fixed test environment leaves unresolved. */
function withBusArn(refresher: ZohoTokenRefresher, statements: unknown): PolicyStatement[] {
  const busRef = JSON.stringify(arnOf(refresher.eventBus));
  return JSON.parse(JSON.stringify(statements).split(busRef).join(JSON.stringify(BUS_ARN)));
}

const publish = (source: string, detailType = REJECTED): AccessRequest => ({
  action: 'events:PutEvents',
  resource: BUS_ARN,
  context: { 'events:source': source, 'events:detail-type': detailType },
});

const readSecret = (arn: string): AccessRequest => ({
  action: 'secretsmanager:GetSecretValue',
  resource: arn,
});

const decryptSecret = (arn: string): AccessRequest => ({
  action: 'kms:Decrypt',
  resource: SECRETS_KEY_ARN,
  context: { ...SECRETS_VIA, 'kms:EncryptionContext:SecretARN': arn },
});

describe('a grant on one connection (evaluated on the synthesized template)', () => {
  let grants: Grants;
  beforeAll(() => {
    grants = synthesizeGrants();
  });

  it("publishes reports under its connection's source, and under no other source or detail type", () => {
    // Assess
    expect(allows(grants.onA, publish(`zoho-token-refresher.consumer.${A}`))).toBe(true);
    const refused = [
      publish('zoho-token-refresher.consumer.globex'),
      publish(`zoho-token-refresher.consumer.${A}-eu`),
      publish(`zoho-token-refresher.consumer.${A}.eu`),
      publish('zoho-token-refresher.consumer.Acme-books'),
      publish('zoho-token-refresher.consumer.*'),
      publish('zoho-token-refresher.consumer'),
      publish('zoho-token-refresher'),
      publish(`zoho-token-refresher.consumer.${A}`, 'Zoho Token Refreshed'),
    ];
    expect(refused.filter((request) => allows(grants.onA, request))).toEqual([]);
  });

  it('publishes under the source of no other connection, whatever its id', () => {
    fc.assert(
      fc.property(
        connectionIds().filter((id) => id !== A),
        (other) => !allows(grants.onA, publish(`zoho-token-refresher.consumer.${other}`)),
      ),
      { numRuns: 500 },
    );
  });

  it('makes the on-demand function refresh its connection or nothing, whatever it publishes', () => {
    // Prepare: sources and details a holder of the grant on A could try.
    const sources = fc.oneof(
      fc.constant(`zoho-token-refresher.consumer.${A}`),
      connectionIds().map((id) => `zoho-token-refresher.consumer.${id}`),
      fc.string(),
    );
    const details = fc.record(
      {
        connectionId: fc.oneof(fc.constant(A), connectionIds()),
        version: fc.nat(),
        status: fc.constant(401),
      },
      { requiredKeys: ['version', 'status'] },
    );
    let published = 0;

    // Act + Assess
    fc.assert(
      fc.property(sources, details, (source, detail) => {
        if (!allows(grants.onA, publish(source))) return true;
        published++;
        try {
          return parseTokenRejectedEvent({ source, 'detail-type': REJECTED, detail }).connectionId === A;
        } catch (error) {
          return error instanceof InvalidInputError;
        }
      }),
      { numRuns: 1_000 },
    );
    expect(published).toBeGreaterThan(100);
  });

  it('grants nothing but reading, decrypting via Secrets Manager and reporting: no function invocation', () => {
    // Assess
    const actions = [grants.onA, grants.onGlobex, grants.onAll].flat().flatMap((s) => [s.Action].flat());
    expect(new Set(actions)).toEqual(
      new Set(['secretsmanager:GetSecretValue', 'kms:Decrypt', 'events:PutEvents']),
    );
    const invoke = {
      action: 'lambda:InvokeFunction',
      resource: `arn:aws:lambda:${TEST_ENV.region}:${TEST_ENV.account}:function:OnDemandRefresh`,
    };
    expect([grants.onA, grants.onGlobex, grants.onAll].map((grant) => allows(grant, invoke))).toEqual([
      false,
      false,
      false,
    ]);
  });
});

describe('the all-connections grant (evaluated on the synthesized template)', () => {
  let grants: Grants;
  beforeAll(() => {
    grants = synthesizeGrants();
  });

  it('still reports for every connection', () => {
    fc.assert(
      fc.property(connectionIds(), (id) =>
        allows(grants.onAll, publish(`zoho-token-refresher.consumer.${id}`)),
      ),
      { numRuns: 500 },
    );
  });

  it('never publishes as the refresher, under the old shared source or another detail type', () => {
    // Assess
    const refused = [
      publish('zoho-token-refresher'),
      publish('zoho-token-refresher.consumer'),
      publish('zoho-token-refresher.consumerX.acme'),
      publish(`zoho-token-refresher.consumer.${A}`, 'Zoho Token Refreshed'),
    ];
    expect(refused.filter((request) => allows(grants.onAll, request))).toEqual([]);
  });
});

describe.each([
  ['the default prefix', undefined],
  ['a nested prefix', 'team/zoho'],
])('client app secrets under %s', (_label, secretPrefix) => {
  const prefix = secretPrefix ?? 'zoho-token-refresher';
  const clientSecretArn = (name: string, suffix: string) =>
    `${ARN_PREFIX}${prefix}/_clients/${name}-${suffix}`;
  let grants: Grants;
  beforeAll(() => {
    grants = synthesizeGrants(secretPrefix);
  });

  it('are out of reach of every consumer grant, for every name clients put accepts', () => {
    // Random names, and names near the consumers' pattern (the reserved ones must be filtered out).
    const near = fc.constantFrom(
      'access-token',
      'Access-Token',
      'access-tokens',
      'access-toke',
      'x-access-token',
    );
    const acceptedNames = fc.oneof(connectionIds(), near).filter((name) => {
      try {
        return parseClientName(name) === name;
      } catch {
        return false;
      }
    });
    fc.assert(
      fc.property(acceptedNames, arnSuffixes(), (name, suffix) => {
        const arn = clientSecretArn(name, suffix);
        return [grants.onA, grants.onGlobex, grants.onAll].every(
          (grant) => !allows(grant, readSecret(arn)) && !allows(grant, decryptSecret(arn)),
        );
      }),
      { numRuns: 1_000 },
    );
  });

  it("would not be for the reserved name 'access-token': the all-connections pattern reaches it", () => {
    // Assess: why clients put refuses it.
    const arn = clientSecretArn('access-token', 'AbC123');
    expect([allows(grants.onAll, readSecret(arn)), allows(grants.onAll, decryptSecret(arn))]).toEqual([
      true,
      true,
    ]);
    expect(() => parseClientName('access-token')).toThrowError(ReservedClientNameError);
  });

  it('leave the grants reading exactly their access-token secrets', () => {
    // Assess
    const token = (id: string) => `${ARN_PREFIX}${prefix}/${id}/access-token-AbC123`;
    expect(allows(grants.onA, readSecret(token(A)))).toBe(true);
    expect(allows(grants.onA, readSecret(token(`${A}-eu`)))).toBe(false);
    expect(allows(grants.onA, readSecret(token('globex')))).toBe(false);
    expect(allows(grants.onAll, readSecret(token('globex')))).toBe(true);
  });
});
