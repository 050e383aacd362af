/**
 * The connect endpoint without a browser: `GET /connect`, and what every request meets (the request
 * limit, unknown paths and methods, no secret in a page or a log line). Against moto and the simulator.
 */
import { describe, expect, it } from 'vitest';
import { useEngineWorld } from '../engine/world';
import { CLIENT, linkWorld, nextIp, REDIRECT_URI } from './link-world';

const getWorld = useEngineWorld();

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
