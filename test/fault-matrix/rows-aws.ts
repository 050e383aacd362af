/**
 * AWS faults, as the adapters hand them to the core: DynamoDB's SDK errors as they are (the store
 * passes them through), Secrets Manager and KMS failures as the typed errors their adapters map
 * them to, EventBridge's refusal. A store fault before the Zoho call costs nothing but a retry; after
 * it, the minted token is kept or the written secret adopted; observability faults change nothing.
 */
import { InternalServerError, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import {
  EventPublishError,
  RefreshTokenCipherError,
  RefreshTokenCipherRefusedError,
  RefreshTokenKeyUnavailableError,
} from '../../functions/aws/errors';
import {
  SecretAccessDeniedError,
  SecretPendingDeletionError,
  SecretVersionQuotaError,
  SecretWriteFailedError,
  SecretWriteThrottledError,
} from '../../functions/core/errors';
import { DEFAULT_REFRESH_POLICY } from '../../functions/core/refresh-policy';
import type { FaultPlan } from './faults';
import type { MatrixRow, RowContext, Seen } from './matrix';
import { reportEvent } from './report-events';

const WRITE_ATTEMPTS = DEFAULT_REFRESH_POLICY.secretWriteAttempts;
const throttled = () =>
  new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: {} });
const internal = () => new InternalServerError({ message: 'Internal server error', $metadata: {} });

const untouched = { status: 'active', version: 3, secret: 3, versions: 0, kept: 'none' } as const;
const healed = 'refreshed v4 +1 zoho';
/** Zoho answered, the secret was not written, the token is kept: the next run stores it without Zoho. */
const keptFor = (code: string): Partial<Seen> => ({
  outcome: `failed:${code}`,
  status: 'active',
  version: 3,
  secret: 3,
  zoho: 1,
  versions: 0,
  kept: 4,
  next: 'adopted v4 +0 zoho',
});

const row = (
  group: MatrixRow['group'],
  fault: string,
  arm: (plan: FaultPlan, ctx: RowContext) => void,
  expected: Partial<Seen>,
  more: Partial<MatrixRow> = {},
): MatrixRow => ({ group, fault, expected, arm: (ctx) => arm(ctx.world.faults, ctx), ...more });

const reportV3 = (ctx: RowContext) =>
  reportEvent({ connectionId: ctx.id, version: 3, status: 401, code: 57 }).then(ctx.onDemand);

export const DYNAMODB_ROWS: readonly MatrixRow[] = [
  row(
    'DynamoDB',
    'GetItem throttled on a report',
    (plan) => plan.fail('store', 'get', throttled),
    { outcome: 'threw:ProvisionedThroughputExceededException', ...untouched, zoho: 0, next: healed },
    // EventBridge delivers the report again.
    { act: reportV3, next: reportV3 },
  ),
  row(
    'DynamoDB',
    'lease write fails (InternalServerError)',
    (plan) => plan.fail('store', 'acquireLease', internal),
    {
      outcome: 'threw:InternalServerError',
      ...untouched,
      zoho: 0,
      next: healed,
    },
  ),
  row(
    'DynamoDB',
    'budget record before the Zoho call throttled',
    (plan) => plan.fail('store', 'recordZohoCall', throttled),
    {
      outcome: 'failed:internal',
      ...untouched,
      zoho: 0,
      next: healed,
    },
  ),
  row(
    'DynamoDB',
    'commit fails after the secret was written',
    (plan) => plan.fail('store', 'commitRefresh', internal),
    {
      outcome: 'failed:internal',
      status: 'active',
      version: 3,
      secret: 4,
      zoho: 1,
      versions: 1,
      next: 'adopted v4 +0 zoho',
    },
  ),
  row(
    'DynamoDB',
    'failure record throttled after Zoho answered 503 (lease left behind)',
    (plan, ctx) => {
      ctx.zoho.sim.faults.set('token', 'http-503');
      plan.fail('store', 'recordFailure', throttled);
    },
    {
      outcome: 'threw:ProvisionedThroughputExceededException',
      ...untouched,
      zoho: DEFAULT_REFRESH_POLICY.maxAttempts,
      next: healed,
    },
  ),
  row(
    'DynamoDB',
    'lease extension before the secret write throttled (slow Zoho answer)',
    (plan, ctx) => {
      plan.before('zoho', 'refreshAccessToken', () => ctx.world.fakes.clock.advance(45_000));
      plan.fail('store', 'extendLease', throttled);
    },
    keptFor('internal'),
  ),
];

