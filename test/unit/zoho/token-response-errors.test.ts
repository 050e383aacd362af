import { describe, expect, it } from 'vitest';
import {
  MisconfiguredClientError,
  ReauthorizationRequiredError,
  ZohoMalformedResponseError,
  ZohoThrottledError,
  ZohoTransientError,
} from '../../../functions/core/errors';
import { parseTokenResponse } from '../../../functions/zoho/token-response';
import { AT, caught, DOCUMENTED_SUCCESS as documented, expectNoSecrets, parseBody as parse } from './support';

describe('parseTokenResponse: error rows of ZOHO.md §2', () => {
  it('invalid_code → ReauthorizationRequiredError', async () => {
    // Act
    const error = await caught(() => parse(200, { error: 'invalid_code' }));

    // Assess
    expect(error).toBeInstanceOf(ReauthorizationRequiredError);
    expect(error.message).toContain('invalid_code');
  });

  it('invalid_client → MisconfiguredClientError that says to check the data centre first', async () => {
    // Act
    const error = await caught(() => parse(200, { error: 'invalid_client' }));

    // Assess
    expect(error).toBeInstanceOf(MisconfiguredClientError);
    expect((error as MisconfiguredClientError).zohoError).toBe('invalid_client');
    expect(error.message).toContain('check the data centre first');
  });

  it('invalid_client_secret → MisconfiguredClientError', async () => {
    // Act
    const error = await caught(() => parse(200, { error: 'invalid_client_secret' }));

    // Assess
    expect(error).toBeInstanceOf(MisconfiguredClientError);
    expect((error as MisconfiguredClientError).zohoError).toBe('invalid_client_secret');
  });

  const oldThrottle = {
    error: 'Access Denied',
    error_description: 'You have made too many requests continuously. Please try again after some time.',
    status: 'failure',
  };

  it('throttle, old wording, HTTP 400 → ZohoThrottledError', async () => {
    // Act
    const error = await caught(() => parse(400, oldThrottle));

    // Assess
    expect(error).toBeInstanceOf(ZohoThrottledError);
    expect((error as ZohoThrottledError).code).toBe('throttled');
  });

  it('throttle, old wording, HTTP 200 → ZohoThrottledError', async () => {
    // Act
    const error = await caught(() => parse(200, oldThrottle));

    // Assess
    expect(error).toBeInstanceOf(ZohoThrottledError);
  });

  it('throttle, new wording without status → ZohoThrottledError', async () => {
    // Act
    const error = await caught(() =>
      parse(200, {
        error: 'Access Denied',
        error_description:
          'Token creation throttle limit reached. Please reuse the valid tokens you currently have.',
      }),
    );

    // Assess
    expect(error).toBeInstanceOf(ZohoThrottledError);
  });

  it('throttle, Chinese localised, HTTP 400 → ZohoThrottledError', async () => {
    // Act
    const error = await caught(() =>
      parse(400, {
        error: '拒绝访问',
        error_description: '您已连续提出过多请求，请稍后再试。',
        status: 'failure',
      }),
    );

    // Assess
    expect(error).toBeInstanceOf(ZohoThrottledError);
    expect(error.message).toContain('拒绝访问');
  });

  it.each([
    [
      'an unknown error with a description (another language)',
      200,
      { error: 'Zugriff verweigert', error_description: 'x' },
    ],
    ['status failure alone', 200, { status: 'failure' }],
    ['an unknown error on HTTP 429', 429, { error: 'slow down' }],
    ['an unknown error on HTTP 400', 400, { error: 'Access Denied' }],
  ])('classifies %s as throttled by the rule, not by words', async (_, status, body) => {
    // Act
    const error = await caught(() => parse(status, body));

    // Assess
    expect(error).toBeInstanceOf(ZohoThrottledError);
  });

  it.each([
    ['an HTML page', 200, '<!DOCTYPE html><html><body>Service unavailable</body></html>'],
    ['half JSON holding an access token', 200, `{"access_token":"${AT}","expires_in":36`],
    ['an empty body', 200, ''],
    ['JSON without access_token or error', 200, { token_type: 'Bearer', expires_in: 3600 }],
    ['a 502 page', 502, '<html><head><title>502 Bad Gateway</title></head></html>'],
    ['a 502 with a JSON error and description', 502, { error: 'Bad Gateway', error_description: 'upstream' }],
    ['an unknown error without any sign of a refusal', 200, { error: 'something_new' }],
    ['a JSON array', 200, [AT]],
    ['an empty access_token', 200, { ...documented, access_token: '' }],
  ])('%s → ZohoTransientError, body not echoed', async (_, status, body) => {
    // Act
    const error = await caught(() => parse(status, body));

    // Assess
    expect(error).toBeInstanceOf(ZohoTransientError);
    expect(error).not.toBeInstanceOf(ZohoMalformedResponseError);
    expect(error).not.toBeInstanceOf(ZohoThrottledError);
    expect(error.message).not.toContain('<');
    expect(error.message).toContain(`HTTP ${status}`);
    expectNoSecrets(error);
  });

  it.each([
    ['invalid_grant', ReauthorizationRequiredError],
    ['invalid_redirect_uri', MisconfiguredClientError],
    ['unsupported_grant_type', MisconfiguredClientError],
    ['invalid_request', MisconfiguredClientError],
    ['unauthorized_client', MisconfiguredClientError],
  ])('other OAuth code %s → %o', async (code, errorClass) => {
    // Act
    const error = await caught(() => parse(400, { error: code, error_description: 'described' }));

    // Assess
    expect(error).toBeInstanceOf(errorClass);
  });
});

