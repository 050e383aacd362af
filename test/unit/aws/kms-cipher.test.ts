import 'aws-sdk-client-mock-vitest/extend';
import { DecryptCommand, EncryptCommand, InvalidCiphertextException, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  RefreshTokenCipherError,
  RefreshTokenCipherRefusedError,
  RefreshTokenKeyUnavailableError,
} from '../../../functions/aws/errors';
import { ENCRYPTION_CONTEXT_KEY, KmsRefreshTokenCipher } from '../../../functions/aws/kms-cipher';
import { MisconfigurationError } from '../../../functions/core/errors';
import { rejection } from './fixtures';

const KEY_ID = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const REFRESH_TOKEN = '1000.test-rt-books-eu';
const BLOB = Uint8Array.from([1, 2, 3, 250, 251, 252]);

describe('KmsRefreshTokenCipher', () => {
  const kms = mockClient(KMSClient);
  const cipher = new KmsRefreshTokenCipher({ client: new KMSClient({ region: 'eu-west-1' }), keyId: KEY_ID });

  beforeEach(() => {
    kms.reset();
  });

  it('encrypts under the key with an encryption context naming the connection, base64 out', async () => {
    // Prepare
    kms.on(EncryptCommand).resolves({ CiphertextBlob: BLOB });

    // Act
    const encrypted = await cipher.encrypt('books-eu', REFRESH_TOKEN);

    // Assess
    expect(encrypted).toBe(Buffer.from(BLOB).toString('base64'));
    expect(kms).toReceiveCommandTimes(EncryptCommand, 1);
    expect(kms).toReceiveCommandWith(EncryptCommand, {
      KeyId: KEY_ID,
      Plaintext: Buffer.from(REFRESH_TOKEN, 'utf8'),
      EncryptionContext: { 'zoho-token-refresher:connection-id': 'books-eu' },
    });
    expect(ENCRYPTION_CONTEXT_KEY).toBe('zoho-token-refresher:connection-id');
  });

  it('decrypts with the same key and exact encryption context', async () => {
    // Prepare
    kms.on(DecryptCommand).resolves({ Plaintext: Buffer.from(REFRESH_TOKEN, 'utf8') });

    // Act
    const decrypted = await cipher.decrypt('books-eu', Buffer.from(BLOB).toString('base64'));

    // Assess
    expect(decrypted).toBe(REFRESH_TOKEN);
    expect(kms).toReceiveCommandWith(DecryptCommand, {
      KeyId: KEY_ID,
      CiphertextBlob: Buffer.from(BLOB),
      EncryptionContext: { 'zoho-token-refresher:connection-id': 'books-eu' },
    });
  });

  it.each([
    // This ciphertext is bound elsewhere (another connection's context, another key): permanent.
    ['InvalidCiphertextException', RefreshTokenCipherRefusedError, 'refresh_token_cipher_refused', true],
    ['IncorrectKeyException', RefreshTokenCipherRefusedError, 'refresh_token_cipher_refused', true],
    // The key itself, shared by every connection, is unusable for now: retried, never misconfigured.
    ['AccessDeniedException', RefreshTokenKeyUnavailableError, 'refresh_token_key_unavailable', false],
    ['DisabledException', RefreshTokenKeyUnavailableError, 'refresh_token_key_unavailable', false],
    ['KMSInvalidStateException', RefreshTokenKeyUnavailableError, 'refresh_token_key_unavailable', false],
    ['NotFoundException', RefreshTokenKeyUnavailableError, 'refresh_token_key_unavailable', false],
    ['InvalidKeyUsageException', RefreshTokenKeyUnavailableError, 'refresh_token_key_unavailable', false],
    ['ThrottlingException', RefreshTokenCipherError, 'refresh_token_cipher', false],
  ])(
    'turns %s into the typed error of its kind, naming the connection, never the ciphertext',
    async (name, ErrorClass, code, permanent) => {
      // Prepare
      kms.on(DecryptCommand).rejects(Object.assign(new Error('refused'), { name }));
      const encrypted = Buffer.from(BLOB).toString('base64');

      // Act
      const error = await rejection(cipher.decrypt('books-eu', encrypted));

      // Assess
      expect(error.constructor).toBe(ErrorClass);
      expect(error).toMatchObject({ code, connectionId: 'books-eu', operation: 'decrypt' });
      // Only a misconfiguration takes the connection off the schedule (refresh-failure.ts).
      expect(error instanceof MisconfigurationError).toBe(permanent);
      expect(error.message).toBe(
        `KMS could not decrypt the refresh token of connection 'books-eu' (${name})`,
      );
      expect(error.message).not.toContain(encrypted);
    },
  );

  it('keeps the SDK exception as the cause', async () => {
    // Prepare
    const awsError = new InvalidCiphertextException({ message: 'context mismatch', $metadata: {} });
    kms.on(DecryptCommand).rejects(awsError);

    // Act
    const error = await rejection(cipher.decrypt('books-eu', Buffer.from(BLOB).toString('base64')));

    // Assess
    expect(error).toBeInstanceOf(RefreshTokenCipherRefusedError);
    expect(error.cause).toBe(awsError);
  });

  it('turns an encrypt failure into a typed error that does not carry the refresh token', async () => {
    // Prepare
    kms.on(EncryptCommand).rejects(Object.assign(new Error('key disabled'), { name: 'DisabledException' }));

    // Act
    const error = await rejection(cipher.encrypt('books-eu', REFRESH_TOKEN));

    // Assess
    expect(error).toBeInstanceOf(RefreshTokenKeyUnavailableError);
    expect(error).toBeInstanceOf(RefreshTokenCipherError);
    expect(error.message).toBe(
      "KMS could not encrypt the refresh token of connection 'books-eu' (DisabledException)",
    );
    expect(error.message).not.toContain('test-rt-');
  });
});
