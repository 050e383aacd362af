/**
 * Typed errors of the AWS adapters. Like the domain's, they are classified with `instanceof` and
 * their messages name connections and client apps, never a token, a refresh token or a secret.
 */
import { ZohoTokenRefresherError } from '../core/errors';

/** A table item that does not have the shape this code writes (hand edit, older schema). */
export class CorruptStoredItemError extends ZohoTokenRefresherError {
  constructor(what: string, detail: string) {
    super('corrupt_item', `Stored ${what} is unreadable: ${detail}`);
  }
}

/** The access-token secret exists but its value is not the contract's JSON. */
export class MalformedAccessTokenSecretError extends ZohoTokenRefresherError {
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

/**
 * KMS refused to encrypt or decrypt a refresh token. `permanent` is true when retrying cannot help
 * (ciphertext bound to another connection or key, access denied, key disabled).
 */
export class RefreshTokenCipherError extends ZohoTokenRefresherError {
  readonly connectionId: string;
  readonly operation: 'encrypt' | 'decrypt';
  readonly permanent: boolean;

  constructor(
    connectionId: string,
    operation: 'encrypt' | 'decrypt',
    awsErrorName: string,
    permanent: boolean,
    options?: { cause?: unknown },
  ) {
    super(
      'refresh_token_cipher',
      `KMS could not ${operation} the refresh token of connection '${connectionId}' (${awsErrorName})`,
      options,
    );
    this.connectionId = connectionId;
    this.operation = operation;
    this.permanent = permanent;
  }
}

/** The client app secret exists but is not `{"client_id","client_secret","client_secrets_by_dc"?}`. */
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
