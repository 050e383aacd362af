/**
 * Shared fixtures of the AWS adapter tests. Secrets carry the test markers (`test-at-`, `test-rt-`,
 * `test-cs-`) so the suite-wide log scan would catch a leak.
 */
import type { Connection } from '../../../functions/core/connection';

export const TABLE = 'zoho-token-refresher-test';
export const PREFIX = 'zoho-token-refresher';
export const NOW = Date.UTC(2026, 10, 26, 8, 0, 0);

/** A KMS ciphertext stand-in (base64); not a secret itself. */
export const CIPHERTEXT = Buffer.from('kms-ciphertext-blob').toString('base64');

/** An active connection, leased by nobody, version 7, lease sequence 3. */
export function connection(overrides: Partial<Connection> = {}): Connection {
  return {
    connectionId: 'books-eu',
    dc: 'eu',
    accountsServer: 'https://accounts.zoho.eu',
    apiDomain: 'https://www.zohoapis.eu',
    clientRef: 'books-app',
    status: 'active',
    version: 7,
    expiresAt: NOW + 3_600_000,
    refreshDueAt: NOW + 2_700_000,
    refreshedAt: NOW,
    leaseSeq: 3,
    consecutiveFailures: 0,
    recentZohoCalls: [NOW - 60_000],
    encryptedRefreshToken: CIPHERTEXT,
    createdAt: NOW - 86_400_000,
    recentSecretWrites: [NOW - 3_600_000],
    freshRejections: 0,
    ...overrides,
  };
}

/** The DynamoDB key of the fixture connection, spelled out. */
export const KEY = { pk: { S: 'CONN#books-eu' }, sk: { S: 'CONNECTION' } };

/** The error a call throws; fails the test when it does not throw. */
export function thrown(act: () => unknown): Error {
  try {
    act();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to throw');
}

/** The error a promise rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to reject');
}
