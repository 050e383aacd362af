import { describe, expect, it } from 'vitest';
import { ZohoMalformedResponseError, ZohoTransientError } from '../../../functions/core/errors';
import { AT, caught, DOCUMENTED_SUCCESS as documented, expectNoSecrets, parseBody as parse } from './support';

/** A refresh answer of the US data centre, unless a test says where it came from. */
const US = { accountsServer: 'https://accounts.zoho.com' } as const;
const SIMULATOR = { accountsServer: 'http://127.0.0.1:4599' } as const;

async function malformed(body: unknown, source: Parameters<typeof parse>[2] = US): Promise<Error> {
  const error = await caught(() => parse(200, body, source));
  expect(error).toBeInstanceOf(ZohoMalformedResponseError);
  return error;
}

describe('access_token: printable ASCII, no whitespace, at most 2048 characters', () => {
  const PRINTABLE = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).join('');

  it.each([
    ['a Zoho-shaped token', '1000.0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210'],
    ['every printable ASCII character', PRINTABLE],
    ['2048 characters', 'x'.repeat(2048)],
  ])('accepts %s', (_, accessToken) => {
    // Act
    const grant = parse(200, { ...documented, access_token: accessToken }, US);

    // Assess
    expect(grant.accessToken).toBe(accessToken);
  });

  it.each([
    ['a space inside', 'test-at-one two'],
    ['a trailing space', 'test-at-trailing '],
    ['a leading tab', '\ttest-at-tabbed'],
    ['a header injection', 'test-at-crlf\r\nX-Injected: 1'],
    ['a NUL', 'test-at-nul\u0000'],
    ['DEL', 'test-at-del\u007f'],
    ['a non-ASCII letter', 'test-at-café'],
    ['a non-breaking space', 'test-at-nb\u00a0sp'],
    ['2049 characters', `test-at-${'x'.repeat(2041)}`],
    ['only whitespace', '   '],
  ])('refuses %s, without quoting it', async (_, accessToken) => {
    // Act
    const error = await malformed({ ...documented, access_token: accessToken });

    // Assess
    expect(error.message).toMatch(/access_token (holds|has)/);
    expect(error.message).not.toContain(accessToken);
    expectNoSecrets(error);
  });

  it.each([
    ['a number', 1000],
    ['an object', { token: AT }],
    ['true', true],
  ])('refuses an access_token that is %s as malformed, not as an error answer', async (_, accessToken) => {
    // Act
    const error = await malformed({ ...documented, access_token: accessToken });

    // Assess
    expect(error.message).toContain('access_token is not a string');
  });

  it.each([
    ['empty', ''],
    ['null', null],
  ])('treats an %s access_token as no access token: an answer without one is transient', async (_, value) => {
    // Act
    const error = await caught(() => parse(200, { ...documented, access_token: value }, US));

    // Assess
    expect(error).toBeInstanceOf(ZohoTransientError);
    expect(error).not.toBeInstanceOf(ZohoMalformedResponseError);
  });
});

