import { describe, expect, it } from 'vitest';
import { putClientCredentials } from '../../../functions/aws/client-credentials';
import { runCli } from './cli-run';
import { CLIENT_ID, useCliWorld } from './cli-world';

const world = useCliWorld();

const issue = () => world.sim.issueRefreshToken({ clientId: CLIENT_ID, dc: 'us' });
const add = (id: string, client = 'books') =>
  world.localCustom('add', '--id', id, '--client', client, '--accounts-server', world.accountsServer('us'));

describe('zoho-tokens add', () => {
  it('registers a connection from ZOHO_REFRESH_TOKEN and makes the first refresh', async () => {
    // Prepare
    await world.putClient();
    const refreshToken = issue();

    // Act
    const result = await runCli(add('books-env'), { env: { ZOHO_REFRESH_TOKEN: refreshToken } });

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('First refresh: token version 1');
    expect(world.sim.calls.tokenCallsFor(refreshToken)).toBe(1);
    const stored = await world.store.get('books-env');
    expect(stored?.status).toBe('active');
    // Stored encrypted, bound to its connection.
    expect(stored?.encryptedRefreshToken).not.toContain('sim-rt-');
    expect(await world.cipher.decrypt('books-env', stored?.encryptedRefreshToken ?? '')).toBe(refreshToken);
  });

  it('reads the refresh token from stdin with --refresh-token -', async () => {
    // Act
    const result = await runCli([...add('books-stdin'), '--refresh-token', '-', '--json'], {
      stdin: `${issue()}\n`,
    });

    // Assess
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({
      connectionId: 'books-stdin',
      firstRefresh: { outcome: 'refreshed', version: 1 },
    });
  });

  it('stores a connection whose token Zoho rejects, says so, and marks it for re-authorisation', async () => {
    // Act
    const result = await runCli(add('books-dead'), {
      env: { ZOHO_REFRESH_TOKEN: '1000.test-rt-unknown-to-zoho' },
    });

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'zoho-tokens: the connection is stored, but its first refresh did not succeed',
    );
    expect(result.stderr).toContain('Zoho rejected the refresh token (invalid_code)');
    expect(result.stderr).toContain(
      "hint: 'zoho-tokens doctor books-dead --allow-custom-accounts-server' says what happened; authorise again",
    );
    // `refresh` refuses a connection off the schedule: the hint must not send the operator there.
    expect(result.stderr).not.toContain('zoho-tokens refresh');
    expect((await world.store.get('books-dead'))?.status).toBe('reauthorization_required');
  });

  it('fixes reauthorization_required: replaces the refresh token and reactivates the connection', async () => {
    // Act
    const result = await runCli(add('books-dead'), { env: { ZOHO_REFRESH_TOKEN: issue() } });

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Re-authorised connection 'books-dead'");
    expect(await world.store.get('books-dead')).toMatchObject({
      status: 'active',
      version: 1,
      consecutiveFailures: 0,
    });
    expect((await world.store.get('books-dead'))?.lastError).toBeUndefined();
    // The new refresh token does not inherit the old one's Zoho calls: only its first refresh counts.
    expect((await world.store.get('books-dead'))?.recentZohoCalls).toHaveLength(1);
  });

  it('reactivates a revoked connection', async () => {
    // Prepare
    await world.seedConnection('books-revoked', { status: 'revoked', version: 7, encryptedRefreshToken: '' });

    // Act
    const result = await runCli(add('books-revoked'), { env: { ZOHO_REFRESH_TOKEN: issue() } });

    // Assess
    expect(result.code).toBe(0);
    expect(await world.store.get('books-revoked')).toMatchObject({ status: 'active', version: 8 });
  });

  it('marks the connection misconfigured when the client secret is wrong, and says so', async () => {
    // Prepare
    await putClientCredentials(world.clients.secretsManager, 'zoho-token-refresher', 'books-wrong', {
      clientId: CLIENT_ID,
      clientSecret: 'test-cs-wrong',
    });

    // Act
    const result = await runCli(add('books-misconf', 'books-wrong'), {
      env: { ZOHO_REFRESH_TOKEN: issue() },
    });

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('invalid_client_secret');
    expect(result.stderr).toContain(
      "hint: fix the cause ('zoho-tokens doctor books-misconf --allow-custom-accounts-server' says what), then 'zoho-tokens enable books-misconf --allow-custom-accounts-server' reactivates it",
    );
    expect(result.stderr).not.toContain('zoho-tokens refresh');
    expect((await world.store.get('books-misconf'))?.status).toBe('misconfigured');
  });

  it('refuses a misconfigured connection, which keeps its refresh token, and points to enable', async () => {
    // Prepare
    const before = await world.store.get('books-misconf');
    const refreshToken = issue();

    // Act
    const result = await runCli(add('books-misconf', 'books-wrong'), {
      env: { ZOHO_REFRESH_TOKEN: refreshToken },
    });

    // Assess: the stored token is untouched, the new one never used
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "connection 'books-misconf' is misconfigured and still holds its refresh token",
    );
    expect(result.stderr).toContain("'zoho-tokens enable books-misconf' reactivates it");
    expect(world.sim.calls.tokenCallsFor(refreshToken)).toBe(0);
    expect(await world.store.get('books-misconf')).toEqual(before);
  });

  it('refuses to re-authorise with another client app than the connection has', async () => {
    // Prepare
    await world.seedConnection('books-other', {
      status: 'reauthorization_required',
      clientRef: 'books-wrong',
    });

    // Act
    const result = await runCli(add('books-other', 'books'), { env: { ZOHO_REFRESH_TOKEN: issue() } });

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("with client app 'books-wrong'");
  });

  it('names the missing client app in the command that stores it, and registers nothing', async () => {
    // Prepare
    const refreshToken = issue();

    // Act
    const result = await runCli(add('books-noclient', 'nosuch'), {
      env: { ZOHO_REFRESH_TOKEN: refreshToken },
    });

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("No client app 'nosuch' is stored");
    expect(result.stderr).toContain(
      "hint: store the client app with 'zoho-tokens clients put --client nosuch --client-id <id> --client-secret -'",
    );
    expect(world.sim.calls.tokenCallsFor(refreshToken)).toBe(0);
    expect(await world.store.get('books-noclient')).toBeUndefined();
  });

  it('exits 2 without a refresh token, naming the ways to give one', async () => {
    // Act
    const result = await runCli(add('books-none'));

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('zoho-tokens: the refresh token is missing');
    expect(result.stderr).toContain(
      'hint: give --refresh-token - and pipe it on stdin, or set ZOHO_REFRESH_TOKEN',
    );
  });

  it('exits 2 for a reserved client name, before Zoho is called or anything is stored', async () => {
    // Prepare
    const refreshToken = issue();

    // Act
    const result = await runCli(add('books-reserved', 'access-token'), {
      env: { ZOHO_REFRESH_TOKEN: refreshToken },
    });

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("zoho-tokens: client name 'access-token' is reserved");
    expect(world.sim.calls.tokenCallsFor(refreshToken)).toBe(0);
    expect(await world.store.get('books-reserved')).toBeUndefined();
  });

  it('exits 2 for an accounts server outside Zoho without the explicit allowance', async () => {
    // Act
    const result = await runCli(
      world.local(
        'add',
        '--id',
        'books-x',
        '--client',
        'books',
        '--accounts-server',
        world.accountsServer('us'),
      ),
      { env: { ZOHO_REFRESH_TOKEN: issue() } },
    );

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is not a Zoho data centre');
    expect(await world.store.get('books-x')).toBeUndefined();
  });
});
