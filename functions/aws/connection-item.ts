/**
 * Connection ⇄ DynamoDB item. The attribute names here are the ones the store's expressions use;
 * `dueShard` comes from `dueShardFor` and `retryPartition` from `retryPartitionFor`, so both sparse
 * indexes hold exactly what they should.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { CONNECTION_STATUSES, type Connection, type KeptToken, type LastError } from '../core/connection';
import { type Item, ItemReader, num, str } from './item-attributes';
import { connectionKey, dueShardFor, retryPartitionFor } from './table';

/** The sort key value of connection items (history items share the partition). */
export const CONNECTION_SORT_KEY = connectionKey('').sk;

/** The DynamoDB key of a connection item. */
export function connectionItemKey(connectionId: string): Item {
  const key = connectionKey(connectionId);
  return { pk: str(key.pk), sk: str(key.sk) };
}

/** The map attribute a LastError is stored as. */
export function lastErrorValue(error: LastError): AttributeValue {
  return { M: { code: str(error.code), message: str(error.message), at: num(error.at) } };
}

/** The list attribute of the Zoho call times (a list, not a number set: sets cannot be empty). */
export function zohoCallsValue(calls: readonly number[]): AttributeValue {
  return { L: calls.map(num) };
}

/** The list attribute of the secret write times (the write budget); a list like the Zoho calls. */
export const secretWritesValue = zohoCallsValue;

/** The map attribute of a kept token (its ciphertext, version and expiry). */
export function keptTokenValue(kept: KeptToken): AttributeValue {
  return {
    M: { version: num(kept.version), expiresAt: num(kept.expiresAt), ciphertext: str(kept.ciphertext) },
  };
}

/** The full item of a connection, as `create` writes it. */
export function toConnectionItem(connection: Connection): Item {
  const item: Item = {
    ...connectionItemKey(connection.connectionId),
    connectionId: str(connection.connectionId),
    dc: str(connection.dc),
    accountsServer: str(connection.accountsServer),
    apiDomain: str(connection.apiDomain),
    clientRef: str(connection.clientRef),
    status: str(connection.status),
    version: num(connection.version),
    expiresAt: num(connection.expiresAt),
    refreshDueAt: num(connection.refreshDueAt),
    leaseSeq: num(connection.leaseSeq),
    consecutiveFailures: num(connection.consecutiveFailures),
    recentZohoCalls: zohoCallsValue(connection.recentZohoCalls),
    encryptedRefreshToken: str(connection.encryptedRefreshToken),
    createdAt: num(connection.createdAt),
    recentSecretWrites: secretWritesValue(connection.recentSecretWrites),
    freshRejections: num(connection.freshRejections),
  };
  if (connection.keptToken !== undefined) item.keptToken = keptTokenValue(connection.keptToken);
  if (connection.freshReportRefreshAt !== undefined)
    item.freshReportRefreshAt = num(connection.freshReportRefreshAt);
  if (connection.lastFreshRejectionAt !== undefined)
    item.lastFreshRejectionAt = num(connection.lastFreshRejectionAt);
  if (connection.refreshedAt !== undefined) item.refreshedAt = num(connection.refreshedAt);
  if (connection.lease !== undefined) {
    item.leaseOwner = str(connection.lease.owner);
    item.leaseUntil = num(connection.lease.until);
  }
  if (connection.lastError !== undefined) item.lastError = lastErrorValue(connection.lastError);
  const dueShard = dueShardFor(connection.connectionId, connection.status);
  if (dueShard !== undefined) item.dueShard = str(dueShard);
  const retryPartition = retryPartitionFor(connection.status, connection.lastError !== undefined);
  if (retryPartition !== undefined) item.retryPartition = str(retryPartition);
  return item;
}

/** Reads a connection item; throws CorruptStoredItemError naming the attribute that is wrong. */
export function fromConnectionItem(item: Item): Connection {
  const read = new ItemReader(item, `connection ${item.connectionId?.S ?? item.pk?.S ?? '(no id)'}`);
  const refreshedAt = read.optionalNumber('refreshedAt');
  const leaseOwner = read.optionalString('leaseOwner');
  const leaseUntil = read.optionalNumber('leaseUntil');
  const lastError = read.optionalMap('lastError');
  const kept = read.optionalMap('keptToken');
  const freshReportRefreshAt = read.optionalNumber('freshReportRefreshAt');
  const lastFreshRejectionAt = read.optionalNumber('lastFreshRejectionAt');
  return {
    connectionId: read.string('connectionId'),
    dc: read.string('dc'),
    accountsServer: read.string('accountsServer'),
    apiDomain: read.string('apiDomain'),
    clientRef: read.string('clientRef'),
    status: read.oneOf('status', CONNECTION_STATUSES),
    version: read.number('version'),
    expiresAt: read.number('expiresAt'),
    refreshDueAt: read.number('refreshDueAt'),
    ...(refreshedAt === undefined ? {} : { refreshedAt }),
    ...(leaseOwner === undefined || leaseUntil === undefined
      ? {}
      : { lease: { owner: leaseOwner, until: leaseUntil } }),
    // Required: acquireLease conditions on it, so a defaulted value could never match.
    leaseSeq: read.number('leaseSeq'),
    consecutiveFailures: read.number('consecutiveFailures'),
    ...(lastError === undefined
      ? {}
      : {
          lastError: {
            code: lastError.string('code'),
            message: lastError.string('message'),
            at: lastError.number('at'),
          },
        }),
    recentZohoCalls: read.numberList('recentZohoCalls'),
    encryptedRefreshToken: read.string('encryptedRefreshToken'),
    createdAt: read.number('createdAt'),
    // Items written before the write budget existed have neither: an empty history, no rejections.
    recentSecretWrites: read.numberList('recentSecretWrites'),
    freshRejections: read.optionalNumber('freshRejections') ?? 0,
    ...(kept === undefined
      ? {}
      : {
          keptToken: {
            version: kept.number('version'),
            expiresAt: kept.number('expiresAt'),
            ciphertext: kept.string('ciphertext'),
          },
        }),
    ...(freshReportRefreshAt === undefined ? {} : { freshReportRefreshAt }),
    ...(lastFreshRejectionAt === undefined ? {} : { lastFreshRejectionAt }),
  };
}
