/**
 * What one container remembers about the token versions it asked the refresher to replace, so that
 * a problem no refresh can fix costs one report, not one per call (ZOHO.md §3 and §7). Every extra
 * refresh spends the connection's Zoho budget and, past Zoho's cap of active tokens, silently evicts
 * tokens that other containers are still using.
 */
import type { Clock } from '../core/ports';
import { type ConsumerLog, SILENT_LOG } from './consumer-log';
import { type RefreshWaitReason, TokenRefreshTimeoutError } from './errors';
import type { RejectionReporter } from './rejection-reporter';
import type { AccessTokenView, TokenReader, WaitOptions } from './token-reader';

/** How many permission-failed versions a container remembers: the newest; older ones are superseded. */
export const PERMISSION_FAILED_MEMORY = 8;

/** A version that must be replaced before a call can go out (again). */
export interface Rejection {
  readonly version: number;
  readonly reason: RefreshWaitReason;
  /** Zoho's code from the 401 body, when it sent one. */
  readonly code?: number;
  readonly requestId?: string;
}

export interface RefreshGateOptions {
  readonly connectionId: string;
  readonly reader: TokenReader;
  readonly reporter: RejectionReporter;
  readonly wait: WaitOptions;
  /** How long a version whose wait timed out fails at once before one call reports and waits again. */
  readonly failFastMs: number;
  readonly clock: Clock;
  /** Where reports, waits and fail-fast decisions are said. @default SILENT_LOG */
  readonly log?: ConsumerLog;
}

export interface RefreshGate {
  /**
   * A token newer than the rejected version. One report and one wait per version while a refresh of
   * it is pending, shared by every call of the container. After that wait timed out, calls fail at
   * once with TokenRefreshTimeoutError for `failFastMs` (no report, no wait), then one call tries again.
   */
  newerThan(rejection: Rejection): Promise<AccessTokenView>;
  /**
   * True for a version that replaced a rejected or expired one and that Zoho refused too: another
   * 401 to it is a permission problem (scope, organisation, data centre), not an expiry. A newer
   * version (the scheduled refresh's) is not on the list, so a 401 to it goes the normal way once.
   */
  isPermissionFailed(version: number): boolean;
  markPermissionFailed(version: number): void;
}

/** Creates the gate of one client (one connection, one container). */
export function createRefreshGate(options: RefreshGateOptions): RefreshGate {
  const { connectionId, reader, reporter, wait, failFastMs, clock } = options;
  const log = options.log ?? SILENT_LOG;
  const pending = new Map<number, Promise<AccessTokenView>>();
  const failingFastUntil = new Map<number, number>();
  const permissionFailed = new Set<number>();

  const failFast = (version: number): void => {
    if (failFastMs === 0) return;
    const now = clock.now();
    for (const [old, until] of failingFastUntil) if (until <= now) failingFastUntil.delete(old);
    failingFastUntil.set(version, now + failFastMs);
  };

  const refresh = async ({ version, reason, code, requestId }: Rejection): Promise<AccessTokenView> => {
    // A call that started with an old token may land after the new one is cached: no report then.
    const current = await reader.getToken().catch(() => undefined);
    if (current !== undefined && current.version > version) {
      log.debug('A newer token version is already here; no report', { version, newVersion: current.version });
      return current;
    }
    await reporter.report({ connectionId, version, status: 401, code, requestId });
    log.info('Reported the token version to the refresher; waiting for a newer one', {
      version,
      reason,
      requestId,
      timeoutMs: wait.timeoutMs,
    });
    try {
      const newer = await reader.waitForNewerThan(version, wait);
      log.info('A newer token version arrived', { version, newVersion: newer.version, requestId });
      return newer;
    } catch (error) {
      // Set before any sharer sees the rejection, so none of them starts another wait.
      if (error instanceof TokenRefreshTimeoutError) {
        failFast(version);
        log.warn('No newer token version within the wait; calls needing one fail fast until retryAt', {
          version,
          reason,
          requestId,
          timeoutMs: wait.timeoutMs,
          retryAt: isoOrUndefined(failingFastUntil.get(version)),
        });
      }
      throw error;
    }
  };

  const shared = (rejection: Rejection): Promise<AccessTokenView> => {
    const existing = pending.get(rejection.version);
    if (existing !== undefined) return existing;
    const started = refresh(rejection);
    pending.set(rejection.version, started);
    const forget = () => pending.delete(rejection.version);
    started.then(forget, forget);
    return started;
  };

  /** Within the window: a newer token read meanwhile (by another call) is used, else fail at once. */
  const whileFailingFast = (rejection: Rejection, until: number): AccessTokenView => {
    const latest = reader.peek();
    if (latest !== undefined && latest.version > rejection.version && clock.now() < latest.expiresAt) {
      return latest;
    }
    log.debug('Failing fast: a wait for a newer version than this one timed out shortly before', {
      version: rejection.version,
      reason: rejection.reason,
      requestId: rejection.requestId,
      retryAt: new Date(until).toISOString(),
    });
    throw new TokenRefreshTimeoutError(connectionId, rejection.version, wait.timeoutMs, {
      reason: rejection.reason,
      retryAt: until,
      failedFast: true,
    });
  };

  const newerThan = async (rejection: Rejection): Promise<AccessTokenView> => {
    const until = failingFastUntil.get(rejection.version);
    if (until !== undefined && clock.now() < until && !pending.has(rejection.version)) {
      return whileFailingFast(rejection, until);
    }
    try {
      return await shared(rejection);
    } catch (error) {
      if (!(error instanceof TokenRefreshTimeoutError)) throw error;
      // The reader does not know why it waited; each caller says it in its own words.
      throw new TokenRefreshTimeoutError(connectionId, rejection.version, wait.timeoutMs, {
        cause: error,
        reason: rejection.reason,
        retryAt: failingFastUntil.get(rejection.version),
      });
    }
  };

  return {
    newerThan,
    isPermissionFailed: (version) => permissionFailed.has(version),
    markPermissionFailed: (version) => {
      permissionFailed.add(version);
      if (permissionFailed.size > PERMISSION_FAILED_MEMORY) {
        permissionFailed.delete(Math.min(...permissionFailed));
      }
    },
  };
}

const isoOrUndefined = (time: number | undefined) =>
  time === undefined ? undefined : new Date(time).toISOString();
