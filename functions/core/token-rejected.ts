import { parseConnectionId } from './connection';
import { ForgedReportError, InvalidInputError } from './errors';
import { type RefreshResult, refreshConnection } from './refresh-connection';
import type { RefreshDependencies } from './refresh-deps';

/** The longest `requestId` a report may carry (contract). */
export const REQUEST_ID_MAX_LENGTH = 200;

/** A consumer's "Zoho Token Rejected" report, validated (contract). */
export interface TokenRejected {
  /** The connection the report's source names: the one the publisher was allowed to report for. */
  readonly connectionId: string;
  readonly version: number;
  readonly status: 401;
  readonly code?: number;
  readonly requestId?: string;
}

/**
 * Validates a report against the contract. `sourceConnection` is the connection its source names
 * (what IAM checked when the report was published); the detail may repeat it, and a detail naming
 * another connection is forged (ForgedReportError). Anything else malformed: InvalidInputError.
 */
export function parseTokenRejected(sourceConnection: unknown, detail: unknown): TokenRejected {
  const connectionId = parseConnectionId(sourceConnection);
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    throw new InvalidInputError('event detail must be an object');
  }
  const d = detail as Record<string, unknown>;
  if (d.connectionId !== undefined) {
    const named = parseConnectionId(d.connectionId);
    if (named !== connectionId) throw new ForgedReportError(connectionId, named);
  }
  if (!Number.isSafeInteger(d.version) || (d.version as number) < 0) {
    throw new InvalidInputError(
      'detail.version must be a non-negative integer (the token version that got the 401)',
    );
  }
  if (d.status !== 401) throw new InvalidInputError('detail.status must be 401');
  if (d.code !== undefined && !Number.isSafeInteger(d.code))
    throw new InvalidInputError('detail.code must be an integer');
  if (
    d.requestId !== undefined &&
    (typeof d.requestId !== 'string' || d.requestId.length > REQUEST_ID_MAX_LENGTH)
  ) {
    throw new InvalidInputError(
      `detail.requestId must be a string of at most ${REQUEST_ID_MAX_LENGTH} characters`,
    );
  }
  return {
    connectionId,
    version: d.version as number,
    status: 401,
    ...(d.code !== undefined && { code: d.code as number }),
    ...(d.requestId !== undefined && { requestId: d.requestId as string }),
  };
}

/**
 * The on-demand trigger: a consumer got a 401 with `version`. A newer stored version means someone
 * already refreshed; otherwise run the one refresh. N reports of one version cause one Zoho call:
 * the first takes the lease, the rest lose it or find the version moved on.
 */
export function refreshRejectedToken(
  deps: RefreshDependencies,
  rejected: TokenRejected,
): Promise<RefreshResult> {
  return refreshConnection(deps, {
    connectionId: rejected.connectionId,
    trigger: 'on_demand',
    rejectedVersion: rejected.version,
    ...(rejected.code !== undefined && { rejectedCode: rejected.code }),
  });
}
