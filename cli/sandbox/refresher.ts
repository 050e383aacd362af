/**
 * The refresher the sandbox runs: the functions' own composition root (createInProcessRefresher)
 * with a policy fitted to the token lifetime, and a store that tells the sandbox about every
 * refresh attempt it records (the history the CLI's `history` shows).
 */
import type { ConnectionStore, HistoryEntry, Log } from '../../functions/core/ports';
import type { RefreshDependencies } from '../../functions/core/refresh-deps';
import { DEFAULT_REFRESH_POLICY, type RefreshPolicy } from '../../functions/core/refresh-policy';
import { CountingMetrics, createInProcessRefresher } from '../local/in-process';
import type { AwsSide } from './aws-side';
import { scaledWindowMs, type ZohoSide } from './zoho-side';

/** Short enough for the sandbox, long enough for a loopback simulator; real Zoho gets the default. */
const SIMULATOR_ZOHO_TIMEOUT_MS = 3_000;

/**
 * The policy for tokens of `lifetimeSeconds`. Zoho's hour gets the default. Shorter tokens are
 * refreshed at half their life (the default 15-minute margin would be longer than the token), and
 * the budget window and the failure backoff shrink in proportion, so the 9-per-window budget still
 * fits the refresh rate: at 60 s tokens a 10-minute window would stop the 10th refresh for minutes.
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
  };
}

export interface SandboxRefresher {
  readonly deps: RefreshDependencies;
  readonly metrics: CountingMetrics;
}

export function createSandboxRefresher(
  aws: AwsSide,
  zoho: ZohoSide,
  observe: { readonly log: Log; readonly onHistory: (entry: HistoryEntry) => void },
): SandboxRefresher {
  const metrics = new CountingMetrics();
  const deps = createInProcessRefresher(aws.target, aws.clients, {
    allowedAccountsServers: zoho.allowedAccountsServers,
    log: observe.log,
    metrics,
    ...(zoho.simulator === undefined ? {} : { zohoTimeoutMs: SIMULATOR_ZOHO_TIMEOUT_MS }),
  });
  return {
    metrics,
    deps: {
      ...deps,
      store: withHistoryObserver(deps.store, observe.onHistory),
      policy: { ...sandboxPolicy(zoho.tokenLifetimeSeconds), leaseMs: deps.policy.leaseMs },
    },
  };
}

/** The store, unchanged, except that every history entry is also handed to `onHistory`. */
function withHistoryObserver(
  store: ConnectionStore,
  onHistory: (entry: HistoryEntry) => void,
): ConnectionStore {
  return new Proxy(store, {
    get(target, property) {
      if (property === 'appendHistory') {
        return async (entry: HistoryEntry) => {
          try {
            await target.appendHistory(entry);
          } finally {
            // The refresh happened whether or not its history could be written.
            onHistory(entry);
          }
        };
      }
      const value = Reflect.get(target, property, target);
      // Bound to the real store: its methods use private fields a proxy receiver would not have.
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
