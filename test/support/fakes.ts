/**
 * In-memory implementations of the core ports, faithful to their contracts (conditional writes
 * included), with counters the tests assert on. Each async method yields once, so concurrent callers
 * interleave as they would against a real store.
 */
import {
  type Connection,
  type EpochMillis,
  type Lease,
  needsOperator,
  newConnection,
} from '../../functions/core/connection';
import {
  ConnectionAlreadyExistsError,
  ConnectionChangedError,
  ConnectionNotFoundError,
  OrdersNotQueuedError,
  ZohoTransientError,
} from '../../functions/core/errors';
import type {
  ClientCredentials,
  ClientCredentialsProvider,
  Clock,
  ConnectionStore,
  EventPublisher,
  HistoryEntry,
  LeaseMarks,
  Log,
  MetricName,
  Metrics,
  RefreshCommit,
  RefresherEvent,
  RefreshFailure,
  RefreshOrder,
  RefreshQueue,
  RefreshTokenCipher,
  StatusChange,
  TokenVault,
  ZohoAccounts,
} from '../../functions/core/ports';
import type { RefreshDependencies } from '../../functions/core/refresh-deps';
import { DEFAULT_REFRESH_POLICY, type RefreshPolicy } from '../../functions/core/refresh-policy';
import type { CodeExchangeGrant, StoredAccessToken, TokenGrant } from '../../functions/core/token';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export class FakeClock implements Clock {
  constructor(public current: EpochMillis = Date.UTC(2026, 10, 26, 8, 0, 0)) {}
  now = () => this.current;
  sleep = async (ms: number) => {
    this.current += ms;
    await tick();
  };
  advance(ms: number) {
    this.current += ms;
  }
}

export class InMemoryConnectionStore implements ConnectionStore {
  readonly items = new Map<string, Connection>();
  readonly history: HistoryEntry[] = [];
  readonly calls: Record<string, number> = {};
  /** Makes the next commit fail as if the process crashed between the secret write and the commit. */
  crashBeforeNextCommit = false;

  private count(name: string) {
    this.calls[name] = (this.calls[name] ?? 0) + 1;
  }

  /** The condition of every write under a lease: still the owner, not expired, still active. */
  private holds(id: string, owner: string, now: EpochMillis): Connection | undefined {
    const item = this.items.get(id);
    return item?.lease?.owner === owner && item.lease.until > now && item.status === 'active'
      ? item
      : undefined;
  }