describe('expires_in: whole seconds, at least 300 (10 on loopback), at most a day', () => {
  it.each([300, 3599, 3600, 86_400])('accepts %i s from Zoho', (expiresIn) => {
    // Act
    const grant = parse(200, { ...documented, expires_in: expiresIn }, US);

    // Assess
    expect(grant.expiresInSeconds).toBe(expiresIn);
  });

  it.each([
    ['just below the floor', { expires_in: 299 }, 'below the 300 s floor'],
    ['one second', { expires_in: 1 }, 'below the 300 s floor'],
    ['zero', { expires_in: 0 }, 'below the 300 s floor'],
    ['negative', { expires_in: -3600 }, 'below the 300 s floor'],
    ['a fraction', { expires_in: 3600.5 }, 'is not a whole number of seconds'],
    ['just over a day', { expires_in: 86_401 }, 'more than a day'],
    ['milliseconds without expires_in_sec', { expires_in: 3_600_000 }, 'more than a day'],
    ['beyond the safe integers', { expires_in: 1e21 }, 'more than a day'],
    ['a fraction in expires_in_sec', { expires_in_sec: 3600.5, expires_in: 3_600_500 }, 'expires_in_sec of'],
    ['a tiny expires_in_sec', { expires_in_sec: 60, expires_in: 60_000 }, 'expires_in_sec of 60 s is below'],
  ])('refuses %s', async (_, expiry, expected) => {
    // Act
    const error = await malformed({ ...documented, ...expiry });

    // Assess
    expect(error.message).toContain(expected);
    expectNoSecrets(error);
  });

  it('reads expires_in_sec, not the milliseconds of expires_in, when both are present', () => {
    // Act
    const grant = parse(200, { ...documented, expires_in_sec: 3600, expires_in: 3_600_000 }, US);

    // Assess
    expect(grant.expiresInSeconds).toBe(3600);
  });

  it('accepts 10 s from a loopback accounts server: the sandbox shortest --token-lifetime', () => {
    // Act
    const grant = parse(200, { ...documented, api_domain: undefined, expires_in: 10 }, SIMULATOR);

    // Assess
    expect(grant.expiresInSeconds).toBe(10);
  });

  it('refuses 9 s even from a loopback accounts server', async () => {
    // Act
    const error = await malformed({ ...documented, api_domain: undefined, expires_in: 9 }, SIMULATOR);

    // Assess
    expect(error.message).toContain('expires_in of 9 s is below the 10 s floor');
  });

  it('holds a custom server off loopback to the 300 s floor', async () => {
    // Act
    const error = await malformed(
      { ...documented, api_domain: undefined, expires_in: 60 },
      {
        accountsServer: 'https://accounts.example.test',
        allowedCustomOrigins: ['https://accounts.example.test'],
      },
    );

    // Assess
    expect(error.message).toContain('below the 300 s floor');
  });
});

// Written out again from ZOHO.md §4 on purpose: a typo in the implementation's table must fail here.
const DATA_CENTRES = [
  ['us', 'https://accounts.zoho.com', 'https://www.zohoapis.com'],
  ['eu', 'https://accounts.zoho.eu', 'https://www.zohoapis.eu'],
  ['in', 'https://accounts.zoho.in', 'https://www.zohoapis.in'],
  ['au', 'https://accounts.zoho.com.au', 'https://www.zohoapis.com.au'],
  ['jp', 'https://accounts.zoho.jp', 'https://www.zohoapis.jp'],
  ['ca', 'https://accounts.zohocloud.ca', 'https://www.zohoapis.ca'],
  ['sa', 'https://accounts.zoho.sa', 'https://www.zohoapis.sa'],
  ['uk', 'https://accounts.zoho.uk', 'https://www.zohoapis.uk'],
  ['cn', 'https://accounts.zoho.com.cn', 'https://www.zohoapis.com.cn'],
] as const;

