import type { RefreshResult } from './refresh-connection';
import { bestEffort, type RefreshDependencies } from './refresh-deps';
import { nextRefreshDue } from './refresh-policy';
import type { RefreshRun } from './refresh-run';
import type { StoredAccessToken } from './token';
import { writesInDay } from './write-budget';

/** Where the committed token came from. */
export type TokenSource =
  /** Zoho minted it in this run. */
  | 'minted'
  /** A run that crashed (or lost its lease) after writing the secret left it there. */
  | 'adopted'
  /** A run whose secret write failed kept it on the connection; this run stored it. */
  | 'kept';

/**
 * Commits the secret's `token` onto the connection under the lease, with the attempt's history in the
 * same transaction: new version, expiry and due time, the secret write counted in the write budget,
 * failures and any kept token cleared. Then metrics and the `Zoho Token Refreshed` event.
 */
export async function commitToken(
  deps: RefreshDependencies,
  run: RefreshRun,
  token: StoredAccessToken,
  source: TokenSource,
): Promise<RefreshResult> {
  const { clock, store, metrics, log } = deps;
  const { connection, request } = run;
  const now = clock.now();
  const outcome = source === 'minted' ? 'refreshed' : 'adopted';
  const refreshDueAt = nextRefreshDue(token.expiresAt, now, deps.policy);
  const committed = await store.commitRefresh(
    connection.connectionId,
    run.owner,
    {
      version: token.version,
      expiresAt: token.expiresAt,
      refreshDueAt,
      refreshedAt: now,
      apiDomain: token.apiDomain,
      // Every committed version is one the secret holds now: it counts, whoever wrote it.
      recentSecretWrites: [
        ...writesInDay([...connection.recentSecretWrites, ...run.unrecordedWrites], now, deps.policy),
        now,
      ],
      // In the commit's transaction: one AWS call for both, and no refresh without its history.
      history: {
        connectionId: connection.connectionId,
        at: now,
        trigger: request.trigger,
        outcome,
        version: token.version,
        durationMs: now - run.started,
        zohoCalls: run.zohoCalls,
      },
    },
    now,
  );
  if (!committed) return leaseLostAfterWrite(deps, run, token);
  metrics.add('RefreshSucceeded', 1, 'Count', source === 'minted' ? request.trigger : source);
  if (source === 'adopted') metrics.add('AdoptedAfterCrash', 1, 'Count');
  metrics.add('SecondsToExpiry', Math.round((token.expiresAt - now) / 1000), 'Seconds');
  log.info('Token refreshed', {
    connectionId: connection.connectionId,
    trigger: request.trigger,
    outcome,
    source,
    version: token.version,
    expiresAt: new Date(token.expiresAt).toISOString(),
    zohoCalls: run.zohoCalls,
  });
  await bestEffort(deps, 'event', () =>
    deps.events.publish({
      detailType: 'Zoho Token Refreshed',
      detail: {
        connectionId: connection.connectionId,
        version: token.version,
        expiresAt: new Date(token.expiresAt).toISOString(),
        trigger: request.trigger,
      },
    }),
  );
  return { outcome, version: token.version, expiresAt: token.expiresAt, refreshDueAt };
}

/**
 * The lease went between the secret write and the commit. If the connection is still active, the
 * secret holds the new version and whoever runs next adopts it without calling Zoho. A revoke cannot
 * have removed the secret before this write landed: the write only runs on a lease with time in
 * hand, and a revoke waits for the lease. Should one have slipped in anyway, the refresher does not
 * delete (it has no right to): the error says to run the revoke again, which removes the secret.
 */
async function leaseLostAfterWrite(
  deps: RefreshDependencies,
  run: RefreshRun,
  token: StoredAccessToken,
): Promise<RefreshResult> {
  const { connectionId } = run.connection;
  const current = await deps.store.get(connectionId);
  deps.metrics.add('RefreshSkipped', 1, 'Count', 'lease_lost');
  if (current?.status === 'revoked') {
    deps.log.error(
      'A token was written after the connection was revoked; run the revoke again to remove it',
      {
        connectionId,
        version: token.version,
      },
    );
  } else {
    deps.log.warn('Lease lost before commit; the secret is kept for the next run to adopt', {
      connectionId,
      version: token.version,
    });
  }
  return { outcome: 'skipped', reason: 'lease_lost', version: run.connection.version };
}
