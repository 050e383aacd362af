/**
 * The writes that change a connection's status: an operator action (revoke, disable, re-enable) and
 * a failed refresh. Both keep the invariants of the sparse indexes: `dueShard` is whatever
 * `dueShardFor` says for the new status (scheduled, waiting for an operator, or off the index), and
 * `retryPartition` is there exactly while the connection is active with a `lastError`.
 */
import type { UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import type { ConnectionStatus } from '../core/connection';
import type { RefreshFailure, StatusChange } from '../core/ports';
import {
  connectionItemKey,
  keptTokenValue,
  lastErrorValue,
  secretWritesValue,
  zohoCallsValue,
} from './connection-item';
import { type Item, num, str } from './item-attributes';
import { dueShardFor, retryPartitionFor } from './table';

/**
 * The conditional UpdateItem input of a status change: the item must exist and, when
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
  const removes: string[] = ['leaseOwner', 'leaseUntil'];
  const values: Item = { ':status': str(status), ':one': num(1) };
  if (changes.encryptedRefreshToken !== undefined) {
    sets.push('encryptedRefreshToken = :encryptedRefreshToken');
    values[':encryptedRefreshToken'] = str(changes.encryptedRefreshToken);
    // A token kept from the old refresh token must not be stored after a revoke or a new grant.
    removes.push('keptToken');
  }
  if (changes.refreshDueAt !== undefined) {
    sets.push('refreshDueAt = :refreshDueAt');
    values[':refreshDueAt'] = num(changes.refreshDueAt);
  }
  if (changes.expiresAt !== undefined) {
    sets.push('expiresAt = :expiresAt');
    values[':expiresAt'] = num(changes.expiresAt);
  }
  if (changes.recentZohoCalls !== undefined) {
    sets.push('recentZohoCalls = :calls');
    values[':calls'] = zohoCallsValue(changes.recentZohoCalls);
  }
  if (changes.lastError === null) {
    sets.push('consecutiveFailures = :zero');
    values[':zero'] = num(0);
    removes.push('lastError');
  } else if (changes.lastError !== undefined) {
    sets.push('lastError = :lastError');
    values[':lastError'] = lastErrorValue(changes.lastError);
  }
  const dueShard = dueShardFor(connectionId, status);
  if (dueShard !== undefined) {
    sets.push('dueShard = :dueShard');
    values[':dueShard'] = str(dueShard);
  } else {
    removes.push('dueShard');
  }
  // On the retry index while active with an error; an active change that leaves the error as it is
  // leaves the index entry as it is.
  if (status !== 'active' || changes.lastError === null) removes.push('retryPartition');
  else if (changes.lastError !== undefined) {
    sets.push('retryPartition = :retryPartition');
    values[':retryPartition'] = str(retryPartitionFor(status, true) as string);
  }
  let condition = 'attribute_exists(pk)';
  if (changes.expectedStatus !== undefined) {
    condition += ' AND #status = :expectedStatus';
    values[':expectedStatus'] = str(changes.expectedStatus);
  }
  return {
    TableName: tableName,
    Key: connectionItemKey(connectionId),
    UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
    ConditionExpression: condition,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: values,
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/**
 * The update expression of a failed refresh; the store writes it under the lease (which it also
 * clears) and adds the `#status` name its condition needs.
 */
export function failureUpdate(
  connectionId: string,
  failure: RefreshFailure,
): { update: string; values: Item } {
  const dueShard = dueShardFor(connectionId, failure.status);
  const sets = [
    '#status = :status',
    'refreshDueAt = :refreshDueAt',
    'consecutiveFailures = :failures',
    'lastError = :lastError',
  ];
  const removes = ['leaseOwner', 'leaseUntil'];
  const values: Item = {
    ':status': str(failure.status),
    ':refreshDueAt': num(failure.refreshDueAt),
    ':failures': num(failure.consecutiveFailures),
    ':lastError': lastErrorValue(failure.lastError),
  };
  if (dueShard === undefined) removes.push('dueShard');
  else {
    sets.push('dueShard = :dueShard');
    values[':dueShard'] = str(dueShard);
  }
  const retryPartition = retryPartitionFor(failure.status, true);
  if (retryPartition === undefined) removes.push('retryPartition');
  else {
    sets.push('retryPartition = :retryPartition');
    values[':retryPartition'] = str(retryPartition);
  }
  if (failure.keptToken !== undefined) {
    sets.push('keptToken = :kept');
    values[':kept'] = keptTokenValue(failure.keptToken);
  }
  if (failure.recentSecretWrites !== undefined) {
    sets.push('recentSecretWrites = :writes');
    values[':writes'] = secretWritesValue(failure.recentSecretWrites);
  }
  return { update: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`, values };
}
