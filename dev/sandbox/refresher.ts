/**
 * The refresher the sandbox runs: the functions' own composition roots (the on-demand function's,
 * the planner's and a refresh worker's) with a policy fitted to the token lifetime, and a store
 * that tells the sandbox about every refresh attempt it records (the history the CLI's `history`
 * shows) and every Zoho token request.
 */
import type { EpochMillis } from '../../functions/core/connection';
import type { PlannerDependencies } from '../../functions/core/plan-refreshes';
import type { ConnectionStore, HistoryEntry, Log } from '../../functions/core/ports';
import type { RefreshDependencies } from '../../functions/core/refresh-deps';
import { DEFAULT_REFRESH_POLICY, type RefreshPolicy } from '../../functions/core/refresh-policy';
import type { WorkerDependencies } from '../../functions/core/run-refresh-orders';
import {
  CountingMetrics,
  createInProcessPlanner,
  createInProcessRefresher,
  createInProcessWorker,
} from '../emulator/in-process';
import type { AwsSide } from './aws-side';
import { scaledWindowMs, type ZohoSide } from './zoho-side';

/** Short enough for the sandbox, long enough for a loopback simulator; real Zoho gets the default. */
const SIMULATOR_ZOHO_TIMEOUT_MS = 3_000;

/**
 * The policy for tokens of `lifetimeSeconds`. Zoho's hour gets the default. Shorter tokens are
 * refreshed at half their life (the default 15-minute margin would be longer than the token), and
 * the budget window and the failure backoff shrink in proportion, so the 9-per-window budget still
 * fits the refresh rate: at 60 s tokens a 10-minute window would stop the 10th refresh for minutes.
 * The write budget's day and hour and the fresh-report window shrink the same way.
 */
export function sandboxPolicy(lifetimeSeconds: number): RefreshPolicy {
  if (lifetimeSeconds >= 3600) return DEFAULT_REFRESH_POLICY;
  const lifetimeMs = lifetimeSeconds * 1000;
  const windowMs = scaledWindowMs(lifetimeSeconds);
  const scale = windowMs / DEFAULT_REFRESH_POLICY.budgetWindowMs;
  return {
    ...DEFAULT_REFRESH_POLICY,
    marginMs: Math.floor(lifetimeMs / 2),
    jitterMs: Math.floor(lifetimeMs / 20),
    budgetWindowMs: windowMs,
    failureBackoffBaseMs: Math.max(1_000, Math.round(DEFAULT_REFRESH_POLICY.failureBackoffBaseMs * scale)),
    failureBackoffMaxMs: Math.max(1_000, Math.round(DEFAULT_REFRESH_POLICY.failureBackoffMaxMs * scale)),
    // The safety brakes keep their counts and shrink their windows with the tokens.
    freshReportWindowMs: windowMs,
    writeBudgetDayMs: Math.round(DEFAULT_REFRESH_POLICY.writeBudgetDayMs * scale),
    writeBudgetHourMs: Math.round(DEFAULT_REFRESH_POLICY.writeBudgetHourMs * scale),
    keptTokenMinLifeMs: Math.round(DEFAULT_REFRESH_POLICY.keptTokenMinLifeMs * scale),
  };
}

export interface SandboxRefresher {
  /** For the on-demand handler (and the sandbox's own reads and registrations). */
  readonly deps: RefreshDependencies;
  /** The planner's, on the refresh queue of the dev CLI's `init`. */
  readonly planner: PlannerDependencies;
  /** A refresh worker's: it stands for every deployed worker (its pacer holds the whole write limit). */
  readonly worker: WorkerDependencies;
  readonly metrics: CountingMetrics;
}

