/**
 * Ports: what the refresh use case needs from the outside world. Adapters in `functions/aws` and
 * `functions/zoho` implement them; tests implement them in memory (`test/support/fakes.ts`).
 */
import type { Connection, ConnectionStatus, EpochMillis, KeptToken, LastError, Lease } from './connection';
import type { CodeExchangeGrant, StoredAccessToken, TokenGrant } from './token';

/** What a successful refresh writes back onto the connection. */
export interface RefreshCommit {
  /** Written in the same transaction as the commit: the attempt's history entry. */
  readonly history: HistoryEntry;
  readonly version: number;
  readonly expiresAt: EpochMillis;
  readonly refreshDueAt: EpochMillis;
  readonly refreshedAt: EpochMillis;
  readonly apiDomain: string;
  /** The secret writes of the last day, this one included. A commit also drops any kept token. */
  readonly recentSecretWrites: readonly EpochMillis[];
}

/** What a failed refresh writes back onto the connection. */
export interface RefreshFailure {
  readonly status: ConnectionStatus;
  readonly refreshDueAt: EpochMillis;
  readonly consecutiveFailures: number;
  readonly lastError: LastError;
  /** A minted token the secret write lost: kept for the next run (replaces any older one). */
  readonly keptToken?: KeptToken;
  /** The secret writes of the last day, when this attempt tried one. */
  readonly recentSecretWrites?: readonly EpochMillis[];
}

/** Marks written together with a lease, in the same conditional write. */
export interface LeaseMarks {
  /** This lease serves a report of an unexpired token (the one refresh of its window). */
  readonly freshReportRefreshAt?: EpochMillis;
  /**
   * The Zoho budget with the run's first call already in it: a run that will call Zoho records that
   * call in its lease write instead of a write of its own (one AWS call less per refresh). The list
   * replaces the stored one, which the lease condition (`leaseSeq`) proves is the one the caller saw.
   */
  readonly recentZohoCalls?: readonly EpochMillis[];
}

export type RefreshTrigger = 'scheduled' | 'on_demand' | 'operator';
export type RefreshOutcome =
  | 'refreshed'
  | 'adopted'
  | 'skipped'
  | 'throttled'
  | 'budget_exhausted'
  | 'transient_error'
  | 'reauthorization_required'
  | 'misconfigured'
  | 'revoked'
  /** A report of an unexpired token beyond the one refresh per window: counted, nothing else. */
  | 'fresh_token_rejected'
  /** Held back by the secret's write budget; the current token stays. */
  | 'secret_write_budget';

/** One refresh attempt, kept for a while (TTL) for `zoho-tokens history`. */
export interface HistoryEntry {
  readonly connectionId: string;
  readonly at: EpochMillis;
  readonly trigger: RefreshTrigger;
  readonly outcome: RefreshOutcome;
  readonly version: number;
  readonly durationMs: number;
  readonly zohoCalls: number;
  readonly errorCode?: string;
  readonly message?: string;
}

/** An operator's status change (revoke, disable, enable, re-authorise). It always ends any lease. */
export interface StatusChange {
  readonly encryptedRefreshToken?: string;
  readonly refreshDueAt?: EpochMillis;
  /** `null` clears the last error and the failure count: a fresh start. */
  readonly lastError?: LastError | null;
  /** Replaces the budget's call times (a new refresh token starts with the calls made for it). */
  readonly recentZohoCalls?: readonly EpochMillis[];
  /** Sets the token expiry (0 after a revoke: no token any more). */
  readonly expiresAt?: EpochMillis;
  /**
   * Only if the stored status is still this one (the status read before deciding); otherwise
   * ConnectionChangedError and nothing is written.
   */
  readonly expectedStatus?: ConnectionStatus;
}

/**
 * Connections, leases and history. Every method that takes a lease `owner` is conditional on that
 * owner still holding an unexpired lease and returns false when it does not (a lost lease is not an
 * exception: someone else owns the refresh now).
 */
