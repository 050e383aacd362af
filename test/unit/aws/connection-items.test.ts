import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  fromConnectionItem,
  fromHistoryItem,
  toConnectionItem,
  toHistoryItem,
} from '../../../functions/aws/connection-items';
import { CorruptStoredItemError } from '../../../functions/aws/errors';
import type { Connection } from '../../../functions/core/connection';
import type { HistoryEntry } from '../../../functions/core/ports';
import { CIPHERTEXT, connection, NOW, thrown } from './fixtures';

describe('connection items', () => {
  it('writes every field, the lease and last error included, and the due shard of an active connection', () => {
    // Prepare
    const leased = connection({
      lease: { owner: 'sweep-1', until: NOW + 60_000 },
      lastError: { code: 'transient', message: 'Zoho call failed transiently: 503', at: NOW - 1_000 },
    });

    // Act
    const item = toConnectionItem(leased);

    // Assess
    expect(item).toEqual({
      pk: { S: 'CONN#books-eu' },
      sk: { S: 'CONNECTION' },
      connectionId: { S: 'books-eu' },
      dc: { S: 'eu' },
      accountsServer: { S: 'https://accounts.zoho.eu' },
      apiDomain: { S: 'https://www.zohoapis.eu' },
      clientRef: { S: 'books-app' },
      status: { S: 'active' },
      version: { N: '7' },
      expiresAt: { N: String(NOW + 3_600_000) },
      refreshDueAt: { N: String(NOW + 2_700_000) },
      refreshedAt: { N: String(NOW) },
      leaseOwner: { S: 'sweep-1' },
      leaseUntil: { N: String(NOW + 60_000) },
      leaseSeq: { N: '3' },
      consecutiveFailures: { N: '0' },
      lastError: {
        M: {
          code: { S: 'transient' },
          message: { S: 'Zoho call failed transiently: 503' },
          at: { N: String(NOW - 1_000) },
        },
      },
      recentZohoCalls: { L: [{ N: String(NOW - 60_000) }] },
      encryptedRefreshToken: { S: CIPHERTEXT },
      createdAt: { N: String(NOW - 86_400_000) },
      recentSecretWrites: { L: [{ N: String(NOW - 3_600_000) }] },
      freshRejections: { N: '0' },
      dueShard: { S: expect.stringMatching(/^due#([0-9]|1[0-5])$/) },
      // Active with a last error: on the retry index, for the fleet gauges.
      retryPartition: { S: 'retry' },
    });
    expect(fromConnectionItem(item)).toEqual(leased);
  });

  it('leaves a revoked or disabled connection off the due index (no dueShard)', () => {
    // Act
    const revoked = toConnectionItem(connection({ status: 'revoked' }));
    const disabled = toConnectionItem(connection({ status: 'disabled' }));

    // Assess
    expect(revoked.dueShard).toBeUndefined();
    expect(disabled.dueShard).toBeUndefined();
    expect(fromConnectionItem(revoked).status).toBe('revoked');
  });

  it('puts a connection waiting for an operator on the operator partition of the due index', () => {
    // Act
    const reauth = toConnectionItem(connection({ status: 'reauthorization_required' }));
    const misconfigured = toConnectionItem(connection({ status: 'misconfigured' }));

    // Assess
    expect(reauth.dueShard).toEqual({ S: 'operator' });
    expect(misconfigured.dueShard).toEqual({ S: 'operator' });
    expect(fromConnectionItem(reauth).status).toBe('reauthorization_required');
  });

  it('reads an item without optional fields and an empty call list', () => {
    // Prepare
    const bare = connection({ recentZohoCalls: [] });
    const { refreshedAt: _refreshedAt, ...withoutRefresh } = bare;

    // Act
    const read = fromConnectionItem(toConnectionItem(withoutRefresh));

    // Assess
    expect(read).toEqual(withoutRefresh);
    expect(read.lease).toBeUndefined();
    expect(read.lastError).toBeUndefined();
  });

  it('names the broken attribute of a corrupt item and never echoes the refresh token ciphertext', () => {
    // Prepare
    const { version: _version, ...item } = toConnectionItem(connection());
    const badStatus = { ...toConnectionItem(connection()), status: { S: 'paused' } };

    // Act
    const missing = thrown(() => fromConnectionItem(item));
    const invalid = thrown(() => fromConnectionItem(badStatus));

    // Assess
    expect(missing).toBeInstanceOf(CorruptStoredItemError);
    expect(missing.message).toBe(
      "Stored connection books-eu is unreadable: attribute 'version' is missing or not a number",
    );
    expect(invalid.message).toContain(
      "attribute 'status' is missing or not one of active, reauthorization_required",
    );
    expect(`${missing.message}${invalid.message}`).not.toContain(CIPHERTEXT);
  });
});

describe('the stored format (items written before util-dynamodb, as literals)', () => {
  // Spelled out as DynamoDB holds them: the tables in use are read as they are, with no migration.
  const stored = {
    pk: { S: 'CONN#crm-in' },
    sk: { S: 'CONNECTION' },
    connectionId: { S: 'crm-in' },
    dc: { S: 'in' },
    accountsServer: { S: 'https://accounts.zoho.in' },
    apiDomain: { S: 'https://www.zohoapis.in' },
    clientRef: { S: 'crm-app' },
    status: { S: 'active' },
    version: { N: '12' },
    expiresAt: { N: '1796630400000' },
    refreshDueAt: { N: '1796629740000' },
    refreshedAt: { N: '1796626800000' },
    leaseOwner: { S: 'worker-7' },
    leaseUntil: { N: '1796626860000' },
    leaseSeq: { N: '41' },
    consecutiveFailures: { N: '2' },
    lastError: {
      M: { code: { S: 'transient' }, message: { S: 'Zoho answered 503' }, at: { N: '1796626700000' } },
    },
    recentZohoCalls: { L: [{ N: '1796626500000' }, { N: '1796626700000' }] },
    encryptedRefreshToken: { S: 'a21zLWNpcGhlcnRleHQ=' },
    createdAt: { N: '1796000000000' },
    recentSecretWrites: { L: [] },
    freshRejections: { N: '3' },
    lastFreshRejectionAt: { N: '1796626600000' },
    freshReportRefreshAt: { N: '1796626400000' },
    keptToken: {
      M: { version: { N: '13' }, expiresAt: { N: '1796630300000' }, ciphertext: { S: 'a2VwdA==' } },
    },
    dueShard: { S: 'due#4' },
    retryPartition: { S: 'retry' },
  };
  const read: Connection = {
    connectionId: 'crm-in',
    dc: 'in',
    accountsServer: 'https://accounts.zoho.in',
    apiDomain: 'https://www.zohoapis.in',
    clientRef: 'crm-app',
    status: 'active',
    version: 12,
    expiresAt: 1796630400000,
    refreshDueAt: 1796629740000,
    refreshedAt: 1796626800000,
    lease: { owner: 'worker-7', until: 1796626860000 },
    leaseSeq: 41,
    consecutiveFailures: 2,
    lastError: { code: 'transient', message: 'Zoho answered 503', at: 1796626700000 },
    recentZohoCalls: [1796626500000, 1796626700000],
    encryptedRefreshToken: 'a21zLWNpcGhlcnRleHQ=',
    createdAt: 1796000000000,
    recentSecretWrites: [],
    freshRejections: 3,
    lastFreshRejectionAt: 1796626600000,
    freshReportRefreshAt: 1796626400000,
    keptToken: { version: 13, expiresAt: 1796630300000, ciphertext: 'a2VwdA==' },
  };

  it('reads a stored connection item to the same connection, and writes it back attribute for attribute', () => {
    // Act
    const connection = fromConnectionItem(stored);
    const written = toConnectionItem(connection);

    // Assess
    expect(connection).toEqual(read);
    expect(written).toEqual(stored);
  });

  it('reads an item from before the write budget (no recentSecretWrites, no freshRejections)', () => {
    // Prepare
    const { recentSecretWrites: _writes, freshRejections: _rejections, ...older } = stored;

    // Act
    const connection = fromConnectionItem(older);

    // Assess
    expect(connection).toEqual({ ...read, recentSecretWrites: [], freshRejections: 0 });
  });

  it('reads a stored history item to the same entry, and writes it back attribute for attribute', () => {
    // Prepare
    const item = {
      pk: { S: 'CONN#crm-in' },
      sk: { S: 'HIST#001796626800000#0f1e2d3c' },
      ttl: { N: '1799218800' },
      connectionId: { S: 'crm-in' },
      at: { N: '1796626800000' },
      trigger: { S: 'scheduled' },
      outcome: { S: 'transient_error' },
      version: { N: '12' },
      durationMs: { N: '640' },
      zohoCalls: { N: '1' },
      errorCode: { S: 'transient' },
      message: { S: 'Zoho answered 503' },
    };
    const entry: HistoryEntry = {
      connectionId: 'crm-in',
      at: 1796626800000,
      trigger: 'scheduled',
      outcome: 'transient_error',
      version: 12,
      durationMs: 640,
      zohoCalls: 1,
      errorCode: 'transient',
      message: 'Zoho answered 503',
    };

    // Act
    const readEntry = fromHistoryItem(item);
    const written = toHistoryItem(readEntry, '0f1e2d3c');

    // Assess
    expect(readEntry).toEqual(entry);
    expect(written).toEqual(item);
  });

  it('names an attribute that is not a DynamoDB value at all, or a number out of range', () => {
    // Prepare
    const untyped = { ...stored, leaseSeq: {} as AttributeValue };
    const huge = { ...stored, version: { N: '1e400' } };

    // Act
    const noType = thrown(() => fromConnectionItem(untyped));
    const infinite = thrown(() => fromConnectionItem(huge));

    // Assess
    expect(noType).toBeInstanceOf(CorruptStoredItemError);
    expect(noType.message).toBe(
      "Stored connection crm-in is unreadable: attribute 'leaseSeq' is missing or not a number",
    );
    expect(infinite.message).toBe(
      "Stored connection crm-in is unreadable: attribute 'version' is missing or not a number",
    );
  });
});

describe('history items', () => {
  it('round-trips an entry with its error fields', () => {
    // Prepare
    const entry: HistoryEntry = {
      connectionId: 'books-eu',
      at: NOW,
      trigger: 'on_demand',
      outcome: 'throttled',
      version: 7,
      durationMs: 812,
      zohoCalls: 1,
      errorCode: 'throttled',
      message: 'Zoho throttled token creation: Access Denied',
    };

    // Act
    const read = fromHistoryItem(toHistoryItem(entry, 'a1b2c3d4'));

    // Assess
    expect(read).toEqual(entry);
  });
});
