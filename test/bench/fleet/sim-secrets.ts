/**
 * Secrets Manager, simulated: the access-token secrets (latest version of each), the region's quota
 * of 50 PutSecretValue requests per second (an attempt over it is throttled, as AWS does), a meter of
 * write attempts per second, and the ledger of how long each connection's secret held an expired
 * token: the ground truth of `expired_seconds`. Also the client-app secret with the adapter's
 * per-container cache.
 */
import { CLIENT_CREDENTIALS_TTL_MS } from '../../../functions/aws/client-credentials';
import type { EpochMillis } from '../../../functions/core/connection';
import { SecretWriteFailedError, SecretWriteThrottledError } from '../../../functions/core/errors';
import type { ClientCredentials, ClientCredentialsProvider, TokenVault } from '../../../functions/core/ports';
import type { StoredAccessToken } from '../../../functions/core/token';
import { type CallContext, never } from './aws-calls';
import type { ConnectionTable } from './connection-table';
import { type SimEnvironment, SimPort } from './sim-environment';

/** PutSecretValue (with UpdateSecret and a few others): 50 requests per second per region, not adjustable. */
export const REGION_SECRET_WRITES_PER_SECOND = 50;

/** The SDK's backoff base after a throttling error (client-config.ts). */
const THROTTLE_BACKOFF_MS = 1_000;

export class SecretsState {
  /** The latest stored token per connection (dense index of the table). */
  readonly #tokens: Array<StoredAccessToken | undefined> = [];
  /** Write attempts per second since the origin (what the region's quota counts). */
  readonly #attemptsPerSecond: Uint16Array;
  /** Milliseconds each connection's secret held an expired token, so far. */
  readonly expiredMs: Float64Array;
  /** Every time a secret held an expired token until a new version replaced it: whose, and since when. */
  readonly expiries: Array<{ readonly index: number; readonly from: EpochMillis }> = [];
  /** Per connection, the least time its stored token had left when a new version replaced it. */
  readonly minLeftMs: Float64Array;
  /** Writes that stored a new version. */
  versionsWritten = 0;
  /** Attempts refused by the region's quota. */
  throttledAttempts = 0;
  #peakAttempts = 0;
  /** The second being counted: who sent its attempts (sandboxes) and how many were SDK retries. */
  #second = -1;
  #senders = new Set<object>();
  #retries = 0;
  /** The busiest second so far: its attempts, from how many sandboxes, how many SDK retries. */
  peakSecond = { attempts: 0, senders: 0, sdkRetries: 0 };

  constructor(
    private readonly table: ConnectionTable,
    private readonly origin: EpochMillis,
    horizonMs: number,
    connections: number,
    /** The SDK's attempts of one PutSecretValue call, as the product's write client is built. */
    readonly sdkWriteAttempts: number,
  ) {
    this.#attemptsPerSecond = new Uint16Array(Math.ceil(horizonMs / 1000) + 1);
    this.expiredMs = new Float64Array(connections);
    this.minLeftMs = new Float64Array(connections).fill(Number.POSITIVE_INFINITY);
  }

  /** The secret as the fleet starts: a token written before the simulation. */
  seed(token: StoredAccessToken): void {
    this.#tokens[this.table.indexOf(token.connectionId)] = token;
  }

  latest(connectionId: string): StoredAccessToken | undefined {
    return this.#tokens[this.table.indexOf(connectionId)];
  }

