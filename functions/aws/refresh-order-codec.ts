/**
 * RefreshOrder ⇄ SQS message body (JSON). The snapshot travels as the Connection it is (plain
 * numbers, strings and lists; its refresh token and any kept token stay KMS ciphertexts bound to
 * the connection, which only the refresher roles can decrypt). Decoding checks every field a worker
 * relies on before its lease: a wrong one is a MalformedRefreshOrderError, never a guess.
 */
import { CONNECTION_STATUSES, type Connection, parseConnectionId } from '../core/connection';
import { InvalidInputError } from '../core/errors';
import type { RefreshOrder } from '../core/ports';
import { MalformedRefreshOrderError } from './errors';

/** The message body of an order. */
export function encodeRefreshOrder(order: RefreshOrder): string {
  return JSON.stringify(order);
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isNumberList = (value: unknown): value is number[] => Array.isArray(value) && value.every(isNumber);

/** Fields of a snapshot and the check each must pass; optional ones may be absent. */
const SNAPSHOT_FIELDS: Record<string, { check: (value: unknown) => boolean; optional?: true }> = {
  dc: { check: (v) => typeof v === 'string' },
  accountsServer: { check: (v) => typeof v === 'string' },
  apiDomain: { check: (v) => typeof v === 'string' },
  clientRef: { check: (v) => typeof v === 'string' },
  status: { check: (v) => (CONNECTION_STATUSES as readonly unknown[]).includes(v) },
  version: { check: isNumber },
  expiresAt: { check: isNumber },
  refreshDueAt: { check: isNumber },
  refreshedAt: { check: isNumber, optional: true },
  lease: { check: (v) => isObject(v) && typeof v.owner === 'string' && isNumber(v.until), optional: true },
  leaseSeq: { check: isNumber },
  consecutiveFailures: { check: isNumber },
  lastError: {
    check: (v) =>
      isObject(v) && typeof v.code === 'string' && typeof v.message === 'string' && isNumber(v.at),
    optional: true,
  },
  recentZohoCalls: { check: isNumberList },
  encryptedRefreshToken: { check: (v) => typeof v === 'string' },
  createdAt: { check: isNumber },
  recentSecretWrites: { check: isNumberList },
  keptToken: {
    check: (v) =>
      isObject(v) && isNumber(v.version) && isNumber(v.expiresAt) && typeof v.ciphertext === 'string',
    optional: true,
  },
  freshReportRefreshAt: { check: isNumber, optional: true },
  freshRejections: { check: isNumber },
  lastFreshRejectionAt: { check: isNumber, optional: true },
};

/** Reads a message body; throws MalformedRefreshOrderError naming the first field that is wrong. */
export function decodeRefreshOrder(body: string): RefreshOrder {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new MalformedRefreshOrderError('the body is not JSON');
  }
  if (!isObject(parsed)) throw new MalformedRefreshOrderError('the body is not a JSON object');
  const connectionId = readConnectionId(parsed.connectionId);
  if (!isNumber(parsed.dueAt)) throw new MalformedRefreshOrderError('dueAt is not a number');
  if (parsed.snapshot === undefined) return { connectionId, dueAt: parsed.dueAt };
  return { connectionId, dueAt: parsed.dueAt, snapshot: readSnapshot(connectionId, parsed.snapshot) };
}

function readConnectionId(value: unknown): string {
  try {
    return parseConnectionId(value);
  } catch (error) {
    if (error instanceof InvalidInputError) throw new MalformedRefreshOrderError(error.message);
    throw error;
  }
}

function readSnapshot(connectionId: string, value: unknown): Connection {
  if (!isObject(value)) throw new MalformedRefreshOrderError('snapshot is not an object');
  if (value.connectionId !== connectionId) {
    throw new MalformedRefreshOrderError('the snapshot is of another connection than the order');
  }
  for (const [field, { check, optional }] of Object.entries(SNAPSHOT_FIELDS)) {
    const present = value[field] !== undefined;
    if ((present || !optional) && !check(value[field])) {
      throw new MalformedRefreshOrderError(`snapshot.${field} is missing or of the wrong type`);
    }
  }
  return value as unknown as Connection;
}
