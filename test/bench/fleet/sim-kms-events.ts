/**
 * KMS and EventBridge of one invocation. The cipher is not encryption: it binds the plaintext to
 * the connection as the encryption context does and gives it back, at the cost of one KMS call.
 */
import type { EventPublisher, RefresherEvent, RefreshTokenCipher } from '../../../functions/core/ports';
import { SimPort } from './sim-environment';

const PREFIX = 'kms:';
/** A KMS ciphertext blob is the plaintext and about this much more (key reference, IV, tag). */
const KMS_BLOB_OVERHEAD_BYTES = 152;
/** A Zoho refresh token (`1000.` + 32 + `.` + 32 hex digits): the seeded ones are shorter. */
const REFRESH_TOKEN_LENGTH = 70;

/**
 * What the cipher's "ciphertext" of `plaintext` for `connectionId` is (also how the fleet is
 * seeded): `kms:<id>:<length>:<plaintext>`, padded to the length of the base64 of a real KMS blob,
 * so that the items it is stored on have their real size (and write units).
 */
export function simCiphertext(connectionId: string, plaintext: string): string {
  const bound = `${PREFIX}${connectionId}:${plaintext.length}:${plaintext}`;
  const blobBytes = Math.max(plaintext.length, REFRESH_TOKEN_LENGTH) + KMS_BLOB_OVERHEAD_BYTES;
  return bound.padEnd(4 * Math.ceil(blobBytes / 3), '=');
}

export class SimCipher extends SimPort implements RefreshTokenCipher {
  async encrypt(connectionId: string, plaintext: string): Promise<string> {
    await this.call('kms.Encrypt', connectionId);
    return simCiphertext(connectionId, plaintext);
  }

  /** Gives back the plaintext of `simCiphertext`, if it was bound to `connectionId`. */
  async decrypt(connectionId: string, encrypted: string): Promise<string> {
    await this.call('kms.Decrypt', connectionId);
    // `kms:<connectionId>:<length>:`, compared in place: this runs once per refresh.
    const idEnd = PREFIX.length + connectionId.length;
    const bound =
      encrypted.startsWith(PREFIX) &&
      encrypted.startsWith(connectionId, PREFIX.length) &&
      encrypted[idEnd] === ':';
    if (!bound) throw new Error('InvalidCiphertextException: encryption context mismatch');
    const lengthEnd = encrypted.indexOf(':', idEnd + 1);
    const length = Number(encrypted.slice(idEnd + 1, lengthEnd));
    return encrypted.slice(lengthEnd + 1, lengthEnd + 1 + length);
  }
}

/** Events published, by detail-type, across every invocation. */
export class PublishedEvents {
  readonly byType = new Map<RefresherEvent['detailType'], number>();
}

export class SimEventPublisher extends SimPort implements EventPublisher {
  constructor(
    env: ConstructorParameters<typeof SimPort>[0],
    context: ConstructorParameters<typeof SimPort>[1],
    private readonly published: PublishedEvents,
  ) {
    super(env, context);
  }

  async publish(event: RefresherEvent): Promise<void> {
    await this.call('events.PutEvents', event.detail.connectionId);
    this.published.byType.set(event.detailType, (this.published.byType.get(event.detailType) ?? 0) + 1);
  }
}
