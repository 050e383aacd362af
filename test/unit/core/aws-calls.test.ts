/**
 * What one refresh costs in AWS calls, counted on every port that is an AWS service in production
 * (store: DynamoDB, vault: Secrets Manager, cipher: KMS, events: EventBridge; the client app is read
 * through a per-container cache, so after a container's first refresh it costs none and is listed
 * apart). And the safety of each folding that brought the normal path down to five.
 */
import { describe, expect, it } from 'vitest';
import type {
  ConnectionStore,
  EventPublisher,
  RefreshTokenCipher,
  TokenVault,
} from '../../../functions/core/ports';
import { refreshConnection } from '../../../functions/core/refresh-connection';
import { addConnection, createFakeWorld, type FakeWorld } from '../../support/fakes';

const MIN = 60_000;

/** Records `port.method` for every call made through the world's AWS-backed ports, in order. */
function countAwsCalls(world: FakeWorld): { calls: string[]; clientAppReads: () => number } {
  const calls: string[] = [];
  const wrap = <T extends object>(name: string, port: T, methods: readonly (keyof T & string)[]): void => {
    for (const method of methods) {
      const original = Reflect.get(port, method) as (...args: unknown[]) => unknown;
      Reflect.set(port, method, (...args: unknown[]) => {
        calls.push(`${name}.${method}`);
        return original.apply(port, args);
      });
    }
  };
  wrap('dynamodb', world.store as ConnectionStore, [
    'get',
    'acquireLease',
    'extendLease',
    'recordZohoCall',
    'commitRefresh',
    'recordFailure',
    'releaseLease',
    'appendHistory',
    'recordFreshRejection',
  ]);
  wrap('secretsmanager', world.vault as TokenVault, ['read', 'write', 'remove']);
  wrap('kms', world.cipher as RefreshTokenCipher, ['encrypt', 'decrypt']);
  wrap('eventbridge', world.events as EventPublisher, ['publish']);
  return { calls, clientAppReads: () => world.credentials.gets };
}

/** A connection whose last refresh ended in a commit, due now: the normal path. */
async function dueAfterCleanCommit(world: FakeWorld, connectionId = 'acme') {
  const now = world.clock.now();
  await addConnection(world, {
    connectionId,
    version: 4,
    expiresAt: now + 11 * MIN,
    refreshDueAt: now,
    refreshedAt: now - 49 * MIN,
    recentSecretWrites: [now - 49 * MIN],
    recentZohoCalls: [],
  });
  world.vault.versions.set(connectionId, [
    {
      connectionId,
      version: 4,
      accessToken: '1000.test-at-old',
      apiDomain: 'https://www.zohoapis.com',
      tokenType: 'Bearer',
      expiresAt: now + 11 * MIN,
    },
  ]);
  return world.store.items.get(connectionId) ?? expect.fail('not added');
}

describe('AWS calls per refresh', () => {
  it('the normal path makes exactly 5: lease+budget, decrypt, secret write, commit+history, event', async () => {
    // Prepare: the snapshot comes with the order (no GetItem)
    const world = createFakeWorld();
    const snapshot = await dueAfterCleanCommit(world);
    const counter = countAwsCalls(world);

    // Act
    const result = await refreshConnection(world, { connectionId: 'acme', trigger: 'scheduled', snapshot });

    // Assess
    expect(result).toMatchObject({ outcome: 'refreshed', version: 5 });
    expect(counter.calls).toEqual([
      'dynamodb.acquireLease',
      'kms.decrypt',
      'secretsmanager.write',
      'dynamodb.commitRefresh',
      'eventbridge.publish',
    ]);
    expect(counter.clientAppReads()).toBe(1);
    expect(world.zoho.refreshCalls).toBe(1);
    // The folds' effects, on the stored state: the call is in the budget, the history is there.
    const stored = world.store.items.get('acme');
    expect(stored?.recentZohoCalls).toEqual([world.clock.now()]);
    expect(stored?.lease).toBeUndefined();
    expect(world.store.history).toEqual([
      expect.objectContaining({ outcome: 'refreshed', version: 5, zohoCalls: 1 }),
    ]);
  });

  it('after a failure it reads the secret first and records the Zoho call on its own: 7', async () => {
    // Prepare: the last attempt failed (a write that timed out may have landed)
    const world = createFakeWorld();
    await dueAfterCleanCommit(world);
    const now = world.clock.now();
    const committed = world.store.items.get('acme') ?? expect.fail('not added');
    world.store.items.set('acme', {
      ...committed,
      consecutiveFailures: 1,
      lastError: { code: 'secret_write_failed', message: 'timed out', at: now - MIN },
    });
    const snapshot = world.store.items.get('acme');
    const counter = countAwsCalls(world);

    // Act
    const result = await refreshConnection(world, {
      connectionId: 'acme',
      trigger: 'scheduled',
      ...(snapshot && { snapshot }),
    });

    // Assess
    expect(result).toMatchObject({ outcome: 'refreshed', version: 5 });
    expect(counter.calls).toEqual([
      'dynamodb.acquireLease',
      'secretsmanager.read',
      'kms.decrypt',
      'dynamodb.recordZohoCall',
      'secretsmanager.write',
      'dynamodb.commitRefresh',
      'eventbridge.publish',
    ]);
  });
});

