import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  accessTokenFor,
  CLIENT,
  type Harness,
  organizations,
  postToken,
  refresh,
  revoke,
  startHarness,
} from './zoho-simulator-helpers';

describe('Zoho simulator: code exchange and revoke', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.sim.stop();
  });

  describe('authorization_code grant', () => {
    const exchange = (h: Harness, dc: string, code: string) =>
      postToken(h.sim, dc, {
        grant_type: 'authorization_code',
        client_id: CLIENT.clientId,
        client_secret: CLIENT.clientSecret,
        code,
        redirect_uri: 'https://example.invalid/cb',
      });

    it('exchanges a code for a refresh token that then refreshes', async () => {
      const code = h.sim.issueGrantCode({ clientId: CLIENT.clientId, dc: 'eu' });

      const answer = await exchange(h, 'eu', code);
      const refreshToken = String(answer.json.refresh_token);
      const refreshed = await refresh(h.sim, 'eu', refreshToken);

      expect(answer.json).toEqual({
        access_token: expect.stringMatching(/sim-at-/),
        refresh_token: expect.stringMatching(/^1000\.sim-rt-/),
        expires_in: 3600,
        api_domain: h.sim.apiDomain('eu'),
        token_type: 'Bearer',
        scope: 'ZohoBooks.fullaccess.all',
      });
      expect(refreshed.json.access_token).toMatch(/sim-at-/);
    });

    it('is single use', async () => {
      const code = h.sim.issueGrantCode({ clientId: CLIENT.clientId, dc: 'us' });
      await exchange(h, 'us', code);

      const second = await exchange(h, 'us', code);

      expect(second).toMatchObject({ status: 200, json: { error: 'invalid_code' } });
    });

    it('expires after grantCodeLifetimeMs', async () => {
      const fresh = h.sim.issueGrantCode({ clientId: CLIENT.clientId, dc: 'us' });
      const stale = h.sim.issueGrantCode({ clientId: CLIENT.clientId, dc: 'us' });
      h.advance(179_999);
      const justInTime = await exchange(h, 'us', fresh);
      h.advance(1);

      const expired = await exchange(h, 'us', stale);

      expect(justInTime.json.refresh_token).toMatch(/sim-rt-/);
      expect(expired.json).toEqual({ error: 'invalid_code' });
    });

    it('answers an unknown code with invalid_code and a code of another DC with invalid_client', async () => {
      const code = h.sim.issueGrantCode({ clientId: CLIENT.clientId, dc: 'us' });

      const unknown = await exchange(h, 'us', '1000.sim-gc-unknown');
      const otherDc = await exchange(h, 'eu', code);
      const stillUsable = await exchange(h, 'us', code);

      expect(unknown.json).toEqual({ error: 'invalid_code' });
      expect(otherDc.json).toEqual({ error: 'invalid_client' });
      expect(stillUsable.json.refresh_token).toMatch(/sim-rt-/);
    });
  });

  describe('authorization_code grant of a server-based client (redirect flow)', () => {
    const REDIRECT_URI = 'https://app.example.com/zoho/callback';
    const exchangeWith = (code: string, redirectUri?: string) =>
      postToken(h.sim, 'us', {
        grant_type: 'authorization_code',
        client_id: CLIENT.clientId,
        client_secret: CLIENT.clientSecret,
        code,
        ...(redirectUri === undefined ? {} : { redirect_uri: redirectUri }),
      });

    it('needs exactly the redirect URI the code was issued for, and a refused one leaves the code unspent', async () => {
      const code = h.sim.issueGrantCode({ clientId: CLIENT.clientId, dc: 'us', redirectUri: REDIRECT_URI });

      const missing = await exchangeWith(code);
      const other = await exchangeWith(code, `${REDIRECT_URI}/`);
      const exact = await exchangeWith(code, REDIRECT_URI);

      expect(missing).toMatchObject({ status: 200, json: { error: 'invalid_redirect_uri' } });
      expect(other).toMatchObject({ status: 200, json: { error: 'invalid_redirect_uri' } });
      expect(exact.json.refresh_token).toMatch(/^1000\.sim-rt-/);
      expect(h.sim.calls.tokenByGrantType.authorization_code).toBe(3);
    });

    it('lives 60 seconds (redirectGrantCodeLifetimeMs), where a Self Client code lives 3 minutes', async () => {
      const fresh = h.sim.issueGrantCode({ clientId: CLIENT.clientId, dc: 'us', redirectUri: REDIRECT_URI });
      const stale = h.sim.issueGrantCode({ clientId: CLIENT.clientId, dc: 'us', redirectUri: REDIRECT_URI });
      h.advance(59_999);
      const justInTime = await exchangeWith(fresh, REDIRECT_URI);
      h.advance(1);

      const expired = await exchangeWith(stale, REDIRECT_URI);

      expect(justInTime.json.refresh_token).toMatch(/sim-rt-/);
      expect(expired.json).toEqual({ error: 'invalid_code' });
    });
  });

  describe('revoke', () => {
    it('revokes the refresh token and every access token made from it', async () => {
      const rt = h.sim.issueRefreshToken({ clientId: CLIENT.clientId, dc: 'us' });
      const at = await accessTokenFor(h.sim, 'us', rt);

      const answer = await revoke(h.sim, 'us', rt);
      const books = await organizations(h.sim, 'us', at);
      const refreshed = await refresh(h.sim, 'us', rt);

      expect(answer).toMatchObject({ status: 200, json: { status: 'success' } });
      expect(books.status).toBe(401);
      expect(refreshed.json).toEqual({ error: 'invalid_code' });
    });

    it('answers an unknown, already revoked or other-DC token with HTTP 400', async () => {
      const rt = h.sim.issueRefreshToken({ clientId: CLIENT.clientId, dc: 'us' });

      const otherDc = await revoke(h.sim, 'eu', rt);
      await revoke(h.sim, 'us', rt);
      const again = await revoke(h.sim, 'us', rt);

      expect(otherDc).toMatchObject({ status: 400, json: { status: 'failure', error: 'invalid_token' } });
      expect(again.status).toBe(400);
    });

    it('revokes programmatically too', async () => {
      const rt = h.sim.issueRefreshToken({ clientId: CLIENT.clientId, dc: 'us' });

      const revoked = h.sim.revokeRefreshToken(rt);
      const unknown = h.sim.revokeRefreshToken(rt);

      expect([revoked, unknown]).toEqual([true, false]);
      expect((await refresh(h.sim, 'us', rt)).json).toEqual({ error: 'invalid_code' });
    });
  });
});