  /**
   * Counts one write attempt at `now` by `sender` (the sandbox; `retry` when the SDK sends it again);
   * false when it is over the region's quota for that second.
   */
  admit(now: EpochMillis, sender: object, retry: boolean): boolean {
    const second = Math.floor((now - this.origin) / 1000);
    const attempts = (this.#attemptsPerSecond[second] ?? 0) + 1;
    this.#attemptsPerSecond[second] = attempts;
    if (second !== this.#second) {
      this.#second = second;
      this.#senders.clear();
      this.#retries = 0;
    }
    this.#senders.add(sender);
    if (retry) this.#retries++;
    if (attempts > this.#peakAttempts) {
      this.#peakAttempts = attempts;
      this.peakSecond = { attempts, senders: this.#senders.size, sdkRetries: this.#retries };
    }
    if (attempts > REGION_SECRET_WRITES_PER_SECOND) {
      this.throttledAttempts++;
      return false;
    }
    return true;
  }

  /** Most write attempts in one second so far. */
  get peakAttemptsPerSecond(): number {
    return this.#peakAttempts;
  }

  /** Stores `token` at `now` unless its version is already there; books any expired time it ends. */
  store(token: StoredAccessToken, now: EpochMillis): 'written' | 'exists' {
    const index = this.table.indexOf(token.connectionId);
    const current = this.#tokens[index];
    if (current !== undefined && current.version >= token.version) return 'exists';
    if (current !== undefined) {
      if (now > current.expiresAt) {
        this.expiredMs[index] = (this.expiredMs[index] ?? 0) + (now - current.expiresAt);
        this.expiries.push({ index, from: current.expiresAt });
      }
      const left = current.expiresAt - now;
      if (left < (this.minLeftMs[index] ?? 0)) this.minLeftMs[index] = left;
    }
    this.#tokens[index] = token;
    this.versionsWritten++;
    return 'written';
  }

  /** Books the expired time still running at `end` (the end of the simulation). */
  closeLedger(end: EpochMillis): void {
    for (let index = 0; index < this.#tokens.length; index++) {
      const token = this.#tokens[index];
      if (token !== undefined && end > token.expiresAt) {
        this.expiredMs[index] = (this.expiredMs[index] ?? 0) + (end - token.expiresAt);
      }
    }
  }
}

/** TokenVault of one invocation. Reads and writes cost their call; writes meet the region quota. */
export class SimTokenVault extends SimPort implements TokenVault {
  constructor(
    env: SimEnvironment,
    context: CallContext,
    private readonly state: SecretsState,
  ) {
    super(env, context);
  }

  async read(connectionId: string): Promise<StoredAccessToken | undefined> {
    await this.call('secretsmanager.GetSecretValue', connectionId);
    return this.state.latest(connectionId);
  }

  /**
   * PutSecretValue with the SDK's attempts: each one counts against the region's quota when sent;
   * one over it is throttled, one that faults fails; the last failure is the adapter's typed error.
   */
  async write(token: StoredAccessToken): Promise<'written' | 'exists'> {
    const { time, random, aws } = this.env;
    const { meter } = this.context;
    // A sandbox that crashed or timed out sends nothing more (its code still runs on here, out of a
    // pacer's sleep, until it meets a port).
    if (!this.context.alive) return never();
    this.context.onConnectionCall?.(token.connectionId);
    meter.calls['secretsmanager.PutSecretValue']++;
    let throttled = false;
    const attempts = this.state.sdkWriteAttempts;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      meter.requests['secretsmanager.PutSecretValue']++;
      const admitted = this.state.admit(time.now(), this.context, attempt > 1);
      const faulted = random.chance(aws.faultRate);
      await time.delay(
        random.uniform(aws.minLatencyMs, aws.maxLatencyMs) + aws.cpuMsPerCall / this.context.vcpu,
      );
      if (!this.context.alive) return never();
      if (admitted && !faulted) return this.state.store(token, time.now());
      throttled = !admitted;
      if (attempt < attempts) {
        await time.delay(random.uniform(0, throttled ? THROTTLE_BACKOFF_MS : aws.sdkBackoffMs));
      }
    }
    throw throttled
      ? new SecretWriteThrottledError(token.connectionId)
      : new SecretWriteFailedError(token.connectionId, 'InternalServiceError');
  }

  async remove(): Promise<void> {
    throw new Error('remove: the fleet simulation revokes nothing');
  }
}

/** Per-container cache of the client-app secret, as the adapter keeps it (TTL 5 minutes). */
export class ContainerCredentialsCache {
  expiresAt = Number.NEGATIVE_INFINITY;
}

const CLIENT: ClientCredentials = { clientId: '1000.SIMCLIENT', clientSecret: 'sim-client-secret' };

/** ClientCredentialsProvider of one invocation: a GetSecretValue only when the container's cache is stale. */
export class SimClientCredentials extends SimPort implements ClientCredentialsProvider {
  constructor(
    env: SimEnvironment,
    context: CallContext,
    private readonly cache: ContainerCredentialsCache,
  ) {
    super(env, context);
  }

  async get(): Promise<ClientCredentials> {
    const now = this.env.time.now();
    if (this.cache.expiresAt > now) return CLIENT;
    // Concurrent misses of one container share one read in the adapter; so here.
    this.cache.expiresAt = now + CLIENT_CREDENTIALS_TTL_MS;
    try {
      await this.call('secretsmanager.GetSecretValue');
    } catch (error) {
      this.cache.expiresAt = Number.NEGATIVE_INFINITY;
      throw error;
    }
    return CLIENT;
  }
}
