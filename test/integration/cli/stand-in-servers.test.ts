/**
 * Connections that name a Zoho data centre but live on another accounts server: the sandbox
 * registers its demo connections as `us` and `eu` on the Zoho simulator. The CLI must treat them as
 * custom servers (refused without the flag, allowed with it), not by their `dc`.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-run';
import { useCliWorld } from './cli-world';

const world = useCliWorld();
/** As the sandbox registers them: a Zoho DC, the simulator's accounts server. */
const standIn = (id: string) => world.seedConnection(id, { dc: 'us' });

describe('connections on a stand-in for a Zoho data centre', () => {
  it('refuses an in-process refresh without --allow-custom-accounts-server, sending nothing and changing nothing', async () => {
    // Prepare
    await world.putClient();
    await standIn('si-refuse');
    world.sim.resetCounters();

    // Act
    const result = await runCli(world.local('refresh', 'si-refuse', '--force'));

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "zoho-tokens: connection 'si-refuse' uses an accounts server outside Zoho's data centres; nothing was sent",
    );
    expect(world.sim.calls.token).toBe(0);
    expect(await world.store.get('si-refuse')).toMatchObject({ status: 'active', version: 0 });
  });

  it('refreshes with --allow-custom-accounts-server', async () => {
    // Prepare
    await world.putClient();
    await standIn('si-allow');
    world.sim.resetCounters();

    // Act
    const result = await runCli(world.localCustom('refresh', 'si-allow', '--force'));

    // Assess
    expect(result.code).toBe(0);
    expect(world.sim.calls.tokenByGrantType).toEqual({ refresh_token: 1 });
    expect(await world.store.get('si-allow')).toMatchObject({ status: 'active', version: 1 });
  });

  it('says a refused server, not the client app, took it off the schedule, and enable with the flag brings it back', async () => {
    // Prepare: what an earlier run without the flag left behind
    await world.putClient();
    await standIn('si-enable');
    await world.store.setStatus('si-enable', 'misconfigured', {
      lastError: {
        code: 'accounts_server_not_allowed',
        message: 'accounts server is neither a Zoho data centre nor explicitly allowed',
        at: Date.now(),
      },
      expectedStatus: 'active',
    });

    // Act
    const status = await runCli(world.local('status', 'si-enable'));
    const enabled = await runCli(world.localCustom('enable', 'si-enable'));

    // Assess
    expect(status.stdout).toContain(
      `its accounts server ${world.accountsServer('us')} is not one of Zoho's data centres and was not allowed; nothing was sent there`,
    );
    expect(status.stdout).toContain('zoho-tokens enable si-enable --allow-custom-accounts-server');
    expect(status.stdout).not.toContain('rejected the client app');
    expect(enabled.code).toBe(0);
    expect(await world.store.get('si-enable')).toMatchObject({ status: 'active', version: 1 });
  });

  it('doctor calls the server custom, not a Zoho data centre', async () => {
    // Prepare
    await world.putClient();
    await standIn('si-doctor');

    // Act
    const result = await runCli(world.local('doctor', 'si-doctor'));

    // Assess
    expect(result.stdout).toContain(
      `✗ accounts server: ${world.accountsServer('us')} is not one of Zoho's data centres: refreshes send nothing there`,
    );
    expect(result.stdout).not.toContain('✓ accounts server: Zoho data centre us');
  });
});
