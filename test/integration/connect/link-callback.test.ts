/**
 * The connect endpoint without a browser: every page of `GET /connect` and `GET /callback`, against
 * moto and the Zoho simulator, with exact counts of Zoho calls and of what was stored.
 */
import { describe, expect, it } from 'vitest';
import { tableReauthorizationLinks } from '../../../functions/aws/reauthorization-links';
import type { ConnectionStore } from '../../../functions/core/ports';
import { refreshConnection } from '../../../functions/core/refresh-connection';
import { useEngineWorld } from '../engine/world';
import { BASE_URL, CLIENT, linkWorld, REDIRECT_URI } from './link-world';

const getWorld = useEngineWorld();
let ip = 0;
/** A source address of its own per test, so the request limit of one never touches another. */
const nextIp = () => `203.0.113.${++ip}`;

describe('GET /connect', () => {
  it('redirects a live link to Zoho consent of its data centre, with offline access and the same state', async () => {
    // Prepare
    const world = getWorld();
    const links = linkWorld(world);
    const { state } = await links.link('open-eu', 'eu');
    // Act
    const answer = await links.request('/connect', { state }, { sourceIp: nextIp() });
    // Assess
    expect(answer.statusCode).toBe(302);
    const location = new URL(answer.headers.location ?? '');
    expect(location.origin).toBe(world.sim.accountsServer('eu'));
    expect(location.pathname).toBe('/oauth/v2/auth');
    expect(Object.fromEntries(location.searchParams)).toEqual({
      response_type: 'code',
      client_id: CLIENT.clientId,
      scope: 'ZohoBooks.fullaccess.all',
      access_type: 'offline',
      prompt: 'consent',
      redirect_uri: REDIRECT_URI,
      state,
    });
    expect(answer.headers['referrer-policy']).toBe('no-referrer');
  });

  it.each([
    ['no state', {}, 400, 'invalid_request'],
    ['an unknown state', { state: 'never-issued' }, 404, 'link_unknown'],
  ])('answers %s with its page', async (_what, query, status, page) => {
    // Prepare
    const links = linkWorld(getWorld());
    // Act
    const answer = await links.request('/connect', query, { sourceIp: nextIp() });
    // Assess
    expect(answer.statusCode).toBe(status);
    expect(answer.body).toContain(`data-page="${page}"`);
  });

  it('answers an expired link 410 and redirects nowhere', async () => {
    // Prepare
    const world = getWorld();
    const links = linkWorld(world);
    const { state } = await links.link('open-expired', 'us');
    world.clock.advance(30 * 60_000);
    // Act
    const answer = await links.request('/connect', { state }, { sourceIp: nextIp() });
    // Assess
    expect(answer.statusCode).toBe(410);
    expect(answer.body).toContain('data-page="link_expired"');
    expect(answer.headers.location).toBeUndefined();
  });
});

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
    await links.request('/callback', { state, ...withServer(links.approve('us')) }, { sourceIp: nextIp() });
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
    const answer = await links.request(
      '/callback',
      { state, ...withServer(links.approve('eu')) },
      { sourceIp: nextIp() },
    );
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
    await links.request(
      '/callback',
      { state: used.state, ...withServer(links.approve('us')) },
      { sourceIp: nextIp() },
    );
    const usedPage = await links.request(
      '/callback',
      { state: used.state, ...withServer(links.approve('us')) },
      { sourceIp: nextIp() },
    );
    world.sim.resetCounters();
    // Act
    const answer = await links.request(
      '/callback',
      { state, ...withServer(links.approve('us')) },
      { sourceIp: nextIp() },
    );
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
    const answer = await links.request(
      '/callback',
      { state, ...withServer(links.approve('us')) },
      { sourceIp: nextIp() },
    );
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
    const answer = await links.request(
      '/callback',
      { state, ...withServer(links.approve('us')) },
      { sourceIp: nextIp() },
    );
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
    const answer = await links.request(
      '/callback',
      { state, ...withServer(links.approve('us')) },
      { sourceIp: nextIp() },
    );
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
    const answer = await links.request(
      '/callback',
      { state, ...withServer(links.approve('us')) },
      { sourceIp: nextIp() },
    );
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
    const answer = await links.request(
      '/callback',
      { state, ...withServer(links.approve('us')) },
      { sourceIp: nextIp() },
    );
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
    const answer = await links.request(
      '/callback',
      { state, ...withServer(links.approve('us')) },
      { sourceIp: nextIp() },
    );
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
    const answer = await links.request(
      '/callback',
      { state, ...withServer(links.approve('us')) },
      { sourceIp: nextIp() },
    );
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
    const answer = await links.request(
      '/callback',
      { state, ...withServer(links.approve('us')) },
      { sourceIp: nextIp() },
    );
    // Assess
    expect(answer.statusCode).toBe(500);
    expect(answer.body).toContain('data-page="not_stored"');
    expect(world.sim.calls.tokenByGrantType).toEqual({ authorization_code: 1 });
    expect(world.sim.calls.revoke).toBe(1);
    expect(await world.ports.store.get('cb-unstored')).toBeUndefined();
  });
});

