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
