/**
 * What a refresh decides around its lease write, so that the normal path costs as few AWS calls as
 * it safely can: whether the lease write also records the first Zoho call (the run will certainly
 * ask Zoho), and whether the run must look at the secret before minting (a run may have died after
 * writing it).
 */
import type { Connection, EpochMillis } from './connection';
import type { LeaseMarks } from './ports';
import { budgetAvailableAt, callsInWindow, type RefreshPolicy } from './refresh-policy';
import type { RefreshRequest } from './refresh-run';
import { secretWriteAvailableAt } from './write-budget';

/**
 * The last run on this connection ended in a commit: no lease left behind (a run that died keeps
 * its lease fields until the next lease replaces them), no token kept from a failed write, no failure
 * recorded (a failure after a write that may have landed, e.g. a timed-out one, leaves a `lastError`).
 */
export function endedInCommit(connection: Connection): boolean {
  return (
    connection.lease === undefined && connection.keptToken === undefined && connection.lastError === undefined
  );
}

/**
 * Whether the run must read the secret before anything else: after anything but a clean commit a
 * secret newer than the connection may be waiting to be adopted, and a report of a version above
 * the connection's names one. `seen` is the connection the lease write was conditioned on (its
 * `leaseSeq` proves no lease was taken since, so its lease fields are the stored ones); `leased` is
 * what the lease write returned. After a clean commit the read is skipped: should a secret of
 * version+1 exist anyway (an operator's status change cleared a dead run's lease), the write of
 * version+1 collides on its deterministic VersionId and the run adopts what is there.
 */
export function mustReadSecret(seen: Connection, leased: Connection, request: RefreshRequest): boolean {
  const reportAhead = request.rejectedVersion !== undefined && request.rejectedVersion > leased.version;
  // `leased` carries this run's own lease: the one left behind, if any, is on `seen`.
  return reportAhead || !endedInCommit({ ...leased, lease: seen.lease });
}

/**
 * The budget with the run's first Zoho call in it, when the run will certainly make that call:
 * the last run ended in a commit (nothing to adopt or store first), the secret's write budget lets
 * this trigger write, and Zoho's budget has room. Recorded in the lease write, a crash right after
 * the lease still counts the call; otherwise undefined and the call is recorded when it is made.
 */
export function prepaidZohoCalls(
  seen: Connection,
  request: RefreshRequest,
  now: EpochMillis,
  policy: RefreshPolicy,
): LeaseMarks['recentZohoCalls'] {
  const reportAhead = request.rejectedVersion !== undefined && request.rejectedVersion > seen.version;
  if (reportAhead || !endedInCommit(seen)) return undefined;
  if (secretWriteAvailableAt(seen.recentSecretWrites, request.trigger, now, policy) > now) return undefined;
  if (budgetAvailableAt(seen.recentZohoCalls, now, policy) > now) return undefined;
  return [...callsInWindow(seen.recentZohoCalls, now, policy), now];
}
