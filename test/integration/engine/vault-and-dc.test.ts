import { describe, expect, it } from 'vitest';
import { accessTokenVersionId } from '../../../functions/aws/version-id';
import type { StoredAccessToken } from '../../../functions/core/token';
import { useEngineWorld } from './world';

const world = useEngineWorld();

const token = (connectionId: string, version: number, accessToken: string): StoredAccessToken => ({
  connectionId,
  version,
  accessToken,
  apiDomain: 'https://www.zohoapis.com',
  tokenType: 'Bearer',
  expiresAt: Date.UTC(2026, 10, 26, 9, 0, 0),
});

describe('the token vault on the Secrets Manager emulator', () => {
  it('refuses a second writer of one version with another token and keeps the first', async () => {
    // Prepare
    const { ports, readSecret } = world();
    const id = 'collide-on-create';

    // Act: the first writer creates the secret, the second brings another token for the same version
    const first = await ports.vault.write(token(id, 1, '1000.test-at-first'));
    const second = await ports.vault.write(token(id, 1, '1000.test-at-second'));

    // Assess
    expect([first, second]).toEqual(['written', 'exists']);
    expect((await ports.vault.read(id))?.accessToken).toBe('1000.test-at-first');
    const stored = await readSecret(id);
    expect(stored?.versionId).toBe(accessTokenVersionId(id, 1));
    expect(stored?.versionCount).toBe(1);
  });

  it('refuses the collision on an existing secret too, and lets an identical retry through', async () => {
    // Prepare
    const { ports, readSecret } = world();
    const id = 'collide-on-put';
    await ports.vault.write(token(id, 1, '1000.test-at-v1'));

    // Act
    const first = await ports.vault.write(token(id, 2, '1000.test-at-v2-first'));
    const second = await ports.vault.write(token(id, 2, '1000.test-at-v2-second'));
    const retry = await ports.vault.write(token(id, 2, '1000.test-at-v2-first'));

    // Assess
    expect([first, second, retry]).toEqual(['written', 'exists', 'written']);
    expect(await ports.vault.read(id)).toMatchObject({ version: 2, accessToken: '1000.test-at-v2-first' });
    const stored = await readSecret(id);
    expect(stored?.versionId).toBe(accessTokenVersionId(id, 2));
    expect(stored?.versionCount).toBe(2);
  });

  it('never moves the current version back when an old version is written again', async () => {
    // Prepare
    const { ports } = world();
    const id = 'collide-on-put';

    // Act
    const replay = await ports.vault.write(token(id, 1, '1000.test-at-v1'));

    // Assess
    expect(replay).toBe('written');
    expect((await ports.vault.read(id))?.version).toBe(2);
  });
});

describe('a refresh token sent to another data centre', () => {
  it('is refused as invalid_client: the connection is misconfigured, off the schedule, with no secret', async () => {
    // Prepare: the user authorised in eu, the connection points at the us accounts server
    const w = world();
    const id = 'wrong-dc';
    const { refreshToken } = await w.addConnection(id, 'us', 'eu');

    // Act
    const sweep = await w.sweep();

    // Assess
    expect(sweep).toMatchObject({ attempted: 1, failed: 1 });
    expect(w.sim.calls.tokenCallsFor(refreshToken)).toBe(1);
    expect(w.sim.calls.tokenByDc).toEqual({ us: 1 });
    expect(await w.ports.store.get(id)).toMatchObject({
      status: 'misconfigured',
      version: 0,
      consecutiveFailures: 1,
      lastError: { code: 'misconfigured_client' },
    });
    expect((await w.ports.store.get(id))?.lastError?.message).toContain('check the data centre first');
    expect(await w.scheduledIds()).toEqual([]);
    expect(await w.readSecret(id)).toBeUndefined();
    const [last] = await w.ports.store.listHistory(id, 1);
    expect(last).toMatchObject({ outcome: 'misconfigured', errorCode: 'misconfigured_client', zohoCalls: 1 });
  });
});
