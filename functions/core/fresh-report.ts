import type { Connection, EpochMillis } from './connection';
import { InvalidInputError } from './errors';
import type { LeaseMarks } from './ports';
import { bestEffort, type RefreshDependencies } from './refresh-deps';
import type { RefreshRequest } from './refresh-run';

/** Why a 401 on a token that has not expired happens: what the status hint and the event name. */
export const FRESH_TOKEN_CAUSES =
  "the token's scope does not cover the call, the organization_id belongs to another organisation, or the call went to another data centre than the token's api_domain";

/** How a consumer's report is to be treated. */
export type ReportVerdict =
  /** Not a report of the current token, or of an expired one: the ordinary refresh. */
  | { readonly kind: 'ordinary' }
  /**
   * A version above the connection's: only real if a run wrote it to the secret and crashed before
   * its commit. The caller looks at the secret (see `assertIssued`).
   */
  | { readonly kind: 'ahead' }
  /** A report of an unexpired token, the first of its window: one refresh, marked on the lease. */
  | { readonly kind: 'fresh_refresh'; readonly marks: LeaseMarks }
  /** A report of an unexpired token within the window of the last such refresh: counted only. */
  | { readonly kind: 'fresh_counted' };

/**
 * Judges a report of `request.rejectedVersion` against the stored connection. A token this system minted that has not expired
 * cannot have expired; a 401 on it means scope, organisation or data centre, or (rarely) that
 * another system minted so many tokens that Zoho dropped ours. The latter heals by one refresh, so
 * one per `freshReportWindowMs` is allowed; more cannot help and would only spend Zoho's budget
 * and the secret's versions.
 */
export function judgeReport(
  request: RefreshRequest,
  connection: Connection,
  now: EpochMillis,
  windowMs: number,
): ReportVerdict {
  const reported = request.rejectedVersion;
  if (request.trigger !== 'on_demand' || reported === undefined) return { kind: 'ordinary' };
  if (reported > connection.version) return { kind: 'ahead' };
  if (reported < connection.version || connection.expiresAt <= now) return { kind: 'ordinary' };
  const last = connection.freshReportRefreshAt;
  // Counted only while the connection is at rest: a lease still on it is a refresh in progress, or
  // one that died before its commit, whose secret the ordinary path adopts without calling Zoho.
  if (last !== undefined && now - last < windowMs && connection.lease === undefined) {
    return { kind: 'fresh_counted' };
  }
  return { kind: 'fresh_refresh', marks: { freshReportRefreshAt: now } };
}

/**
 * A reported version above the connection's is real only if the secret holds it (a crashed run's
 * write, which the refresh adopts); anything else was never handed out and is refused.
 */
export function assertIssued(reported: number, connectionId: string, storedVersion: number | undefined) {
  if (storedVersion !== undefined && storedVersion >= reported) return;
  throw new InvalidInputError(
    `reported token version ${reported} of '${connectionId}' was never issued (the secret holds ${storedVersion ?? 'no token'})`,
  );
}

/**
 * Records a report of an unexpired token that causes no refresh: a counter on the connection (the
 * `status` and `doctor` hints), a history entry and an event. Each is best effort: the report is
 * answered either way.
 */
export async function countFreshRejection(
  deps: RefreshDependencies,
  connection: Connection,
  request: RefreshRequest,
): Promise<void> {
  const now = deps.clock.now();
  const { connectionId, version } = connection;
  deps.log.warn('A consumer reported a token that has not expired; no refresh (one per window)', {
    connectionId,
    version,
    zohoCode: request.rejectedCode,
    likelyCauses: FRESH_TOKEN_CAUSES,
  });
  await bestEffort(deps, 'fresh rejection', () => deps.store.recordFreshRejection(connectionId, now));
  await bestEffort(deps, 'history', () =>
    deps.store.appendHistory({
      connectionId,
      at: now,
      trigger: 'on_demand',
      outcome: 'fresh_token_rejected',
      version,
      durationMs: 0,
      zohoCalls: 0,
      errorCode: 'fresh_token_rejected',
      message: `A consumer got a 401 on token version ${version}, which has not expired: ${FRESH_TOKEN_CAUSES}`,
    }),
  );
  await bestEffort(deps, 'event', () =>
    deps.events.publish({
      detailType: 'Zoho Fresh Token Rejected',
      detail: {
        connectionId,
        version,
        ...(request.rejectedCode === undefined ? {} : { code: request.rejectedCode }),
        likelyCauses: FRESH_TOKEN_CAUSES,
      },
    }),
  );
}