describe('the endpoint', () => {
  it('limits requests per source address: the 31st in a minute is answered 429', async () => {
    // Prepare
    const links = linkWorld(getWorld());
    const source = nextIp();
    for (let i = 0; i < 30; i += 1) await links.request('/connect', { state: 'x' }, { sourceIp: source });
    // Act
    const limited = await links.request('/connect', { state: 'x' }, { sourceIp: source });
    const other = await links.request('/connect', { state: 'x' }, { sourceIp: nextIp() });
    // Assess
    expect(limited.statusCode).toBe(429);
    expect(other.statusCode).toBe(404);
  });

  it.each([
    ['GET', '/', 404, 'not_found'],
    ['POST', '/callback', 405, 'method_not_allowed'],
  ])('answers %s %s with its page', async (method, path, status, page) => {
    // Prepare
    const links = linkWorld(getWorld());
    // Act
    const answer = await links.request(path, {}, { method, sourceIp: nextIp() });
    // Assess
    expect(answer.statusCode).toBe(status);
    expect(answer.body).toContain(`data-page="${page}"`);
  });

  it('never writes a state, a code or a token into a page or a log line', async () => {
    // Prepare
    const world = getWorld();
    const links = linkWorld(world);
    const { state } = await links.link('cb-secrets', 'us');
    const { code, accountsServer } = links.approve('us');
    const linesBefore = world.log.lines.length;
    // Act
    const pages = [
      await links.request('/connect', { state }, { sourceIp: nextIp() }),
      await links.request(
        '/callback',
        { state, code, 'accounts-server': accountsServer },
        { sourceIp: nextIp() },
      ),
      await links.request(
        '/callback',
        { state, code, 'accounts-server': accountsServer },
        { sourceIp: nextIp() },
      ),
    ];
    // Assess
    const logged = JSON.stringify(world.log.lines.slice(linesBefore));
    const shown = pages
      .slice(1)
      .map((page) => page.body)
      .join('\n');
    for (const secret of [state, code, 'sim-rt-', 'sim-at-', 'test-cs-']) {
      expect(logged).not.toContain(secret);
      expect(shown).not.toContain(secret);
    }
    expect(logged).toContain('cb-secrets');
  });
});

function withServer(approval: { code: string; accountsServer: string }) {
  return { code: approval.code, 'accounts-server': approval.accountsServer };
}

describe('the re-authorisation event', () => {
  it('carries a fresh link that brings the connection back', async () => {
    // Prepare
    const world = getWorld();
    const links = linkWorld(world);
    const reauthorizationLinks = tableReauthorizationLinks({
      baseUrl: BASE_URL,
      client: world.clients.dynamodb,
      tableName: world.config.tableName,
      clock: world.clock,
    });
    const deps = { ...world.deps, reauthorizationLinks };
    const { connection, refreshToken } = await world.addConnection('reauth-event', 'us');
    world.sim.revokeRefreshToken(refreshToken);
    await world.takeRefresherEvents();
    // Act
    const failed = await refreshConnection(deps, {
      connectionId: 'reauth-event',
      trigger: 'operator',
      force: true,
    });
    const events = await world.takeRefresherEvents();
    // Assess
    expect(failed).toMatchObject({ outcome: 'failed', status: 'reauthorization_required' });
    expect(events.map((event) => event.detailType)).toEqual(['Zoho Reauthorization Required']);
    const url = String(events[0]?.detail.reauthorizationUrl);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:8765\/connect\?state=[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(String(events[0]?.detail.reauthorizationUrlExpiresAt))).toBe(
      world.clock.now() + 72 * 60 * 60_000,
    );
    const state = new URL(url).searchParams.get('state') ?? '';
    const answer = await links.request(
      '/callback',
      { state, ...withServer(links.approve('us')) },
      { sourceIp: nextIp() },
    );
    expect(answer.statusCode).toBe(200);
    expect(await world.ports.store.get('reauth-event')).toMatchObject({
      status: 'active',
      version: connection.version + 1,
    });
  });
});