/** What the sandbox hears from the store it runs on. */
export interface StoreObserver {
  /** Every history entry (a refresh attempt), after it is written or failed to be. */
  readonly onHistory: (entry: HistoryEntry) => void;
  /**
   * A connection's recent Zoho token requests: before each request is sent (right after the
   * budget write), and whenever a listing shows them (requests made by others, e.g. the CLI's
   * `refresh` against the sandbox's emulator). The request waits for it, so a crash never loses
   * one; when it fails, the request is not sent (the refresh fails as a transient error).
   */
  readonly onZohoCalls?: (connectionId: string, calls: readonly EpochMillis[]) => Promise<void>;
  /** Where a failed `onZohoCalls` is reported. */
  readonly log: Log;
}

export function createSandboxRefresher(
  aws: AwsSide,
  zoho: ZohoSide,
  observe: StoreObserver,
): SandboxRefresher {
  const metrics = new CountingMetrics();
  const options = {
    allowedAccountsServers: zoho.allowedAccountsServers,
    log: observe.log,
    metrics,
    ...(zoho.simulator === undefined ? {} : { zohoTimeoutMs: SIMULATOR_ZOHO_TIMEOUT_MS }),
  };
  const deps = createInProcessRefresher(aws.target, aws.clients, options);
  // One observed store and one policy for every handler, so each sees what the others record.
  const store = observeStore(deps.store, observe);
  const policy = { ...sandboxPolicy(zoho.tokenLifetimeSeconds), leaseMs: deps.policy.leaseMs };
  const queueUrl = aws.resources.refreshQueueUrl;
  return {
    metrics,
    deps: { ...deps, store, policy },
    planner: { ...createInProcessPlanner(aws.target, aws.clients, queueUrl, options), store, policy },
    worker: { ...createInProcessWorker(aws.target, aws.clients, queueUrl, options), store, policy },
  };
}

/** The store, unchanged, except that it tells `observer` what it records and lists. */
export function observeStore(store: ConnectionStore, observer: StoreObserver): ConnectionStore {
  const { onHistory, onZohoCalls } = observer;
  const overrides: Partial<ConnectionStore> = {
    async appendHistory(entry) {
      try {
        await store.appendHistory(entry);
      } finally {
        // The refresh happened whether or not its history could be written.
        onHistory(entry);
      }
    },
    // A refresh's history is written in its commit's transaction.
    async commitRefresh(connectionId, owner, commit, now) {
      const committed = await store.commitRefresh(connectionId, owner, commit, now);
      if (committed) onHistory(commit.history);
      return committed;
    },
  };
  if (onZohoCalls !== undefined) {
    const warn = (what: string, error: unknown) =>
      observer.log.warn(`Could not save the Zoho budget; ${what}`, { errorName: errorName(error) });
    // A run that will call Zoho records its first call in the lease write itself.
    overrides.acquireLease = async (seen, lease, now, marks) => {
      const leased = await store.acquireLease(seen, lease, now, marks);
      if (leased !== undefined && marks?.recentZohoCalls !== undefined) {
        await onZohoCalls(seen.connectionId, marks.recentZohoCalls).catch((error: unknown) => {
          warn('the token request is not sent', error);
          throw error;
        });
      }
      return leased;
    };
    overrides.recordZohoCall = async (connectionId, owner, calls, leaseUntil, now) => {
      const recorded = await store.recordZohoCall(connectionId, owner, calls, leaseUntil, now);
      // Only a recorded call is sent (a lost lease sends nothing), and only once it is saved.
      if (recorded) {
        await onZohoCalls(connectionId, calls).catch((error: unknown) => {
          warn('the token request is not sent', error);
          throw error;
        });
      }
      return recorded;
    };
    overrides.listAll = async () => {
      const connections = await store.listAll();
      for (const c of connections) {
        await onZohoCalls(c.connectionId, c.recentZohoCalls).catch((error: unknown) =>
          warn('it is tried again at the next listing', error),
        );
      }
      return connections;
    };
  }
  return new Proxy(store, {
    get(target, property) {
      const override = Reflect.get(overrides, property);
      if (override !== undefined) return override;
      const value = Reflect.get(target, property, target);
      // Bound to the real store: its methods use private fields a proxy receiver would not have.
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** `ENOSPC`, `EACCES`, … for file-system errors; the error's name otherwise. */
function errorName(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.name : typeof error;
}
