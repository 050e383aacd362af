import { LeaseLostError } from './call-zoho';
import type { EpochMillis, KeptToken } from './connection';
import { SecretWriteBudgetExhaustedError, TokenVaultConflictError, TokenVaultWriteError } from './errors';
import type { RefreshDependencies } from './refresh-deps';
import { retryDelay } from './refresh-policy';
import type { RefreshRequest, RefreshRun } from './refresh-run';
import type { StoredAccessToken } from './token';
import { secretWriteAvailableAt } from './write-budget';

/** Which token ended up in the secret: ours, or one another writer put there under the same version. */
export type StoredOutcome =
  | { readonly stored: 'written'; readonly token: StoredAccessToken }
  | { readonly stored: 'found'; readonly token: StoredAccessToken };

/**
 * Writes `minted` to the secret inside the lease, retrying what Secrets Manager may accept a moment
 * later (throttling, network) up to `policy.secretWriteAttempts` times. Before each attempt the write
 * pacer's slot, then the lease must have `secretWriteReserveMs` left, or is extended first: a write
 * never runs on a lease that could expire under it (which would let a revoke remove the secret and
 * this write re-create it). A version another run already wrote is adopted when usable, else ours
 * goes in as the version after it (a run that skipped reading the secret finds out here).
 * Throws the last TokenVaultWriteError when every attempt failed; the caller keeps the token.
 */
export async function storeToken(
  deps: RefreshDependencies,
  run: RefreshRun,
  minted: StoredAccessToken,
): Promise<StoredOutcome> {
  const { clock, policy, metrics, log } = deps;
  let token = minted;
  for (let attempt = 1; ; attempt++) {
    // The slot first: the lease check must see the time the wait for it took.
    await deps.writePacer?.acquire();
    await ensureLeaseFor(deps, run);
    try {
      if ((await deps.vault.write(token)) === 'written') return { stored: 'written', token };
      // Another writer wrote this version first (a lease that expired under a slow run, or a run
      // that died before its commit): theirs wins when a consumer can use it.
      const winner = await deps.vault.read(token.connectionId);
      if (!winner || winner.version < token.version) throw new TokenVaultConflictError(token.connectionId);
      const adopt = adoptable(winner, run.request, clock.now());
      log.warn(
        adopt
          ? 'Secret version already written by another run; adopting it'
          : 'Secret version already written by another run with a token no consumer can use; storing ours after it',
        { connectionId: token.connectionId, version: token.version, foundVersion: winner.version },
      );
      if (adopt) return { stored: 'found', token: winner };
      // The versions ours now goes past were written all the same: they count in the write budget.
      run.unrecordedWrites = Array.from(
        { length: winner.version - run.connection.version },
        () => run.started,
      );
      const writeAt = secretWriteAvailableAt(
        [...run.connection.recentSecretWrites, ...run.unrecordedWrites],
        run.request.trigger,
        clock.now(),
        policy,
      );
      if (writeAt > clock.now()) throw new SecretWriteBudgetExhaustedError(writeAt);
      token = { ...token, version: winner.version + 1 };
    } catch (error) {
      if (!(error instanceof TokenVaultWriteError)) throw error;
      const again = error.retryable && attempt < policy.secretWriteAttempts;
      // Once per refresh whose write finally failed: a throttle the retry gets past alarms nobody.
      if (!again) metrics.add('SecretWriteFailed', 1, 'Count', error.code);
      log.warn('Writing the access-token secret failed', {
        connectionId: token.connectionId,
        version: token.version,
        attempt,
        errorCode: error.code,
        next: again ? 'retrying inside the lease' : 'keeping the token for the next run',
      });
      if (!again) throw error;
      await clock.sleep(retryDelay(attempt, policy));
    }
  }
}

/**
 * A secret newer than the connection was written by a run that crashed before its commit. It is
 * adopted when a consumer can still use it: not expired, and not the version a consumer reported.
 */
export function adoptable(stored: StoredAccessToken, request: RefreshRequest, now: EpochMillis): boolean {
  return (
    stored.expiresAt > now &&
    (request.rejectedVersion === undefined || stored.version > request.rejectedVersion)
  );
}

async function ensureLeaseFor(deps: RefreshDependencies, run: RefreshRun): Promise<void> {
  const now = deps.clock.now();
  if (run.leaseUntil - now >= deps.policy.secretWriteReserveMs) return;
  const until = now + deps.policy.leaseMs;
  if (!(await deps.store.extendLease(run.connection.connectionId, run.owner, until, now))) {
    throw new LeaseLostError();
  }
  run.leaseUntil = until;
}

/**
 * Encrypts a minted token that could not be stored, under the connection's KMS context, so the next
 * run stores it without asking Zoho for another (each one counts against Zoho's active-token cap).
 * Undefined when even that fails: then the token is lost and the next run mints a new one.
 */
export async function keepToken(
  deps: RefreshDependencies,
  token: StoredAccessToken,
): Promise<KeptToken | undefined> {
  try {
    const ciphertext = await deps.cipher.encrypt(token.connectionId, JSON.stringify(token));
    deps.metrics.add('MintedTokenKept', 1, 'Count');
    return { version: token.version, expiresAt: token.expiresAt, ciphertext };
  } catch (error) {
    deps.log.error('Could not keep the minted token; the next run asks Zoho for a new one', {
      connectionId: token.connectionId,
      errorName: error instanceof Error ? error.name : typeof error,
    });
    return undefined;
  }
}

/**
 * The kept token of the connection when it is still worth storing: newer than anything stored and
 * with `keptTokenMinLifeMs` to live. A kept token that cannot be decrypted or parsed is dropped
 * (the run mints a new one); it is never stored half-read.
 */
export async function usableKeptToken(
  deps: RefreshDependencies,
  run: RefreshRun,
  storedVersion: number,
): Promise<StoredAccessToken | undefined> {
  const kept = run.connection.keptToken;
  const now = deps.clock.now();
  if (!kept || kept.version <= storedVersion || kept.expiresAt - now < deps.policy.keptTokenMinLifeMs) {
    return undefined;
  }
  try {
    const token = JSON.parse(
      await deps.cipher.decrypt(run.connection.connectionId, kept.ciphertext),
    ) as StoredAccessToken;
    const intact =
      token.connectionId === run.connection.connectionId &&
      token.version === kept.version &&
      token.expiresAt === kept.expiresAt &&
      typeof token.accessToken === 'string' &&
      typeof token.apiDomain === 'string' &&
      typeof token.tokenType === 'string';
    return intact ? token : undefined;
  } catch (error) {
    deps.log.warn('The kept token could not be read; minting a new one', {
      connectionId: run.connection.connectionId,
      errorName: error instanceof Error ? error.name : typeof error,
    });
    return undefined;
  }
}
