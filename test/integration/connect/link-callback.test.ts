/**
 * `GET /callback` without a browser: success, replays, races, refusals at Zoho and malformed
 * callbacks, with exact counts of Zoho calls and of what was stored. Against moto and the simulator.
 */
import { describe, expect, it } from 'vitest';
import { useEngineWorld } from '../engine/world';
import { linkWorld, nextIp, withServer } from './link-world';

const getWorld = useEngineWorld();

describe('GET /callback', () => {
  it('stores the connection, makes the first refresh and answers the success page', async () => {
    // Prepare
    const world = getWorld();
    const links = linkWorld(world);
    const { state } = await links.link('cb-new', 'us');
    const { code, accountsServer } = links.approve('us');
    world.sim.resetCounters();
    await world.takeRefresherEvents();
    // Act
    const answer = await links.request(
      '/callback',
      { state, code, location: 'us', 'accounts-server': accountsServer },
      { sourceIp: nextIp() },
    );
    // Assess
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toContain('data-page="connected"');
    expect(world.sim.calls.tokenByGrantType).toEqual({ authorization_code: 1, refresh_token: 1 });
    const stored = await world.ports.store.get('cb-new');
    expect(stored).toMatchObject({ status: 'active', version: 1, clientRef: 'books', accountsServer });
    expect((await world.readSecret('cb-new'))?.value.version).toBe(1);
    expect((await world.takeRefresherEvents()).map((e) => e.detailType)).toEqual(['Zoho Token Refreshed']);
  });

  it('answers a replayed callback 410 without calling Zoho again, even for a re-authorisation link', async () => {
    // Prepare
    const world = getWorld();
    const links = linkWorld(world);
    const { state } = await links.link('cb-replay', 'us', { reauthorize: true });
    const query = { state, ...withServer(links.approve('us')) };
    await links.request('/callback', query, { sourceIp: nextIp() });
    world.sim.resetCounters();
    // Act
    const answer = await links.request('/callback', query, { sourceIp: nextIp() });
    // Assess
    expect(answer.statusCode).toBe(410);
    expect(answer.body).toContain('data-page="link_used"');
    expect(world.sim.calls.token).toBe(0);
  });

  it('lets exactly one of two simultaneous callbacks with one state through', async () => {
    // Prepare
    const world = getWorld();
    const links = linkWorld(world);
    const { state } = await links.link('cb-race', 'us', { reauthorize: true });
    const first = { state, ...withServer(links.approve('us')) };
    const second = { state, ...withServer(links.approve('us')) };
    world.sim.resetCounters();
    // Act
    const answers = await Promise.all([
      links.request('/callback', first, { sourceIp: nextIp() }),
      links.request('/callback', second, { sourceIp: nextIp() }),
    ]);
    // Assess
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([200, 410]);
    expect(world.sim.calls.tokenByGrantType).toEqual({ authorization_code: 1, refresh_token: 1 });
  });

  it('answers access_denied 403, stores nothing and leaves the link usable', async () => {
    // Prepare
    const world = getWorld();
    const links = linkWorld(world);
    const { state } = await links.link('cb-denied', 'us');
    // Act
    const denied = await links.request(
      '/callback',
      { state, error: 'access_denied' },
      { sourceIp: nextIp() },
    );
    const reopened = await links.request('/connect', { state }, { sourceIp: nextIp() });
    // Assess
    expect(denied.statusCode).toBe(403);
    expect(denied.body).toContain('data-page="denied"');
    expect(await world.ports.store.get('cb-denied')).toBeUndefined();
    expect(reopened.statusCode).toBe(302);
  });

  it('answers access_denied for a used link 410: opening it again would not help', async () => {
    // Prepare
    const world = getWorld();
    const links = linkWorld(world);
    const { state } = await links.link('cb-denied-used', 'us', { reauthorize: true });
    await links.approvedCallback(state, 'us');
    // Act
    const denied = await links.request(
      '/callback',
      { state, error: 'access_denied' },
      { sourceIp: nextIp() },
    );
    // Assess
    expect(denied.statusCode).toBe(410);
    expect(denied.body).toContain('data-page="link_used"');
  });

  it.each([
    [
      'no state',
      (_state: string) => ({ code: 'x', 'accounts-server': 'https://accounts.zoho.com' }),
      400,
      'invalid_request',
    ],
    [
      'no code',
      (state: string) => ({ state, 'accounts-server': 'https://accounts.zoho.com' }),
      400,
      'invalid_request',
    ],
    ['no accounts server', (state: string) => ({ state, code: 'x' }), 400, 'invalid_request'],
    [
      'an unknown state',
      () => ({ state: 'nope', code: 'x', 'accounts-server': 'https://accounts.zoho.com' }),
      404,
      'link_unknown',
    ],
    ['another Zoho error', (state: string) => ({ state, error: 'server_error' }), 502, 'zoho_error'],
  ])('answers %s with its page and stores nothing', async (_what, query, status, page) => {
    // Prepare
    const world = getWorld();
    const links = linkWorld(world);
    const { state } = await links.link(`cb-bad-${status}-${page}`.slice(0, 40), 'us');
    world.sim.resetCounters();
    // Act
    const answer = await links.request('/callback', query(state), { sourceIp: nextIp() });
    // Assess
    expect(answer.statusCode).toBe(status);
    expect(answer.body).toContain(`data-page="${page}"`);
    expect(world.sim.calls.token).toBe(0);
  });
});
