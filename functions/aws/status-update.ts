/**
 * The UpdateItem of an operator status change (revoke, disable, re-enable). It keeps the one
 * invariant of the due index: `dueShard` is present exactly when the status is `active`.
 */
import type { UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import type { ConnectionStatus, EpochMillis, LastError } from '../core/connection';
import { connectionItemKey, lastErrorValue } from './connection-item';
import { type Item, num, str } from './item-attributes';
import { dueShardOf } from './table';

/** What an operator action may change besides the status (the ConnectionStore.setStatus port). */
export interface StatusChanges {
  encryptedRefreshToken?: string;
  refreshDueAt?: EpochMillis;
  /** `null` clears the last error and the failure count: a fresh start. */
  lastError?: LastError | null;
}

/** The conditional UpdateItem input of a status change; the item must exist. */
export function statusUpdate(
  tableName: string,
  connectionId: string,
  status: ConnectionStatus,
  changes: StatusChanges,
): UpdateItemCommandInput {
  const sets = ['#status = :status'];
  const removes: string[] = [];
  const values: Item = { ':status': str(status) };
  if (changes.encryptedRefreshToken !== undefined) {
    sets.push('encryptedRefreshToken = :encryptedRefreshToken');
    values[':encryptedRefreshToken'] = str(changes.encryptedRefreshToken);
  }
  if (changes.refreshDueAt !== undefined) {
    sets.push('refreshDueAt = :refreshDueAt');
    values[':refreshDueAt'] = num(changes.refreshDueAt);
  }
  if (changes.lastError === null) {
    sets.push('consecutiveFailures = :zero');
    values[':zero'] = num(0);
    removes.push('lastError');
  } else if (changes.lastError !== undefined) {
    sets.push('lastError = :lastError');
    values[':lastError'] = lastErrorValue(changes.lastError);
  }
  if (status === 'active') {
    sets.push('dueShard = :dueShard');
    values[':dueShard'] = str(dueShardOf(connectionId));
  } else {
    removes.push('dueShard');
  }
  return {
    TableName: tableName,
    Key: connectionItemKey(connectionId),
    UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: values,
  };
}
