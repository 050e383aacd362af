import { describe, expect, it } from 'vitest';
import type { SweepReport } from '../../../cli/handlers';
import { runCli } from './cli-run';
import { useCliWorld } from './cli-world';

const world = useCliWorld();

describe('zoho-tokens refresh', () => {
  it('refreshes a due connection in-process with trigger operator', async () => {
    // Prepare
    await world.putClient();
    const refreshToken = await world.seedConnection('r-due');

    // Act
    const result = await runCli(world.localCustom('refresh', 'r-due'));

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Refreshed 'r-due': token version 1, expires in (59m|1h) \(/);
    expect(world.sim.calls.tokenCallsFor(refreshToken)).toBe(1);
    const [entry] = await world.store.listHistory('r-due', 1);
    expect(entry).toMatchObject({ trigger: 'operator', outcome: 'refreshed', version: 1 });
  });

  it('leaves a token that is not due alone unless --force, and says so', async () => {
    // Prepare
    world.sim.resetCounters();

    // Act
    const notDue = await runCli(world.localCustom('refresh', 'r-due'));
    const notDueJson = await runCli(world.localCustom('refresh', 'r-due', '--json'));
    const forced = await runCli(world.localCustom('refresh', 'r-due', '--force', '--json'));

    // Assess
    expect(notDue.code).toBe(0);
    expect(notDue.stdout).toContain("'r-due' is not due: token version 1 expires in");
    expect(notDue.stdout).toContain('Pass --force to refresh now.');
    expect(notDueJson.json()).toEqual({ connectionId: 'r-due', outcome: 'not_due', version: 1 });
    expect(forced.code).toBe(0);
    expect(forced.json()).toMatchObject({ connectionId: 'r-due', outcome: 'refreshed', version: 2 });
    expect(world.sim.calls.token).toBe(1);
  });

  it('exits 1 with what to do when Zoho rejects the refresh token', async () => {
    // Prepare
    await world.seedConnection('r-dead', { refreshToken: '1000.test-rt-dead' });

    // Act
    const result = await runCli(world.localCustom('refresh', 'r-dead'));

    // Assess
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      "zoho-tokens: Refresh of 'r-dead' failed: Zoho rejected the refresh token (invalid_code)",
    );
    expect(result.stderr).toContain('The connection is now reauthorization_required and off the schedule.');
    expect(result.stderr).toContain("hint: 'zoho-tokens doctor r-dead'");
    expect(result.stderr).not.toContain('test-rt-');
  });

  it('exits 1 for a connection that is not active, and for an unknown one', async () => {
    // Prepare
    await world.seedConnection('r-misconf', { status: 'misconfigured' });
    await world.seedConnection('r-kms', {
      status: 'misconfigured',
      lastError: { code: 'refresh_token_cipher_refused', message: 'KMS refused', at: Date.now() },
    });

    // Act
    const inactive = await runCli(world.localCustom('refresh', 'r-dead'));
    const misconfigured = await runCli(world.localCustom('refresh', 'r-misconf'));
    const unreadable = await runCli(world.localCustom('refresh', 'r-kms'));
    const unknown = await runCli(world.localCustom('refresh', 'r-nope'));

    // Assess: each says what brings it back, with the id filled in
    expect(inactive.code).toBe(1);
    expect(inactive.stderr).toContain("Connection 'r-dead' is reauthorization_required; it is not refreshed");
    expect(inactive.stderr).toContain(
      `hint: authorise it again: 'zoho-tokens connect --id r-dead --client books --accounts-server ${world.accountsServer('us')} --allow-custom-accounts-server --code -' with a new code`,
    );
    expect(misconfigured.code).toBe(1);
    expect(misconfigured.stderr).toContain("Connection 'r-misconf' is misconfigured; it is not refreshed");
    expect(misconfigured.stderr).toContain(
      "hint: fix the cause ('zoho-tokens doctor r-misconf --allow-custom-accounts-server' says what), then 'zoho-tokens enable r-misconf --allow-custom-accounts-server' reactivates it",
    );
    // A refresh token KMS refuses for good cannot be enabled back: it needs a new authorisation.
    expect(unreadable.stderr).toContain("hint: authorise it again: 'zoho-tokens connect --id r-kms");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("No connection 'r-nope' is registered");
  });

  it('sends nothing to a custom accounts server without --allow-custom-accounts-server', async () => {
    // Prepare
    const refreshToken = await world.seedConnection('r-custom');

    // Act
    const result = await runCli(world.local('refresh', 'r-custom'));

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "connection 'r-custom' uses an accounts server outside Zoho's data centres; nothing was sent",
    );
    expect(await world.store.get('r-custom')).toMatchObject({ status: 'active', consecutiveFailures: 0 });
    // Untouched, so still due: take it out of the sweeps below.
    await world.store.setStatus('r-custom', 'disabled');
    expect(world.sim.calls.tokenCallsFor(refreshToken)).toBe(0);
  });

  it('says when Zoho throttles, and that consumers keep their token', async () => {
    // Prepare
    await world.seedConnection('r-throttled');
    world.sim.faults.queue('token', 'throttle-new');

    // Act
    const result = await runCli(world.localCustom('refresh', 'r-throttled'));

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Zoho throttled token creation');
    expect(result.stderr).toContain('consumers keep the current token');
  });
});