export const SECRETS_MANAGER_ROWS: readonly MatrixRow[] = [
  row(
    'Secrets Manager',
    'PutSecretValue throttled twice',
    (plan, ctx) => plan.fail('vault', 'write', () => new SecretWriteThrottledError(ctx.id), { times: 2 }),
    {
      outcome: 'refreshed',
      status: 'active',
      version: 4,
      secret: 4,
      zoho: 1,
      versions: 1,
      kept: 'none',
      next: 'refreshed v5 +1 zoho',
    },
  ),
  row(
    'Secrets Manager',
    'PutSecretValue throttled on every attempt',
    (plan, ctx) =>
      plan.fail('vault', 'write', () => new SecretWriteThrottledError(ctx.id), { times: WRITE_ATTEMPTS }),
    keptFor('secret_throttled'),
  ),
  row(
    'Secrets Manager',
    'version quota reached',
    (plan, ctx) => plan.fail('vault', 'write', () => new SecretVersionQuotaError(ctx.id)),
    keptFor('secret_version_quota'),
  ),
  row(
    'Secrets Manager',
    'secret pending deletion',
    (plan, ctx) => plan.fail('vault', 'write', () => new SecretPendingDeletionError(ctx.id)),
    keptFor('secret_pending_deletion'),
  ),
  row(
    'Secrets Manager',
    'write access denied',
    (plan, ctx) => plan.fail('vault', 'write', () => new SecretAccessDeniedError(ctx.id)),
    keptFor('secret_access_denied'),
  ),
  row(
    'Secrets Manager',
    'write times out on every attempt',
    (plan, ctx) =>
      plan.fail('vault', 'write', () => new SecretWriteFailedError(ctx.id, 'TimeoutError'), {
        times: WRITE_ATTEMPTS,
      }),
    keptFor('secret_write_failed'),
  ),
];

export const KMS_ROWS: readonly MatrixRow[] = [
  row(
    'KMS',
    'decrypt: key unavailable (AccessDeniedException)',
    (plan, ctx) =>
      plan.fail(
        'cipher',
        'decrypt',
        () => new RefreshTokenKeyUnavailableError(ctx.id, 'decrypt', 'AccessDeniedException'),
      ),
    { outcome: 'failed:refresh_token_key_unavailable', ...untouched, zoho: 0, next: healed },
  ),
  row(
    'KMS',
    'decrypt refused (ciphertext of another connection)',
    (plan, ctx) =>
      plan.fail(
        'cipher',
        'decrypt',
        () => new RefreshTokenCipherRefusedError(ctx.id, 'decrypt', 'InvalidCiphertextException'),
      ),
    {
      outcome: 'failed:refresh_token_cipher_refused',
      status: 'misconfigured',
      version: 3,
      zoho: 0,
      versions: 0,
      next: 'skipped:not_active v3 +0 zoho',
    },
  ),
  row(
    'KMS',
    'encrypt fails while keeping a token the secret write lost',
    (plan, ctx) => {
      plan.fail('vault', 'write', () => new SecretWriteThrottledError(ctx.id), { times: WRITE_ATTEMPTS });
      plan.fail(
        'cipher',
        'encrypt',
        () => new RefreshTokenCipherError(ctx.id, 'encrypt', 'ThrottlingException'),
      );
    },
    { outcome: 'failed:secret_throttled', ...untouched, zoho: 1, next: healed },
  ),
];

export const EVENTBRIDGE_ROWS: readonly MatrixRow[] = [
  row(
    'EventBridge',
    'PutEvents refused after a refresh',
    (plan) =>
      plan.fail('events', 'publish', () => new EventPublishError('Zoho Token Refreshed', 'InternalFailure')),
    {
      outcome: 'refreshed',
      status: 'active',
      version: 4,
      secret: 4,
      zoho: 1,
      versions: 1,
      next: 'refreshed v5 +1 zoho',
    },
  ),
  row(
    'EventBridge',
    'PutEvents refused at a re-authorisation',
    (plan, ctx) => {
      ctx.zoho.sim.faults.set('token', 'invalid_code');
      plan.fail(
        'events',
        'publish',
        () => new EventPublishError('Zoho Reauthorization Required', 'InternalFailure'),
      );
    },
    {
      outcome: 'failed:reauthorization_required',
      status: 'reauthorization_required',
      zoho: 1,
      versions: 0,
      next: 'skipped:not_active v3 +0 zoho',
    },
  ),
];
