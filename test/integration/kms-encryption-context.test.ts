/**
 * Refresh tokens are bound to their connection by the KMS encryption context: through our adapter
 * (KmsRefreshTokenCipher) against the emulator, and raw, to show the emulator enforces the context
 * at all (else the adapter tests would pass for the wrong reason).
 */
import {
  CreateKeyCommand,
  DecryptCommand,
  EncryptCommand,
  InvalidCiphertextException,
  KMSClient,
} from '@aws-sdk/client-kms';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLocalResources } from '../../dev/resources/resources';
import { RefreshTokenCipherRefusedError, RefreshTokenKeyUnavailableError } from '../../functions/aws/errors';
import { ENCRYPTION_CONTEXT_KEY, KmsRefreshTokenCipher } from '../../functions/aws/kms-cipher';
import { MisconfigurationError } from '../../functions/core/errors';
import { useEmulator } from '../support/emulator';

const { endpoint, region, clientConfig } = useEmulator();
const kms = new KMSClient(clientConfig);
const REFRESH_TOKEN = 'test-rt-kms-context-1';

let keyAlias: string;
let cipher: KmsRefreshTokenCipher;
/** A's refresh token, as the adapter stores it (base64). */
let encryptedForA: string;

beforeAll(async () => {
  ({ keyAlias } = await createLocalResources({ endpoint, region }));
  cipher = new KmsRefreshTokenCipher({ client: kms, keyId: keyAlias });
  encryptedForA = await cipher.encrypt('connection-a', REFRESH_TOKEN);
});

/** Compared, never printed: a mismatch message would show the secret. */
const isTheToken = (plaintext: string | Uint8Array | undefined) =>
  Buffer.from(plaintext ?? new Uint8Array()).equals(Buffer.from(REFRESH_TOKEN));

describe('KmsRefreshTokenCipher', () => {
  it("decrypts a connection's refresh token as that connection", async () => {
    // Act
    const plaintext = await cipher.decrypt('connection-a', encryptedForA);

    // Assess
    expect(isTheToken(plaintext)).toBe(true);
  });

  it("refuses to decrypt A's ciphertext as connection B, as a misconfiguration naming B", async () => {
    // Act
    const error = await cipher.decrypt('connection-b', encryptedForA).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(RefreshTokenCipherRefusedError);
    expect(error).toBeInstanceOf(MisconfigurationError);
    expect(error).toMatchObject({ connectionId: 'connection-b', operation: 'decrypt' });
    expect((error as Error).message).toContain('InvalidCiphertextException');
    expect((error as Error).message).not.toContain('test-rt-');
  });

  it('refuses to decrypt with another key than the one that encrypted', async () => {
    // Prepare
    const other = await kms.send(new CreateKeyCommand({ Description: 'not the refresh-token key' }));
    const otherCipher = new KmsRefreshTokenCipher({ client: kms, keyId: other.KeyMetadata?.KeyId ?? '' });

    // Act
    const error = await otherCipher.decrypt('connection-a', encryptedForA).catch((e: unknown) => e);

    // Assess: real KMS answers IncorrectKeyException (permanent, unit-tested); moto answers
    // AccessDeniedException, which we treat as a key-level problem that may pass (retried).
    expect(error).toBeInstanceOf(RefreshTokenKeyUnavailableError);
    expect((error as Error).cause).toMatchObject({ name: 'AccessDeniedException' });
    expect(error).toMatchObject({ connectionId: 'connection-a', operation: 'decrypt' });
  });
});

describe('the emulator itself, given the raw ciphertext', () => {
  const ciphertext = () => Buffer.from(encryptedForA, 'base64');

  it('decrypts with the same context', async () => {
    // Act
    const { Plaintext } = await kms.send(
      new DecryptCommand({
        CiphertextBlob: ciphertext(),
        EncryptionContext: { [ENCRYPTION_CONTEXT_KEY]: 'connection-a' },
      }),
    );

    // Assess
    expect(isTheToken(Plaintext)).toBe(true);
  });

  it('does not decrypt without the context', async () => {
    // Act
    const attempt = kms.send(new DecryptCommand({ CiphertextBlob: ciphertext() }));

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(InvalidCiphertextException);
  });

  it("does not decrypt under another connection's context", async () => {
    // Act
    const attempt = kms.send(
      new DecryptCommand({
        CiphertextBlob: ciphertext(),
        EncryptionContext: { [ENCRYPTION_CONTEXT_KEY]: 'connection-b' },
      }),
    );

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(InvalidCiphertextException);
  });

  it('does not decrypt when the context carries an extra pair', async () => {
    // Act
    const attempt = kms.send(
      new DecryptCommand({
        CiphertextBlob: ciphertext(),
        EncryptionContext: { [ENCRYPTION_CONTEXT_KEY]: 'connection-a', other: 'x' },
      }),
    );

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(InvalidCiphertextException);
  });

  it('encrypts under the context the adapter names', async () => {
    // Act: a ciphertext made raw, under A's context, is one the adapter decrypts as A
    const raw = await kms.send(
      new EncryptCommand({
        KeyId: keyAlias,
        Plaintext: Buffer.from(REFRESH_TOKEN),
        EncryptionContext: { [ENCRYPTION_CONTEXT_KEY]: 'connection-a' },
      }),
    );
    const plaintext = await cipher.decrypt(
      'connection-a',
      Buffer.from(raw.CiphertextBlob ?? new Uint8Array()).toString('base64'),
    );

    // Assess
    expect(isTheToken(plaintext)).toBe(true);
  });
});
