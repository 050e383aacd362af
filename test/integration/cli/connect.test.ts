import { describe, expect, it } from 'vitest';
import { accessTokenSecretName } from '../../../functions/aws/names';
import { runCli } from './cli-run';
import { CLIENT_ID, CLIENT_SECRET, useCliWorld } from './cli-world';

let skewMs = 0;
const world = useCliWorld({ sim: { now: () => Date.now() + skewMs } });

const code = (dc: 'us' | 'eu' = 'us') => world.sim.issueGrantCode({ clientId: CLIENT_ID, dc });
const connect = (id: string, ...extra: string[]) =>
  world.localCustom('connect', '--id', id, '--client', 'books', '--code', '-', ...extra);
const us = () => ['--accounts-server', world.accountsServer('us')];

describe('zoho-tokens connect', () => {
  it('exchanges the code, registers the connection, refreshes it and says how consumers read it', async () => {
    // Prepare
    await world.putClient();
    world.sim.resetCounters();

    // Act
    const result = await runCli(connect('acme', ...us()), { stdin: code() });

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `Registered connection 'acme' (custom, ${world.accountsServer('us')}, client app 'books')`,
    );
    expect(result.stdout).toContain('First refresh: token version 1, expires in 1h');
    expect(result.stdout).toContain(`secret   ${accessTokenSecretName('zoho-token-refresher', 'acme')}`);
    expect(result.stdout).toContain(
      "zohoTokenMiddleware({ connectionId: 'acme', eventBusName: 'zoho-token-refresher' })",
    );
    expect(world.sim.calls.tokenByGrantType).toEqual({ authorization_code: 1, refresh_token: 1 });
    const stored = await world.store.get('acme');
    expect(stored).toMatchObject({ status: 'active', version: 1, dc: 'custom', clientRef: 'books' });
    // The custom server's API domain came from the first refresh, not the placeholder.
    expect(stored?.apiDomain).toBe(world.sim.apiDomain('us'));
    expect(result.stdout + result.stderr).not.toMatch(/sim-rt-|sim-at-|sim-gc-/);
  });

  it('names a non-default secret prefix in the consumer snippet, which would otherwise read the wrong secret', async () => {
    // Prepare: the client app lives under the prefix too
    const prefix = ['--secret-prefix', 'team-a/zoho'];
    const put = ['clients', 'put', '--client', 'books', '--client-id', CLIENT_ID, '--client-secret', '-'];
    expect((await runCli(world.local(...put, ...prefix), { stdin: CLIENT_SECRET })).code).toBe(0);

    // Act
    const result = await runCli(connect('acme-prefix', ...us(), ...prefix), {
      stdin: code(),
    });

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('secret   team-a/zoho/acme-prefix/access-token');
    expect(result.stdout).toContain(
      "zohoTokenMiddleware({ connectionId: 'acme-prefix', eventBusName: 'zoho-token-refresher', secretPrefix: 'team-a/zoho' })",
    );
  });

  it('prints JSON with --json', async () => {
    // Act
    const result = await runCli(connect('acme-json', ...us(), '--json'), { stdin: code() });

    // Assess
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({
      connectionId: 'acme-json',
      dc: 'custom',
      accountsServer: world.accountsServer('us'),
      clientRef: 'books',
      reactivated: false,
      secretName: 'zoho-token-refresher/acme-json/access-token',
      firstRefresh: { outcome: 'refreshed', version: 1 },
    });
  });

  it('takes the code from ZOHO_GRANT_CODE', async () => {
    // Act
    const result = await runCli(
      world.localCustom('connect', '--id', 'acme-env', '--client', 'books', ...us()),
      {
        env: { ZOHO_GRANT_CODE: code() },
      },
    );

    // Assess
    expect(result.code).toBe(0);
    expect((await world.store.get('acme-env'))?.version).toBe(1);
  });

  it('says the code has expired and what to do, and registers nothing', async () => {
    // Prepare
    const stale = code();
    skewMs = 4 * 60_000;

    // Act
    const result = await runCli(connect('acme-late', ...us()), { stdin: stale }).finally(() => {
      skewMs = 0;
    });

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'zoho-tokens: Zoho rejected the grant code (invalid_code): it expired or was already used',
    );
    expect(result.stderr).toContain('hint: Self Client: Zoho API console → Self Client → Generate Code');
    expect(await world.store.get('acme-late')).toBeUndefined();
  });

  it('refuses a code used twice', async () => {
    // Prepare
    const once = code();
    await runCli(connect('acme-once', ...us()), { stdin: once });

    // Act
    const result = await runCli(connect('acme-twice', ...us()), { stdin: once });

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('it expired or was already used');
  });

  it('says to check the accounts server when the code is exchanged at the wrong data centre', async () => {
    // Act: a code of a us account sent to the eu accounts server
    const result = await runCli(connect('acme-eu', '--accounts-server', world.accountsServer('eu')), {
      stdin: code('us'),
    });

    // Assess: it was --accounts-server that named the data centre, not --dc
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Zoho rejected the client app (invalid_client)');
    expect(result.stderr).toContain("hint: check that the accounts server is the user's data centre");
    expect(result.stderr).not.toContain('--dc first');
    expect(await world.store.get('acme-eu')).toBeUndefined();
  });

  describe('with a server-based client (--redirect-uri)', () => {
    const REDIRECT_URI = 'https://app.example.com/zoho/callback';
    const redirectCode = () =>
      world.sim.issueGrantCode({ clientId: CLIENT_ID, dc: 'us', redirectUri: REDIRECT_URI });

    it('exchanges a redirect-flow code with the redirect URI it was issued for', async () => {
      // Prepare: the accounts server exactly as the redirect carries it, percent-encoded
      world.sim.resetCounters();
      const fromRedirect = encodeURIComponent(world.accountsServer('us'));

      // Act
      const result = await runCli(
        connect('acme-server', '--accounts-server', fromRedirect, '--redirect-uri', REDIRECT_URI),
        { stdin: redirectCode() },
      );

      // Assess
      expect(result.code).toBe(0);
      expect(world.sim.calls.tokenByGrantType).toEqual({ authorization_code: 1, refresh_token: 1 });
      expect(await world.store.get('acme-server')).toMatchObject({
        status: 'active',
        version: 1,
        accountsServer: world.accountsServer('us'),
      });
    });

    it('says to pass --redirect-uri when it is missing, and registers nothing', async () => {
      // Act
      const result = await runCli(connect('acme-noredirect', ...us()), { stdin: redirectCode() });

      // Assess
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('Zoho rejected the client app (invalid_redirect_uri)');
      expect(result.stderr).toContain("hint: a server-based client's code needs --redirect-uri");
      expect(await world.store.get('acme-noredirect')).toBeUndefined();
    });

    it('exits 2 for a redirect URI that is not an absolute http(s) URL, before reading the code', async () => {
      // Prepare
      world.sim.resetCounters();

      // Act: no code on stdin, which would fail with a message of its own if it were read first
      const results = [
        await runCli(connect('acme-bad-uri', ...us(), '--redirect-uri', '/zoho/callback'), { stdin: '' }),
        await runCli(connect('acme-bad-uri', ...us(), '--redirect-uri', 'ftp://example.com/cb'), {
          stdin: '',
        }),
      ];

      // Assess
      for (const result of results) {
        expect(result.code).toBe(2);
        expect(result.stderr).toContain('--redirect-uri must be an absolute http(s) URL');
      }
      expect(world.sim.calls.token).toBe(0);
      expect(await world.store.get('acme-bad-uri')).toBeUndefined();
    });
  });

  it('keeps the refresh token when the exchange answers a malformed expiry', async () => {
    // Prepare
    world.sim.faults.queue('token', 'success-expires-in-string');

    // Act
    const result = await runCli(connect('acme-odd', ...us()), { stdin: code() });

    // Assess
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'the refresh token was kept and the first refresh makes the access token',
    );
    expect(await world.store.get('acme-odd')).toMatchObject({ status: 'active', version: 1 });
  });

  it('refuses a custom accounts server without --allow-custom-accounts-server and spends nothing', async () => {
    // Prepare
    world.sim.resetCounters();
    const unused = code();

    // Act
    const result = await runCli(
      world.local('connect', '--id', 'acme-x', '--client', 'books', '--code', '-', ...us()),
      { stdin: unused },
    );

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is not a Zoho data centre');
    expect(result.stderr).toContain('--allow-custom-accounts-server');
    expect(world.sim.calls.token).toBe(0);
  });

  it.each([
    [['--dc', 'mars'], 'unknown Zoho data centre "mars"'],
    [
      ['--dc', 'us', '--accounts-server', 'https://accounts.zoho.com'],
      'give exactly one of --dc or --accounts-server',
    ],
    [[], 'give exactly one of --dc or --accounts-server'],
  ])('exits 2 for %j', async (args, message) => {
    // Act
    const result = await runCli(connect('acme-bad', ...args), { stdin: 'unused-code' });

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('exits 2 for an invalid connection id and for a missing code', async () => {
    // Act
    const badId = await runCli(connect('bad id', ...us()), { stdin: 'unused-code' });
    const noCode = await runCli(connect('acme-nocode', ...us()), { stdin: '' });

    // Assess
    expect(badId.code).toBe(2);
    expect(badId.stderr).toContain('connection id must be 1-64 characters');
    expect(noCode.code).toBe(2);
    expect(noCode.stderr).toContain('--code - read nothing from standard input');
  });

  it('says how to store a missing client app, before spending the code', async () => {
    // Prepare
    world.sim.resetCounters();

    // Act
    const result = await runCli(
      world.localCustom('connect', '--id', 'acme-noclient', '--client', 'nope', '--code', '-', ...us()),
      { stdin: code() },
    );

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("No client app 'nope' is stored");
    expect(result.stderr).toContain(
      "hint: store the client app with 'zoho-tokens clients put --client nope --client-id <id> --client-secret -'",
    );
    expect(world.sim.calls.token).toBe(0);
  });

  it('refuses an id that is already active, before spending the code', async () => {
    // Prepare
    world.sim.resetCounters();

    // Act
    const result = await runCli(connect('acme', ...us()), { stdin: code() });

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("A connection 'acme' is already registered");
    expect(world.sim.calls.token).toBe(0);
  });

  it('refuses a disabled connection, which keeps its refresh token, before spending the code', async () => {
    // Prepare
    await world.seedConnection('acme-disabled', { status: 'disabled' });
    const before = await world.store.get('acme-disabled');
    world.sim.resetCounters();

    // Act
    const result = await runCli(connect('acme-disabled', ...us()), { stdin: code() });

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "connection 'acme-disabled' is disabled and still holds its refresh token",
    );
    expect(result.stderr).toContain("'zoho-tokens enable acme-disabled' reactivates it");
    expect(world.sim.calls.token).toBe(0);
    expect(await world.store.get('acme-disabled')).toEqual(before);
  });

  it('re-authorises a connection that needs it with a new code', async () => {
    // Prepare: the old refresh token had used up most of its Zoho budget
    const old = Date.now() - 60_000;
    await world.seedConnection('acme-reauth', {
      status: 'reauthorization_required',
      version: 4,
      recentZohoCalls: [old, old + 1, old + 2, old + 3, old + 4, old + 5, old + 6, old + 7],
    });

    // Act
    const result = await runCli(connect('acme-reauth', ...us()), { stdin: code() });

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Re-authorised connection 'acme-reauth'");
    expect(await world.store.get('acme-reauth')).toMatchObject({
      status: 'active',
      version: 5,
      consecutiveFailures: 0,
    });
    // The new refresh token's budget counts its own calls only: the exchange and the first refresh.
    const calls = (await world.store.get('acme-reauth'))?.recentZohoCalls ?? [];
    expect(calls).toHaveLength(2);
    expect(calls.every((at) => at > old + 7)).toBe(true);
  });
});
