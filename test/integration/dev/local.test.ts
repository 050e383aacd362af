import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { findRefreshQueueUrl } from '../../../cli/refresh-queue';
import type { LocalResources } from '../../../dev/resources/resources';
import { CONFIG_DEFAULTS } from '../../../functions/aws/config';
import { SqsRefreshQueue } from '../../../functions/aws/refresh-queue';
import { ALARM_SPECS, alarmThreshold, periodSeconds } from '../../../infra/alarm-specs';
import { runCli, runDevCli } from '../cli/cli-run';
import { useCliWorld } from '../cli/cli-world';

const world = useCliWorld({ init: false });

describe('npm run local -- init', () => {
  it('creates every resource in the emulator, with the alarms of the stack', async () => {
    // Act
    const result = await runDevCli(world.local('init'));

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Created at http:\/\/127\.0\.0\.1:\d+: /);
    for (const created of [
      'table zoho-token-refresher',
      'key alias/zoho-token-refresher',
      'event bus zoho-token-refresher',
      'queue zoho-token-refresher-rejected',
      'queue zoho-token-refresher-refresh',
      'queue zoho-token-refresher-refresh-dlq',
      'queue zoho-token-refresher-dlq',
      'topic zoho-token-refresher-alarms',
    ]) {
      expect(result.stdout).toContain(created);
    }
    const { MetricAlarms = [] } = await world.clients.cloudWatch.send(new DescribeAlarmsCommand({}));
    expect(MetricAlarms.map((alarm) => [alarm.AlarmName, alarm.MetricName]).sort()).toEqual([
      ['zoho-token-refresher-ConnectionsFailing', 'ConnectionsFailing'],
      ['zoho-token-refresher-ConnectionsMisconfigured', 'ConnectionsMisconfigured'],
      ['zoho-token-refresher-ConnectionsNeedingReauthorization', 'ConnectionsNeedingReauthorization'],
      ['zoho-token-refresher-DeadLetterQueueNotEmpty', 'ApproximateNumberOfMessagesVisible'],
      ['zoho-token-refresher-ExpiredTokens', 'ExpiredTokens'],
      ['zoho-token-refresher-PlannerHeartbeatMissing', 'PlannerHeartbeat'],
      ['zoho-token-refresher-RefreshBacklogAge', 'ApproximateAgeOfOldestMessage'],
      ['zoho-token-refresher-RefreshDeadLetterQueueNotEmpty', 'ApproximateNumberOfMessagesVisible'],
      ['zoho-token-refresher-RefreshFailures', 'RefreshFailed'],
      ['zoho-token-refresher-SecretWriteBudgetExhausted', 'SecretWriteBudgetExhausted'],
      ['zoho-token-refresher-SecretWriteFailures', 'SecretWriteFailed'],
      ['zoho-token-refresher-ZohoMalformedResponse', 'ZohoMalformedResponse'],
    ]);
    // The stack's template's alarms (made from infra/alarm-specs.ts) at its default settings, but for
    // those on the functions, which the emulator does not run.
    const watched: Record<string, { Namespace: string; Dimensions: object[] }> = {
      refresher: {
        Namespace: 'ZohoTokenRefresher',
        Dimensions: [{ Name: 'service', Value: 'zoho-token-refresher' }],
      },
      refreshQueue: {
        Namespace: 'AWS/SQS',
        Dimensions: [{ Name: 'QueueName', Value: 'zoho-token-refresher-refresh' }],
      },
      refreshDeadLetterQueue: {
        Namespace: 'AWS/SQS',
        Dimensions: [{ Name: 'QueueName', Value: 'zoho-token-refresher-refresh-dlq' }],
      },
      deadLetterQueue: {
        Namespace: 'AWS/SQS',
        Dimensions: [{ Name: 'QueueName', Value: 'zoho-token-refresher-dlq' }],
      },
    };
    for (const spec of ALARM_SPECS.filter((candidate) => watched[candidate.source.kind] !== undefined)) {
      expect(
        MetricAlarms.find((alarm) => alarm.AlarmName === `zoho-token-refresher-${spec.id}`),
      ).toMatchObject({
        ...watched[spec.source.kind],
        Statistic: spec.statistic,
        Period: periodSeconds(spec),
        Threshold: alarmThreshold(spec, CONFIG_DEFAULTS.refreshMarginSeconds),
        EvaluationPeriods: spec.evaluationPeriods,
        ComparisonOperator: spec.comparison,
        TreatMissingData: spec.treatMissingData,
        AlarmDescription: spec.description,
      });
    }
    expect(MetricAlarms.find((alarm) => alarm.AlarmName?.endsWith('RefreshBacklogAge'))).toMatchObject({
      Threshold: 690,
      Period: 60,
    });
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
    const result = await runDevCli(world.local('init', '--json'));

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
    const result = await runDevCli(
      world.local('init', '--table', 'other-table', '--bus', 'other-bus', '--key', 'alias/other', '--json'),
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
    [['init'], 'init works against an AWS API emulator only: pass --aws-endpoint URL'],
    [['drain'], 'drain works against an AWS API emulator only'],
    [['work'], 'work works against an AWS API emulator only'],
    [['init', '--aws-endpoint', 'http://127.0.0.1:1', '--key', 'not-an-alias'], '--key must be a key alias'],
    [['nuke'], 'unknown command "nuke"'],
  ])('%j exits 2', async (args, message) => {
    // Act
    const result = await runDevCli(args);

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

describe('npm run local -- drain', () => {
  it('delivers queued reports to the on-demand handler once', async () => {
    // Prepare
    await world.putClient();
    const refreshToken = await world.seedConnection('ld');
    for (let i = 0; i < 3; i += 1)
      expect((await runCli(world.local('reject', 'ld', '--version', '0'))).code).toBe(0);

    // Act
    const first = await runDevCli(world.localCustom('drain'));
    const second = await runDevCli(world.localCustom('drain', '--json'));

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
    const result = await runDevCli(world.localCustom('drain'));

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
    const refused = await runDevCli(world.local('drain'));
    const allowed = await runDevCli(world.localCustom('drain', '--json'));

    // Assess: nothing was sent or marked; the event waited in the queue for the allowed drain
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("an accounts server outside Zoho's data centres; nothing was sent");
    expect(refused.stderr).toContain('hint: pass --allow-custom-accounts-server');
    expect(allowed.json()).toEqual({ delivered: 1, refreshed: 1, skipped: 0, rejected: 0, failed: 0 });
    expect(world.sim.calls.tokenCallsFor(refreshToken)).toBe(1);
    expect(await world.store.get('ld-custom')).toMatchObject({ status: 'active', version: 1 });
  });
});

describe('npm run local -- work', () => {
  /** Queues orders as the planner does (the snapshot as stored now). */
  async function queueOrders(ids: readonly string[], dueIn = 0) {
    // This file's the dev CLI's `init` made the queue (world.resources is not set: init false).
    const queueUrl = (await findRefreshQueueUrl(world.target, world.clients.sqs)) ?? expect.fail('no queue');
    const queue = new SqsRefreshQueue({ client: world.clients.sqs, queueUrl });
    const orders = [];
    for (const id of ids) {
      const snapshot = (await world.store.get(id)) ?? expect.fail(`no connection ${id}`);
      orders.push({ connectionId: id, dueAt: Date.now() + dueIn, snapshot });
    }
    await queue.enqueue(orders);
  }

  it('delivers queued orders to the worker handler; a duplicate order costs no Zoho call', async () => {
    // Prepare: two orders for one connection (SQS delivers at least once), one for another, one not yet due
    await world.putClient();
    const twice = await world.seedConnection('lw-twice');
    const once = await world.seedConnection('lw-once');
    await world.seedConnection('lw-later');
    await queueOrders(['lw-twice', 'lw-twice', 'lw-once']);
    await queueOrders(['lw-later'], 120_000);

    // Act
    const first = await runDevCli(world.localCustom('work'));
    const second = await runDevCli(world.localCustom('work', '--json'));

    // Assess
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(
      'Delivered 3 order(s): 2 refreshed, 0 failed, 1 skipped; 1 held back until due.\n',
    );
    expect(first.stderr).toContain('Refreshing 3 queued connection(s) …');
    expect(second.json()).toEqual({
      delivered: 0,
      refreshed: 0,
      failed: 0,
      skipped: 0,
      leftForRedelivery: 0,
      heldBack: 1,
    });
    expect(world.sim.calls.tokenCallsFor(twice)).toBe(1);
    expect(world.sim.calls.tokenCallsFor(once)).toBe(1);
    expect(await world.store.get('lw-twice')).toMatchObject({ version: 1 });
    expect(await world.store.get('lw-later')).toMatchObject({ version: 0 });
  });

  it('exits 1 when a refresh fails, and says so', async () => {
    // Prepare
    await world.seedConnection('lw-dead', { refreshToken: '1000.test-rt-work-dead' });
    await queueOrders(['lw-dead']);

    // Act
    const result = await runDevCli(world.localCustom('work'));

    // Assess
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Delivered 1 order(s): 0 refreshed, 1 failed, 0 skipped');
    expect(result.stderr).toContain('zoho-tokens: 1 of 1 refreshes failed');
    expect(await world.store.get('lw-dead')).toMatchObject({ status: 'reauthorization_required' });
  });

  it('exits 2 for a custom accounts server without --allow-custom-accounts-server, before taking any order', async () => {
    // Prepare
    const refreshToken = await world.seedConnection('lw-custom');
    await queueOrders(['lw-custom']);

    // Act
    const refused = await runDevCli(world.local('work'));
    const allowed = await runDevCli(world.localCustom('work', '--json'));

    // Assess
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("an accounts server outside Zoho's data centres; nothing was sent");
    expect(allowed.json()).toMatchObject({ delivered: 1, refreshed: 1 });
    expect(world.sim.calls.tokenCallsFor(refreshToken)).toBe(1);
  });
});

describe('npm run local -- setup', () => {
  it('makes sure the Python tools are installed', async () => {
    // Act
    const result = await runDevCli(['setup', '--json']);

    // Assess
    expect(result.code).toBe(0);
    expect(result.json<{ venvDir: string }>().venvDir).toMatch(/\.venv/);
  }, 600_000);
});
