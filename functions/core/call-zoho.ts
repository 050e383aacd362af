import {
  AccountsServerNotAllowedError,
  RefreshBudgetExhaustedError,
  ZohoMalformedResponseError,
  ZohoTransientError,
} from './errors';
import type { ClientCredentials } from './ports';
import type { RefreshDependencies } from './refresh-deps';
import { budgetAvailableAt, callsInWindow, retryDelay } from './refresh-policy';
import type { RefreshRun } from './refresh-run';
import type { TokenGrant } from './token';

/** The lease was lost while refreshing: someone else owns the connection now. */
export class LeaseLostError extends Error {
  constructor() {
    super('lease lost');
    this.name = 'LeaseLostError';
  }
}

/**
 * Calls Zoho for a new access token, retrying transient errors with jittered backoff, all inside the
 * lease. Every call is first recorded on the connection (the budget; the first one by the lease
 * write itself when `run.zohoCallPrepaid`), so no number of triggers and no crash can spend more
 * than `policy.budget` calls per window. A malformed success is not retried:
 * a body that was wrong once is likely wrong again, and each try costs a token Zoho counts.
 * `run.zohoCalls` and `run.leaseUntil` follow every call.
 */
export async function requestTokenWithinBudget(
  deps: RefreshDependencies,
  run: RefreshRun,
  secrets: { refreshToken: string; client: ClientCredentials },
): Promise<TokenGrant> {
  const { policy, clock, store } = deps;
  const { connection } = run;
  let recent = [...connection.recentZohoCalls];
  for (let attempt = 1; ; attempt++) {
    if (run.zohoCallPrepaid) {
      // The lease write recorded this call (and the lease it started has the whole lease time).
      run.zohoCallPrepaid = false;
    } else {
      const now = clock.now();
      recent = callsInWindow(recent, now, policy);
      const availableAt = budgetAvailableAt(recent, now, policy);
      if (availableAt > now) throw new RefreshBudgetExhaustedError(availableAt);

      recent = [...recent, now];
      const leaseUntil = now + policy.leaseMs;
      const recorded = await store.recordZohoCall(
        connection.connectionId,
        run.owner,
        recent,
        leaseUntil,
        now,
      );
      if (!recorded) throw new LeaseLostError();
      run.leaseUntil = leaseUntil;
      run.recentZohoCalls = recent;
    }
    run.zohoCalls = attempt;

    const started = clock.now();
    /** A request that reached (or was on its way to) Zoho: what its 10-per-10-minutes limit counts. */
    const sent = () => {
      deps.metrics.add('ZohoCalls', 1, 'Count');
      deps.metrics.add('ZohoLatency', clock.now() - started, 'Milliseconds');
    };
    try {
      const grant = await deps.zoho.refreshAccessToken({
        accountsServer: connection.accountsServer,
        clientId: secrets.client.clientId,
        clientSecret: secrets.client.clientSecret,
        refreshToken: secrets.refreshToken,
      });
      sent();
      return grant;
    } catch (error) {
      if (error instanceof AccountsServerNotAllowedError) {
        // The adapter's host guard refused before sending anything: no call reached Zoho.
        run.zohoCalls = attempt - 1;
        throw error;
      }
      sent();
      const retryable =
        error instanceof ZohoTransientError &&
        !(error instanceof ZohoMalformedResponseError) &&
        attempt < policy.maxAttempts;
      if (!retryable) throw error;
      deps.log.warn('Zoho token request failed transiently; retrying inside the lease', {
        connectionId: connection.connectionId,
        attempt,
        errorCode: error.code,
      });
      await clock.sleep(retryDelay(attempt, policy));
    }
  }
}