describe('api_domain: a Zoho API host of the connection data centre', () => {
  it.each(DATA_CENTRES)('%s: accepts its own API domain %s → %s', (_, accountsServer, apiDomain) => {
    // Act
    const grant = parse(200, { ...documented, api_domain: apiDomain }, { accountsServer });

    // Assess
    expect(grant.apiDomain).toBe(apiDomain);
  });

  it.each(DATA_CENTRES.map((row, i) => [row[0], row[1], DATA_CENTRES[(i + 1) % DATA_CENTRES.length]?.[2]]))(
    '%s: refuses the next data centre API domain',
    async (_, accountsServer, otherApiDomain) => {
      // Act
      const error = await malformed({ ...documented, api_domain: otherApiDomain }, { accountsServer });

      // Assess
      expect(error.message).toContain("is not a Zoho API host of the connection's data centre");
    },
  );

  it.each([
    ['the zone itself', 'https://zohoapis.com', 'https://zohoapis.com'],
    ['another Zoho API host of the zone', 'https://sandbox.zohoapis.com', 'https://sandbox.zohoapis.com'],
    ['a trailing slash', 'https://www.zohoapis.com/', 'https://www.zohoapis.com'],
    ['capitals', 'https://WWW.ZohoApis.COM', 'https://www.zohoapis.com'],
    ['the default port written out', 'https://www.zohoapis.com:443', 'https://www.zohoapis.com'],
  ])('accepts %s as its origin', (_, apiDomain, origin) => {
    // Act
    const grant = parse(200, { ...documented, api_domain: apiDomain }, US);

    // Assess
    expect(grant.apiDomain).toBe(origin);
  });

  it.each([
    ['a lookalike suffix', 'https://www.zohoapis.com.evil.example', 'is not a Zoho API host'],
    ['a lookalike prefix', 'https://evilzohoapis.com', 'is not a Zoho API host'],
    ['a hyphenated lookalike', 'https://www-zohoapis.com', 'is not a Zoho API host'],
    ['Australia for the US', 'https://www.zohoapis.com.au', 'is not a Zoho API host'],
    ['China for the US', 'https://www.zohoapis.com.cn', 'is not a Zoho API host'],
    ['a Zoho host that is not an API host', 'https://accounts.zoho.com', 'is not a Zoho API host'],
    ['a loopback host', 'http://127.0.0.1:8080', 'is not a Zoho API host'],
    ['a port', 'https://www.zohoapis.com:8443', 'is not a Zoho API host'],
    ['credentials', 'https://user:pw@www.zohoapis.com', 'carries credentials'],
    ['a credential disguise', 'https://www.zohoapis.com@evil.example', 'carries credentials'],
    ['a path', 'https://www.zohoapis.com/books/v3', 'has a path, query or fragment'],
    ['a query', 'https://www.zohoapis.com/?next=evil', 'has a path, query or fragment'],
    ['a fragment', 'https://www.zohoapis.com/#x', 'has a path, query or fragment'],
    ['plain http', 'http://www.zohoapis.com', 'is plain http'],
    ['another scheme', 'ftp://www.zohoapis.com', 'is not an https URL'],
    ['no scheme', 'www.zohoapis.com', 'is not a URL'],
    ['a number', 443, 'is not a string'],
  ])('refuses %s', async (_, apiDomain, expected) => {
    // Act
    const error = await malformed({ ...documented, api_domain: apiDomain });

    // Assess
    expect(error.message).toContain(expected);
    expectNoSecrets(error);
  });

  it('never quotes the access token, even in a host built from it', async () => {
    // Prepare
    const accessToken = 'test-at-hostpart';

    // Act
    const error = await malformed({
      ...documented,
      access_token: accessToken,
      api_domain: `https://${accessToken}.evil.example`,
    });

    // Assess
    expect(error.message).not.toContain(accessToken);
    expect(error.message).toContain('[redacted].evil.example');
  });

  it.each([undefined, null, ''])('keeps the stored one when api_domain is %j', (apiDomain) => {
    // Act
    const grant = parse(200, { ...documented, api_domain: apiDomain }, US);

    // Assess
    expect('apiDomain' in grant).toBe(false);
  });

  it('accepts any data centre API host when the source is unknown, and still no lookalike', async () => {
    // Act
    const grant = parse(200, { ...documented, api_domain: 'https://www.zohoapis.sa' });
    const error = await caught(() => parse(200, { ...documented, api_domain: 'https://www.zohoapis.evil' }));

    // Assess
    expect(grant.apiDomain).toBe('https://www.zohoapis.sa');
    expect(error).toBeInstanceOf(ZohoMalformedResponseError);
  });
});

describe('api_domain: a custom accounts server names only origins the operator allowed', () => {
  const custom = {
    accountsServer: 'https://accounts.example.test',
    allowedCustomOrigins: ['https://accounts.example.test', 'https://api.example.test/'],
  };

  it.each([
    ['an allowed origin', 'https://api.example.test', 'https://api.example.test'],
    ['its own origin', 'https://accounts.example.test/', 'https://accounts.example.test'],
    ['a Zoho API host (a proxy in front of Zoho)', 'https://www.zohoapis.eu', 'https://www.zohoapis.eu'],
  ])('accepts %s', (_, apiDomain, origin) => {
    // Act
    const grant = parse(200, { ...documented, api_domain: apiDomain }, custom);

    // Assess
    expect(grant.apiDomain).toBe(origin);
  });

  it.each([
    ['an origin nobody allowed', 'https://other.example.test'],
    ['an allowed host on another port', 'https://api.example.test:8443'],
    ['a loopback origin', 'http://127.0.0.1:9000'],
  ])('refuses %s', async (_, apiDomain) => {
    // Act
    const error = await malformed({ ...documented, api_domain: apiDomain }, custom);

    // Assess
    expect(error.message).toContain('nor an allowed origin');
  });

  it('lets a loopback accounts server (the simulator) name any loopback origin, and nothing else', async () => {
    // Act
    const grant = parse(200, { ...documented, api_domain: 'http://127.0.0.1:38055' }, SIMULATOR);
    const error = await malformed({ ...documented, api_domain: 'https://evil.example' }, SIMULATOR);

    // Assess
    expect(grant.apiDomain).toBe('http://127.0.0.1:38055');
    expect(error.message).toContain('https://evil.example'.slice(8));
  });
});