export interface ConnectionStore {
  get(connectionId: string): Promise<Connection | undefined>;
  /** Registers a new connection; throws ConnectionAlreadyExistsError when the id is taken. */
  create(connection: Connection): Promise<void>;
  /**
   * One conditional write: succeeds only if the stored connection still has `seen.version`,
   * `seen.leaseSeq`, status `active` and a free or expired lease. Returns the leased connection, or
   * undefined when another caller won or the connection moved on.
   */
  acquireLease(
    seen: Connection,
    lease: Lease,
    now: EpochMillis,
    marks?: LeaseMarks,
  ): Promise<Connection | undefined>;
  /** Extends a lease still held (before a secret write that needs more time than is left). */
  extendLease(connectionId: string, owner: string, until: EpochMillis, now: EpochMillis): Promise<boolean>;
  /** Counts a report of an unexpired token that caused no refresh (no lease needed: a counter). */
  recordFreshRejection(connectionId: string, at: EpochMillis): Promise<void>;
  /** Records a Zoho call about to be made (the budget) and extends the lease to `leaseUntil`. */
  recordZohoCall(
    connectionId: string,
    owner: string,
    recentZohoCalls: readonly EpochMillis[],
    leaseUntil: EpochMillis,
    now: EpochMillis,
  ): Promise<boolean>;
  /**
   * Commits a refresh: new version, expiry and due time; clears the lease and the failures; and
   * appends `commit.history`, all in one transaction (both or neither).
   */
  commitRefresh(
    connectionId: string,
    owner: string,
    commit: RefreshCommit,
    now: EpochMillis,
  ): Promise<boolean>;
  /** Records a failed refresh and clears the lease. A non-active status takes it off the schedule. */
  recordFailure(
    connectionId: string,
    owner: string,
    failure: RefreshFailure,
    now: EpochMillis,
  ): Promise<boolean>;
  /** Clears the lease without other changes (nothing was attempted). */
  releaseLease(connectionId: string, owner: string, now: EpochMillis): Promise<boolean>;
  /**
   * Active connections whose refresh is due at or before `dueBy` (and not before `notBefore` when
   * given), earliest first, across every shard of the due index; at most `limit`.
   */
  listDue(dueBy: EpochMillis, limit: number, notBefore?: EpochMillis): Promise<Connection[]>;
  /**
   * Active connections whose last refresh attempt failed (they carry a `lastError`), soonest expiry
   * first, up to `limit`: a sparse index that holds only them, so the fleet gauges read a handful of
   * items instead of the fleet.
   */
  listRetrying(limit: number): Promise<RetryingConnection[]>;
  /**
   * Connections an operator must act on (status in NEEDS_OPERATOR_STATUSES), up to `limit`. Kept on a
   * partition of the same sparse index, so a sweep can count them without a scan.
   */
  listNeedingOperator(limit: number): Promise<Connection[]>;
  /** Every connection (operator views); paginates internally. */
  listAll(): Promise<Connection[]>;
  /** Operator actions: revoke, disable, re-enable with a new refresh token. */
  setStatus(connectionId: string, status: ConnectionStatus, changes?: StatusChange): Promise<void>;
  appendHistory(entry: HistoryEntry): Promise<void>;
  /** Newest first. */
  listHistory(connectionId: string, limit: number): Promise<HistoryEntry[]>;
}

/** What the fleet gauges need of a connection whose last refresh attempt failed. */
export interface RetryingConnection {
  readonly connectionId: string;
  /** Expiry of its current token (0 before the first refresh). */
  readonly expiresAt: EpochMillis;
  readonly consecutiveFailures: number;
}

/**
 * One scheduled refresh handed from the planner to a worker. `dueAt` is when it falls due (the
 * queue holds it back until then). The snapshot is the connection as the planner read it: it saves
 * the worker a read, and a stale one only loses the lease race (the lease write is conditional on
 * what it saw, and the refresh then works on the item the lease write returns, never on the snapshot).
 */
export interface RefreshOrder {
  readonly connectionId: string;
  readonly dueAt: EpochMillis;
  /** Absent on a retry a worker queued itself: the worker then reads the connection. */
  readonly snapshot?: Connection;
}

/** The queue between the planner and the refresh workers (SQS: at-least-once, delays up to 15 minutes). */
export interface RefreshQueue {
  /**
   * Hands the orders to the workers, each held back until its `dueAt` (at most 15 minutes). Throws
   * OrdersNotQueuedError when some could not be queued; the others are queued.
   */
  enqueue(orders: readonly RefreshOrder[]): Promise<void>;
}

/** The access-token secrets consumers read. */
export interface TokenVault {
  /** The current stored token, or undefined when none was written yet. */
  read(connectionId: string): Promise<StoredAccessToken | undefined>;
  /**
   * Writes `token` as version `token.version`. Returns 'exists' when that version was already
   * written (two writers of one version collide instead of overwriting each other).
   */
  write(token: StoredAccessToken): Promise<'written' | 'exists'>;
  /** Removes the token material (revocation). */
  remove(connectionId: string): Promise<void>;
}

/** Envelope encryption of refresh tokens, bound to the connection they belong to. */
export interface RefreshTokenCipher {
  encrypt(connectionId: string, refreshToken: string): Promise<string>;
  decrypt(connectionId: string, encrypted: string): Promise<string>;
}

export interface ClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

/** Client apps (id + secret, optionally per data centre). */
export interface ClientCredentialsProvider {
  /** Throws ClientCredentialsNotFoundError when the client app is unknown. */
  get(clientRef: string, dc: string): Promise<ClientCredentials>;
}

export interface ZohoTokenRequest extends ClientCredentials {
  readonly accountsServer: string;
}