describe('the safety of each folding', () => {
  it('skipping the secret read: a crashed run whose lease an operator cleared is still adopted, through the VersionId collision', async () => {
    // Prepare: a run wrote version 5 and died before its commit; then an operator's disable and
    // enable removed its lease, so the connection looks as if its last run had committed.
    const world = createFakeWorld();
    await dueAfterCleanCommit(world);
    const now = world.clock.now();
    const crashed = {
      connectionId: 'acme',
      version: 5,
      accessToken: '1000.test-at-crashed',
      apiDomain: 'https://www.zohoapis.com',
      tokenType: 'Bearer',
      expiresAt: now + 55 * MIN,
    };
    world.vault.versions.get('acme')?.push(crashed);
    await world.store.setStatus('acme', 'disabled');
    await world.store.setStatus('acme', 'active');
    const snapshot = world.store.items.get('acme');
    expect(snapshot?.lease).toBeUndefined();

    // Act
    const result = await refreshConnection(world, {
      connectionId: 'acme',
      trigger: 'scheduled',
      ...(snapshot && { snapshot }),
    });

    // Assess: the minted token lost the collision; consumers keep the crashed run's token
    expect(result).toMatchObject({ outcome: 'adopted', version: 5, expiresAt: crashed.expiresAt });
    expect(world.vault.versions.get('acme')?.at(-1)).toEqual(crashed);
    expect(world.store.items.get('acme')).toMatchObject({ version: 5, expiresAt: crashed.expiresAt });
    expect(world.zoho.refreshCalls).toBe(1);
  });

  it('skipping the secret read: an expired version found by the collision is stepped over and counts in the write budget', async () => {
    // Prepare: as above, but the dead run's token has expired since
    const world = createFakeWorld();
    await dueAfterCleanCommit(world);
    const now = world.clock.now();
    world.vault.versions.get('acme')?.push({
      connectionId: 'acme',
      version: 5,
      accessToken: '1000.test-at-crashed',
      apiDomain: 'https://www.zohoapis.com',
      tokenType: 'Bearer',
      expiresAt: now - 1,
    });
    await world.store.setStatus('acme', 'disabled');
    await world.store.setStatus('acme', 'active');
    const snapshot = world.store.items.get('acme');

    // Act
    const result = await refreshConnection(world, {
      connectionId: 'acme',
      trigger: 'scheduled',
      ...(snapshot && { snapshot }),
    });

    // Assess: our token went in as version 6; versions 5 and 6 both count
    expect(result).toMatchObject({ outcome: 'refreshed', version: 6 });
    expect(world.vault.versions.get('acme')?.map((t) => t.version)).toEqual([4, 5, 6]);
    expect(world.store.items.get('acme')?.recentSecretWrites).toEqual([now - 49 * MIN, now, now]);
    expect(world.zoho.refreshCalls).toBe(1);
  });

  it('skipping the secret read: a run that died after its write left its lease, so the next run reads and adopts without Zoho', async () => {
    // Prepare
    const world = createFakeWorld();
    const snapshot = await dueAfterCleanCommit(world);
    // The process dies between the secret write and the commit: nothing more reaches the table.
    world.store.crashBeforeNextCommit = true;
    const recordFailure = world.store.recordFailure.bind(world.store);
    world.store.recordFailure = async () => {
      throw new Error('process died');
    };
    await expect(
      refreshConnection(world, { connectionId: 'acme', trigger: 'scheduled', snapshot }),
    ).rejects.toThrow('process died');
    world.store.recordFailure = recordFailure;
    expect(world.store.items.get('acme')?.lease).toBeDefined();
    world.clock.advance(world.policy.leaseMs + 1);
    const afterCrash = world.store.items.get('acme');

    // Act
    const result = await refreshConnection(world, {
      connectionId: 'acme',
      trigger: 'scheduled',
      ...(afterCrash && { snapshot: afterCrash }),
    });

    // Assess
    expect(result).toMatchObject({ outcome: 'adopted', version: 5 });
    expect(world.zoho.refreshCalls).toBe(1);
    expect(world.vault.reads).toBe(1);
  });

  it('the budget in the lease write: a run that dies right after its lease has still spent the call', async () => {
    // Prepare: KMS hangs up and the process dies (nothing after the lease reaches the table)
    const world = createFakeWorld();
    const snapshot = await dueAfterCleanCommit(world);
    const leasedAt = world.clock.now();
    world.cipher.decrypt = async () => {
      throw new Error('process died');
    };
    world.store.recordFailure = async () => {
      throw new Error('process died');
    };

    // Act
    await expect(
      refreshConnection(world, { connectionId: 'acme', trigger: 'scheduled', snapshot }),
    ).rejects.toThrow('process died');

    // Assess: Zoho was never called, but the budget counts the call the run was about to make
    expect(world.zoho.refreshCalls).toBe(0);
    expect(world.store.items.get('acme')?.recentZohoCalls).toEqual([leasedAt]);
    expect(world.store.items.get('acme')?.lease?.until).toBe(leasedAt + world.policy.leaseMs);
  });

  it('the budget in the lease write: nothing is prepaid when the run may not call Zoho (budget spent)', async () => {
    // Prepare: 9 calls in the window
    const world = createFakeWorld();
    await dueAfterCleanCommit(world);
    const now = world.clock.now();
    const calls = Array.from({ length: 9 }, (_, i) => now - 9 * MIN + i * MIN);
    const item = world.store.items.get('acme');
    if (!item) expect.fail('not added');
    world.store.items.set('acme', { ...item, recentZohoCalls: calls });
    const snapshot = world.store.items.get('acme');

    // Act
    const result = await refreshConnection(world, {
      connectionId: 'acme',
      trigger: 'scheduled',
      ...(snapshot && { snapshot }),
    });

    // Assess
    expect(result).toMatchObject({ outcome: 'failed', errorCode: 'budget_exhausted' });
    expect(world.zoho.refreshCalls).toBe(0);
    expect(world.store.items.get('acme')?.recentZohoCalls).toEqual(calls);
  });

  it('commit and history in one transaction: a commit that loses its lease writes no history entry of a refresh', async () => {
    // Prepare: the lease runs out between the Zoho call and the commit (a slow secret write)
    const world = createFakeWorld();
    const snapshot = await dueAfterCleanCommit(world);
    const write = world.vault.write.bind(world.vault);
    world.vault.write = async (token) => {
      world.clock.advance(world.policy.leaseMs + 1);
      return write(token);
    };
    world.store.extendLease = async () => true;

    // Act
    const result = await refreshConnection(world, { connectionId: 'acme', trigger: 'scheduled', snapshot });

    // Assess
    expect(result).toMatchObject({ outcome: 'skipped', reason: 'lease_lost' });
    expect(world.store.history).toEqual([]);
    expect(world.store.items.get('acme')?.version).toBe(4);
  });
});
