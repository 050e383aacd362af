import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLIENT, type Harness, postToken, refresh, startHarness } from './zoho-simulator-helpers';

describe('Zoho simulator: token endpoint', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.sim.stop();
  });

  describe('refresh_token grant', () => {
    it('answers the documented success body with scope and no refresh_token', async () => {
      // Prepare
      const rt = h.sim.issueRefreshToken({
        clientId: CLIENT.clientId,
        dc: 'eu',
        scope: 'ZohoBooks.invoices.READ',
      });
      // Act
      const answer = await refresh(h.sim, 'eu', rt);
      // Assess
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({
        access_token: expect.stringMatching(/^1000\.sim-at-[0-9a-f]{32}$/),
        expires_in: 3600,
        api_domain: h.sim.apiDomain('eu'),
        token_type: 'Bearer',
        scope: 'ZohoBooks.invoices.READ',
      });
      expect(rt).toContain('sim-rt-');
    });

    it('reads the parameters from the query string too, as Zoho does', async () => {
      const rt = h.sim.issueRefreshToken({ clientId: CLIENT.clientId, dc: 'us' });
      const query = new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: CLIENT.clientId,
        client_secret: CLIENT.clientSecret,
        refresh_token: rt,
      });

      const response = await fetch(`${h.sim.accountsServer('us')}/oauth/v2/token?${query}`, {
        method: 'POST',
      });
      const json = (await response.json()) as Record<string, unknown>;

      expect(json.access_token).toMatch(/sim-at-/);
    });

    it('uses the configured access-token lifetime', async () => {
      await h.sim.stop();
      h = await startHarness({ accessTokenLifetimeSeconds: 60 });
      const rt = h.sim.issueRefreshToken({ clientId: CLIENT.clientId, dc: 'us' });

      const answer = await refresh(h.sim, 'us', rt);

      expect(answer.json.expires_in).toBe(60);
    });

    it.each([
      ['an unknown client id', { client_id: '1000.OTHER' }, 'invalid_client'],
      ['a wrong secret', { client_secret: 'test-cs-wrong' }, 'invalid_client_secret'],
      ['an unknown refresh token', { refresh_token: '1000.test-rt-unknown' }, 'invalid_code'],
    ])('answers %s with HTTP 200 and %s', async (_case, override, error) => {
      const rt = h.sim.issueRefreshToken({ clientId: CLIENT.clientId, dc: 'us' });
      const form = {
        grant_type: 'refresh_token',
        client_id: CLIENT.clientId,
        client_secret: CLIENT.clientSecret,
        refresh_token: rt,
        ...override,
      };

      const answer = await postToken(h.sim, 'us', form);

      expect(answer).toMatchObject({ status: 200, json: { error } });
    });

    it('answers a client not enabled in the DC with invalid_client', async () => {
      h.sim.registerClient({ clientId: '1000.USONLY', clientSecret: 'test-cs-x', dcs: ['us'] });
      const rt = h.sim.issueRefreshToken({ clientId: '1000.USONLY', dc: 'us' });
      const form = {
        grant_type: 'refresh_token',
        client_id: '1000.USONLY',
        client_secret: 'test-cs-x',
        refresh_token: rt,
      };

      const answer = await postToken(h.sim, 'in', form);

      expect(answer).toEqual({
        status: 200,
        text: '{"error":"invalid_client"}',
        json: { error: 'invalid_client' },
      });
    });

    it('binds a refresh token to its DC: another DC answers invalid_client', async () => {
      const rt = h.sim.issueRefreshToken({ clientId: CLIENT.clientId, dc: 'us' });

      const answer = await refresh(h.sim, 'eu', rt);

      expect(answer.json).toEqual({ error: 'invalid_client' });
    });

    it('checks the per-DC secret when the client has one', async () => {
      h.sim.registerClient({
        clientId: '1000.MULTI',
        clientSecret: 'test-cs-us',
        dcs: ['us', 'eu'],
        secretsByDc: { eu: 'test-cs-eu' },
      });
      const rt = h.sim.issueRefreshToken({ clientId: '1000.MULTI', dc: 'eu' });
      const form = (secret: string) => ({
        grant_type: 'refresh_token',
        client_id: '1000.MULTI',
        client_secret: secret,
        refresh_token: rt,
      });

      const withUsSecret = await postToken(h.sim, 'eu', form('test-cs-us'));
      const withEuSecret = await postToken(h.sim, 'eu', form('test-cs-eu'));

      expect(withUsSecret.json).toEqual({ error: 'invalid_client_secret' });
      expect(withEuSecret.json.access_token).toMatch(/sim-at-/);
    });

    it('answers a missing parameter with invalid_request', async () => {
      const answer = await postToken(h.sim, 'us', {
        grant_type: 'refresh_token',
        client_id: CLIENT.clientId,
      });
      const noGrant = await postToken(h.sim, 'us', {});

      expect(answer.json).toEqual({ error: 'invalid_request' });
      expect(noGrant.json).toEqual({ error: 'invalid_request' });
    });
  });

  describe('throttle', () => {
    it('refuses exactly the 11th request in the window, then admits again when the window ends', async () => {
      // Prepare
      const rt = h.sim.issueRefreshToken({ clientId: CLIENT.clientId, dc: 'us' });
      const statuses: number[] = [];
      for (let i = 0; i < 10; i += 1) {
        statuses.push((await refresh(h.sim, 'us', rt)).status);
        h.advance(1_000);
      }
      // Act
      const eleventh = await refresh(h.sim, 'us', rt);
      h.advance(600_000 - 10_000 - 1); // 1 ms before the first request leaves the window
      const stillBlocked = await refresh(h.sim, 'us', rt);
      h.advance(1);
      const afterWindow = await refresh(h.sim, 'us', rt);
      const nextOne = await refresh(h.sim, 'us', rt);
      // Assess
      expect(statuses).toEqual(Array(10).fill(200));
      expect(eleventh.status).toBe(400);
      expect(eleventh.json).toEqual({
        error: 'Access Denied',
        error_description: 'You have made too many requests continuously. Please try again after some time.',
        status: 'failure',
      });
      expect(stillBlocked.status).toBe(400);
      expect(afterWindow.json.access_token).toMatch(/sim-at-/);
      expect(nextOne.status).toBe(400); // the second request (t = 1 s) is still inside the window
    });

    it('counts per refresh token', async () => {
      await h.sim.stop();
      h = await startHarness({ throttleLimit: 1 });
      const first = h.sim.issueRefreshToken({ clientId: CLIENT.clientId, dc: 'us' });
      const second = h.sim.issueRefreshToken({ clientId: CLIENT.clientId, dc: 'us' });
      await refresh(h.sim, 'us', first);

      const answer = await refresh(h.sim, 'us', second);
      const again = await refresh(h.sim, 'us', first);

      expect(answer.status).toBe(200);
      expect(again.status).toBe(400);
    });
  });
});
