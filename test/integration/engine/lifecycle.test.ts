import { describe, expect, it } from 'vitest';
import { accessTokenSecretName } from '../../../functions/aws/names';
import { createZohoClient } from '../../../functions/consumer/zoho-fetch';
import { systemClock } from '../../../functions/core/ports';
import { revokeConnection } from '../../../functions/core/revoke-connection';
import { useEngineWorld } from './world';

const world = useEngineWorld();
const HOUR = 3_600_000;

describe("a connection's whole life through the real adapters", () => {
  it('is added, refreshed by the schedule, refreshed on demand after a 401, revoked and never swept again', async () => {
    const w = world();
    const id = 'acme-books';

    // Prepare: `zoho-tokens add` (the refresh token encrypted with the KMS cipher, then stored)
    const { refreshToken } = await w.addConnection(id, 'us');
    const stored = await w.ports.store.get(id);
    expect(stored?.encryptedRefreshToken).not.toContain('sim-rt-');
    expect(await w.ports.cipher.decrypt(id, stored?.encryptedRefreshToken ?? '')).toBe(refreshToken);
    expect(await w.scheduledIds()).toEqual([id]);

    // Act: the scheduled function runs
    const sweep = await w.sweep();

    // Assess: one Zoho call, the contract secret, the connection committed
    expect(sweep).toMatchObject({ due: 1, attempted: 1, refreshed: 1, failed: 0, skipped: 0 });
    expect(w.sim.calls.tokenCallsFor(refreshToken)).toBe(1);
    const first = await w.readSecret(id);
    expect(Object.keys(first?.value ?? {}).sort()).toEqual(
      ['access_token', 'api_domain', 'connection_id', 'expires_at', 'token_type', 'version'].sort(),
    );
    const v1 = (await w.ports.vault.read(id)) ?? expect.fail('no secret after the sweep');
    expect(first?.value).toEqual({
      access_token: v1.accessToken,
      api_domain: w.sim.apiDomain('us'),
      token_type: 'Bearer',
      expires_at: new Date(w.clock.now() + HOUR).toISOString(),
      version: 1,
      connection_id: id,
    });
    expect(v1.accessToken.startsWith('1000.sim-at-')).toBe(true);
    expect(first?.versionCount).toBe(1);
    const afterSweep = await w.ports.store.get(id);
    expect(afterSweep).toMatchObject({
      version: 1,
      expiresAt: w.clock.now() + HOUR,
      refreshedAt: w.clock.now(),
      consecutiveFailures: 0,
      // 11½ min margin and half of the ½ min jitter before expiry
      refreshDueAt: w.clock.now() + HOUR - 11.5 * 60_000 - 15_000,
    });
    expect(afterSweep?.lease).toBeUndefined();

    // Act: a consumer calls the Books API with it
    const consumer = createZohoClient({
      connectionId: id,
      eventBusName: w.resources.eventBusName,
      secretPrefix: w.config.secretPrefix,
      secretsClient: w.clients.secretsManager,
      eventBridgeClient: w.clients.eventBridge,
      // The tokens' expiry is on the test clock; the consumer's polling waits in real time.
      clock: { now: () => w.clock.now(), sleep: systemClock.sleep },
      waitForRefresh: { timeoutMs: 20_000, initialDelayMs: 50, maxDelayMs: 250 },
    });
    const accepted = await consumer.fetch('/books/v3/organizations');

    // Assess
    expect(accepted.status).toBe(200);
    expect(w.sim.calls.books).toBe(1);

    // Act: Zoho expires the token; the consumer meets a 401, reports it on the bus, waits, retries
    w.clock.advance(60_000);
    w.sim.expireAccessTokens(refreshToken);
    const retried = consumer.fetch('/books/v3/organizations');
    const delivered = await w.pumpRejected(retried);
    const afterRefresh = await retried;

    // Assess: one event, one on-demand refresh, version 2, the retry accepted
    expect(afterRefresh.status).toBe(200);
    expect(delivered).toBe(1);
    expect(w.sim.calls.books401).toBe(1);
    expect(w.sim.calls.books).toBe(3);
    expect(w.sim.calls.tokenCallsFor(refreshToken)).toBe(2);
    const second = await w.readSecret(id);
    expect(second?.value).toMatchObject({ version: 2, connection_id: id });
    expect(second?.value.access_token).not.toBe(v1.accessToken);
    expect(second?.versionCount).toBe(2);
    expect((await w.ports.store.get(id))?.version).toBe(2);
    const history = await w.ports.store.listHistory(id, 10);
    expect(history.map((entry) => [entry.trigger, entry.outcome, entry.version, entry.zohoCalls])).toEqual([
      ['on_demand', 'refreshed', 2, 1],
      ['scheduled', 'refreshed', 1, 1],
    ]);
    const events = await w.takeRefresherEvents();
    expect(
      events.map((event) => [event.detailType, event.detail.version, event.detail.trigger]).sort(),
    ).toEqual([
      ['Zoho Token Refreshed', 1, 'scheduled'],
      ['Zoho Token Refreshed', 2, 'on_demand'],
    ]);

    // Act: revoke (`zoho-tokens revoke`): at Zoho, then the connection, then the token material
    const v2 = (await w.ports.vault.read(id)) ?? expect.fail('no secret before the revocation');
    const revoked = await revokeConnection(w.deps, id);
    const revokedToken = await fetch(`${v2.apiDomain}/books/v3/organizations`, {
      headers: { Authorization: `Zoho-oauthtoken ${v2.accessToken}` },
    });
    w.clock.advance(2 * HOUR);
    const sweepAfterRevoke = await w.sweep();

    // Assess: Zoho forgot the token, nothing is scheduled, nothing is stored, no Zoho call since
    expect(revoked).toEqual({
      outcome: 'revoked',
      connectionId: id,
      revokedAtZoho: true,
      previousStatus: 'active',
    });
    expect(w.sim.calls.revoke).toBe(1);
    expect(revokedToken.status).toBe(401);
    expect(await w.ports.store.get(id)).toMatchObject({
      status: 'revoked',
      encryptedRefreshToken: '',
      expiresAt: 0,
    });
    expect(await w.scheduledIds()).toEqual([]);
    expect(await w.readSecret(id)).toBeUndefined();
    expect(await w.ports.vault.read(id)).toBeUndefined();
    expect(sweepAfterRevoke).toMatchObject({ due: 0, attempted: 0 });
    expect(w.sim.calls.tokenCallsFor(refreshToken)).toBe(2);
    expect(w.sim.calls.token).toBe(2);
    expect(accessTokenSecretName(w.config.secretPrefix, id)).toBe(`zoho-token-refresher/${id}/access-token`);
  });
});
