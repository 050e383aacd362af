import { DecryptCommand, EncryptCommand, InvalidCiphertextException, KMSClient } from '@aws-sdk/client-kms';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLocalResources } from '../../cli/local/resources';
import { useEmulator } from '../support/emulator';

const { endpoint, region, clientConfig } = useEmulator();
const kms = new KMSClient(clientConfig);
const CONTEXT_KEY = 'zoho-token-refresher:connection-id';
const REFRESH_TOKEN = 'test-rt-kms-context-1';

let keyAlias: string;
let ciphertext: Uint8Array;

beforeAll(async () => {
  ({ keyAlias } = await createLocalResources({ endpoint, region }));
  const encrypted = await kms.send(
    new EncryptCommand({
      KeyId: keyAlias,
      Plaintext: Buffer.from(REFRESH_TOKEN),
      EncryptionContext: { [CONTEXT_KEY]: 'c1' },
    }),
  );
  ciphertext = encrypted.CiphertextBlob ?? new Uint8Array();
});

describe('a refresh token encrypted under the connection encryption context', () => {
  it('decrypts with the same context', async () => {
    // Act
    const { Plaintext } = await kms.send(
      new DecryptCommand({ CiphertextBlob: ciphertext, EncryptionContext: { [CONTEXT_KEY]: 'c1' } }),
    );

    // Assess (compared, never printed: a mismatch message would show the secret)
    expect(Buffer.from(Plaintext ?? new Uint8Array()).equals(Buffer.from(REFRESH_TOKEN))).toBe(true);
  });

  it('does not decrypt without the context', async () => {
    // Act
    const attempt = kms.send(new DecryptCommand({ CiphertextBlob: ciphertext }));

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(InvalidCiphertextException);
  });

  it("does not decrypt under another connection's context", async () => {
    // Act
    const attempt = kms.send(
      new DecryptCommand({ CiphertextBlob: ciphertext, EncryptionContext: { [CONTEXT_KEY]: 'c2' } }),
    );

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(InvalidCiphertextException);
  });

  it('does not decrypt when the context carries an extra pair', async () => {
    // Act
    const attempt = kms.send(
      new DecryptCommand({
        CiphertextBlob: ciphertext,
        EncryptionContext: { [CONTEXT_KEY]: 'c1', other: 'x' },
      }),
    );

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(InvalidCiphertextException);
  });
});
