import { describe, expect, it } from 'vitest';
import { putClientCredentials } from '../../../functions/aws/client-credentials';
import { runCli } from './cli-run';
import { CLIENT_ID, CLIENT_SECRET, useCliWorld } from './cli-world';

const world = useCliWorld();
const LAST_ERROR = { code: 'misconfigured_client', message: 'Zoho rejected the client app', at: 1 };

describe('zoho-tokens enable', () => {
  it('reactivates a connection gone misconfigured once its client secret is fixed, keeping its refresh token', async () => {
    // Prepare: a wrong client secret makes the connection misconfigured.
    await world.putClient();
    await putClientCredentials(world.clients.secretsManager, world.target.names.secretPrefix, 'books-fix', {
      clientId: CLIENT_ID,
      clientSecret: 'test-cs-wrong',
    });
    const refreshToken = await world.seedConnection('en-fix', { clientRef: 'books-fix' });
    expect((await runCli(world.localCustom('refresh', 'en-fix'))).code).toBe(1);
    expect(await world.store.get('en-fix')).toMatchObject({
      status: 'misconfigured',
      consecutiveFailures: 1,
    });
    const put = await runCli(world.local('clients', 'put', '--client', 'books-fix'), {
      env: { ZOHO_CLIENT_SECRET: CLIENT_SECRET },
    });
    expect(put.code).toBe(0);
    const stored = await world.store.get('en-fix');
    world.sim.resetCounters();

    // Act
    const result = await runCli(world.localCustom('enable', 'en-fix'));

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^Enabled 'en-fix' \(was misconfigured\)\. Refreshed 'en-fix': token version 1, expires in (59m|1h) \(/,
    );
    const enabled = await world.store.get('en-fix');
    expect(enabled).toMatchObject({ status: 'active', version: 1, consecutiveFailures: 0 });
    expect(enabled?.lastError).toBeUndefined();
    expect(enabled?.lease).toBeUndefined();
    expect(enabled?.encryptedRefreshToken).toBe(stored?.encryptedRefreshToken);
    expect(world.sim.calls.tokenCallsFor(refreshToken)).toBe(1);
    const [entry] = await world.store.listHistory('en-fix', 1);
    expect(entry).toMatchObject({ trigger: 'operator', outcome: 'refreshed', version: 1 });
  });

  it('puts a reactivated connection back on the due index', async () => {
    // Prepare
    await world.seedConnection('en-off', { status: 'disabled' });
    const dueBefore = (await world.store.listDue(Date.now() + 1000, 100)).map((c) => c.connectionId);

    // Act
    const result = await runCli(world.localCustom('enable', 'en-off', '--json'));

    // Assess
    expect(dueBefore).not.toContain('en-off');
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({
      connectionId: 'en-off',
      previousStatus: 'disabled',
      firstRefresh: { outcome: 'refreshed', version: 1 },
    });
    const connection = await world.store.get('en-off');
    const due = await world.store.listDue((connection?.refreshDueAt ?? 0) + 1, 100);
    expect(due.map((c) => c.connectionId)).toContain('en-off');
  });

  it('exits 1 and says what failed when the first refresh fails permanently again', async () => {
    // Prepare
    await putClientCredentials(world.clients.secretsManager, world.target.names.secretPrefix, 'books-bad', {
      clientId: CLIENT_ID,
      clientSecret: 'test-cs-still-wrong',
    });
    await world.seedConnection('en-bad', {
      clientRef: 'books-bad',
      status: 'misconfigured',
      consecutiveFailures: 1,
      lastError: LAST_ERROR,
    });

    // Act
    const text = await runCli(world.localCustom('enable', 'en-bad'));
    const json = await runCli(world.localCustom('enable', 'en-bad', '--json'));

    // Assess
    expect(text.code).toBe(1);
    expect(text.stdout).toBe('');
    expect(text.stderr).toContain(
      "zoho-tokens: 'en-bad' was enabled, but its first refresh did not succeed. Refresh of 'en-bad' failed: Zoho rejected the client app (invalid_client_secret)",
    );
    expect(text.stderr).toContain('The connection is now misconfigured and off the schedule.');
    expect(text.stderr).toContain(
      "hint: 'zoho-tokens doctor en-bad' says what to fix, then run 'zoho-tokens enable en-bad' again.",
    );
    expect(json.code).toBe(1);
    expect(json.json()).toMatchObject({
      connectionId: 'en-bad',
      previousStatus: 'misconfigured',
      firstRefresh: { outcome: 'failed', errorCode: 'misconfigured_client', permanent: true },
    });
    expect(await world.store.get('en-bad')).toMatchObject({ status: 'misconfigured' });
    expect(text.stderr + json.stdout + json.stderr).not.toMatch(/test-(cs|rt|at)-/);
  });

  it('refuses a revoked connection and one Zoho rejected: they need a new refresh token', async () => {
    // Prepare
    await world.seedConnection('en-revoked', { status: 'revoked', encryptedRefreshToken: '' });
    await world.seedConnection('en-reauth', { status: 'reauthorization_required' });
    world.sim.resetCounters();

    // Act
    const revoked = await runCli(world.localCustom('enable', 'en-revoked'));
    const reauth = await runCli(world.localCustom('enable', 'en-reauth'));

    // Assess
    expect(revoked.code).toBe(1);
    expect(revoked.stderr).toContain(
      "zoho-tokens: 'en-revoked' is revoked and its refresh token is gone; there is nothing to enable",
    );
    expect(revoked.stderr).toContain(
      `hint: register a new authorisation: 'zoho-tokens connect --id en-revoked --client books --accounts-server ${world.accountsServer('us')} --allow-custom-accounts-server --code -' with a new code, or 'zoho-tokens add --id en-revoked`,
    );
    expect(reauth.code).toBe(1);
    expect(reauth.stderr).toContain("zoho-tokens: Zoho rejected the refresh token of 'en-reauth'");
    expect(reauth.stderr).toContain("hint: authorise again: 'zoho-tokens connect --id en-reauth");
    expect(reauth.stderr).toContain("or 'zoho-tokens add --id en-reauth");
    expect((await world.store.get('en-revoked'))?.status).toBe('revoked');
    expect((await world.store.get('en-reauth'))?.status).toBe('reauthorization_required');
    expect(world.sim.calls.token).toBe(0);
  });

  it('leaves an active connection alone', async () => {
    // Prepare
    world.sim.resetCounters();

    // Act
    const text = await runCli(world.localCustom('enable', 'en-fix'));
    const json = await runCli(world.localCustom('enable', 'en-fix', '--json'));

    // Assess
    expect(text.code).toBe(0);
    expect(text.stdout).toBe(
      "'en-fix' is already active; nothing to do ('zoho-tokens refresh en-fix' refreshes it).\n",
    );
    expect(json.json()).toEqual({ connectionId: 'en-fix', outcome: 'already_active', version: 1 });
    expect(world.sim.calls.token).toBe(0);
  });

  it('changes nothing on a custom accounts server without --allow-custom-accounts-server', async () => {
    // Prepare
    await world.seedConnection('en-custom', { status: 'misconfigured', lastError: LAST_ERROR });
    world.sim.resetCounters();

    // Act
    const result = await runCli(world.local('enable', 'en-custom'));

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "connection 'en-custom' uses an accounts server outside Zoho's data centres",
    );
    expect(await world.store.get('en-custom')).toMatchObject({
      status: 'misconfigured',
      lastError: LAST_ERROR,
    });
    expect(world.sim.calls.token).toBe(0);
  });

  it('has help, is listed, and exits 2 without an id and 1 for an unknown one', async () => {
    // Act
    const help = await runCli(['enable', '--help']);
    const list = await runCli(['--help']);
    const missing = await runCli(world.local('enable'));
    const unknown = await runCli(world.local('enable', 'en-nope'));

    // Assess
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: zoho-tokens enable ID');
    expect(help.stdout).toContain('--allow-custom-accounts-server');
    expect(list.stdout).toMatch(/\n {2}enable +Reactivate a misconfigured or disabled connection\n/);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('zoho-tokens: enable: missing connection ID');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("No connection 'en-nope' is registered");
  });
});
