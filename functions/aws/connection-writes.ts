/**
 * What each conditional write to a connection item says: the lease and the writes made under it (the
 * conditions that make the lease a fence), a commit, a failed refresh and an operator's status
 * change. The store (connection-store.ts) sends them and turns a failed condition into the domain's
 * answer. Every status change keeps the invariants of the sparse indexes: `dueShard` is whatever
 * `dueShardFor` says for the new status, and `retryPartition` is there exactly while the connection
 * is active with a `lastError`.
 */
import type { UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import type { Connection, ConnectionStatus, EpochMillis, Lease } from '../core/connection';
import type { LeaseMarks, RefreshCommit, RefreshFailure, StatusChange } from '../core/ports';
import { connectionItemKey, toItem } from './connection-items';
import { dueShardFor, dueShardOf, retryPartitionFor } from './table';

/** The lease write's condition: same version and lease sequence, active, lease free or expired. */
export const ACQUIRE_LEASE_CONDITION =
  'attribute_exists(pk) AND version = :seenVersion AND leaseSeq = :seenSeq AND #status = :active AND (attribute_not_exists(leaseOwner) OR leaseUntil <= :now)';

/**
 * The condition of every write made under a lease: the caller still holds it, it has not expired and
 * the connection is still active (a revoke or disable during a refresh makes its commit fail).
 */
export const LEASE_HELD_CONDITION = 'leaseOwner = :owner AND leaseUntil > :now AND #status = :active';

/** What a write under a lease changes: its update expression and the values it names. */
export interface LeaseHeldExpression {
  readonly update: string;
  readonly values: Readonly<Record<string, unknown>>;
}

/** The lease write (returning the leased item), with its marks in the same conditional write. */
export function acquireLeaseUpdate(
  tableName: string,
  seen: Connection,
  lease: Lease,
  now: EpochMillis,
  marks: LeaseMarks,
): UpdateItemCommandInput {
  let markSet = '';
  if (marks.freshReportRefreshAt !== undefined) markSet += ', freshReportRefreshAt = :freshAt';
  // The whole list, computed from `seen`: the leaseSeq condition proves it is still the stored one.
  if (marks.recentZohoCalls !== undefined) markSet += ', recentZohoCalls = :calls';
  return {
    TableName: tableName,
    Key: connectionItemKey(seen.connectionId),
    UpdateExpression: `SET leaseOwner = :owner, leaseUntil = :leaseUntil, leaseSeq = :nextSeq${markSet}`,
    ConditionExpression: ACQUIRE_LEASE_CONDITION,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: toItem({
      ':owner': lease.owner,
      ':leaseUntil': lease.until,
      ':nextSeq': seen.leaseSeq + 1,
      ':seenVersion': seen.version,
      ':seenSeq': seen.leaseSeq,
      ':active': 'active',
      ':now': now,
      ':freshAt': marks.freshReportRefreshAt,
      ':calls': marks.recentZohoCalls,
    }),
    ReturnValues: 'ALL_NEW',
  };
}

/** A write under `owner`'s lease (its condition: LEASE_HELD_CONDITION). */
export function leaseHeldUpdate(
  tableName: string,
  connectionId: string,
  owner: string,
  now: EpochMillis,
  expression: LeaseHeldExpression,
) {
  return {
    TableName: tableName,
    Key: connectionItemKey(connectionId),
    UpdateExpression: expression.update,
    ConditionExpression: LEASE_HELD_CONDITION,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: toItem({
      ...expression.values,
      ':owner': owner,
      ':now': now,
      ':active': 'active',
    }),
  };
}

/**
 * What a commit sets: version, expiry, due time, domain, the write budget; failures, lease and kept
 * token cleared. The condition guarantees the connection is still active: its due shard is written
 * again (so a raised shard count moves it) and it leaves the retry index.
 */
export function commitExpression(connectionId: string, commit: RefreshCommit): LeaseHeldExpression {
  return {
    update:
      'SET version = :version, expiresAt = :expiresAt, refreshDueAt = :refreshDueAt, refreshedAt = :refreshedAt, ' +
      'apiDomain = :apiDomain, consecutiveFailures = :zero, recentSecretWrites = :writes, dueShard = :dueShard ' +
      'REMOVE lastError, leaseOwner, leaseUntil, keptToken, retryPartition',
    values: {
      ':writes': commit.recentSecretWrites,
      ':version': commit.version,
      ':expiresAt': commit.expiresAt,
      ':refreshDueAt': commit.refreshDueAt,
      ':refreshedAt': commit.refreshedAt,
      ':apiDomain': commit.apiDomain,
      ':zero': 0,
      ':dueShard': dueShardOf(connectionId),
    },
  };
}

/** The update of a failed refresh, written under the lease, which it also clears. */
export function failureExpression(connectionId: string, failure: RefreshFailure): LeaseHeldExpression {
  const dueShard = dueShardFor(connectionId, failure.status);
  const retryPartition = retryPartitionFor(failure.status, true);
  const sets = [
    '#status = :status',
    'refreshDueAt = :refreshDueAt',
    'consecutiveFailures = :failures',
    'lastError = :lastError',
  ];
  const removes = ['leaseOwner', 'leaseUntil'];
  if (dueShard === undefined) removes.push('dueShard');
  else sets.push('dueShard = :dueShard');
  if (retryPartition === undefined) removes.push('retryPartition');
  else sets.push('retryPartition = :retryPartition');
  if (failure.keptToken !== undefined) sets.push('keptToken = :kept');
  if (failure.recentSecretWrites !== undefined) sets.push('recentSecretWrites = :writes');
  return {
    update: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
    values: {
      ':status': failure.status,
      ':refreshDueAt': failure.refreshDueAt,
      ':failures': failure.consecutiveFailures,
      ':lastError': failure.lastError,
      ':dueShard': dueShard,
      ':retryPartition': retryPartition,
      ':kept': failure.keptToken,
      ':writes': failure.recentSecretWrites,
    },
  };
}

/**
 * The conditional UpdateItem input of an operator's status change: the item must exist and, when
 * `changes.expectedStatus` is given, still have that status. A failed condition returns the stored
 * item (ALL_OLD), so the store tells "changed meanwhile" from "not there" without another read.
 */
export function statusUpdate(
  tableName: string,
  connectionId: string,
  status: ConnectionStatus,
  changes: StatusChange,
): UpdateItemCommandInput {
  // A status change also moves leaseSeq on, like a lease: a refresh order's snapshot taken before it
  // can no longer win a lease (its Zoho budget or its report marks would overwrite this change's).
  const sets = ['#status = :status', 'leaseSeq = leaseSeq + :one'];
  // An operator's status change ends any lease: a refresh in flight can no longer commit, and a
  // connection reactivated right after a revoke refreshes at once instead of waiting out a lease.
  const removes = ['leaseOwner', 'leaseUntil'];
  if (changes.encryptedRefreshToken !== undefined) {
    sets.push('encryptedRefreshToken = :encryptedRefreshToken');
    // A token kept from the old refresh token must not be stored after a revoke or a new grant.
    removes.push('keptToken');
  }
  if (changes.refreshDueAt !== undefined) sets.push('refreshDueAt = :refreshDueAt');
  if (changes.expiresAt !== undefined) sets.push('expiresAt = :expiresAt');
  if (changes.recentZohoCalls !== undefined) sets.push('recentZohoCalls = :calls');
  if (changes.lastError === null) {
    sets.push('consecutiveFailures = :zero');
    removes.push('lastError');
  } else if (changes.lastError !== undefined) sets.push('lastError = :lastError');
  const dueShard = dueShardFor(connectionId, status);
  if (dueShard !== undefined) sets.push('dueShard = :dueShard');
  else removes.push('dueShard');
  // On the retry index while active with an error; an active change that leaves the error as it is
  // leaves the index entry as it is.
  const retryPartition = changes.lastError ? retryPartitionFor(status, true) : undefined;
  if (status !== 'active' || changes.lastError === null) removes.push('retryPartition');
  else if (retryPartition !== undefined) sets.push('retryPartition = :retryPartition');
  let condition = 'attribute_exists(pk)';
  if (changes.expectedStatus !== undefined) condition += ' AND #status = :expectedStatus';
  return {
    TableName: tableName,
    Key: connectionItemKey(connectionId),
    UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
    ConditionExpression: condition,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: toItem({
      ':status': status,
      ':one': 1,
      ':encryptedRefreshToken': changes.encryptedRefreshToken,
      ':refreshDueAt': changes.refreshDueAt,
      ':expiresAt': changes.expiresAt,
      ':calls': changes.recentZohoCalls,
      ':zero': changes.lastError === null ? 0 : undefined,
      ':lastError': changes.lastError ?? undefined,
      ':dueShard': dueShard,
      ':retryPartition': retryPartition,
      ':expectedStatus': changes.expectedStatus,
    }),
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}
