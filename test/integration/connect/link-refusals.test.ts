/**
 * `GET /callback` refusing what it must not store — a foreign or other data centre, a connection that
 * stands in the way, Zoho or the table failing. Against moto and the simulator.
 */
import { describe, expect, it } from 'vitest';
import type { ConnectionStore } from '../../../functions/core/ports';
import { useEngineWorld } from '../engine/world';
import { linkWorld, nextIp } from './link-world';

const getWorld = useEngineWorld();

describe('GET /callback refuses', () => {
  it('refuses a host that is no Zoho data centre before consuming the link', async () => {
    // Prepare
    const world = getWorld();
    const links = linkWorld(world);
    const { state } = await links.link('cb-foreign', 'us');
    world.sim.resetCounters();
    // Act
    const foreign = await links.request(
      '/callback',
      { state, code: 'x', 'accounts-server': 'https://accounts.zoho.com.evil.example' },
      { sourceIp: nextIp() },
    );
    const after = await links.request('/connect', { state }, { sourceIp: nextIp() });
    // Assess
    expect(foreign.statusCode).toBe(400);
    expect(foreign.body).toContain('data-page="wrong_data_centre"');
    expect(after.statusCode).toBe(302);
    expect(world.sim.calls.token).toBe(0);
  });

  it("refuses another data centre than the link's, without exchanging the code", async () => {
    // Prepare
    const world = getWorld();
    const links = linkWorld(world);
    const { state } = await links.link('cb-other-dc', 'us');
    world.sim.resetCounters();
    // Act
    const answer = await links.approvedCallback(state, 'eu');
    // Assess
    expect(answer.statusCode).toBe(400);
    expect(answer.body).toContain('data-page="wrong_data_centre"');
    expect(world.sim.calls.token).toBe(0);
    expect(await world.ports.store.get('cb-other-dc')).toBeUndefined();
  });

  it('refuses an active connection with the same page as a used link, spending nothing', async () => {
    // Prepare
    const world = getWorld();
    const links = linkWorld(world);
    const { connection } = await world.addConnection('cb-taken', 'us');
    const { state } = await links.link('cb-taken', 'us');
    const used = await links.link('cb-used-page', 'us');
    await links.approvedCallback(used.state, 'us');
    const usedPage = await links.approvedCallback(used.state, 'us');
    world.sim.resetCounters();
    // Act
    const answer = await links.approvedCallback(state, 'us');
    // Assess
    expect(answer.statusCode).toBe(usedPage.statusCode);
    expect(answer.body).toBe(usedPage.body);
    expect(world.sim.calls.token).toBe(0);
    expect((await world.ports.store.get('cb-taken'))?.encryptedRefreshToken).toBe(
      connection.encryptedRefreshToken,
    );
  });

  it('replaces the refresh token of an active connection for a re-authorisation link, and revokes the old one', async () => {
    // Prepare
    const world = getWorld();
    const links = linkWorld(world);
    const { connection, refreshToken } = await world.addConnection('cb-reauth', 'us');
    const { state } = await links.link('cb-reauth', 'us', { reauthorize: true });
    world.sim.resetCounters();
    // Act
    const answer = await links.approvedCallback(state, 'us');
    // Assess
    expect(answer.statusCode).toBe(200);
    expect(world.sim.calls.tokenByGrantType).toEqual({ authorization_code: 1, refresh_token: 1 });
    expect(world.sim.calls.revoke).toBe(1);
    expect(world.sim.revokeRefreshToken(refreshToken)).toBe(false);
    const stored = await world.ports.store.get('cb-reauth');
    expect(stored?.status).toBe('active');
    expect(stored?.encryptedRefreshToken).not.toBe(connection.encryptedRefreshToken);
  });

  it('answers a spent code 400 and stores nothing', async () => {
    // Prepare
    const world = getWorld();
    const links = linkWorld(world);
    const { state } = await links.link('cb-spent', 'us');
    world.sim.faults.queue('token', 'invalid_code');
    world.sim.resetCounters();
    // Act
    const answer = await links.approvedCallback(state, 'us');
    // Assess
    expect(answer.statusCode).toBe(400);
    expect(answer.body).toContain('data-page="code_rejected"');
    expect(world.sim.calls.token).toBe(1);
    expect(await world.ports.store.get('cb-spent')).toBeUndefined();
  });

  it('answers Zoho failing 502 and stores nothing', async () => {
    // Prepare
    const world = getWorld();
    const links = linkWorld(world);
    const { state } = await links.link('cb-zoho-down', 'us');
    world.sim.faults.set('token', 'http-503');
    // Act
    const answer = await links.approvedCallback(state, 'us');
    world.sim.faults.clear();
    // Assess
    expect(answer.statusCode).toBe(502);
    expect(answer.body).toContain('data-page="zoho_error"');
    expect(await world.ports.store.get('cb-zoho-down')).toBeUndefined();
  });

  it('answers Zoho refusing the client app 503 and stores nothing', async () => {
    // Prepare
    const world = getWorld();
    const links = linkWorld(world);
    const { state } = await links.link('cb-bad-client', 'us');
    world.sim.faults.queue('token', 'invalid_client');
    world.sim.resetCounters();
    // Act
    const answer = await links.approvedCallback(state, 'us');
    // Assess
    expect(answer.statusCode).toBe(503);
    expect(answer.body).toContain('data-page="unavailable"');
    expect(world.sim.calls.token).toBe(1);
    expect(await world.ports.store.get('cb-bad-client')).toBeUndefined();
  });

  it('re-authorises a connection Zoho stopped honouring with a plain link, as connect would', async () => {
    // Prepare
    const world = getWorld();
    const links = linkWorld(world);
    await world.addConnection('cb-needs-reauth', 'us');
    await world.ports.store.setStatus('cb-needs-reauth', 'reauthorization_required');
    const { state } = await links.link('cb-needs-reauth', 'us');
    world.sim.resetCounters();
    // Act
    const answer = await links.approvedCallback(state, 'us');
    // Assess
    expect(answer.statusCode).toBe(200);
    expect(world.sim.calls.tokenByGrantType).toEqual({ authorization_code: 1, refresh_token: 1 });
    expect(world.sim.calls.revoke).toBe(0);
    expect(await world.ports.store.get('cb-needs-reauth')).toMatchObject({
      status: 'active',
      consecutiveFailures: 0,
    });
  });

  it.each([
    ['disabled, still holding a refresh token Zoho honours', { status: 'disabled' as const }, {}],
    [
      'of another client app, even for re-authorisation',
      { status: 'reauthorization_required' as const },
      { clientRef: 'other', reauthorize: true },
    ],
  ])('refuses a connection %s like a used link', async (_what, change, linkOptions) => {
    // Prepare
    const world = getWorld();
    const links = linkWorld(world);
    const id = `cb-refuse-${change.status}`.slice(0, 40);
    await world.addConnection(id, 'us');
    await world.ports.store.setStatus(id, change.status);
    const { state } = await links.link(id, 'us', linkOptions);
    world.sim.resetCounters();
    // Act
    const answer = await links.approvedCallback(state, 'us');
    // Assess
    expect(answer.statusCode).toBe(410);
    expect(answer.body).toContain('data-page="link_used"');
    expect(world.sim.calls.token).toBe(0);
    expect((await world.ports.store.get(id))?.status).toBe(change.status);
  });

  it('answers a missing client app 503 before any Zoho call', async () => {
    // Prepare
    const world = getWorld();
    const links = linkWorld(world);
    const { state } = await links.link('cb-no-client', 'us', { clientRef: 'nobody' });
    world.sim.resetCounters();
    // Act
    const answer = await links.approvedCallback(state, 'us');
    // Assess
    expect(answer.statusCode).toBe(503);
    expect(answer.body).toContain('data-page="unavailable"');
    expect(world.sim.calls.token).toBe(0);
  });

  it('answers 500 when storing fails, and revokes the token nobody holds', async () => {
    // Prepare
    const world = getWorld();
    const real = world.ports.store;
    const failing = new Proxy(real, {
      get: (target, name) =>
        name === 'create'
          ? () => Promise.reject(new Error('table unavailable'))
          : (target[name as keyof ConnectionStore] as (...args: never[]) => unknown).bind(target),
    });
    const links = linkWorld(world, { store: failing });
    const { state } = await links.link('cb-unstored', 'us');
    world.sim.resetCounters();
    // Act
    const answer = await links.approvedCallback(state, 'us');
    // Assess
    expect(answer.statusCode).toBe(500);
    expect(answer.body).toContain('data-page="not_stored"');
    expect(world.sim.calls.tokenByGrantType).toEqual({ authorization_code: 1 });
    expect(world.sim.calls.revoke).toBe(1);
    expect(await world.ports.store.get('cb-unstored')).toBeUndefined();
  });
});
