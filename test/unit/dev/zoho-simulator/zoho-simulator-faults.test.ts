import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FOREIGN_API_DOMAIN,
  TOKEN_OUT_OF_LIMITS_SHAPES,
  TOKEN_SUCCESS_SHAPES,
  type TokenFault,
} from '../../../../dev/zoho-simulator';
import {
  accessTokenFor,
  CLIENT,
  type Harness,
  organizations,
  refresh,
  revoke,
  startHarness,
} from './zoho-simulator-helpers';

describe('Zoho simulator: faults', () => {
  let h: Harness;
  let rt: string;
  beforeEach(async () => {
    h = await startHarness();
    rt = h.sim.issueRefreshToken({ clientId: CLIENT.clientId, dc: 'us', scope: 'ZohoBooks.fullaccess.all' });
  });
  afterEach(async () => {
    await h.sim.stop();
  });

  describe('token success shapes reshape a real success', () => {
    const documented = () => ({
      access_token: expect.stringMatching(/sim-at-/),
      expires_in: 3600,
      api_domain: h.sim.apiDomain('us'),
      token_type: 'Bearer',
    });
    const scope = 'ZohoBooks.fullaccess.all';
    const expected: Record<(typeof TOKEN_SUCCESS_SHAPES)[number], () => Record<string, unknown>> = {
      'success-documented': () => documented(),
      'success-with-scope': () => ({ ...documented(), scope }),
      'success-without-api-domain': () => {
        const { api_domain: _omitted, ...rest } = documented();
        return { ...rest, scope };
      },
      'success-expires-in-ms': () => ({
        ...documented(),
        scope,
        expires_in_sec: 3600,
        expires_in: 3_600_000,
      }),
      'success-without-expires-in': () => {
        const { expires_in: _omitted, ...rest } = documented();
        return { ...rest, scope };
      },
      'success-expires-in-string': () => ({ ...documented(), scope, expires_in: '3600' }),
    };

    it.each(TOKEN_SUCCESS_SHAPES)('%s', async (shape) => {
      h.sim.faults.queue('token', shape);

      const answer = await refresh(h.sim, 'us', rt);
      const books = await organizations(h.sim, 'us', String(answer.json.access_token));

      expect(answer.status).toBe(200);
      expect(answer.json).toStrictEqual(expected[shape]());
      expect(books.status).toBe(200);
    });

    const brokenBy: Record<(typeof TOKEN_OUT_OF_LIMITS_SHAPES)[number], (token: string) => object> = {
      'success-foreign-api-domain': () => ({ api_domain: FOREIGN_API_DOMAIN }),
      'success-tiny-expires-in': () => ({ expires_in: 1 }),
      'success-expires-in-fraction': () => ({ expires_in: 3600.5 }),
      'success-token-with-whitespace': (token) => ({
        access_token: `${token.slice(0, 12)} ${token.slice(12)}`,
      }),
    };

    it.each(TOKEN_OUT_OF_LIMITS_SHAPES)('%s breaks one limit of a real, counted token', async (shape) => {
      h.sim.faults.queue('token', shape);

      const answer = await refresh(h.sim, 'us', rt);
      const minted = String(answer.json.access_token).replace(' ', '');
      const books = await organizations(h.sim, 'us', minted);

      expect(answer.status).toBe(200);
      expect(answer.json).toStrictEqual({ ...documented(), scope, ...brokenBy[shape](minted) });
      expect(h.sim.calls.tokenCallsFor(rt)).toBe(1);
      expect(books.status).toBe(200);
    });

    it('leaves a refused request refused', async () => {
      h.sim.faults.queue('token', 'success-expires-in-ms');

      const answer = await refresh(h.sim, 'us', '1000.test-rt-unknown');

      expect(answer.json).toEqual({ error: 'invalid_code' });
    });
  });

  it.each<[TokenFault, number, Record<string, unknown>]>([
    ['invalid_code', 200, { error: 'invalid_code' }],
    ['invalid_token', 200, { error: 'invalid_token' }],
    ['too_many_requests', 200, { error: 'too_many_requests' }],
    ['too_many_requests-429', 429, { error: 'too_many_requests' }],
    ['invalid_client', 200, { error: 'invalid_client' }],
    ['invalid_client_secret', 200, { error: 'invalid_client_secret' }],
    [
      'throttle-old-400',
      400,
      {
        error: 'Access Denied',
        error_description: 'You have made too many requests continuously. Please try again after some time.',
        status: 'failure',
      },
    ],
    [
      'throttle-old-200',
      200,
      {
        error: 'Access Denied',
        error_description: 'You have made too many requests continuously. Please try again after some time.',
        status: 'failure',
      },
    ],
    [
      'throttle-new',
      400,
      {
        error: 'Access Denied',
        error_description:
          'Token creation throttle limit reached. Please reuse the valid tokens you currently have.',
      },
    ],
    [
      'throttle-localised',
      400,
      { error: '拒绝访问', error_description: '您已连续提出过多请求，请稍后再试。', status: 'failure' },
    ],
  ])('token error %s answers HTTP %i with its body, then behaves normally', async (fault, status, body) => {
    h.sim.faults.queue('token', fault);

    const answer = await refresh(h.sim, 'us', rt);
    const next = await refresh(h.sim, 'us', rt);

    expect(answer.status).toBe(status);
    expect(answer.json).toStrictEqual(body);
    expect(next.json.access_token).toMatch(/sim-at-/);
  });

  it.each([
    ['http-500', 500],
    ['http-502', 502],
    ['http-503', 503],
  ] as const)('%s answers that status with a body that is not JSON', async (fault, status) => {
    h.sim.faults.queue('token', fault);

    const answer = await refresh(h.sim, 'us', rt);

    expect(answer).toEqual({ status, text: 'Server Error', json: {} });
  });

  it('html-error answers an HTML page with HTTP 200', async () => {
    h.sim.faults.queue('token', 'html-error');

    const response = await fetch(`${h.sim.accountsServer('us')}/oauth/v2/token`, { method: 'POST' });
    const text = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html;charset=UTF-8');
    expect(text).toMatch(/^<!DOCTYPE html>/);
  });

  it('half-json answers a truncated JSON body', async () => {
    h.sim.faults.queue('token', 'half-json');

    const answer = await refresh(h.sim, 'us', rt);

    expect(answer.status).toBe(200);
    expect(() => JSON.parse(answer.text)).toThrow(SyntaxError);
  });

  it('empty-200 answers an empty body', async () => {
    h.sim.faults.queue('token', 'empty-200');

    const answer = await refresh(h.sim, 'us', rt);

    expect(answer).toEqual({ status: 200, text: '', json: {} });
  });

  it('reset destroys the socket, then the next request is served', async () => {
    h.sim.faults.queue('token', 'reset');

    const failure = refresh(h.sim, 'us', rt);

    await expect(failure).rejects.toThrow(TypeError);
    expect((await refresh(h.sim, 'us', rt)).status).toBe(200);
    expect(h.sim.calls.tokenCallsFor(rt)).toBe(2);
  });

  it('hang never answers: the client timeout ends the wait', async () => {
    h.sim.faults.queue('token', 'hang');

    const outcome = await fetch(`${h.sim.accountsServer('us')}/oauth/v2/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: rt }),
      signal: AbortSignal.timeout(50),
    }).then(
      () => 'answered',
      (error: unknown) => (error as Error).name,
    );

    expect(outcome).toBe('TimeoutError');
    expect((await refresh(h.sim, 'us', rt)).status).toBe(200);
  });

  it('latency delays the answer, then answers normally', async () => {
    h.sim.faults.queue('token', { latencyMs: 20 });

    const answer = await refresh(h.sim, 'us', rt);

    expect(answer.json.access_token).toMatch(/sim-at-/);
  });

  it('books-429 answers code 44 and books-401 answers code 57 for a valid token', async () => {
    const at = await accessTokenFor(h.sim, 'us', rt);
    h.sim.faults.queue('books', 'books-429');
    h.sim.faults.queue('books', 'books-401');

    const limited = await organizations(h.sim, 'us', at);
    const denied = await organizations(h.sim, 'us', at);
    const normal = await organizations(h.sim, 'us', at);

    expect(limited).toMatchObject({ status: 429, json: { code: 44 } });
    expect(denied).toMatchObject({
      status: 401,
      json: { code: 57, message: 'You are not authorized to perform this operation' },
    });
    expect(normal.status).toBe(200);
  });

  it('applies transport faults to revoke and books too', async () => {
    h.sim.faults.queue('revoke', 'http-502');
    h.sim.faults.queue('books', 'half-json');

    const revoked = await revoke(h.sim, 'us', rt);
    const books = await organizations(h.sim, 'us', 'x');
    const revokedAgain = await revoke(h.sim, 'us', rt);

    expect(revoked.status).toBe(502);
    expect(books).toMatchObject({ status: 200, text: '{"code":0,"message":"succ' });
    expect(revokedAgain.json).toEqual({ status: 'success' });
  });

  it.each([
    ['invalid_token', 400, { status: 'failure', error: 'invalid_token' }],
    ['too_many_requests', 200, { error: 'too_many_requests' }],
  ] as const)('revoke fault %s answers HTTP %i and leaves the token alive', async (fault, status, body) => {
    const at = await accessTokenFor(h.sim, 'us', rt);
    h.sim.faults.queue('revoke', fault);

    const answer = await revoke(h.sim, 'us', rt);
    const books = await organizations(h.sim, 'us', at);
    const revokedAfter = await revoke(h.sim, 'us', rt);

    expect(answer.status).toBe(status);
    expect(answer.json).toStrictEqual(body);
    expect(books.status).toBe(200);
    expect(revokedAfter.json).toEqual({ status: 'success' });
  });

  describe('queue, standing mode and clear', () => {
    it('queues N responses, then behaves normally', async () => {
      h.sim.faults.queue('token', 'http-503', 2);

      const statuses = [];
      for (let i = 0; i < 3; i += 1) statuses.push((await refresh(h.sim, 'us', rt)).status);

      expect(statuses).toEqual([503, 503, 200]);
    });

    it('keeps a standing fault until cleared; queued faults go first', async () => {
      h.sim.faults.set('token', 'http-500');
      h.sim.faults.queue('token', 'invalid_code');

      const statuses = [];
      for (let i = 0; i < 3; i += 1) statuses.push((await refresh(h.sim, 'us', rt)).status);
      h.sim.faults.clear('token');
      statuses.push((await refresh(h.sim, 'us', rt)).status);

      expect(statuses).toEqual([200, 500, 500, 200]);
    });

    it('clear(endpoint) leaves the other endpoints faulted; clear() clears all', async () => {
      h.sim.faults.set('token', 'http-500');
      h.sim.faults.set('books', 'books-429');

      h.sim.faults.clear('token');
      const token = await refresh(h.sim, 'us', rt);
      const books = await organizations(h.sim, 'us', 'x');
      h.sim.faults.clear();
      const booksAfter = await organizations(h.sim, 'us', 'x');

      expect([token.status, books.status, booksAfter.status]).toEqual([200, 429, 401]);
    });

    it('refuses a fault that does not apply to the endpoint', () => {
      const set = () => h.sim.faults.set('revoke', 'books-429' as never);
      const shape = () => h.sim.faults.queue('revoke', 'success-tiny-expires-in' as never);

      expect(set).toThrow('fault books-429 does not apply to revoke');
      expect(shape).toThrow('fault success-tiny-expires-in does not apply to revoke');
    });
  });
});
