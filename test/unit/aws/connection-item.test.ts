import { describe, expect, it } from 'vitest';
import { fromConnectionItem, toConnectionItem } from '../../../functions/aws/connection-item';
import { CorruptStoredItemError } from '../../../functions/aws/errors';
import { fromHistoryItem, toHistoryItem } from '../../../functions/aws/history-item';
import type { HistoryEntry } from '../../../functions/core/ports';
import { CIPHERTEXT, connection, NOW, thrown } from './fixtures';

describe('connection items', () => {
  it('writes every field by hand, the lease and last error included, and the due shard of an active connection', () => {
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
