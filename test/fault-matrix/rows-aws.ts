/**
 * Secrets Manager, KMS and EventBridge faults, as the typed errors their adapters map AWS's to. A
 * failed secret write keeps the minted token for the next run; a key that cannot decrypt costs no
 * Zoho call; observability faults change nothing.
 */
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
import { HEALED, keptFor, OFF_SCHEDULE, planRow as row, UNTOUCHED } from './expectations';
import type { MatrixRow } from './matrix';

const WRITE_ATTEMPTS = DEFAULT_REFRESH_POLICY.secretWriteAttempts;

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
    { outcome: 'failed:refresh_token_key_unavailable', ...UNTOUCHED, zoho: 0, next: HEALED },
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
      next: OFF_SCHEDULE,
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
    { outcome: 'failed:secret_throttled', ...UNTOUCHED, zoho: 1, next: HEALED },
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
      next: OFF_SCHEDULE,
    },
  ),
];