  async get(id: string) {
    this.count('get');
    await tick();
    return this.items.get(id);
  }
  async create(connection: Connection) {
    this.count('create');
    await tick();
    if (this.items.has(connection.connectionId))
      throw new ConnectionAlreadyExistsError(connection.connectionId);
    this.items.set(connection.connectionId, connection);
  }
  async acquireLease(seen: Connection, lease: Lease, now: EpochMillis, marks: LeaseMarks = {}) {
    this.count('acquireLease');
    await tick();
    const item = this.items.get(seen.connectionId);
    const free = !item?.lease || item.lease.until <= now;
    if (
      !item ||
      item.version !== seen.version ||
      item.leaseSeq !== seen.leaseSeq ||
      item.status !== 'active' ||
      !free
    ) {
      return undefined;
    }
    const leased = { ...item, ...marks, lease, leaseSeq: item.leaseSeq + 1 };
    this.items.set(item.connectionId, leased);
    return leased;
  }
  async recordZohoCall(
    id: string,
    owner: string,
    calls: readonly EpochMillis[],
    until: EpochMillis,
    now: EpochMillis,
  ) {
    this.count('recordZohoCall');
    await tick();
    const item = this.holds(id, owner, now);
    if (!item) return false;
    this.items.set(id, { ...item, recentZohoCalls: [...calls], lease: { owner, until } });
    return true;
  }
  async extendLease(id: string, owner: string, until: EpochMillis, now: EpochMillis) {
    this.count('extendLease');
    await tick();
    const item = this.holds(id, owner, now);
    if (!item) return false;
    this.items.set(id, { ...item, lease: { owner, until } });
    return true;
  }
  async recordFreshRejection(id: string, at: EpochMillis) {
    this.count('recordFreshRejection');
    await tick();
    const item = this.items.get(id);
    if (!item) throw new ConnectionNotFoundError(id);
    this.items.set(id, { ...item, freshRejections: item.freshRejections + 1, lastFreshRejectionAt: at });
  }
  async commitRefresh(id: string, owner: string, commit: RefreshCommit, now: EpochMillis) {
    this.count('commitRefresh');
    await tick();
    if (this.crashBeforeNextCommit) {
      this.crashBeforeNextCommit = false;
      throw new Error('simulated crash before commit');
    }
    const item = this.holds(id, owner, now);
    if (!item) return false;
    const { lease: _lease, lastError: _lastError, keptToken: _kept, ...rest } = item;
    const { history, ...fields } = commit;
    this.items.set(id, { ...rest, ...fields, consecutiveFailures: 0 });
    // One transaction with the commit, as the DynamoDB store writes it.
    this.history.push(history);
    return true;
  }
  async recordFailure(id: string, owner: string, failure: RefreshFailure, now: EpochMillis) {
    this.count('recordFailure');
    await tick();
    const item = this.holds(id, owner, now);
    if (!item) return false;
    const { lease: _lease, ...rest } = item;
    this.items.set(id, { ...rest, ...failure });
    return true;
  }
  async releaseLease(id: string, owner: string, now: EpochMillis) {
    this.count('releaseLease');
    await tick();
    const item = this.holds(id, owner, now);
    if (!item) return false;
    const { lease: _lease, ...rest } = item;
    this.items.set(id, rest);
    return true;
  }
  async listDue(dueBy: EpochMillis, limit: number, notBefore = Number.NEGATIVE_INFINITY) {
    this.count('listDue');
    await tick();
    return [...this.items.values()]
      .filter((c) => c.status === 'active' && c.refreshDueAt <= dueBy && c.refreshDueAt >= notBefore)
      .sort((a, b) => a.refreshDueAt - b.refreshDueAt)
      .slice(0, limit);
  }
  async listRetrying(limit: number) {
    this.count('listRetrying');
    await tick();
    return [...this.items.values()]
      .filter((c) => c.status === 'active' && c.lastError !== undefined)
      .sort((a, b) => a.expiresAt - b.expiresAt)
      .slice(0, limit)
      .map(({ connectionId, expiresAt, consecutiveFailures }) => ({
        connectionId,
        expiresAt,
        consecutiveFailures,
      }));
  }
  async listNeedingOperator(limit: number) {
    this.count('listNeedingOperator');
    await tick();
    return [...this.items.values()].filter((c) => needsOperator(c.status)).slice(0, limit);
  }
  async listAll() {
    await tick();
    return [...this.items.values()];
  }
  async setStatus(id: string, status: Connection['status'], changes: StatusChange = {}) {
    this.count('setStatus');
    await tick();
    const item = this.items.get(id);
    if (!item) throw new ConnectionNotFoundError(id);
    const { lastError, expectedStatus, recentZohoCalls, ...other } = changes;
    if (expectedStatus !== undefined && item.status !== expectedStatus) {
      throw new ConnectionChangedError(id, expectedStatus);
    }
    // An operator's status change ends any lease: a reactivated connection refreshes at once. A new
    // (or removed) refresh token also drops a token kept from the old one.
    const { lease: _lease, lastError: _lastError, keptToken, ...rest } = item;
    this.items.set(id, {
      ...rest,
      // A status change invalidates every snapshot taken before it, as a lease would.
      leaseSeq: item.leaseSeq + 1,
      ...other,
      ...(recentZohoCalls === undefined ? {} : { recentZohoCalls: [...recentZohoCalls] }),
      ...(keptToken !== undefined && changes.encryptedRefreshToken === undefined && { keptToken }),
      status,
      ...(lastError === null ? { consecutiveFailures: 0 } : { lastError: lastError ?? item.lastError }),
    });
  }
  async appendHistory(entry: HistoryEntry) {
    await tick();
    this.history.push(entry);
  }
  async listHistory(id: string, limit: number) {
    return this.history
      .filter((h) => h.connectionId === id)
      .sort((a, b) => b.at - a.at)
      .slice(0, limit);
  }
}

export class InMemoryTokenVault implements TokenVault {
  readonly versions = new Map<string, StoredAccessToken[]>();
  writes = 0;
  reads = 0;
  /** Errors the next writes throw, in order (a Secrets Manager fault); then writes succeed. */
  readonly writeFaults: Error[] = [];
  removes = 0;
  async read(id: string) {
    this.reads++;
    await tick();
    return this.versions.get(id)?.at(-1);
  }
  async write(token: StoredAccessToken) {
    this.writes++;
    await tick();
    const fault = this.writeFaults.shift();
    if (fault) throw fault;
    const list = this.versions.get(token.connectionId) ?? [];
    if (list.some((t) => t.version === token.version)) return 'exists' as const;
    this.versions.set(token.connectionId, [...list, token]);
    return 'written' as const;
  }
  async remove(id: string) {
    this.removes++;
    this.versions.delete(id);
  }
}

/** Not encryption: a reversible wrapper that also checks the connection binding, as KMS would. */
export class FakeCipher implements RefreshTokenCipher {
  async encrypt(id: string, token: string) {
    return Buffer.from(JSON.stringify({ id, token })).toString('base64');
  }
  async decrypt(id: string, encrypted: string) {
    const { id: boundTo, token } = JSON.parse(Buffer.from(encrypted, 'base64').toString('utf8'));
    if (boundTo !== id) throw new Error('encryption context mismatch');
    return token as string;
  }
}

