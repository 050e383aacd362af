/**
 * KMS and EventBridge of one invocation. The cipher is not encryption: it binds the plaintext to
 * the connection as the encryption context does and gives it back, at the cost of one KMS call.
 */
import type { EventPublisher, RefresherEvent, RefreshTokenCipher } from '../../../functions/core/ports';
import { SimPort } from './sim-environment';

const PREFIX = 'kms:';

/** What the cipher's "ciphertext" of `plaintext` for `connectionId` is (also how the fleet is seeded). */
export const simCiphertext = (connectionId: string, plaintext: string): string =>
  `${PREFIX}${connectionId}:${plaintext}`;

export class SimCipher extends SimPort implements RefreshTokenCipher {
  async encrypt(connectionId: string, plaintext: string): Promise<string> {
    await this.call('kms.Encrypt', connectionId);
    return simCiphertext(connectionId, plaintext);
  }

  async decrypt(connectionId: string, encrypted: string): Promise<string> {
    await this.call('kms.Decrypt', connectionId);
    const bound = `${PREFIX}${connectionId}:`;
    if (!encrypted.startsWith(bound))
      throw new Error('InvalidCiphertextException: encryption context mismatch');
    return encrypted.slice(bound.length);
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