/** An authorization-code exchange (onboarding). */
export interface GrantCodeRequest extends ZohoTokenRequest {
  readonly code: string;
  /**
   * A server-based client's code is exchanged with exactly the redirect URI it was issued for;
   * a Self Client's code needs none.
   */
  readonly redirectUri?: string;
}

/**
 * Zoho's accounts server. Implementations throw the typed errors of `errors.ts`
 * (ReauthorizationRequiredError, MisconfiguredClientError, ZohoThrottledError, ZohoTransientError).
 */
export interface ZohoAccounts {
  refreshAccessToken(request: ZohoTokenRequest & { readonly refreshToken: string }): Promise<TokenGrant>;
  exchangeGrantCode(request: GrantCodeRequest): Promise<CodeExchangeGrant>;
  revokeRefreshToken(request: {
    readonly accountsServer: string;
    readonly refreshToken: string;
  }): Promise<void>;
}

/** Events the refresher publishes (detail-types of the contract). */
export type RefresherEvent =
  | {
      readonly detailType: 'Zoho Token Refreshed';
      readonly detail: { connectionId: string; version: number; expiresAt: string; trigger: RefreshTrigger };
    }
  | {
      readonly detailType: 'Zoho Reauthorization Required';
      readonly detail: {
        connectionId: string;
        version: number;
        errorCode: string;
        message: string;
        /** A single-use re-authorisation link for the customer, when the connect endpoint is deployed. */
        reauthorizationUrl?: string;
        /** When that link stops working (ISO-8601 UTC). */
        reauthorizationUrlExpiresAt?: string;
      };
    }
  | {
      /** A consumer got a 401 on a token that has not expired: scope, organisation or data centre. */
      readonly detailType: 'Zoho Fresh Token Rejected';
      readonly detail: {
        connectionId: string;
        version: number;
        code?: number;
        likelyCauses: string;
      };
    }
  | {
      readonly detailType: 'Zoho Refresh Failed';
      readonly detail: {
        connectionId: string;
        version: number;
        errorCode: string;
        message: string;
        permanent: boolean;
      };
    };

export interface EventPublisher {
  publish(event: RefresherEvent): Promise<void>;
}

/** Metric names the alarms and the dashboard rely on. */
export type MetricName =
  | 'RefreshSucceeded'
  | 'RefreshFailed'
  | 'RefreshSkipped'
  | 'ReauthorizationRequired'
  | 'BudgetExhausted'
  | 'ZohoCalls'
  | 'ZohoLatency'
  | 'SecondsToExpiry'
  | 'ExpiredTokens'
  /** One per planner run that queued all it planned (the PlannerHeartbeatMissing alarm). */
  | 'PlannerHeartbeat'
  /** Orders a planner run queued (zero included). */
  | 'RefreshesPlanned'
  /** Active connections due more than two planner periods ago and still not refreshed (every run). */
  | 'RefreshesOverdue'
  /** Orders the planner could not queue (the catch-up queues them again later). */
  | 'RefreshOrdersNotQueued'
  /** A worker's order that threw (not a classified failure): SQS delivers it again, then dead-letters it. */
  | 'RefreshOrderFailed'
  | 'InvalidEvent'
  | 'AlreadyRefreshed'
  | 'AdoptedAfterCrash'
  /** Fleet gauges of every planner run (the alarms use these: they neither miss nor flap). */
  | 'ConnectionsNeedingReauthorization'
  | 'ConnectionsMisconfigured'
  | 'ConnectionsFailing'
  | 'MinSecondsToExpiry'
  /** A consumer reported a token this system minted and that has not expired (scope, organisation, DC). */
  | 'FreshTokenRejected'
  /** A refresh was held back because the secret's write budget (versions per hour / day) is spent. */
  | 'SecretWriteBudgetExhausted'
  /** Secrets Manager failed or refused a write; `reason` is the TokenVaultWriteError code. */
  | 'SecretWriteFailed'
  /** A minted token could not be stored and was kept encrypted on the connection for the next run. */
  | 'MintedTokenKept'
  /** Zoho answered a success we could not trust (malformed, or outside the limits). */
  | 'ZohoMalformedResponse'
  /** A customer completed a connect link (the connect endpoint). */
  | 'ConnectLinkCompleted'
  /** The connect endpoint answered anything but success; `reason` is the page. */
  | 'ConnectLinkFailed';

export type MetricUnit = 'Count' | 'Milliseconds' | 'Seconds';

export interface Metrics {
  /** Adds one data point; `reason` becomes a dimension where given. */
  add(name: MetricName, value: number, unit: MetricUnit, reason?: string): void;
}

/** Structured logging; attributes must never carry token material. */
export interface Log {
  debug(message: string, attributes?: Record<string, unknown>): void;
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

export interface Clock {
  now(): EpochMillis;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