describe('parseTokenResponse: the seed table names, whatever the HTTP status', () => {
  const STATUSES = [200, 400, 401, 429, 500, 503];

  it.each(STATUSES)(
    'invalid_token on HTTP %i → ReauthorizationRequiredError: the refresh token was revoked',
    async (status) => {
      // Act
      const error = await caught(() => parse(status, { error: 'invalid_token' }));

      // Assess
      expect(error).toBeInstanceOf(ReauthorizationRequiredError);
      expect((error as ReauthorizationRequiredError).code).toBe('reauthorization_required');
      expect(error.message).toContain('(invalid_token)');
    },
  );

  it.each(STATUSES)(
    'too_many_requests on HTTP %i → ZohoThrottledError: wait the window, no retries',
    async (status) => {
      // Act
      const error = await caught(() => parse(status, { error: 'too_many_requests' }));

      // Assess
      expect(error).toBeInstanceOf(ZohoThrottledError);
      expect(error).not.toBeInstanceOf(ZohoTransientError);
      expect(error.message).toBe(`Zoho throttled token creation: too_many_requests (HTTP ${status})`);
    },
  );

  it('reads a name written in capitals or padded with spaces like the name itself', async () => {
    // Act
    const revoked = await caught(() => parse(200, { error: ' INVALID_TOKEN ' }));
    const throttled = await caught(() => parse(200, { error: 'Too_Many_Requests' }));

    // Assess
    expect(revoked).toBeInstanceOf(ReauthorizationRequiredError);
    expect(throttled).toBeInstanceOf(ZohoThrottledError);
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    'does not take %s for a known name (no lookup reaches Object.prototype)',
    async (name) => {
      // Act
      const error = await caught(() => parse(200, JSON.stringify({ error: name })));

      // Assess: an unknown error with no sign of a refusal is transient
      expect(error).toBeInstanceOf(ZohoTransientError);
      expect(error).not.toBeInstanceOf(MisconfiguredClientError);
    },
  );
});

describe('parseTokenResponse: messages', () => {
  it('redacts echoed secrets and Zoho-shaped tokens from a description', async () => {
    // Act
    const error = await caught(() =>
      parseTokenResponse(
        400,
        JSON.stringify({
          error: 'Access Denied',
          error_description:
            'bad test-rt-abcdef and test-cs-123456 near 1000.0123456789abcdef.0123456789abcdef',
        }),
        { redact: ['test-rt-abcdef', 'test-cs-123456'] },
      ),
    );

    // Assess
    expect(error).toBeInstanceOf(ZohoThrottledError);
    expectNoSecrets(error);
    expect(error.message).not.toContain('1000.0123456789abcdef');
    expect(error.message.match(/\[redacted\]/g)).toHaveLength(3);
  });

  it('caps a long description', async () => {
    // Act
    const error = await caught(() =>
      parse(400, { error: 'Access Denied', error_description: 'x'.repeat(5000) }),
    );

    // Assess
    expect(error.message.length).toBeLessThan(400);
  });
});
