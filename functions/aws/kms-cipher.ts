/**
 * RefreshTokenCipher on KMS. Every ciphertext is bound to its connection by the encryption context,
 * so a refresh token copied onto another connection's item cannot be decrypted there.
 */
import { DecryptCommand, EncryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { RefreshTokenCipher } from '../core/ports';
import {
  RefreshTokenCipherError,
  RefreshTokenCipherRefusedError,
  RefreshTokenKeyUnavailableError,
} from './errors';

/** Encryption context key naming the connection (also used in the key policy's conditions). */
export const ENCRYPTION_CONTEXT_KEY = 'zoho-token-refresher:connection-id';

/** KMS refuses this ciphertext (another connection's context, another key): permanent for this connection. */
const CIPHERTEXT_REFUSED = new Set(['InvalidCiphertextException', 'IncorrectKeyException']);

/**
 * The key itself is unusable right now. It serves every connection, and an operator may fix it at any
 * moment (re-enable, cancel deletion, policy propagated): retried, never a misconfiguration.
 */
const KEY_UNAVAILABLE = new Set([
  'AccessDeniedException',
  'DisabledException',
  'KMSInvalidStateException',
  'NotFoundException',
  'InvalidKeyUsageException',
]);

export interface KmsRefreshTokenCipherOptions {
  /** Created once at module scope by the caller. */
  readonly client: KMSClient;
  /** Key id, ARN or alias of the refresh-token key. */
  readonly keyId: string;
}

/** The encryption context of a connection's refresh token. */
export const encryptionContext = (connectionId: string): Record<string, string> => ({
  [ENCRYPTION_CONTEXT_KEY]: connectionId,
});

/** The KMS RefreshTokenCipher; ciphertexts are base64 strings. */
export class KmsRefreshTokenCipher implements RefreshTokenCipher {
  readonly #client: KMSClient;
  readonly #keyId: string;

  constructor(options: KmsRefreshTokenCipherOptions) {
    this.#client = options.client;
    this.#keyId = options.keyId;
  }

  async encrypt(connectionId: string, refreshToken: string): Promise<string> {
    try {
      const output = await this.#client.send(
        new EncryptCommand({
          KeyId: this.#keyId,
          Plaintext: Buffer.from(refreshToken, 'utf8'),
          EncryptionContext: encryptionContext(connectionId),
        }),
      );
      if (output.CiphertextBlob === undefined) throw new Error('KMS returned no ciphertext');
      return Buffer.from(output.CiphertextBlob).toString('base64');
    } catch (error) {
      throw cipherError(connectionId, 'encrypt', error);
    }
  }

  async decrypt(connectionId: string, encrypted: string): Promise<string> {
    try {
      const output = await this.#client.send(
        new DecryptCommand({
          // Pinning the key makes KMS refuse a ciphertext made under any other key.
          KeyId: this.#keyId,
          CiphertextBlob: Buffer.from(encrypted, 'base64'),
          EncryptionContext: encryptionContext(connectionId),
        }),
      );
      if (output.Plaintext === undefined) throw new Error('KMS returned no plaintext');
      return Buffer.from(output.Plaintext).toString('utf8');
    } catch (error) {
      throw cipherError(connectionId, 'decrypt', error);
    }
  }
}

// Only the SDK error's name goes into the message: neither plaintext nor ciphertext is ever echoed.
function cipherError(connectionId: string, operation: 'encrypt' | 'decrypt', error: unknown) {
  const name = error instanceof Error ? error.name : 'UnknownError';
  const ErrorClass = CIPHERTEXT_REFUSED.has(name)
    ? RefreshTokenCipherRefusedError
    : KEY_UNAVAILABLE.has(name)
      ? RefreshTokenKeyUnavailableError
      : RefreshTokenCipherError;
  return new ErrorClass(connectionId, operation, name, { cause: error });
}
