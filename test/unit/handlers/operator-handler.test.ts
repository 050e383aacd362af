import { describe, expect, it } from 'vitest';
import { ConnectionChangedError, ZohoTransientError } from '../../../functions/core/errors';
import { createTokenRejectedHandler } from '../../../functions/on-demand-refresh/token-rejected-handler';
import { createOperatorHandler } from '../../../functions/operator/operator-handler';
import { addConnection, createFakeWorld } from '../../support/fakes';

const storedToken = (connectionId: string, version: number) => ({
  connectionId,
  version,
  accessToken: `1000.test-at-${version}`,
  apiDomain: 'https://www.zohoapis.com',
  tokenType: 'Bearer',
  expiresAt: 1,
});

describe('operator commands on the operator function (direct invoke)', () => {
  it('refresh --force refreshes a connection that is not due', async () => {
    // Prepare: a token that is neither due nor expired
    const world = createFakeWorld();
    const later = world.clock.now() + 3_600_000;
    await addConnection(world, { connectionId: 'acme', refreshDueAt: later, expiresAt: later });

    // Act
    const result = await createOperatorHandler(world)({
      operatorCommand: 'refresh',
      connectionId: 'acme',
      force: true,
    });

    // Assess
    expect(result).toMatchObject({ outcome: 'refreshed', version: 1 });
    expect(world.zoho.refreshCalls).toBe(1);
    expect(world.store.history[0]?.trigger).toBe('operator');
  });

  it('refresh without --force leaves a connection that is not due alone', async () => {
    // Prepare: a token that is neither due nor expired
    const world = createFakeWorld();
    const later = world.clock.now() + 3_600_000;
    await addConnection(world, { connectionId: 'acme', refreshDueAt: later, expiresAt: later });

    // Act
    const result = await createOperatorHandler(world)({
      operatorCommand: 'refresh',
      connectionId: 'acme',
      force: false,
    });

    // Assess
    expect(result).toEqual({ outcome: 'skipped', reason: 'not_due', version: 0 });
    expect(world.zoho.refreshCalls).toBe(0);
    expect(world.vault.writes).toBe(0);
    expect(world.store.history).toEqual([]);
  });

  it('refresh without --force refreshes an expired token whose next attempt is still ahead', async () => {
    // Prepare: a backoff set the due time past the expiry
    const world = createFakeWorld();
    const now = world.clock.now();
    await addConnection(world, { connectionId: 'acme', refreshDueAt: now + 600_000, expiresAt: now - 1 });

    // Act
    const result = await createOperatorHandler(world)({
      operatorCommand: 'refresh',
      connectionId: 'acme',
      force: false,
    });

    // Assess
    expect(result).toMatchObject({ outcome: 'refreshed', version: 1 });
    expect(world.zoho.refreshCalls).toBe(1);
  });

  it('revoke revokes', async () => {
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'acme' });

    const result = await createOperatorHandler(world)({
      operatorCommand: 'revoke',
      connectionId: 'acme',
    });

    expect(result).toMatchObject({ outcome: 'revoked', connectionId: 'acme' });
    expect(world.store.items.get('acme')?.status).toBe('revoked');
  });

  it('an unknown command is refused with a metric, not thrown', async () => {
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'acme' });

    const result = await createOperatorHandler(world)({
      operatorCommand: 'delete-everything',
      connectionId: 'acme',
    });

    expect(result).toMatchObject({ outcome: 'rejected' });
    expect(world.metrics.points).toEqual([{ name: 'InvalidEvent', value: 1, reason: 'invalid_input' }]);
    expect(world.store.items.get('acme')?.status).toBe('active');
  });

  it("refuses a consumer's report: the operator function never runs the report path", async () => {
    // Prepare: an expired token, which a report would refresh at once
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'acme', expiresAt: world.clock.now() - 1 });

    // Act
    const result = await createOperatorHandler(world)({
      source: 'zoho-token-refresher.consumer',
      'detail-type': 'Zoho Token Rejected',
      detail: { connectionId: 'acme', version: 0, status: 401 },
    });

    // Assess
    expect(result).toEqual({
      outcome: 'rejected',
      reason: "operatorCommand must be 'refresh', 'revoke' or 'check'",
    });
    expect(world.zoho.refreshCalls).toBe(0);
    expect(world.vault.writes).toBe(0);
  });

  it('throws what retrying may fix (a transient Zoho failure of a revoke), so the CLI reports it', async () => {
    // Prepare
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'acme' });
    world.zoho.revokeRefreshToken = async () => {
      throw new ZohoTransientError('HTTP 503');
    };

    // Act
    const error = await createOperatorHandler(world)({
      operatorCommand: 'revoke',
      connectionId: 'acme',
    }).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(ZohoTransientError);
    expect(world.store.items.get('acme')?.status).toBe('active');
    expect(world.metrics.points).toEqual([]);
  });
});

