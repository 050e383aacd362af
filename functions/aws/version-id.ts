/**
 * Deterministic secret version ids. The access-token secret's VersionId (ClientRequestToken) is a
 * UUIDv5 of (connectionId, version): two writers of one version send the same id, and Secrets
 * Manager refuses the second one's different value instead of letting it overwrite the first.
 */
import { createHash } from 'node:crypto';

/** This project's UUIDv5 namespace (a fixed random UUID): ids never collide with other apps' v5 ids. */
export const VERSION_ID_NAMESPACE = '5b0e8f2c-7d1a-4c3e-9a6b-2f4d8e1c0a97';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** RFC 9562 UUID version 5 (SHA-1, name-based) of `name` in `namespace`. */
export function uuidV5(name: string, namespace: string): string {
  if (!UUID.test(namespace))
    throw new TypeError(`namespace must be a UUID (got ${JSON.stringify(namespace)})`);
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest()
    .subarray(0, 16);
  hash.writeUInt8((hash.readUInt8(6) & 0x0f) | 0x50, 6); // version 5
  hash.writeUInt8((hash.readUInt8(8) & 0x3f) | 0x80, 8); // RFC variant
  const hex = hash.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The secret VersionId of an access token: same (connectionId, version) → same id, always. */
export function accessTokenVersionId(connectionId: string, version: number): string {
  // '/' cannot occur in a connection id, so no two (id, version) pairs share a name.
  return uuidV5(`${connectionId}/${version}`, VERSION_ID_NAMESPACE);
}
