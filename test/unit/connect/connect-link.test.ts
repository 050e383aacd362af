import { describe, expect, it } from 'vitest';
import { cryptoLinkStates } from '../../../functions/aws/link-states';
import { PAGES, renderPage } from '../../../functions/connect/pages';
import {
  type ConnectLink,
  type ConsumedLink,
  createConnectLink,
  type LinkStore,
  normaliseBaseUrl,
} from '../../../functions/core/connect-link';
import { InvalidInputError } from '../../../functions/core/errors';
import { FakeClock } from '../../support/fakes';

class MemoryLinks implements LinkStore {
  readonly items = new Map<string, ConnectLink>();
  async put(link: ConnectLink) {
    this.items.set(link.stateHash, link);
  }
  async get(stateHash: string) {
    return this.items.get(stateHash);
  }
  async consume(): Promise<ConsumedLink> {
    throw new Error('not used here');
  }
}

const location = { dc: 'eu', accountsServer: 'https://accounts.zoho.eu' };

describe('createConnectLink', () => {
  it('stores only the hash of a 256-bit state, bound to id, client and data centre, for 30 minutes', async () => {
    // Prepare
    const links = new MemoryLinks();
    const clock = new FakeClock();
    // Act
    const issued = await createConnectLink({ links, states: cryptoLinkStates, clock }, 'https://x.example/', {
      connectionId: 'acme-books',
      clientRef: 'web',
      location,
    });
    // Assess
    const state = new URL(issued.url).searchParams.get('state') ?? '';
    expect(issued.url).toBe(`https://x.example/connect?state=${state}`);
    expect(Buffer.from(state, 'base64url')).toHaveLength(32);
    expect([...links.items.keys()]).toEqual([cryptoLinkStates.hash(state)]);
    expect(JSON.stringify([...links.items.values()])).not.toContain(state);
    expect(links.items.get(cryptoLinkStates.hash(state))).toEqual({
      stateHash: cryptoLinkStates.hash(state),
      connectionId: 'acme-books',
      clientRef: 'web',
      dc: 'eu',
      accountsServer: 'https://accounts.zoho.eu',
      scope: 'ZohoBooks.fullaccess.all',
      reauthorize: false,
      createdAt: clock.now(),
      expiresAt: clock.now() + 30 * 60_000,
    });
    expect(issued.expiresAt).toBe(clock.now() + 30 * 60_000);
  });

  it.each([
    [{ lifetimeMs: 59_000 }, 'a link lives between 1 minute and 7 days'],
    [{ lifetimeMs: 7 * 86_400_000 + 1 }, 'a link lives between 1 minute and 7 days'],
    [{ scope: 'ZohoBooks.fullaccess.all&redirect_uri=x' }, 'scope must be Zoho scope names'],
    [{ connectionId: '../x' }, 'connection id must be'],
  ])('refuses %j and stores nothing', async (change, message) => {
    // Prepare
    const links = new MemoryLinks();
    // Act
    const made = createConnectLink(
      { links, states: cryptoLinkStates, clock: new FakeClock() },
      'https://x.example',
      {
        connectionId: 'acme-books',
        clientRef: 'web',
        location,
        ...change,
      },
    );
    // Assess
    await expect(made).rejects.toThrow(InvalidInputError);
    await expect(made).rejects.toThrow(message);
    expect(links.items.size).toBe(0);
  });
});

describe('normaliseBaseUrl', () => {
  it.each([
    ['https://abc.lambda-url.eu-west-1.on.aws/', 'https://abc.lambda-url.eu-west-1.on.aws'],
    ['https://example.com/zoho/', 'https://example.com/zoho'],
    ['http://127.0.0.1:8790', 'http://127.0.0.1:8790'],
    ['http://localhost:8790/', 'http://localhost:8790'],
  ])('keeps %s as %s', (given, expected) => {
    expect(normaliseBaseUrl(given)).toBe(expected);
  });

  it.each([
    'http://example.com',
    'https://example.com/?a=1',
    'https://user:pw@example.com',
    'ftp://x',
    'nope',
  ])('refuses %s: a state must not travel in the clear or into a look-alike URL', (given) => {
    expect(() => normaliseBaseUrl(given)).toThrow(InvalidInputError);
  });
});

describe('pages', () => {
  it('gives every page its status, and no page a placeholder to fill from the request', () => {
    // Act
    const statuses = Object.fromEntries(
      Object.keys(PAGES).map((kind) => [kind, renderPage(kind as never).status]),
    );
    // Assess
    expect(statuses).toEqual({
      connected: 200,
      denied: 403,
      invalid_request: 400,
      link_unknown: 404,
      link_used: 410,
      link_expired: 410,
      wrong_data_centre: 400,
      zoho_error: 502,
      code_rejected: 400,
      unavailable: 503,
      not_stored: 500,
      rate_limited: 429,
      not_found: 404,
      method_not_allowed: 405,
      internal_error: 500,
    });
    for (const kind of Object.keys(PAGES))
      expect(renderPage(kind as never).html).not.toMatch(/\$\{|undefined/);
  });
});
