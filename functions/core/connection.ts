import { InvalidInputError } from './errors';

/** Milliseconds since the Unix epoch. Every instant in the domain is one of these. */
export type EpochMillis = number;

export const CONNECTION_STATUSES = [
  'active',
  'reauthorization_required',
  'misconfigured',
  'revoked',
  'disabled',
] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

/** Statuses that wait for an operator: they are off the schedule and alarm until fixed. */
export const NEEDS_OPERATOR_STATUSES = [
  'reauthorization_required',
  'misconfigured',
] as const satisfies readonly ConnectionStatus[];

export const needsOperator = (status: ConnectionStatus): boolean =>
  (NEEDS_OPERATOR_STATUSES as readonly ConnectionStatus[]).includes(status);

/** Who holds the right to refresh a connection right now, and until when. */
export interface Lease {
  readonly owner: string;
  readonly until: EpochMillis;
}

export interface LastError {
  readonly code: string;
  readonly message: string;
  readonly at: EpochMillis;
}

/** One Zoho authorisation: a refresh token, the data centre it belongs to and its refresh state. */
export interface Connection {
  readonly connectionId: string;
  /** Zoho location (`us`, `eu`, … or `custom` for an explicitly allowed accounts server). */
  readonly dc: string;
  readonly accountsServer: string;
  readonly apiDomain: string;
  /** Name of the client app (client id + secret) this refresh token was issued to. */
  readonly clientRef: string;
  readonly status: ConnectionStatus;
  /** Token counter and fencing token: the secret's version, bumped by every successful refresh. */
  readonly version: number;
  /** Expiry of the access token of `version`; 0 before the first refresh. */
  readonly expiresAt: EpochMillis;
  readonly refreshDueAt: EpochMillis;
  readonly refreshedAt?: EpochMillis;
  readonly lease?: Lease;
  /** Bumped by every lease acquisition, so two racing acquirers cannot both win. */
  readonly leaseSeq: number;
  readonly consecutiveFailures: number;
  readonly lastError?: LastError;
  /** Times of the Zoho token requests of the last 10 minutes (the Zoho budget). */
  readonly recentZohoCalls: readonly EpochMillis[];
  /** The refresh token, KMS-encrypted under a context naming the connection (base64). */
  readonly encryptedRefreshToken: string;
  readonly createdAt: EpochMillis;
  /** Times of the secret writes of the last 24 hours (the secret's write budget). */
  readonly recentSecretWrites: readonly EpochMillis[];
  /** A token Zoho minted that could not be stored yet; the next run stores it without calling Zoho. */
  readonly keptToken?: KeptToken;
  /** When a report of an unexpired token last caused a refresh (at most one per window). */
  readonly freshReportRefreshAt?: EpochMillis;
  /** Reports of unexpired tokens that caused no refresh, and the last one's time (status hints). */
  readonly freshRejections: number;
  readonly lastFreshRejectionAt?: EpochMillis;
}

/**
 * A minted access token kept on the connection because the secret write failed: the whole token,
 * KMS-encrypted under the connection's context like the refresh token. Version and expiry stay in
 * the clear so a run can tell whether it is still worth storing without decrypting it.
 */
export interface KeptToken {
  readonly version: number;
  readonly expiresAt: EpochMillis;
  readonly ciphertext: string;
}

/** What registering a connection needs; everything else starts at its initial value. */
export interface NewConnection {
  readonly connectionId: string;
  readonly dc: string;
  readonly accountsServer: string;
  readonly apiDomain: string;
  readonly clientRef: string;
  readonly encryptedRefreshToken: string;
}

/** A connection as registered: active, version 0, no token yet, due for its first refresh now. */
export function newConnection(fields: NewConnection, now: EpochMillis): Connection {
  return {
    ...fields,
    status: 'active',
    version: 0,
    expiresAt: 0,
    refreshDueAt: now,
    leaseSeq: 0,
    consecutiveFailures: 0,
    recentZohoCalls: [],
    createdAt: now,
    recentSecretWrites: [],
    freshRejections: 0,
  };
}

const CONNECTION_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Connection ids become part of secret names and metric dimensions: keep them plain. */
export function parseConnectionId(value: unknown): string {
  if (typeof value !== 'string' || !CONNECTION_ID.test(value)) {
    throw new InvalidInputError(
      `connection id must be 1-64 characters of letters, digits, '.', '_' or '-', starting with a letter or digit (got ${describeIdInput(value)})`,
    );
  }
  return value;
}

export function isLeaseFree(connection: Pick<Connection, 'lease'>, now: EpochMillis): boolean {
  return connection.lease === undefined || connection.lease.until <= now;
}

/** How an error message shows a value that should have been an id (or a name of the same shape). */
export function describeIdInput(value: unknown): string {
  // A refresh token pasted where an id belongs (1000.<32>.<32>, 70 characters) must not be echoed
  // into a log or a terminal: only what could have been an id is quoted.
  if (typeof value === 'string') {
    return value.length <= 64 ? JSON.stringify(value) : `a string of ${value.length} characters, not shown`;
  }
  return value === null ? 'null' : typeof value;
}
