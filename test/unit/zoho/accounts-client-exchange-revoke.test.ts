import { describe, expect, it } from 'vitest';
import {
  AccountsServerNotAllowedError,
  MisconfiguredClientError,
  ZohoMalformedResponseError,
  ZohoThrottledError,
  ZohoTransientError,
} from '../../../functions/core/errors';
import { createZohoAccountsClient } from '../../../functions/zoho/accounts-client';
import {
  GrantCodeRejectedError,
  NoRefreshTokenGrantedError,
  RefreshTokenAlreadyInvalidError,
} from '../../../functions/zoho/errors';
import { answering, caught, expectNoSecrets, formOf, hangingUntilAborted } from './support';

const exchange = {
  accountsServer: 'https://accounts.zoho.in',
  clientId: '1000.CLIENTID',
  clientSecret: 'test-cs-secret-2',
  code: 'test-code-1000.abc.def',
};
const granted = {
  access_token: 'test-at-first-1',
  refresh_token: 'test-rt-granted-1',
  expires_in: 3600,
  api_domain: 'https://www.zohoapis.in',
  token_type: 'Bearer',
  scope: 'ZohoBooks.fullaccess.all',
};

describe('exchangeGrantCode', () => {
  it('POSTs grant_type=authorization_code as a form body and returns the refresh token', async () => {
    // Prepare
    const fake = answering(200, granted);
    const client = createZohoAccountsClient({ fetch: fake.fetch });

    // Act
    const grant = await client.exchangeGrantCode(exchange);

    // Assess
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]?.url).toBe('https://accounts.zoho.in/oauth/v2/token');
    expect(fake.calls[0]?.method).toBe('POST');
    expect(fake.calls[0]?.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(formOf(fake.calls[0])).toStrictEqual({
      grant_type: 'authorization_code',
      client_id: '1000.CLIENTID',
      client_secret: 'test-cs-secret-2',
      code: 'test-code-1000.abc.def',
    });
    expect(grant).toStrictEqual({
      accessToken: 'test-at-first-1',
      refreshToken: 'test-rt-granted-1',
      expiresInSeconds: 3600,
      apiDomain: 'https://www.zohoapis.in',
      tokenType: 'Bearer',
      scope: 'ZohoBooks.fullaccess.all',
    });
  });

  it('sends the redirect URI of a server-based client, and none for a Self Client code', async () => {
    // Prepare
    const fake = answering(200, granted);
    const client = createZohoAccountsClient({ fetch: fake.fetch });
    const redirectUri = 'https://app.example.com/zoho/callback?tenant=a&b=c';

    // Act
    await client.exchangeGrantCode({ ...exchange, redirectUri });

    // Assess: the exact URI, form-encoded (its query survives the round trip)
    expect(formOf(fake.calls[0])).toStrictEqual({
      grant_type: 'authorization_code',
      client_id: '1000.CLIENTID',
      client_secret: 'test-cs-secret-2',
      code: 'test-code-1000.abc.def',
      redirect_uri: redirectUri,
    });
  });

  it('names the redirect URI when Zoho refuses it (invalid_redirect_uri)', async () => {
    // Prepare
    const client = createZohoAccountsClient({
      fetch: answering(200, { error: 'invalid_redirect_uri' }).fetch,
    });

    // Act
    const error = await caught(() => client.exchangeGrantCode(exchange));

    // Assess
    expect(error).toBeInstanceOf(MisconfiguredClientError);
    expect((error as MisconfiguredClientError).zohoError).toBe('invalid_redirect_uri');
    expect((error as Error).message).toContain('exactly the redirect URI registered for the client');
  });

  it('raises GrantCodeRejectedError for an expired or used code (invalid_code)', async () => {
    // Prepare
    const client = createZohoAccountsClient({ fetch: answering(200, { error: 'invalid_code' }).fetch });

    // Act
    const error = await caught(() => client.exchangeGrantCode(exchange));

    // Assess
    expect(error).toBeInstanceOf(GrantCodeRejectedError);
    expect((error as GrantCodeRejectedError).code).toBe('grant_code_rejected');
    expect(error.message).toContain('3 minutes');
    expect(error.message).toContain('60 seconds');
    expect(error.message).toContain('get a new one and exchange it at once');
    expectNoSecrets(error);
  });

  it('raises NoRefreshTokenGrantedError when the code was for online access', async () => {
    // Prepare
    const { refresh_token: _, ...online } = granted;
    const client = createZohoAccountsClient({ fetch: answering(200, online).fetch });

    // Act
    const error = await caught(() => client.exchangeGrantCode(exchange));

    // Assess
    expect(error).toBeInstanceOf(NoRefreshTokenGrantedError);
    expect(error.message).toContain('online access');
    expectNoSecrets(error);
  });

  it('says the code is used up when the granted expiry cannot be trusted', async () => {
    // Prepare
    const client = createZohoAccountsClient({
      fetch: answering(200, { ...granted, expires_in: '3600' }).fetch,
    });

    // Act
    const error = await caught(() => client.exchangeGrantCode(exchange));

    // Assess
    expect(error).toBeInstanceOf(ZohoMalformedResponseError);
    expect(error.message).toContain('used up');
    expectNoSecrets(error);
  });

  it.each([
    [{ error: 'invalid_client' }, MisconfiguredClientError],
    [{ error: 'Access Denied', error_description: 'too many', status: 'failure' }, ZohoThrottledError],
  ])('classifies %j like a refresh', async (body, errorClass) => {
    // Prepare
    const client = createZohoAccountsClient({ fetch: answering(200, body).fetch });

    // Act
    const error = await caught(() => client.exchangeGrantCode(exchange));

    // Assess
    expect(error).toBeInstanceOf(errorClass);
  });

  it('raises GrantCodeRejectedError for invalid_token: the code is unknown, as for invalid_code', async () => {
    // Prepare
    const client = createZohoAccountsClient({ fetch: answering(200, { error: 'invalid_token' }).fetch });

    // Act
    const error = await caught(() => client.exchangeGrantCode(exchange));

    // Assess
    expect(error).toBeInstanceOf(GrantCodeRejectedError);
    expect((error as GrantCodeRejectedError).zohoError).toBe('invalid_token');
  });

  it.each([200, 429])(
    'raises ZohoThrottledError for too_many_requests on HTTP %i, saying to wait and get a new code',
    async (status) => {
      // Prepare
      const fake = answering(status, { error: 'too_many_requests' });
      const client = createZohoAccountsClient({ fetch: fake.fetch });

      // Act
      const error = await caught(() => client.exchangeGrantCode(exchange));

      // Assess
      expect(error).toBeInstanceOf(ZohoThrottledError);
      expect(error.message).toBe(
        `Zoho throttled token creation: too_many_requests (HTTP ${status}); wait out the 10-minute window, then generate a new grant code`,
      );
      expect(fake.calls).toHaveLength(1);
      expectNoSecrets(error);
    },
  );

  it('says the same for the worded throttle of an exchange', async () => {
    // Prepare
    const body = { error: 'Access Denied', error_description: 'too many', status: 'failure' };
    const client = createZohoAccountsClient({ fetch: answering(400, body).fetch });

    // Act
    const error = await caught(() => client.exchangeGrantCode(exchange));

    // Assess
    expect(error).toBeInstanceOf(ZohoThrottledError);
    expect(error.message).toContain('then generate a new grant code');
  });

  it('refuses an accounts server outside the table before sending the code', async () => {
    // Prepare
    const fake = answering(200, granted);
    const client = createZohoAccountsClient({ fetch: fake.fetch });

    // Act
    const error = await caught(() =>
      client.exchangeGrantCode({ ...exchange, accountsServer: 'https://evil.example' }),
    );

    // Assess
    expect(error).toBeInstanceOf(AccountsServerNotAllowedError);
    expect(fake.calls).toHaveLength(0);
  });
});

