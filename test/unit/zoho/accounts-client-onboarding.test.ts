import { describe, expect, it } from 'vitest';
import { MisconfiguredClientError } from '../../../functions/core/errors';
import { createZohoAccountsClient } from '../../../functions/zoho/accounts-client';
import { GrantCodeRejectedError, NoRefreshTokenGrantedError } from '../../../functions/zoho/errors';
import { answering, caught, expectNoSecrets, formOf } from './support';

const exchange = {
  accountsServer: 'https://accounts.zoho.eu',
  clientId: '1000.CLIENTID',
  clientSecret: 'test-cs-onboarding',
  code: 'test-code-1000.onb.oard',
};
const granted = {
  access_token: 'test-at-onboarding',
  refresh_token: 'test-rt-onboarding',
  expires_in: 3600,
  api_domain: 'https://www.zohoapis.eu',
  token_type: 'Bearer',
};

describe('exchangeGrantCodeForRefreshToken', () => {
  it('returns the refresh token and the grant of a sound answer', async () => {
    // Prepare
    const fake = answering(200, granted);
    const client = createZohoAccountsClient({ fetch: fake.fetch });

    // Act
    const result = await client.exchangeGrantCodeForRefreshToken(exchange);

    // Assess
    expect(result.refreshToken).toBe('test-rt-onboarding');
    expect(result.grant).toMatchObject({ accessToken: 'test-at-onboarding', expiresInSeconds: 3600 });
    expect(formOf(fake.calls[0])).toMatchObject({ grant_type: 'authorization_code', code: exchange.code });
  });

  it.each([
    { ...granted, expires_in: '3600' },
    { ...granted, expires_in: undefined },
    { ...granted, api_domain: 'not a url' },
    { ...granted, api_domain: 'https://www.zohoapis.com' },
    { ...granted, access_token: 'test-at-with space' },
    { ...granted, expires_in: 60 },
  ])('keeps the refresh token of a spent code when the rest is malformed: %#', async (body) => {
    // Prepare
    const client = createZohoAccountsClient({ fetch: answering(200, body).fetch });

    // Act
    const result = await client.exchangeGrantCodeForRefreshToken(exchange);

    // Assess
    expect(result).toEqual({ refreshToken: 'test-rt-onboarding' });
  });

  it.each([
    [{ error: 'invalid_code' }, GrantCodeRejectedError],
    [{ error: 'invalid_client' }, MisconfiguredClientError],
    [{ ...granted, refresh_token: undefined }, NoRefreshTokenGrantedError],
  ])('throws like exchangeGrantCode for %j', async (body, errorClass) => {
    // Prepare
    const client = createZohoAccountsClient({ fetch: answering(200, body).fetch });

    // Act
    const error = await caught(() => client.exchangeGrantCodeForRefreshToken(exchange));

    // Assess
    expect(error).toBeInstanceOf(errorClass);
    expectNoSecrets(error);
  });
});
