/**
 * The inputs of the lease and of the writes made under it: the conditions that make the lease a
 * fence, and what a lease write and a commit set. The store (connection-store.ts) sends them and
 * turns a failed condition into the domain's answer.
 */
import type { UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import type { Connection, EpochMillis, Lease } from '../core/connection';
import type { LeaseMarks, RefreshCommit } from '../core/ports';
import { connectionItemKey, secretWritesValue, zohoCallsValue } from './connection-item';
import { type Item, num, str } from './item-attributes';
import { dueShardOf } from './table';

/** The lease write's condition: same version and lease sequence, active, lease free or expired. */
export const ACQUIRE_LEASE_CONDITION =
  'attribute_exists(pk) AND version = :seenVersion AND leaseSeq = :seenSeq AND #status = :active AND (attribute_not_exists(leaseOwner) OR leaseUntil <= :now)';

/**
 * The condition of every write made under a lease: the caller still holds it, it has not expired and
 * the connection is still active (a revoke or disable during a refresh makes its commit fail).
 */
export const LEASE_HELD_CONDITION = 'leaseOwner = :owner AND leaseUntil > :now AND #status = :active';

/** What a write under a lease changes: its update expression and values. */
export interface LeaseHeldExpression {
  readonly update: string;
  readonly values: Item;
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
  const markValues: Item = {};
  if (marks.freshReportRefreshAt !== undefined) {
    markSet += ', freshReportRefreshAt = :freshAt';
    markValues[':freshAt'] = num(marks.freshReportRefreshAt);
  }
  if (marks.recentZohoCalls !== undefined) {
    // The whole list, computed from `seen`: the leaseSeq condition proves it is still the stored one.
    markSet += ', recentZohoCalls = :calls';
    markValues[':calls'] = zohoCallsValue(marks.recentZohoCalls);
  }
  return {
    TableName: tableName,
    Key: connectionItemKey(seen.connectionId),
    UpdateExpression: `SET leaseOwner = :owner, leaseUntil = :leaseUntil, leaseSeq = :nextSeq${markSet}`,
    ConditionExpression: ACQUIRE_LEASE_CONDITION,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':owner': str(lease.owner),
      ':leaseUntil': num(lease.until),
      ':nextSeq': num(seen.leaseSeq + 1),
      ':seenVersion': num(seen.version),
      ':seenSeq': num(seen.leaseSeq),
      ':active': str('active'),
      ':now': num(now),
      ...markValues,
    },
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
    ExpressionAttributeValues: {
      ...expression.values,
      ':owner': str(owner),
      ':now': num(now),
      ':active': str('active'),
    },
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
      ':writes': secretWritesValue(commit.recentSecretWrites),
      ':version': num(commit.version),
      ':expiresAt': num(commit.expiresAt),
      ':refreshDueAt': num(commit.refreshDueAt),
      ':refreshedAt': num(commit.refreshedAt),
      ':apiDomain': str(commit.apiDomain),
      ':zero': num(0),
      ':dueShard': str(dueShardOf(connectionId)),
    },
  };
}