export class FakeCredentials implements ClientCredentialsProvider {
  gets = 0;
  constructor(
    private readonly value: ClientCredentials = { clientId: '1000.CLIENT', clientSecret: 'test-cs-secret' },
  ) {}
  async get() {
    this.gets++;
    return this.value;
  }
}

/** A scripted Zoho: answers from a queue of responses (a grant, or an error to throw), else succeeds. */
export class FakeZoho implements ZohoAccounts {
  refreshCalls = 0;
  readonly script: Array<TokenGrant | Error> = [];
  lifetimeSeconds = 3600;
  async refreshAccessToken() {
    this.refreshCalls++;
    await tick();
    const next = this.script.shift();
    if (next instanceof Error) throw next;
    return (
      next ?? {
        accessToken: `1000.test-at-${this.refreshCalls}`,
        expiresInSeconds: this.lifetimeSeconds,
        apiDomain: 'https://www.zohoapis.com',
        tokenType: 'Bearer',
      }
    );
  }
  async exchangeGrantCode(): Promise<CodeExchangeGrant> {
    throw new ZohoTransientError('not scripted');
  }
  readonly revoked: Array<{ accountsServer: string; refreshToken: string }> = [];
  async revokeRefreshToken(request: { accountsServer: string; refreshToken: string }) {
    this.revoked.push(request);
  }
}

export class RecordingEvents implements EventPublisher {
  readonly published: RefresherEvent[] = [];
  async publish(event: RefresherEvent) {
    this.published.push(event);
  }
}

/** A refresh queue that keeps what it was given, in order; `refuse` makes the next send drop orders. */
export class RecordingQueue implements RefreshQueue {
  readonly orders: RefreshOrder[] = [];
  sends = 0;
  /** How many orders of the next send are refused (OrdersNotQueuedError), from the end. */
  refuse = 0;
  async enqueue(orders: readonly RefreshOrder[]) {
    this.sends++;
    await tick();
    const refused = Math.min(this.refuse, orders.length);
    this.refuse = 0;
    this.orders.push(...orders.slice(0, orders.length - refused));
    if (refused > 0) throw new OrdersNotQueuedError(refused);
  }
  /** Takes every order queued so far. */
  take(): RefreshOrder[] {
    return this.orders.splice(0, this.orders.length);
  }
}

export class RecordingMetrics implements Metrics {
  readonly points: Array<{ name: MetricName; value: number; reason?: string }> = [];
  add(name: MetricName, value: number, _unit: string, reason?: string) {
    this.points.push({ name, value, ...(reason !== undefined && { reason }) });
  }
  sum(name: MetricName, reason?: string) {
    return this.points
      .filter((p) => p.name === name && (reason === undefined || p.reason === reason))
      .reduce((total, p) => total + p.value, 0);
  }
}

export class RecordingLog implements Log {
  readonly lines: Array<{ level: string; message: string; attributes?: Record<string, unknown> }> = [];
  private push(level: string) {
    return (message: string, attributes?: Record<string, unknown>) => {
      this.lines.push({ level, message, ...(attributes && { attributes }) });
    };
  }
  debug = this.push('debug');
  info = this.push('info');
  warn = this.push('warn');
  error = this.push('error');
}

export interface FakeWorld extends RefreshDependencies {
  readonly store: InMemoryConnectionStore;
  readonly vault: InMemoryTokenVault;
  readonly cipher: FakeCipher;
  readonly credentials: FakeCredentials;
  readonly zoho: FakeZoho;
  readonly events: RecordingEvents;
  readonly metrics: RecordingMetrics;
  readonly log: RecordingLog;
  readonly clock: FakeClock;
}

export function createFakeWorld(policy: Partial<RefreshPolicy> = {}): FakeWorld {
  let owners = 0;
  return {
    store: new InMemoryConnectionStore(),
    vault: new InMemoryTokenVault(),
    cipher: new FakeCipher(),
    credentials: new FakeCredentials(),
    zoho: new FakeZoho(),
    events: new RecordingEvents(),
    metrics: new RecordingMetrics(),
    log: new RecordingLog(),
    clock: new FakeClock(),
    policy: { ...DEFAULT_REFRESH_POLICY, random: () => 0.5, ...policy },
    newLeaseOwner: () => `owner-${++owners}`,
  };
}

/** Registers an active connection whose token (version `version`) expires at `expiresAt`. */
export async function addConnection(
  world: FakeWorld,
  overrides: Partial<Connection> & { connectionId: string },
): Promise<Connection> {
  const now = world.clock.now();
  const connection: Connection = {
    ...newConnection(
      {
        connectionId: overrides.connectionId,
        dc: 'us',
        accountsServer: 'https://accounts.zoho.com',
        apiDomain: 'https://www.zohoapis.com',
        clientRef: 'books',
        encryptedRefreshToken: await world.cipher.encrypt(
          overrides.connectionId,
          `1000.test-rt-${overrides.connectionId}`,
        ),
      },
      now,
    ),
    ...overrides,
  };
  await world.store.create(connection);
  return connection;
}
