/**
 * What a failed write of an access-token secret means, as one of the core's TokenVaultWriteError
 * subclasses: the refresh decides from the class alone whether to retry, and the class's code is the
 * `reason` of its SecretWriteFailed metric. The SDK's modelled exceptions are matched with
 * `instanceof`; AWS errors that have no class of their own (throttling, access denied: common to
 * every service) by the error code the SDK puts in `name`. Never by message.
 */
import {
  DecryptionFailure,
  EncryptionFailure,
  InvalidRequestException,
  LimitExceededException,
} from '@aws-sdk/client-secrets-manager';
import {
  SecretAccessDeniedError,
  SecretPendingDeletionError,
  SecretVersionQuotaError,
  SecretWriteFailedError,
  SecretWriteThrottledError,
  type TokenVaultWriteError,
} from '../core/errors';

/** The Secrets Manager operations that write an access-token secret. */
export type SecretWriteCall = 'PutSecretValue' | 'CreateSecret';

/** AWS's throttling error codes (the JSON protocol's `__type`), as the SDK's retry strategy knows them. */
const THROTTLING_CODES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);

/** IAM refused the call (Secrets Manager also answers so when the secret's KMS key refuses us). */
const ACCESS_DENIED_CODES = new Set(['AccessDeniedException', 'AccessDenied']);

export interface SecretWriteFailure {
  readonly connectionId: string;
  readonly call: SecretWriteCall;
  readonly error: unknown;
  /**
   * Whether DescribeSecret reported the secret scheduled for deletion after the write failed with
   * InvalidRequestException (whose other causes AWS tells apart only in the message).
   */
  readonly pendingDeletion: boolean;
}

/** The typed error of a failed secret write; the AWS error stays its `cause`. */
export function secretWriteError(failure: SecretWriteFailure): TokenVaultWriteError {
  const { connectionId, call, error } = failure;
  const cause = { cause: error };
  if (isThrottling(error)) return new SecretWriteThrottledError(connectionId, cause);
  // The quota a PutSecretValue can reach is the secret's versions (none younger than 24 hours is
  // removed). CreateSecret's is the account's number of secrets: not this error, and only a generic
  // failure describes it truthfully.
  if (error instanceof LimitExceededException && call === 'PutSecretValue') {
    return new SecretVersionQuotaError(connectionId, cause);
  }
  if (error instanceof InvalidRequestException && failure.pendingDeletion) {
    return new SecretPendingDeletionError(connectionId, cause);
  }
  if (isAccessDenied(error)) return new SecretAccessDeniedError(connectionId, cause);
  return new SecretWriteFailedError(connectionId, awsErrorName(error), cause);
}

/** The AWS error code (or the SDK's: TimeoutError, a Node network error) of a failed call. */
function awsErrorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

function isThrottling(error: unknown): boolean {
  return THROTTLING_CODES.has(awsErrorName(error)) || httpStatus(error) === 429;
}

function isAccessDenied(error: unknown): boolean {
  // EncryptionFailure: Secrets Manager cannot use the secret's KMS key (disabled, pending deletion,
  // or its policy refuses us); DecryptionFailure is the same on the decrypting side.
  return (
    ACCESS_DENIED_CODES.has(awsErrorName(error)) ||
    error instanceof EncryptionFailure ||
    error instanceof DecryptionFailure
  );
}

function httpStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) return undefined;
  const metadata = (error as { $metadata?: { httpStatusCode?: number } }).$metadata;
  return metadata?.httpStatusCode;
}
