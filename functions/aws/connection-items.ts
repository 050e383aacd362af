/**
 * The table's items ⇄ the domain: connections, history entries and retry-index entries. Writing is
 * `marshall` of the domain's own field names; reading checks each attribute it uses and names the
 * item and attribute when one is wrong (a hand edit, an older schema), so one bad item never reads
 * as a plausible connection. `dueShard` comes from `dueShardFor` and `retryPartition` from
 * `retryPartitionFor`, so both sparse indexes hold exactly what they should.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { convertToNative, marshall } from '@aws-sdk/util-dynamodb';
import { CONNECTION_STATUSES, type Connection } from '../core/connection';
import type { HistoryEntry, RefreshOutcome, RefreshTrigger, RetryingConnection } from '../core/ports';
import { CorruptStoredItemError } from './errors';
import {
  connectionKey,
  dueShardFor,
  HISTORY_TTL_DAYS,
  historySortKey,
  retryPartitionFor,
  TABLE_SCHEMA,
} from './table';

/** A DynamoDB item in the low-level client's wire shape. */
export type Item = Record<string, AttributeValue>;

/**
 * Plain values in the wire shape: numbers as `N`, strings as `S`, arrays as lists (never sets: a set
 * cannot be empty), objects as maps; an undefined value is left out.
 */
export const toItem = (values: Record<string, unknown>): Item =>
  marshall(values, { removeUndefinedValues: true });

const SECONDS_PER_DAY = 86_400;

// Records keyed by the union types: tsc fails here when the domain adds a trigger or an outcome.
const TRIGGERS: Record<RefreshTrigger, true> = { scheduled: true, on_demand: true, operator: true };
const OUTCOMES: Record<RefreshOutcome, true> = {
  refreshed: true,
  adopted: true,
  skipped: true,
  throttled: true,
  budget_exhausted: true,
  transient_error: true,
  reauthorization_required: true,
  misconfigured: true,
  revoked: true,
  fresh_token_rejected: true,
  secret_write_budget: true,
};

/** The sort key value of connection items (history items share the partition). */
export const CONNECTION_SORT_KEY = connectionKey('').sk;

/** The DynamoDB key of a connection item. */
export const connectionItemKey = (connectionId: string): Item => toItem(connectionKey(connectionId));

/** The full item of a connection, as `create` writes it. */
export function toConnectionItem(connection: Connection): Item {
  const { lease, ...fields } = connection;
  return toItem({
    ...connectionKey(connection.connectionId),
    ...fields,
    leaseOwner: lease?.owner,
    leaseUntil: lease?.until,
    dueShard: dueShardFor(connection.connectionId, connection.status),
    retryPartition: retryPartitionFor(connection.status, connection.lastError !== undefined),
  });
}

/** Reads a connection item; throws CorruptStoredItemError naming the attribute that is wrong. */
export function fromConnectionItem(item: Item): Connection {
  const read = new ItemReader(item, `connection ${item.connectionId?.S ?? item.pk?.S ?? '(no id)'}`);
  const leaseOwner = read.optionalString('leaseOwner');
  const leaseUntil = read.optionalNumber('leaseUntil');
  const lastError = read.optionalMap('lastError');
  const kept = read.optionalMap('keptToken');
  return withoutUndefined<Connection>({
    connectionId: read.string('connectionId'),
    dc: read.string('dc'),
    accountsServer: read.string('accountsServer'),
    apiDomain: read.string('apiDomain'),
    clientRef: read.string('clientRef'),
    status: read.oneOf('status', CONNECTION_STATUSES),
    version: read.number('version'),
    expiresAt: read.number('expiresAt'),
    refreshDueAt: read.number('refreshDueAt'),
    refreshedAt: read.optionalNumber('refreshedAt'),
    lease:
      leaseOwner === undefined || leaseUntil === undefined
        ? undefined
        : { owner: leaseOwner, until: leaseUntil },
    // Required: acquireLease conditions on it, so a defaulted value could never match.
    leaseSeq: read.number('leaseSeq'),
    consecutiveFailures: read.number('consecutiveFailures'),
    lastError: lastError && {
      code: lastError.string('code'),
      message: lastError.string('message'),
      at: lastError.number('at'),
    },
    recentZohoCalls: read.numberList('recentZohoCalls'),
    encryptedRefreshToken: read.string('encryptedRefreshToken'),
    createdAt: read.number('createdAt'),
    // Items written before the write budget existed have neither: an empty history, no rejections.
    recentSecretWrites: read.numberList('recentSecretWrites'),
    freshRejections: read.optionalNumber('freshRejections') ?? 0,
    keptToken: kept && {
      version: kept.number('version'),
      expiresAt: kept.number('expiresAt'),
      ciphertext: kept.string('ciphertext'),
    },
    freshReportRefreshAt: read.optionalNumber('freshReportRefreshAt'),
    lastFreshRejectionAt: read.optionalNumber('lastFreshRejectionAt'),
  });
}