describe('revokeRefreshToken', () => {
  const revoke = { accountsServer: 'https://accounts.zoho.com', refreshToken: 'test-rt-revoke-1' };

  it('POSTs token=<refresh token> as a form body to /oauth/v2/token/revoke', async () => {
    // Prepare
    const fake = answering(200, { status: 'success' });
    const client = createZohoAccountsClient({ fetch: fake.fetch });

    // Act
    const result = await client.revokeRefreshToken(revoke);

    // Assess
    expect(result).toBeUndefined();
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]?.url).toBe('https://accounts.zoho.com/oauth/v2/token/revoke');
    expect(fake.calls[0]?.method).toBe('POST');
    expect(fake.calls[0]?.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(formOf(fake.calls[0])).toStrictEqual({ token: 'test-rt-revoke-1' });
  });

  it.each([
    ['HTTP 400 with an error body', 400, { error: 'invalid_token' }],
    ['HTTP 400 with an empty body', 400, ''],
    ['HTTP 200 with status failure', 200, { status: 'failure' }],
  ])('%s → RefreshTokenAlreadyInvalidError', async (_, status, body) => {
    // Prepare
    const client = createZohoAccountsClient({ fetch: answering(status, body).fetch });

    // Act
    const error = await caught(() => client.revokeRefreshToken(revoke));

    // Assess
    expect(error).toBeInstanceOf(RefreshTokenAlreadyInvalidError);
    expect((error as RefreshTokenAlreadyInvalidError).code).toBe('refresh_token_invalid');
    expectNoSecrets(error);
  });

  it.each([
    ['HTTP 200', 200],
    ['HTTP 400', 400],
    ['HTTP 429', 429],
    ['HTTP 503', 503],
  ])(
    'too_many_requests on %s → ZohoThrottledError: nothing was revoked, the token is alive',
    async (_, status) => {
      // Prepare
      const fake = answering(status, { status: 'failure', error: 'too_many_requests' });
      const client = createZohoAccountsClient({ fetch: fake.fetch });

      // Act
      const error = await caught(() => client.revokeRefreshToken(revoke));

      // Assess
      expect(error).toBeInstanceOf(ZohoThrottledError);
      expect(error).not.toBeInstanceOf(RefreshTokenAlreadyInvalidError);
      expect(error.message).toBe(
        `Zoho throttled token creation: revoke answered too_many_requests (HTTP ${status}); nothing was revoked, try again after the 10-minute window`,
      );
      expect(fake.calls).toHaveLength(1);
    },
  );

  it.each([200, 400, 503])(
    'invalid_token on HTTP %i → RefreshTokenAlreadyInvalidError, whatever the status',
    async (status) => {
      // Prepare
      const client = createZohoAccountsClient({ fetch: answering(status, { error: 'invalid_token' }).fetch });

      // Act
      const error = await caught(() => client.revokeRefreshToken(revoke));

      // Assess
      expect(error).toBeInstanceOf(RefreshTokenAlreadyInvalidError);
      expect(error.message).toContain(`(invalid_token, HTTP ${status})`);
    },
  );

  it.each([
    ['HTTP 502 page', 502, '<html>Bad Gateway</html>'],
    ['HTTP 503 JSON error', 503, { error: 'unavailable' }],
    ['HTTP 200 empty body', 200, ''],
  ])('%s → ZohoTransientError', async (_, status, body) => {
    // Prepare
    const client = createZohoAccountsClient({ fetch: answering(status, body).fetch });

    // Act
    const error = await caught(() => client.revokeRefreshToken(revoke));

    // Assess
    expect(error).toBeInstanceOf(ZohoTransientError);
    expect(error).not.toBeInstanceOf(RefreshTokenAlreadyInvalidError);
  });

  it('times out like every call', async () => {
    // Prepare
    const client = createZohoAccountsClient({ fetch: hangingUntilAborted().fetch, timeoutMs: 20 });

    // Act
    const error = await caught(() => client.revokeRefreshToken(revoke));

    // Assess
    expect(error).toBeInstanceOf(ZohoTransientError);
    expect((error as ZohoTransientError).code).toBe('timeout');
  });
});
