import { describe, expect, it } from 'vitest';
import { ZohoMalformedResponseError, ZohoTransientError } from '../../../functions/core/errors';
import { AT, caught, DOCUMENTED_SUCCESS as documented, expectNoSecrets, parseBody as parse } from './support';

describe('parseTokenResponse: success shapes of ZOHO.md §1', () => {
  it('parses the documented body', () => {
    // Act
    const grant = parse(200, documented);

    // Assess
    expect(grant).toStrictEqual({
      accessToken: AT,
      expiresInSeconds: 3600,
      apiDomain: 'https://www.zohoapis.com',
      tokenType: 'Bearer',
    });
  });

  it('keeps a space-separated scope when present', () => {
    // Act
    const grant = parse(200, { ...documented, scope: 'ZohoBooks.fullaccess.all ZohoBooks.settings.READ' });

    // Assess
    expect(grant.scope).toBe('ZohoBooks.fullaccess.all ZohoBooks.settings.READ');
    expect(grant.expiresInSeconds).toBe(3600);
  });

  it('leaves apiDomain out when api_domain is absent, so the stored one is kept', () => {
    // Prepare
    const { api_domain: _, ...withoutDomain } = documented;

    // Act
    const grant = parse(200, withoutDomain);

    // Assess
    expect(grant).toStrictEqual({ accessToken: AT, expiresInSeconds: 3600, tokenType: 'Bearer' });
    expect('apiDomain' in grant).toBe(false);
  });

  it('reads expires_in_sec when present: expires_in is then milliseconds', () => {
    // Act
    const grant = parse(200, { ...documented, expires_in_sec: 3600, expires_in: 3_600_000 });

    // Assess
    expect(grant.expiresInSeconds).toBe(3600);
  });

  it('decides success by the body, not the HTTP status', () => {
    // Act
    const grant = parse(400, documented);

    // Assess
    expect(grant.accessToken).toBe(AT);
  });

  it('ignores a refresh_token in a refresh answer: refresh tokens do not rotate', () => {
    // Act
    const grant = parse(200, { ...documented, refresh_token: 'test-rt-rotated' });

    // Assess
    expect(grant).not.toHaveProperty('refreshToken');
  });

  it.each(['http://127.0.0.1:8080', 'http://localhost:9', 'http://[::1]:4000'])(
    'accepts a plain http api_domain on the loopback host %s from a loopback accounts server (the simulator)',
    (apiDomain) => {
      // Act
      const grant = parse(
        200,
        { ...documented, api_domain: `${apiDomain}/` },
        { accountsServer: 'http://127.0.0.1:4599' },
      );

      // Assess
      expect(grant.apiDomain).toBe(apiDomain);
    },
  );

  it('says why a plain http api_domain is refused, naming the host', async () => {
    // Act
    const error = await caught(() => parse(200, { ...documented, api_domain: 'http://www.zohoapis.com' }));

    // Assess
    expect((error as Error).message).toContain(
      'api_domain www.zohoapis.com is plain http: consumers would send the access token in clear',
    );
  });

  it('defaults a missing token_type to Bearer', () => {
    // Prepare
    const { token_type: _, ...withoutType } = documented;

    // Act & Assess
    expect(parse(200, withoutType).tokenType).toBe('Bearer');
  });
});

describe('parseTokenResponse: untrustworthy expiry is malformed (transient, current token stays)', () => {
  it.each([
    ['expires_in missing', (({ expires_in: _, ...rest }) => rest)(documented)],
    ['expires_in a string', { ...documented, expires_in: '3600' }],
    ['expires_in zero', { ...documented, expires_in: 0 }],
    ['expires_in negative', { ...documented, expires_in: -3600 }],
    ['expires_in in ms without expires_in_sec', { ...documented, expires_in: 3_600_000 }],
    ['expires_in_sec a string', { ...documented, expires_in_sec: '3600', expires_in: 3_600_000 }],
    ['api_domain not a URL', { ...documented, api_domain: 'www.zohoapis.com' }],
    ['api_domain over plain http', { ...documented, api_domain: 'http://www.zohoapis.com' }],
    ['api_domain over http on a private address', { ...documented, api_domain: 'http://10.0.0.8:8080' }],
    ['api_domain on a loopback-looking name', { ...documented, api_domain: 'http://127.0.0.1.evil.example' }],
    ['api_domain of another scheme', { ...documented, api_domain: 'ftp://www.zohoapis.com' }],
  ])('%s → ZohoMalformedResponseError', async (_, body) => {
    // Act
    const error = await caught(() => parse(200, body));

    // Assess
    expect(error).toBeInstanceOf(ZohoMalformedResponseError);
    expect(error).toBeInstanceOf(ZohoTransientError);
    expect((error as ZohoMalformedResponseError).code).toBe('malformed_response');
    expectNoSecrets(error);
  });
});
