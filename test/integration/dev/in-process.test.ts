import { describe, expect, it } from 'vitest';
import { quietLog } from '../../../cli/quiet-log';
import { CountingMetrics, createInProcessRefresher, humanLog } from '../../../dev/emulator/in-process';
import { refreshConnection } from '../../../functions/core/refresh-connection';
import { useCliWorld } from '../cli/cli-world';

const world = useCliWorld();

describe('createInProcessRefresher', () => {
  it('refreshes a connection against the emulator and the simulator, as the Lambdas would', async () => {
    // Prepare
    await world.putClient();
    const refreshToken = await world.seedConnection('inproc-ok');
    const metrics = new CountingMetrics();
    const deps = createInProcessRefresher(world.target, world.clients, {
      allowedAccountsServers: [world.accountsServer('us')],
      log: quietLog,
      metrics,
    });

    // Act
    const result = await refreshConnection(deps, { connectionId: 'inproc-ok', trigger: 'operator' });

    // Assess
    expect(result).toMatchObject({ outcome: 'refreshed', version: 1 });
    const stored = await deps.vault.read('inproc-ok');
    expect(stored?.version).toBe(1);
    expect(stored?.accessToken).toContain('sim-at-');
    expect((await world.store.get('inproc-ok'))?.version).toBe(1);
    expect(world.sim.calls.tokenCallsFor(refreshToken)).toBe(1);
    expect(metrics.total('RefreshSucceeded')).toBe(1);
    expect(metrics.total('RefreshSucceeded', 'operator')).toBe(1);
  });

  it('sends nothing to an accounts server that was not allowed explicitly', async () => {
    // Prepare
    const refreshToken = await world.seedConnection('inproc-custom');
    const lines: string[] = [];
    const deps = createInProcessRefresher(world.target, world.clients, {
      log: humanLog((line) => lines.push(line)),
    });

    // Act
    const result = await refreshConnection(deps, { connectionId: 'inproc-custom', trigger: 'operator' });

    // Assess
    // Refused before anything is sent; retrying cannot help, so the connection needs an operator.
    expect(result).toMatchObject({
      outcome: 'failed',
      errorCode: 'accounts_server_not_allowed',
      status: 'misconfigured',
    });
    expect(world.sim.calls.tokenCallsFor(refreshToken)).toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/Refresh failed permanently; .*connectionId=inproc-custom/);
  });
});

describe('humanLog', () => {
  it('prints warnings and errors with safe attributes only, and drops debug and info', () => {
    // Prepare
    const lines: string[] = [];
    const log = humanLog((line) => lines.push(line));

    // Act
    log.debug('debug line', { connectionId: 'a' });
    log.info('info line', { connectionId: 'a' });
    log.warn('careful', { connectionId: 'a', refreshToken: '1000.test-rt-never', version: 3 });
    log.error('broken', { token: { nested: 'test-at-never' } });

    // Assess
    expect(lines).toEqual(['warning: careful (connectionId=a, version=3)\n', 'error: broken\n']);
  });
});
