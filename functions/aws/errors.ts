/**
 * Typed errors of the AWS adapters. Like the domain's, they are classified with `instanceof` and
 * their messages name connections and client apps, never a token, a refresh token or a secret.
 */
import {
  InvalidInputError,
  MisconfigurationError,
  StoredTokenUnreadableError,
  ZohoTokenRefresherError,
} from '../core/errors';

/** A table item that does not have the shape this code writes (hand edit, older schema). */
export class CorruptStoredItemError extends ZohoTokenRefresherError {
  constructor(what: string, detail: string) {
    super('corrupt_item', `Stored ${what} is unreadable: ${detail}`);
  }
}

/** The access-token secret exists but its value is not the contract's JSON. */
export class MalformedAccessTokenSecretError extends StoredTokenUnreadableError {
  readonly connectionId: string;

  constructor(connectionId: string, options?: { cause?: unknown }) {
    super(
      'malformed_access_token_secret',
      `The access-token secret of connection '${connectionId}' is not of the documented JSON shape`,
      options,
    );
    this.connectionId = connectionId;
  }
}

const cipherMessage = (connectionId: string, operation: string, awsErrorName: string) =>
  `KMS could not ${operation} the refresh token of connection '${connectionId}' (${awsErrorName})`;

/**
 * KMS failed to encrypt or decrypt a refresh token in a way a retry may fix (throttling, network,
 * or the key itself unusable for now: see RefreshTokenKeyUnavailableError). Transient.
 */
export class RefreshTokenCipherError extends ZohoTokenRefresherError {
  readonly connectionId: string;
  readonly operation: 'encrypt' | 'decrypt';

  constructor(
    connectionId: string,
    operation: 'encrypt' | 'decrypt',
    awsErrorName: string,
    options?: { cause?: unknown; code?: string },
  ) {
    super(
      options?.code ?? 'refresh_token_cipher',
      cipherMessage(connectionId, operation, awsErrorName),
      options,
    );
    this.connectionId = connectionId;
    this.operation = operation;
  }
}

/**
 * The refresh-token key cannot be used right now: access denied (a key or IAM policy changed or still
 * propagating), key disabled, pending deletion, gone, or not an encryption key. The key serves every
 * connection, so this is transient, not a misconfiguration: the refresh is retried with the long
 * backoff (the ConnectionsFailing alarm fires after 3 failures in a row), and a key disabled for a
 * while does not take the whole fleet off the schedule in one sweep.
 */
export class RefreshTokenKeyUnavailableError extends RefreshTokenCipherError {
  constructor(
    connectionId: string,
    operation: 'encrypt' | 'decrypt',
    awsErrorName: string,
    options?: { cause?: unknown },
  ) {
    super(connectionId, operation, awsErrorName, { ...options, code: 'refresh_token_key_unavailable' });
  }
}

/** The code of RefreshTokenCipherRefusedError, also the `lastError.code` it leaves on a connection. */
export const REFRESH_TOKEN_CIPHER_REFUSED = 'refresh_token_cipher_refused';

/**
 * KMS refused this ciphertext for good: it is bound to another connection (encryption context) or
 * was made under another key. Only this connection is affected and retrying cannot help; it becomes
 * `misconfigured`.
 */
export class RefreshTokenCipherRefusedError extends MisconfigurationError {
  readonly connectionId: string;
  readonly operation: 'encrypt' | 'decrypt';

  constructor(
    connectionId: string,
    operation: 'encrypt' | 'decrypt',
    awsErrorName: string,
    options?: { cause?: unknown },
  ) {
    super(REFRESH_TOKEN_CIPHER_REFUSED, cipherMessage(connectionId, operation, awsErrorName), options);
    this.connectionId = connectionId;
    this.operation = operation;
  }
}

/**
 * The client app secret exists but is not `{"client_id","client_secret","client_secrets_by_dc"?}`.
 * Transient like ClientCredentialsNotFoundError: one bad `clients put` must not take every connection
 * of that client app off the schedule; the next good one heals them all.
 */
export class MalformedClientCredentialsError extends ZohoTokenRefresherError {
  readonly clientRef: string;

  constructor(clientRef: string, detail: string, options?: { cause?: unknown }) {
    super(
      'malformed_client_credentials',
      `The secret of client app '${clientRef}' is malformed: ${detail}`,
      options,
    );
    this.clientRef = clientRef;
  }
}

/**
 * A client app name that would put its secret where the consumers' access-token pattern reaches
 * (see parseClientName): refused before anything is stored.
 */
export class ReservedClientNameError extends InvalidInputError {
  readonly clientName: string;

  constructor(clientName: string) {
    super(
      `client name '${clientName}' is reserved: a client app's secret under a name starting with 'access-token' would match the consumers' access-token secret pattern; choose another name`,
      'reserved_client_name',
    );
    this.clientName = clientName;
  }
}

/** EventBridge accepted the request but did not deliver the entry to the bus. */
export class EventPublishError extends ZohoTokenRefresherError {
  constructor(detailType: string, awsErrorCode: string | undefined, options?: { cause?: unknown }) {
    super(
      'event_publish_failed',
      `EventBridge rejected the '${detailType}' event (${awsErrorCode ?? 'no error code'})`,
      options,
    );
  }
}

/**
 * A refresh-queue message that is not a refresh order of the shape the planner writes. Only the
 * planner and the workers may send to the queue, so this is a bug or a hand-sent message: the worker
 * hands it back, and after a few deliveries the queue dead-letters it for someone to read.
 */
export class MalformedRefreshOrderError extends ZohoTokenRefresherError {
  constructor(detail: string) {
    super('malformed_refresh_order', `Not a refresh order: ${detail}`);
  }
}
