/**
 * DynamoDB's item size, by its documented rules, for the capacity units the simulation bills: an
 * attribute costs its name's bytes plus its value's; a string its UTF-8 bytes; a number about one
 * byte per two significant digits plus one; a list or map 3 bytes plus its elements plus one byte
 * per element (and a map its keys' bytes).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Item } from '../../../functions/aws/connection-items';
import type { Connection } from '../../../functions/core/connection';

export function itemBytes(item: Item): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) bytes += Buffer.byteLength(name) + valueBytes(value);
  return bytes;
}

function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return numberBytes(value.N);
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.L !== undefined) return value.L.reduce((sum, element) => sum + valueBytes(element) + 1, 3);
  if (value.M !== undefined) return itemBytes(value.M) + Object.keys(value.M).length + 3;
  throw new Error('item-size: an attribute type the table does not use');
}

function numberBytes(decimal: string): number {
  const digits = decimal.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

/** Write request units of writing an item of `bytes` (1 per started KB). */
export const writeUnits = (bytes: number): number => Math.max(1, Math.ceil(bytes / 1024));

/** Read request units of reading `bytes` strongly consistently (1 per started 4 KB). */
export const readUnits = (bytes: number): number => Math.max(1, Math.ceil(bytes / 4096));

/**
 * Bytes of a connection item without building it: the adapter's own mapping (`toConnectionItem`)
 * measured once on a sample gives the fixed part; what varies between connections and writes (ids,
 * hosts, the budget lists, a lease, an error, a kept token) is added by DynamoDB's rules. `error`
 * compares the estimate with the exact size, so a new attribute of the item cannot drift unseen.
 */
export class ConnectionSizeModel {
  readonly #fixed: number;

  constructor(
    private readonly exact: (connection: Connection) => number,
    sample: Connection,
  ) {
    this.#fixed = exact(sample) - variableBytes(sample);
  }

  bytes(connection: Connection): number {
    return this.#fixed + variableBytes(connection);
  }

  /** How far the estimate of `connection` is from its exact size, in bytes (signed). */
  error(connection: Connection): number {
    return this.bytes(connection) - this.exact(connection);
  }
}

/** A 13-digit epoch in a list: 7 bytes of digits + 1, and 1 byte of list overhead. */
const LIST_EPOCH_BYTES = 9;
/** A 13-digit epoch attribute value. */
const EPOCH_BYTES = 8;

function variableBytes(c: Connection): number {
  let bytes =
    2 * c.connectionId.length +
    c.dc.length +
    c.accountsServer.length +
    c.apiDomain.length +
    c.encryptedRefreshToken.length +
    LIST_EPOCH_BYTES * (c.recentZohoCalls.length + c.recentSecretWrites.length);
  if (c.lease) bytes += 'leaseOwner'.length + c.lease.owner.length + 'leaseUntil'.length + EPOCH_BYTES;
  if (c.lastError) {
    bytes += 'lastError'.length + 3 + 3 + 'codemessageat'.length + c.lastError.code.length;
    bytes += c.lastError.message.length + EPOCH_BYTES;
  }
  if (c.keptToken)
    bytes +=
      'keptToken'.length + 3 + 3 + 'versionexpiresAtciphertext'.length + 12 + c.keptToken.ciphertext.length;
  if (c.refreshedAt !== undefined) bytes += 'refreshedAt'.length + EPOCH_BYTES;
  if (c.freshReportRefreshAt !== undefined) bytes += 'freshReportRefreshAt'.length + EPOCH_BYTES;
  if (c.lastFreshRejectionAt !== undefined) bytes += 'lastFreshRejectionAt'.length + EPOCH_BYTES;
  return bytes;
}