describe('zoho-tokens sweep', () => {
  it('refreshes every due connection, shows progress and a summary', async () => {
    // Prepare: 12 due, plus the ones above that are not due or not active
    const ids = Array.from({ length: 12 }, (_, i) => `s-${String(i).padStart(2, '0')}`);
    for (const id of ids) await world.seedConnection(id);
    await world.seedConnection('s-later', {
      version: 1,
      expiresAt: Date.now() + 3_600_000,
      refreshDueAt: Date.now() + 3_000_000,
    });

    // Act
    const result = await runCli(world.localCustom('sweep', '--json'));

    // Assess
    expect(result.code).toBe(0);
    // The failed ones above wait out their backoff: only the 12 are due.
    expect(result.json<SweepReport>()).toEqual({
      plan: expect.objectContaining({ planned: 12, overdue: 12, upcoming: 0, notQueued: 0 }),
      work: { delivered: 12, refreshed: 12, failed: 0, skipped: 0, leftForRedelivery: 0, heldBack: 0 },
    });
    expect(result.stderr).toContain('Planned 12 refresh order(s): 12 due now, 0 due within the minute.');
    expect(result.stderr).toContain('Refreshing 12 queued connection(s) …');
    expect(result.stderr.match(/\[\d+\/12\] \d+ refreshed, \d+ failed/g)).toEqual([
      '[2/12] 2 refreshed, 0 failed',
      '[4/12] 4 refreshed, 0 failed',
      '[6/12] 6 refreshed, 0 failed',
      '[8/12] 8 refreshed, 0 failed',
      '[10/12] 10 refreshed, 0 failed',
      '[12/12] 12 refreshed, 0 failed',
    ]);
    for (const id of ids) expect((await world.store.get(id))?.version).toBe(1);
    expect((await world.store.get('s-later'))?.version).toBe(1);
  });

  it('exits 1 when refreshes fail, with the summary on stdout', async () => {
    // Prepare
    await world.seedConnection('s-dead', { refreshToken: '1000.test-rt-sweep-dead' });

    // Act
    const result = await runCli(world.localCustom('sweep'));

    // Assess
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      'Sweep: 1 due (0 more within the minute): 0 refreshed, 1 failed, 0 skipped',
    );
    expect(result.stderr).toContain('zoho-tokens: 1 of 1 refreshes failed');
  });

  it('has nothing to do when nothing is due', async () => {
    // Act
    const result = await runCli(world.localCustom('sweep'));

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      'Sweep: 0 due (0 more within the minute): 0 refreshed, 0 failed, 0 skipped.\n',
    );
  });
});
