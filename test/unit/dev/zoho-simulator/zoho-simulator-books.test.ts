import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accessTokenFor, CLIENT, type Harness, organizations, startHarness } from './zoho-simulator-helpers';

const UNAUTHORIZED = { code: 57, message: 'You are not authorized to perform this operation' };

describe('Zoho simulator: Books API', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ maxActiveAccessTokens: 3 });
  });
  afterEach(async () => {
    await h.sim.stop();
  });

  it('lists the DC organisation for a valid token', async () => {
    const rt = h.sim.issueRefreshToken({ clientId: CLIENT.clientId, dc: 'eu' });
    const at = await accessTokenFor(h.sim, 'eu', rt);

    const answer = await organizations(h.sim, 'eu', at);

    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      code: 0,
      message: 'success',
      organizations: [{ organization_id: '700000001', name: 'Sim Org eu' }],
    });
  });

  it.each([
    ['no header', undefined],
    ['an unknown token', '1000.test-at-unknown'],
  ])('answers %s with 401 code 57', async (_case, token) => {
    const answer = await organizations(h.sim, 'us', token);

    expect(answer).toMatchObject({ status: 401, json: UNAUTHORIZED });
  });

  it('answers a token of another DC with 401', async () => {
    const rt = h.sim.issueRefreshToken({ clientId: CLIENT.clientId, dc: 'us' });
    const at = await accessTokenFor(h.sim, 'us', rt);

    const answer = await organizations(h.sim, 'eu', at);

    expect(answer).toMatchObject({ status: 401, json: UNAUTHORIZED });
  });

  it('answers a token past its lifetime with 401, one millisecond before with 200', async () => {
    const rt = h.sim.issueRefreshToken({ clientId: CLIENT.clientId, dc: 'us' });
    const at = await accessTokenFor(h.sim, 'us', rt);
    h.advance(3_600_000 - 1);
    const before = await organizations(h.sim, 'us', at);
    h.advance(1);

    const after = await organizations(h.sim, 'us', at);

    expect([before.status, after.status]).toEqual([200, 401]);
  });

  it('expireAccessTokens kills the tokens of one refresh token only', async () => {
    const first = h.sim.issueRefreshToken({ clientId: CLIENT.clientId, dc: 'us' });
    const second = h.sim.issueRefreshToken({ clientId: CLIENT.clientId, dc: 'us' });
    const firstAt = await accessTokenFor(h.sim, 'us', first);
    const secondAt = await accessTokenFor(h.sim, 'us', second);

    h.sim.expireAccessTokens(first);
    const statuses = [(await organizations(h.sim, 'us', firstAt)).status];
    statuses.push((await organizations(h.sim, 'us', secondAt)).status);
    h.sim.expireAccessTokens();
    statuses.push((await organizations(h.sim, 'us', secondAt)).status);

    expect(statuses).toEqual([401, 200, 401]);
  });

  it('evicts the oldest live token when more than maxActiveAccessTokens are alive', async () => {
    // Prepare: three live tokens, the limit of this harness
    const rt = h.sim.issueRefreshToken({ clientId: CLIENT.clientId, dc: 'us' });
    const tokens = [
      await accessTokenFor(h.sim, 'us', rt),
      await accessTokenFor(h.sim, 'us', rt),
      await accessTokenFor(h.sim, 'us', rt),
    ];
    // Act
    tokens.push(await accessTokenFor(h.sim, 'us', rt));
    const statuses = [];
    for (const token of tokens) statuses.push((await organizations(h.sim, 'us', token)).status);
    // Assess
    expect(statuses).toEqual([401, 200, 200, 200]);
  });

  it('does not count expired tokens as live when evicting', async () => {
    const rt = h.sim.issueRefreshToken({ clientId: CLIENT.clientId, dc: 'us' });
    await accessTokenFor(h.sim, 'us', rt);
    h.sim.expireAccessTokens(rt);
    const live = [await accessTokenFor(h.sim, 'us', rt), await accessTokenFor(h.sim, 'us', rt)];

    live.push(await accessTokenFor(h.sim, 'us', rt));
    const statuses = [];
    for (const token of live) statuses.push((await organizations(h.sim, 'us', token)).status);

    expect(statuses).toEqual([200, 200, 200]);
  });
});
