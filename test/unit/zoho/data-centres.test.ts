import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../functions/core/errors';
import {
  CUSTOM_DC,
  isAllowedAccountsServer,
  normaliseAccountsServer,
  resolveDataCentre,
  ZOHO_DATA_CENTRES,
} from '../../../functions/zoho/data-centres';
import { caught } from './support';

// Written out again from ZOHO.md §4 on purpose: a typo in the implementation's table must fail here.
const EXPECTED = [
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

describe('ZOHO_DATA_CENTRES', () => {
  it('holds exactly the nine data centres of ZOHO.md §4', () => {
    // Act
    const rows = ZOHO_DATA_CENTRES.map((entry) => [entry.dc, entry.accountsServer, entry.apiDomain]);

    // Assess
    expect(rows).toEqual(EXPECTED.map((row) => [...row]));
  });
});

describe('resolveDataCentre', () => {
  it.each(EXPECTED)('resolves dc %s to %s and %s', (dc, accountsServer, apiDomain) => {
    // Act
    const resolved = resolveDataCentre({ dc });

    // Assess
    expect(resolved).toStrictEqual({ dc, accountsServer, apiDomain });
  });

  it.each(EXPECTED)(
    'maps the accounts server of %s (with a trailing slash) back to its dc',
    (dc, accountsServer, apiDomain) => {
      // Act
      const resolved = resolveDataCentre({ accountsServer: `${accountsServer}/` });

      // Assess
      expect(resolved).toStrictEqual({ dc, accountsServer, apiDomain });
    },
  );

  it('sends Canada to accounts.zohocloud.ca and its API to www.zohoapis.ca', () => {
    // Act
    const resolved = resolveDataCentre({ dc: 'CA' });

    // Assess
    expect(resolved).toStrictEqual({
      dc: 'ca',
      accountsServer: 'https://accounts.zohocloud.ca',
      apiDomain: 'https://www.zohoapis.ca',
    });
  });

  it('refuses the wrong Canadian host accounts.zoho.ca that n8n and Airbyte built', async () => {
    // Act
    const error = await caught(() => resolveDataCentre({ accountsServer: 'https://accounts.zoho.ca' }));

    // Assess
    expect(error).toBeInstanceOf(InvalidInputError);
  });

  it('normalises case, path and query of a Zoho accounts server to its origin', () => {
    // Act
    const resolved = resolveDataCentre({ accountsServer: ' HTTPS://Accounts.Zoho.EU/oauth/v2/token?x=1 ' });

    // Assess
    expect(resolved).toStrictEqual({
      dc: 'eu',
      accountsServer: 'https://accounts.zoho.eu',
      apiDomain: 'https://www.zohoapis.eu',
    });
  });

  it.each([
    ['both', { dc: 'eu', accountsServer: 'https://accounts.zoho.eu' }],
    ['neither', {}],
    ['empty strings', { dc: '', accountsServer: '' }],
  ])('refuses %s of dc and accountsServer', async (_, input) => {
    // Act
    const error = await caught(() => resolveDataCentre(input));

    // Assess
    expect(error).toBeInstanceOf(InvalidInputError);
  });

  it.each(['xx', 'custom', 'zoho.com'])('refuses the unknown dc %s', async (dc) => {
    // Act
    const error = await caught(() => resolveDataCentre({ dc }));

    // Assess
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toContain('us, eu, in, au, jp, ca, sa, uk, cn');
  });

  it.each([
    'https://evil.example',
    'https://accounts.zoho.com.evil.example',
    'https://accounts.zoho.com@evil.example',
    'https://accounts.zoho.com:8443',
    'http://accounts.zoho.com',
    'ftp://accounts.zoho.com',
    'not a url',
  ])('refuses %s when no custom server is allowed', async (accountsServer) => {
    // Act
    const error = await caught(() => resolveDataCentre({ accountsServer }));

    // Assess
    expect(error).toBeInstanceOf(InvalidInputError);
  });

  it('resolves an explicitly allowed custom server to dc custom without an api domain', () => {
    // Act
    const resolved = resolveDataCentre({
      accountsServer: 'http://127.0.0.1:8765/',
      allowedCustomServers: ['http://127.0.0.1:8765'],
    });

    // Assess
    expect(resolved).toStrictEqual({ dc: CUSTOM_DC, accountsServer: 'http://127.0.0.1:8765' });
    expect(resolved.apiDomain).toBeUndefined();
  });

  it('refuses a custom server on another port than the allowed one', async () => {
    // Act
    const error = await caught(() =>
      resolveDataCentre({
        accountsServer: 'http://127.0.0.1:9999',
        allowedCustomServers: ['http://127.0.0.1:8765'],
      }),
    );

    // Assess
    expect(error).toBeInstanceOf(InvalidInputError);
  });

  it('refuses a Zoho host over http even when the operator listed it', async () => {
    // Act
    const error = await caught(() =>
      resolveDataCentre({
        accountsServer: 'http://accounts.zoho.eu',
        allowedCustomServers: ['http://accounts.zoho.eu'],
      }),
    );

    // Assess
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toContain('https');
  });
});

describe('isAllowedAccountsServer', () => {
  it.each(EXPECTED)('allows the %s accounts server %s', (_, accountsServer) => {
    // Act & Assess
    expect(isAllowedAccountsServer(accountsServer, [])).toBe(true);
  });

  it.each([
    ['https://evil.example', []],
    ['https://accounts.zoho.com.evil.example', []],
    ['https://accounts.zoho.com@evil.example', ['https://evil.example']],
    ['http://accounts.zoho.com', ['http://accounts.zoho.com']],
    ['https://accounts.zoho.com:8443', []],
    ['http://127.0.0.1:9999', ['http://127.0.0.1:8765']],
    ['https://127.0.0.1:8765', ['http://127.0.0.1:8765']],
    ['', []],
    ['not a url', ['not a url']],
  ])('refuses %s (allowed: %j)', (url, allowed) => {
    // Act & Assess
    expect(isAllowedAccountsServer(url, allowed)).toBe(false);
  });

  it('allows a custom server only when it is listed, whatever the trailing slash', () => {
    // Act
    const listed = isAllowedAccountsServer('http://127.0.0.1:8765/', ['http://127.0.0.1:8765']);
    const unlisted = isAllowedAccountsServer('http://127.0.0.1:8765/', []);

    // Assess
    expect(listed).toBe(true);
    expect(unlisted).toBe(false);
  });
});

describe('normaliseAccountsServer', () => {
  it('keeps the origin only, without a trailing slash', () => {
    // Act & Assess
    expect(normaliseAccountsServer('https://accounts.zoho.com.au/some/path/?q=1#f')).toBe(
      'https://accounts.zoho.com.au',
    );
  });
});