/** The TTL (epoch seconds) of a history item written for an attempt at `at` (epoch ms). */
export const historyTtl = (at: number): number => Math.floor(at / 1000) + HISTORY_TTL_DAYS * SECONDS_PER_DAY;

/**
 * The item of one history entry, in its connection's partition (one Query lists a connection's
 * history) with a TTL so it cleans itself up; `suffix` keeps two attempts of one millisecond apart.
 */
export function toHistoryItem(entry: HistoryEntry, suffix: string): Item {
  return toItem({
    pk: connectionKey(entry.connectionId).pk,
    sk: historySortKey(entry.at, suffix),
    [TABLE_SCHEMA.ttlAttribute]: historyTtl(entry.at),
    ...entry,
  });
}

/** Reads a history item; throws CorruptStoredItemError naming the attribute that is wrong. */
export function fromHistoryItem(item: Item): HistoryEntry {
  const read = new ItemReader(item, `history item ${item.sk?.S ?? '(no key)'}`);
  return withoutUndefined<HistoryEntry>({
    connectionId: read.string('connectionId'),
    at: read.number('at'),
    trigger: read.oneOf('trigger', Object.keys(TRIGGERS) as RefreshTrigger[]),
    outcome: read.oneOf('outcome', Object.keys(OUTCOMES) as RefreshOutcome[]),
    version: read.number('version'),
    durationMs: read.number('durationMs'),
    zohoCalls: read.number('zohoCalls'),
    errorCode: read.optionalString('errorCode'),
    message: read.optionalString('message'),
  });
}

/** A retry-index item (keys and the projected failure count). */
export function fromRetryItem(item: Item): RetryingConnection {
  const read = new ItemReader(item, `retry-index item ${item.pk?.S ?? '(no key)'}`);
  return {
    connectionId: read.string('connectionId'),
    expiresAt: read.number('expiresAt'),
    consecutiveFailures: read.number('consecutiveFailures'),
  };
}

/**
 * The domain's optional fields are absent, never `undefined` (exactOptionalPropertyTypes): drop the
 * ones an item did not have.
 */
function withoutUndefined<T extends object>(value: { [K in keyof T]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

/** Reads typed attributes off an item, converting only the attributes it is asked for. */
class ItemReader {
  readonly #item: Item;
  readonly #what: string;

  constructor(item: Item, what: string) {
    this.#item = item;
    this.#what = what;
  }

  string(name: string): string {
    return this.#required(name, 'a string', this.optionalString(name));
  }

  optionalString(name: string): string | undefined {
    return this.#optional(name, 'a string', isString);
  }

  number(name: string): number {
    return this.#required(name, 'a number', this.optionalNumber(name));
  }

  optionalNumber(name: string): number | undefined {
    return this.#optional(name, 'a number', isNumber);
  }

  numberList(name: string): number[] {
    const list = (value: unknown): value is number[] => Array.isArray(value) && value.every(isNumber);
    return this.#optional(name, 'a list of numbers', list) ?? [];
  }

  /** A nested map, read with the same checks. */
  optionalMap(name: string): ItemReader | undefined {
    const attribute = this.#item[name];
    if (attribute === undefined) return undefined;
    if (attribute.M === undefined) throw this.#corrupt(name, 'a map');
    return new ItemReader(attribute.M, `${this.#what}.${name}`);
  }

  /** A string attribute that must be one of `allowed`. */
  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const value = this.string(name);
    if (!(allowed as readonly string[]).includes(value))
      throw this.#corrupt(name, `one of ${allowed.join(', ')}`);
    return value as T;
  }

  #optional<T>(name: string, expected: string, is: (value: unknown) => value is T): T | undefined {
    const attribute = this.#item[name];
    if (attribute === undefined) return undefined;
    let value: unknown;
    try {
      value = convertToNative(attribute);
    } catch {
      // Not a DynamoDB value at all (no type, or an unknown one).
      throw this.#corrupt(name, expected);
    }
    if (!is(value)) throw this.#corrupt(name, expected);
    return value;
  }

  #required<T>(name: string, expected: string, value: T | undefined): T {
    if (value === undefined) throw this.#corrupt(name, expected);
    return value;
  }

  #corrupt(name: string, expected: string): CorruptStoredItemError {
    return new CorruptStoredItemError(this.#what, `attribute '${name}' is missing or not ${expected}`);
  }
}

const isString = (value: unknown): value is string => typeof value === 'string';

/** A finite JavaScript number (a number too large for one converts to a BigInt: not ours). */
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
