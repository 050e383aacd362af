/**
 * Which failures take a connection off the schedule. Only a fault of that one connection that no
 * retry can fix makes it `misconfigured`; a fault of what the fleet shares (the refresh-token key, a
 * client app) is retried with the long backoff, so it cannot strand every connection in one scheduled run.
 */
import { describe, expect, it } from 'vitest';
import {
  MalformedClientCredentialsError,
  RefreshTokenCipherRefusedError,
  RefreshTokenKeyUnavailableError,
} from '../../../functions/aws/errors';
import {
  AccountsServerNotAllowedError,
  ClientCredentialsNotFoundError,
  MisconfiguredClientError,
} from '../../../functions/core/errors';
import { refreshConnection } from '../../../functions/core/refresh-connection';
import { addConnection, createFakeWorld, type FakeWorld } from '../../support/fakes';
import { runScheduled } from '../../support/scheduled-run';

const SCHEDULE = { concurrency: 4 };

const keyUnavailable = (name: string) => new RefreshTokenKeyUnavailableError('c1', 'decrypt', name);

/** Makes the refresh fail where `error` comes from: the cipher, the client app or Zoho. */
function failWith(world: FakeWorld, source: 'cipher' | 'credentials' | 'zoho', error: Error) {
  if (source === 'cipher') {
    world.cipher.decrypt = async () => {
      throw error;
    };
  } else if (source === 'credentials') {
    world.credentials.get = async () => {
      throw error;
    };
  } else {
    world.zoho.script.push(error);
  }
}

describe('faults of the shared key or client app are transient', () => {
  it.each<[string, 'cipher' | 'credentials', Error]>([
    ['KMS AccessDeniedException', 'cipher', keyUnavailable('AccessDeniedException')],
    ['KMS DisabledException', 'cipher', keyUnavailable('DisabledException')],
    ['KMS KMSInvalidStateException', 'cipher', keyUnavailable('KMSInvalidStateException')],
    ['KMS NotFoundException', 'cipher', keyUnavailable('NotFoundException')],
    ['KMS InvalidKeyUsageException', 'cipher', keyUnavailable('InvalidKeyUsageException')],
    ['a missing client app', 'credentials', new ClientCredentialsNotFoundError('books')],
    [
      'a malformed client app',
      'credentials',
      new MalformedClientCredentialsError('books', 'client_id is missing'),
    ],
  ])('%s: still active, retried after the backoff, no Zoho call', async (_label, source, error) => {
    // Prepare
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'c1' });
    failWith(world, source, error);

    // Act
    const result = await refreshConnection(world, { connectionId: 'c1', trigger: 'scheduled' });

    // Assess
    const now = world.clock.now();
    expect(result).toMatchObject({
      outcome: 'failed',
      permanent: false,
      status: 'active',
      retryAt: now + 30_000,
    });
    expect(world.store.items.get('c1')).toMatchObject({
      status: 'active',
      consecutiveFailures: 1,
      refreshDueAt: now + 30_000,
    });
    expect(world.zoho.refreshCalls).toBe(0);
    expect(await world.store.listNeedingOperator(10)).toEqual([]);
    expect(
      world.events.published.map((e) => e.detailType === 'Zoho Refresh Failed' && e.detail.permanent),
    ).toEqual([false]);
  });
});

describe('faults of this connection alone stay permanent', () => {
  it.each<[string, 'cipher' | 'zoho', Error]>([
    [
      'KMS InvalidCiphertextException (bound to another connection)',
      'cipher',
      new RefreshTokenCipherRefusedError('c1', 'decrypt', 'InvalidCiphertextException'),
    ],
    [
      'KMS IncorrectKeyException (made under another key)',
      'cipher',
      new RefreshTokenCipherRefusedError('c1', 'decrypt', 'IncorrectKeyException'),
    ],
    [
      'Zoho refusing the client in this DC',
      'zoho',
      new MisconfiguredClientError('invalid_client', 'check the DC'),
    ],
    ['an accounts server nobody allowed', 'zoho', new AccountsServerNotAllowedError('evil.example')],
  ])('%s: misconfigured, off the schedule', async (_label, source, error) => {
    // Prepare
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'c1' });
    failWith(world, source, error);

    // Act
    const result = await refreshConnection(world, { connectionId: 'c1', trigger: 'scheduled' });

    // Assess
    expect(result).toMatchObject({ outcome: 'failed', permanent: true, status: 'misconfigured' });
    expect((await world.store.listNeedingOperator(10)).map((c) => c.connectionId)).toEqual(['c1']);
    expect(await world.store.listDue(Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
  });
});

describe('a key disabled for a while', () => {
  it('keeps the whole fleet on the schedule, counts it failing after 3 scheduled runs, and heals once re-enabled', async () => {
    // Prepare: four connections, all due; the key is disabled.
    const world = createFakeWorld();
    const ids = ['c1', 'c2', 'c3', 'c4'];
    for (const connectionId of ids) await addConnection(world, { connectionId });
    const decrypt = world.cipher.decrypt.bind(world.cipher);
    let keyEnabled = false;
    world.cipher.decrypt = async (id, encrypted) => {
      if (!keyEnabled) throw new RefreshTokenKeyUnavailableError(id, 'decrypt', 'DisabledException');
      return decrypt(id, encrypted);
    };

    // Act: three scheduled runs, each after the backoff of the one before (30 s, 60 s, 120 s at random 0.5).
    const failedRuns = [];
    for (const backoff of [0, 30_000, 60_000]) {
      world.clock.advance(backoff);
      failedRuns.push(await runScheduled(world, SCHEDULE));
    }
    world.clock.advance(120_000);
    world.metrics.points.length = 0;
    keyEnabled = true;
    const healed = await runScheduled(world, SCHEDULE);

    // Assess
    expect(failedRuns.map((s) => [s.attempted, s.failed])).toEqual([
      [4, 4],
      [4, 4],
      [4, 4],
    ]);
    expect(world.zoho.refreshCalls).toBe(4);
    // The gauges of the healing run were taken before it refreshed: 4 failing, none misconfigured.
    expect(world.metrics.sum('ConnectionsFailing')).toBe(4);
    expect(world.metrics.sum('ConnectionsMisconfigured')).toBe(0);
    expect(healed).toMatchObject({ attempted: 4, refreshed: 4, failed: 0 });
    expect(ids.map((id) => world.store.items.get(id))).toEqual(
      ids.map(() => expect.objectContaining({ status: 'active', version: 1, consecutiveFailures: 0 })),
    );
  });
});