describe('a cleanup revoke (expectedStatus revoked)', () => {
  it('removes a secret left behind on an already revoked connection, without Zoho or KMS', async () => {
    // Prepare: revoked, yet a secret a refresh wrote after the revoke is still there
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'acme', status: 'revoked', encryptedRefreshToken: '' });
    await world.vault.write(storedToken('acme', 3));

    // Act
    const result = await createOperatorHandler(world)({
      operatorCommand: 'revoke',
      connectionId: 'acme',
      expectedStatus: 'revoked',
    });

    // Assess
    expect(result).toEqual({
      outcome: 'revoked',
      connectionId: 'acme',
      revokedAtZoho: false,
      previousStatus: 'revoked',
    });
    expect(world.vault.versions.has('acme')).toBe(false);
    expect(world.zoho.revoked).toEqual([]);
    expect(world.store.items.get('acme')).toMatchObject({ status: 'revoked', encryptedRefreshToken: '' });
  });

  it('leaves a connection re-authorised meanwhile alone: no Zoho revoke without confirmation', async () => {
    // Prepare: the CLI saw it revoked; `add` reactivated it before the command arrived
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'acme' });
    await world.vault.write(storedToken('acme', 1));

    // Act
    const error = await createOperatorHandler(world)({
      operatorCommand: 'revoke',
      connectionId: 'acme',
      expectedStatus: 'revoked',
    }).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(ConnectionChangedError);
    expect(world.zoho.revoked).toEqual([]);
    expect(world.store.items.get('acme')?.status).toBe('active');
    expect(world.vault.versions.get('acme')).toHaveLength(1);
  });

  it('refuses an expectedStatus that is no status, with a metric', async () => {
    // Prepare
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'acme', status: 'revoked', encryptedRefreshToken: '' });

    // Act
    const result = await createOperatorHandler(world)({
      operatorCommand: 'revoke',
      connectionId: 'acme',
      expectedStatus: 'gone',
    });

    // Assess
    expect(result).toEqual({
      outcome: 'rejected',
      reason:
        'expectedStatus must be one of active, reauthorization_required, misconfigured, revoked, disabled',
    });
    expect(world.metrics.points).toEqual([{ name: 'InvalidEvent', value: 1, reason: 'invalid_input' }]);
  });
});

describe('the on-demand function after the split', () => {
  it.each([
    { operatorCommand: 'revoke', connectionId: 'acme' },
    { operatorCommand: 'refresh', connectionId: 'acme', force: true },
  ])('refuses operator command $operatorCommand as a malformed report, changing nothing', async (command) => {
    // Prepare
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'acme', expiresAt: world.clock.now() - 1 });
    await world.vault.write(storedToken('acme', 0));

    // Act
    const result = await createTokenRejectedHandler(world)(command);

    // Assess
    expect(result).toMatchObject({ outcome: 'rejected' });
    expect(world.zoho.revoked).toEqual([]);
    expect(world.zoho.refreshCalls).toBe(0);
    expect(world.store.items.get('acme')?.status).toBe('active');
    expect(world.vault.versions.get('acme')).toHaveLength(1);
  });
});
