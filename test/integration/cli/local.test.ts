import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import type { LocalResources } from '../../../cli/local/resources';
import { ALARM_SPECS, periodSeconds } from '../../../infra/alarm-specs';
import { runCli } from './cli-run';
import { useCliWorld } from './cli-world';

const world = useCliWorld({ init: false });

describe('zoho-tokens local init', () => {
  it('creates every resource in the emulator, with the alarms of the stack', async () => {
    // Act
    const result = await runCli(world.local('local', 'init'));

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Created at http:\/\/127\.0\.0\.1:\d+: /);
    for (const created of [
      'table zoho-token-refresher',
      'key alias/zoho-token-refresher',
      'event bus zoho-token-refresher',
      'queue zoho-token-refresher-rejected',
      'topic zoho-token-refresher-alarms',
    ]) {
      expect(result.stdout).toContain(created);
    }
    const { MetricAlarms = [] } = await world.clients.cloudWatch.send(new DescribeAlarmsCommand({}));
    expect(MetricAlarms.map((alarm) => [alarm.AlarmName, alarm.MetricName]).sort()).toEqual([
      ['zoho-token-refresher-ConnectionsFailing', 'ConnectionsFailing'],
      ['zoho-token-refresher-ConnectionsMisconfigured', 'ConnectionsMisconfigured'],
      ['zoho-token-refresher-ConnectionsNeedingReauthorization', 'ConnectionsNeedingReauthorization'],
      ['zoho-token-refresher-ExpiredTokens', 'ExpiredTokens'],
      ['zoho-token-refresher-PlannerHeartbeatMissing', 'PlannerHeartbeat'],
      ['zoho-token-refresher-RefreshFailures', 'RefreshFailed'],
      ['zoho-token-refresher-SecretWriteBudgetExhausted', 'SecretWriteBudgetExhausted'],
      ['zoho-token-refresher-SecretWriteFailures', 'SecretWriteFailed'],
      ['zoho-token-refresher-ZohoMalformedResponse', 'ZohoMalformedResponse'],
    ]);
    // The same definitions as the stack's (infra/alarm-specs.ts).
    for (const spec of ALARM_SPECS.filter((candidate) => candidate.source.kind === 'refresher')) {
      expect(
        MetricAlarms.find((alarm) => alarm.AlarmName === `zoho-token-refresher-${spec.id}`),
      ).toMatchObject({
        Namespace: 'ZohoTokenRefresher',
        Dimensions: [{ Name: 'service', Value: 'zoho-token-refresher' }],
        Statistic: spec.statistic,
        Period: periodSeconds(spec),
        Threshold: spec.threshold,
        EvaluationPeriods: spec.evaluationPeriods,
        ComparisonOperator: spec.comparison,
        TreatMissingData: spec.treatMissingData,
        AlarmDescription: spec.description,
      });
    }
    expect(MetricAlarms.find((alarm) => alarm.MetricName === 'RefreshFailed')?.DatapointsToAlarm).toBe(2);
    expect(MetricAlarms.find((alarm) => alarm.MetricName === 'ConnectionsMisconfigured')).toMatchObject({
      Statistic: 'Maximum',
      TreatMissingData: 'ignore',
      EvaluationPeriods: 1,
    });
    expect(
      MetricAlarms.every((alarm) => alarm.AlarmActions?.[0]?.endsWith(':zoho-token-refresher-alarms')),
    ).toBe(true);
  });

  it('finds everything on a second run and prints the resources as JSON', async () => {
    // Act
    const result = await runCli(world.local('local', 'init', '--json'));

    // Assess
    expect(result.code).toBe(0);
    const resources = result.json<LocalResources>();
    expect(resources.created).toEqual([]);
    expect(resources).toMatchObject({
      tableName: 'zoho-token-refresher',
      eventBusName: 'zoho-token-refresher',
      keyAlias: 'alias/zoho-token-refresher',
      secretPrefix: 'zoho-token-refresher',
    });
  });

  it('takes other names from flags', async () => {
    // Act
    const result = await runCli(
      world.local(
        'local',
        'init',
        '--table',
        'other-table',
        '--bus',
        'other-bus',
        '--key',
        'alias/other',
        '--json',
      ),
    );

    // Assess
    expect(result.code).toBe(0);
    expect(result.json<LocalResources>()).toMatchObject({
      tableName: 'other-table',
      eventBusName: 'other-bus',
      keyAlias: 'alias/other',
    });
  });

  it.each([
    [['local', 'init'], 'local init works against an AWS API emulator only: pass --aws-endpoint URL'],
    [['local', 'drain'], 'local drain works against an AWS API emulator only'],
    [
      ['local', 'init', '--aws-endpoint', 'http://127.0.0.1:1', '--key', 'not-an-alias'],
      '--key must be a key alias',
    ],
    [['local'], "'local' needs a subcommand"],
    [['local', 'nuke'], "unknown subcommand 'local nuke'"],
  ])('%j exits 2', async (args, message) => {
    // Act
    const result = await runCli(args);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('says the emulator cannot be reached', async () => {
    // Act
    const result = await runCli(['status', '--aws-endpoint', 'http://127.0.0.1:1']);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('zoho-tokens: cannot reach AWS (ECONNREFUSED)');
    expect(result.stderr).toContain('hint: is the emulator running at --aws-endpoint?');
  });
});

describe('zoho-tokens local drain', () => {
  it('delivers queued reports to the on-demand handler once', async () => {
    // Prepare
    await world.putClient();
    const refreshToken = await world.seedConnection('ld');
    for (let i = 0; i < 3; i += 1)
      expect((await runCli(world.local('reject', 'ld', '--version', '0'))).code).toBe(0);

    // Act
    const first = await runCli(world.localCustom('local', 'drain'));
    const second = await runCli(world.localCustom('local', 'drain', '--json'));

    // Assess
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Delivered 3 event(s): 1 refreshed, 2 skipped, 0 rejected, 0 failed.');
    expect(second.json()).toEqual({ delivered: 0, refreshed: 0, skipped: 0, rejected: 0, failed: 0 });
    expect(world.sim.calls.tokenCallsFor(refreshToken)).toBe(1);
    const [entry] = await world.store.listHistory('ld', 1);
    expect(entry).toMatchObject({ trigger: 'on_demand', outcome: 'refreshed', version: 1 });
  });

  it('exits 1 when a delivered event fails, and says so', async () => {
    // Prepare
    await world.seedConnection('ld-dead', { refreshToken: '1000.test-rt-drain-dead' });
    expect((await runCli(world.local('reject', 'ld-dead', '--version', '0'))).code).toBe(0);

    // Act
    const result = await runCli(world.localCustom('local', 'drain'));

    // Assess
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Delivered 1 event(s): 0 refreshed, 0 skipped, 0 rejected, 1 failed.');
    expect(result.stderr).toContain('zoho-tokens: 1 event(s) failed');
  });

  it('exits 2 for a custom accounts server without --allow-custom-accounts-server, before taking any event', async () => {
    // Prepare
    const refreshToken = await world.seedConnection('ld-custom');
    expect((await runCli(world.local('reject', 'ld-custom', '--version', '0'))).code).toBe(0);

    // Act
    const refused = await runCli(world.local('local', 'drain'));
    const allowed = await runCli(world.localCustom('local', 'drain', '--json'));

    // Assess: nothing was sent or marked; the event waited in the queue for the allowed drain
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("an accounts server outside Zoho's data centres; nothing was sent");
    expect(refused.stderr).toContain('hint: pass --allow-custom-accounts-server');
    expect(allowed.json()).toEqual({ delivered: 1, refreshed: 1, skipped: 0, rejected: 0, failed: 0 });
    expect(world.sim.calls.tokenCallsFor(refreshToken)).toBe(1);
    expect(await world.store.get('ld-custom')).toMatchObject({ status: 'active', version: 1 });
  });
});

describe('zoho-tokens local setup', () => {
  it('makes sure the Python tools are installed', async () => {
    // Act
    const result = await runCli(['local', 'setup', '--json']);

    // Assess
    expect(result.code).toBe(0);
    expect(result.json<{ venvDir: string }>().venvDir).toMatch(/\.venv/);
  }, 600_000);
});
