import { describe, expect, it } from 'vitest';
import {
  AccountsServerNotAllowedError,
  ConfigurationError,
  InvalidInputError,
  MisconfiguredClientError,
  ReauthorizationRequiredError,
  ZohoMalformedResponseError,
  ZohoThrottledError,
  ZohoTransientError,
} from '../../../functions/core/errors';
import { createZohoAccountsClient } from '../../../functions/zoho/accounts-client';
import { answering, caught, expectNoSecrets, fakeFetch, formOf, hangingUntilAborted } from './support';

const request = {
  accountsServer: 'https://accounts.zoho.eu',
  clientId: '1000.CLIENTID',
  clientSecret: 'test-cs-secret-1',
  refreshToken: 'test-rt-refresh-1',
};
const success = {
  access_token: 'test-at-new-1',
  expires_in: 3600,
  api_domain: 'https://www.zohoapis.eu',
  token_type: 'Bearer',
};

describe('refreshAccessToken: the request', () => {
  it('POSTs a form body to {accountsServer}/oauth/v2/token, secrets out of the URL', async () => {
    // Prepare
    const fake = answering(200, success);
    const client = createZohoAccountsClient({ fetch: fake.fetch });

    // Act
    const grant = await client.refreshAccessToken(request);

    // Assess
    expect(fake.calls).toHaveLength(1);
    const call = fake.calls[0];
    expect(call?.url).toBe('https://accounts.zoho.eu/oauth/v2/token');
    expect(call?.method).toBe('POST');
    expect(call?.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(call?.redirect).toBe('manual');
    expect(formOf(call)).toStrictEqual({
      grant_type: 'refresh_token',
      client_id: '1000.CLIENTID',
      client_secret: 'test-cs-secret-1',
      refresh_token: 'test-rt-refresh-1',
    });
    expect(call?.url).not.toContain('test-');
    expect(grant).toStrictEqual({
      accessToken: 'test-at-new-1',
      expiresInSeconds: 3600,
      apiDomain: 'https://www.zohoapis.eu',
      tokenType: 'Bearer',
    });
  });

  it('posts to the origin of an accounts server written with a trailing slash (Canada)', async () => {
    // Prepare
    const fake = answering(200, { ...success, api_domain: 'https://www.zohoapis.ca' });
    const client = createZohoAccountsClient({ fetch: fake.fetch });

    // Act
    await client.refreshAccessToken({ ...request, accountsServer: 'https://accounts.zohocloud.ca/' });

    // Assess
    expect(fake.calls.map((call) => call.url)).toStrictEqual([
      'https://accounts.zohocloud.ca/oauth/v2/token',
    ]);
  });

  it('encodes reserved characters of the secret in the form body', async () => {
    // Prepare
    const fake = answering(200, success);
    const client = createZohoAccountsClient({ fetch: fake.fetch });

    // Act
    await client.refreshAccessToken({ ...request, clientSecret: 'test-cs-a&b=c+d' });

    // Assess
    expect(formOf(fake.calls[0]).client_secret).toBe('test-cs-a&b=c+d');
  });
});

describe('refreshAccessToken: the custom-server guard', () => {
  it.each([
    'https://evil.example',
    'https://accounts.zoho.eu@evil.example',
    'http://accounts.zoho.eu',
    'https://accounts.zoho.ca',
    'javascript:alert(1)',
  ])('refuses %s before sending anything', async (accountsServer) => {
    // Prepare
    const fake = answering(200, success);
    const client = createZohoAccountsClient({ fetch: fake.fetch });

    // Act
    const error = await caught(() => client.refreshAccessToken({ ...request, accountsServer }));

    // Assess
    expect(error).toBeInstanceOf(AccountsServerNotAllowedError);
    expect(fake.calls).toHaveLength(0);
    expectNoSecrets(error);
  });

  it('sends to a custom server the operator allowed', async () => {
    // Prepare
    const fake = answering(200, { ...success, api_domain: 'http://127.0.0.1:8765' });
    const client = createZohoAccountsClient({
      fetch: fake.fetch,
      allowedCustomServers: ['http://127.0.0.1:8765/'],
    });

    // Act
    const grant = await client.refreshAccessToken({ ...request, accountsServer: 'http://127.0.0.1:8765' });

    // Assess
    expect(fake.calls.map((call) => call.url)).toStrictEqual(['http://127.0.0.1:8765/oauth/v2/token']);
    expect(grant.apiDomain).toBe('http://127.0.0.1:8765');
  });

  it('holds the answer of a Zoho data centre to that data centre API domain', async () => {
    // Prepare: the EU accounts server naming the US API domain
    const fake = answering(200, { ...success, api_domain: 'https://www.zohoapis.com' });
    const client = createZohoAccountsClient({ fetch: fake.fetch });

    // Act
    const error = await caught(() => client.refreshAccessToken(request));

    // Assess
    expect(error).toBeInstanceOf(ZohoMalformedResponseError);
    expect(error.message).toContain(
      "api_domain www.zohoapis.com is not a Zoho API host of the connection's data centre",
    );
    expect(fake.calls).toHaveLength(1);
    expectNoSecrets(error);
  });

  it('lets a custom server name an API origin of allowedCustomServers, and no other', async () => {
    // Prepare
    const custom = { ...request, accountsServer: 'https://accounts.example.test' };
    const allowedCustomServers = ['https://accounts.example.test', 'https://api.example.test'];
    const allowed = answering(200, { ...success, api_domain: 'https://api.example.test' });
    const other = answering(200, { ...success, api_domain: 'https://api2.example.test' });

    // Act
    const grant = await createZohoAccountsClient({
      fetch: allowed.fetch,
      allowedCustomServers,
    }).refreshAccessToken(custom);
    const error = await caught(() =>
      createZohoAccountsClient({ fetch: other.fetch, allowedCustomServers }).refreshAccessToken(custom),
    );

    // Assess
    expect(grant.apiDomain).toBe('https://api.example.test');
    expect(error).toBeInstanceOf(ZohoMalformedResponseError);
    expect(error.message).toContain('api_domain api2.example.test is not a Zoho API host');
  });

  it('refuses an empty refresh token before sending anything', async () => {
    // Prepare
    const fake = answering(200, success);
    const client = createZohoAccountsClient({ fetch: fake.fetch });

    // Act
    const error = await caught(() => client.refreshAccessToken({ ...request, refreshToken: '' }));

    // Assess
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(fake.calls).toHaveLength(0);
  });
});

describe('refreshAccessToken: failures', () => {
  it('times out a fetch that never answers → ZohoTransientError code timeout', async () => {
    // Prepare
    const fake = hangingUntilAborted();
    const client = createZohoAccountsClient({ fetch: fake.fetch, timeoutMs: 20 });

    // Act
    const error = await caught(() => client.refreshAccessToken(request));

    // Assess
    expect(error).toBeInstanceOf(ZohoTransientError);
    expect((error as ZohoTransientError).code).toBe('timeout');
    expect(fake.calls[0]?.signal?.aborted).toBe(true);
    expectNoSecrets(error);
  });

  it('times out even a fetch that ignores its abort signal', async () => {
    // Prepare
    const fake = fakeFetch(() => new Promise<Response>(() => undefined));
    const client = createZohoAccountsClient({ fetch: fake.fetch, timeoutMs: 20 });

    // Act
    const error = await caught(() => client.refreshAccessToken(request));

    // Assess
    expect(error).toBeInstanceOf(ZohoTransientError);
    expect((error as ZohoTransientError).code).toBe('timeout');
  });

  it('turns a reset connection into ZohoTransientError code network_error', async () => {
    // Prepare
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const fake = fakeFetch(() => Promise.reject(new TypeError('fetch failed', { cause: reset })));
    const client = createZohoAccountsClient({ fetch: fake.fetch });

    // Act
    const error = await caught(() => client.refreshAccessToken(request));

    // Assess
    expect(error).toBeInstanceOf(ZohoTransientError);
    expect((error as ZohoTransientError).code).toBe('network_error');
    expect(error.message).toContain('ECONNRESET');
    expectNoSecrets(error);
  });

  it('does not follow a redirect: a 307 is transient', async () => {
    // Prepare
    const fake = fakeFetch(
      () => new Response(null, { status: 307, headers: { location: 'https://evil.example' } }),
    );
    const client = createZohoAccountsClient({ fetch: fake.fetch });

    // Act
    const error = await caught(() => client.refreshAccessToken(request));

    // Assess
    expect(error).toBeInstanceOf(ZohoTransientError);
    expect(fake.calls).toHaveLength(1);
  });

  it.each([
    [200, { error: 'invalid_code' }, ReauthorizationRequiredError],
    [200, { error: 'invalid_client' }, MisconfiguredClientError],
    [200, { error: 'invalid_client_secret' }, MisconfiguredClientError],
    [400, { error: 'Access Denied', error_description: 'too many', status: 'failure' }, ZohoThrottledError],
    [502, '<html>Bad Gateway</html>', ZohoTransientError],
  ])('HTTP %i %j → %o, no secret in the message', async (status, body, errorClass) => {
    // Prepare
    const client = createZohoAccountsClient({ fetch: answering(status, body).fetch });

    // Act
    const error = await caught(() => client.refreshAccessToken(request));

    // Assess
    expect(error).toBeInstanceOf(errorClass);
    expectNoSecrets(error);
  });
});

describe('createZohoAccountsClient: options', () => {
  it.each([0, -1, 1.5, Number.NaN])('refuses timeoutMs %s', async (timeoutMs) => {
    // Act
    const error = await caught(() => createZohoAccountsClient({ timeoutMs }));

    // Assess
    expect(error).toBeInstanceOf(ConfigurationError);
  });

  it.each(['not a url', 'http://accounts.zoho.com'])(
    'refuses the allowed custom server %s',
    async (server) => {
      // Act
      const error = await caught(() => createZohoAccountsClient({ allowedCustomServers: [server] }));

      // Assess
      expect(error).toBeInstanceOf(ConfigurationError);
    },
  );
});
