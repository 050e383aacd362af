import type { Connection, EpochMillis } from './connection';
import type { RefreshTrigger } from './ports';

/** What triggered a refresh, and what the trigger knows. */
export interface RefreshRequest {
  readonly connectionId: string;
  readonly trigger: RefreshTrigger;
  /** On demand: the version a consumer saw rejected. A newer stored version means nothing to do. */
  readonly rejectedVersion?: number;
  /** On demand: the Zoho error code the consumer saw with its 401 (57 for Books), if any. */
  readonly rejectedCode?: number;
  /**
   * Refresh even when not yet due (an operator's `--force`). Never bypasses the lease or the budgets.
   * Without it, a scheduled or operator request for a token that is not due is skipped `not_due`.
   */
  readonly force?: boolean;
  /** The connection as already read (a refresh order carries it from the due index): saves a read. */
  readonly snapshot?: Connection;
}

/**
 * One refresh under a lease, as it goes: who holds the lease and until when, and how many Zoho
 * calls it made. Passed by reference through the steps, so a failure anywhere is recorded with what
 * was really spent.
 */
export interface RefreshRun {
  readonly connection: Connection;
  readonly owner: string;
  readonly request: RefreshRequest;
  readonly started: EpochMillis;
  leaseUntil: EpochMillis;
  zohoCalls: number;
  /**
   * The lease write already recorded the first Zoho call in the budget (LeaseMarks.recentZohoCalls):
   * the first call is made without a write of its own. Cleared once that call is made.
   */
  zohoCallPrepaid: boolean;
  /**
   * Versions the secret holds that the connection never counted (a run wrote them and died before its
   * commit, and this run does not adopt them): they count in the write budget all the same.
   */
  unrecordedWrites: EpochMillis[];
  /** The Zoho calls in the budget, this run's recorded ones included (the lease's snapshot, then each call). */
  recentZohoCalls: readonly EpochMillis[];
}
