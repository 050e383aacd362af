import {
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
} from '@aws-sdk/client-cloudwatch';
import { DisableKeyCommand } from '@aws-sdk/client-kms';
import { SubscribeCommand } from '@aws-sdk/client-sns';
import {
  DeleteQueueCommand,
  PurgeQueueCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import type { Check } from '../../../cli/doctor/check';
import { createLocalResources } from '../../../dev/resources/resources';
import { putClientCredentials } from '../../../functions/aws/client-credentials';
import { REFRESH_MAX_RECEIVES } from '../../../infra/refresh-queue-spec';
import { runCli } from './cli-run';
import { useCliWorld } from './cli-world';

const world = useCliWorld();

interface DoctorReport {
  ok: boolean;
  failed: number;
  warnings: number;
  checks: Check[];
}

const verdicts = (report: DoctorReport) =>
  Object.fromEntries(report.checks.map((check) => [check.name, check.status]));

describe('zoho-tokens doctor', () => {
  it('finds the alarms; nobody subscribed is only a warning against the emulator, which sends no mail', async () => {
    // Prepare
    await world.putClient();
    await world.seedConnection('dr-ok');
    expect((await runCli(world.localCustom('refresh', 'dr-ok'))).code).toBe(0);

    // Act
    const result = await runCli(world.local('doctor'));

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^✓ node: Node v\d+\.\d+\.\d+/m);
    expect(result.stdout).toContain('✓ table: table zoho-token-refresher is active');
    expect(result.stdout).toContain('✓ key: refresh-token key alias/zoho-token-refresher is enabled');
    expect(result.stdout).toContain(
      '✓ alarm PlannerHeartbeatMissing: alarm zoho-token-refresher-PlannerHeartbeatMissing watches PlannerHeartbeat',
    );
    // The refresh queue and its dead-letter queue exist in the emulator, and so do their alarms.
    expect(result.stdout).toContain(
      '✓ alarm RefreshBacklogAge: alarm zoho-token-refresher-RefreshBacklogAge watches ApproximateAgeOfOldestMessage',
    );
    expect(result.stdout).toContain(
      '✓ alarm RefreshDeadLetterQueueNotEmpty: alarm zoho-token-refresher-RefreshDeadLetterQueueNotEmpty watches ApproximateNumberOfMessagesVisible',
    );
    expect(result.stdout).toContain(
      '✓ refresh queue: 0 order(s) waiting, 0 in flight, 0 delayed until their connection is due',
    );
    for (const id of [
      'ConnectionsNeedingReauthorization',
      'ConnectionsMisconfigured',
      'ConnectionsFailing',
      'ExpiredTokens',
      'RefreshFailures',
      'SecretWriteFailures',
      'SecretWriteBudgetExhausted',
      'ZohoMalformedResponse',
      'DeadLetterQueueNotEmpty',
    ]) {
      expect(result.stdout).toContain(`✓ alarm ${id}: alarm zoho-token-refresher-${id} watches `);
    }
    expect(result.stdout).toContain(
      '✓ alarms in AWS only: not checked: the emulator runs no functions, so the 7 alarms on them (PlannerErrors, RefreshWorkerErrors, PlannerThrottles, OnDemandRefreshErrors, OnDemandRefreshThrottles, OperatorErrors, OperatorThrottles) exist only in a deployed stack',
    );
    expect(result.stdout).toMatch(
      /^! alarm subscribers: nobody would be notified when an alarm fires \(topic arn:aws:sns:us-east-1:\d+:zoho-token-refresher-alarms has no subscriber\); the emulator sends no mail, so this matters only in AWS$/m,
    );
    expect(result.stdout).toContain(
      '    fix: in AWS, deploy with the alarmEmail property or subscribe someone to the alarm topic',
    );
    expect(result.stdout).toContain('0 problem(s), 1 warning(s).');
    expect(result.stderr).not.toContain('doctor found');
  });

  it('is content once someone is subscribed; checks each client app at Zoho when allowed', async () => {
    // Prepare
    await world.clients.sns.send(
      new SubscribeCommand({
        TopicArn: world.resources.alarmTopicArn,
        Protocol: 'sqs',
        Endpoint: world.resources.eventsQueueArn,
      }),
    );
    world.sim.resetCounters();

    // Act
    const result = await runCli(world.localCustom('doctor', '--json'));

    // Assess
    expect(result.code).toBe(0);
    const report = result.json<DoctorReport>();
    expect(report).toMatchObject({ ok: true, failed: 0, warnings: 0 });
    expect(verdicts(report)).toMatchObject({
      'alarm subscribers': 'ok',
      'connection dr-ok': 'ok',
      'client app books': 'ok',
    });
    // One probe, a code exchange Zoho refuses: no refresh token was used.
    expect(world.sim.calls.tokenByGrantType).toEqual({ authorization_code: 1 });
  });

  it('checks one connection in depth', async () => {
    // Act
    const result = await runCli(world.localCustom('doctor', 'dr-ok', '--json'));

    // Assess
    expect(result.code).toBe(0);
    expect(verdicts(result.json<DoctorReport>())).toMatchObject({
      'connection dr-ok': 'ok',
      'accounts server': 'warn',
      'client app books': 'ok',
      'refresh token': 'ok',
      'access-token secret': 'ok',
    });
  });

  it('fails a custom accounts server that was not allowed', async () => {
    // Act
    const result = await runCli(world.local('doctor', 'dr-ok'));

    // Assess
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `✗ accounts server: ${world.accountsServer('us')} is not one of Zoho's data centres`,
    );
    expect(result.stdout).toContain('    fix: pass --allow-custom-accounts-server if it is your simulator');
  });

  it('tells a wrong client secret from a client unknown in the data centre', async () => {
    // Prepare
    await putClientCredentials(world.clients.secretsManager, 'zoho-token-refresher', 'books-bad', {
      clientId: '1000.CLITESTCLIENT',
      clientSecret: 'test-cs-wrong',
    });
    world.sim.registerClient({ clientId: '1000.EUONLY', clientSecret: 'test-cs-eu-only', dcs: ['eu'] });
    await putClientCredentials(world.clients.secretsManager, 'zoho-token-refresher', 'books-eu', {
      clientId: '1000.EUONLY',
      clientSecret: 'test-cs-eu-only',
    });
    await world.seedConnection('dr-secret', { clientRef: 'books-bad' });
    await world.seedConnection('dr-dc', { clientRef: 'books-eu' });

    // Act
    const secret = await runCli(world.localCustom('doctor', 'dr-secret'));
    const dc = await runCli(world.localCustom('doctor', 'dr-dc'));

    // Assess
    expect(secret.code).toBe(1);
    expect(secret.stdout).toContain(
      `✗ client app books-bad: ${world.accountsServer('us')} rejects client app 'books-bad' (invalid_client_secret)`,
    );
    expect(secret.stdout).toContain(
      '    fix: store the secret of data centre custom: zoho-tokens clients put --client books-bad --dc custom --client-secret -',
    );
    expect(dc.code).toBe(1);
    expect(dc.stdout).toContain("rejects client app 'books-eu' (invalid_client)");
    expect(dc.stdout).toContain('tokens are bound to one data centre');
    expect(secret.stdout + dc.stdout).not.toContain('test-cs-');
  });

  it('says what a revoked connection and a missing secret need', async () => {
    // Prepare
    await world.seedConnection('dr-revoked', { status: 'revoked', encryptedRefreshToken: '' });
    await world.seedConnection('dr-nosecret', {
      version: 2,
      expiresAt: Date.now() + 3_600_000,
      refreshDueAt: Date.now() + 3_000_000,
    });

    // Act
    const revoked = await runCli(world.localCustom('doctor', 'dr-revoked', '--json'));
    const noSecret = await runCli(world.localCustom('doctor', 'dr-nosecret', '--json'));

    // Assess
    expect(revoked.code).toBe(1);
    const revokedChecks = revoked.json<DoctorReport>().checks;
    expect(revokedChecks.find((check) => check.name === 'refresh token')).toMatchObject({
      status: 'fail',
      message: 'no refresh token is stored (revoked)',
    });
    expect(revokedChecks.find((check) => check.name === 'connection dr-revoked')?.fix).toContain(
      'zoho-tokens add --id dr-revoked',
    );
    expect(
      noSecret.json<DoctorReport>().checks.find((check) => check.name === 'access-token secret'),
    ).toMatchObject({
      status: 'fail',
      message: 'the secret is missing: consumers cannot read a token',
      fix: 'zoho-tokens refresh dr-nosecret --force',
    });
  });

  it('exits 1 for an unknown connection', async () => {
    // Act
    const result = await runCli(world.local('doctor', 'nope'));

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("No connection 'nope' is registered");
  });

  it('fails a missing alarm and warns about one that departs from its definition, then is content again', async () => {
    // Prepare
    const prefix = 'zoho-token-refresher';
    await world.clients.cloudWatch.send(
      new DeleteAlarmsCommand({ AlarmNames: [`${prefix}-ConnectionsMisconfigured`] }),
    );
    const { MetricAlarms = [] } = await world.clients.cloudWatch.send(
      new DescribeAlarmsCommand({ AlarmNames: [`${prefix}-ExpiredTokens`] }),
    );
    const expired = MetricAlarms[0] ?? expect.fail('init made no ExpiredTokens alarm');
    await world.clients.cloudWatch.send(
      new PutMetricAlarmCommand({
        AlarmName: `${prefix}-ExpiredTokens`,
        Namespace: expired.Namespace,
        MetricName: expired.MetricName,
        Dimensions: expired.Dimensions,
        Statistic: 'Sum',
        Period: expired.Period,
        Threshold: 5,
        EvaluationPeriods: 1,
        ComparisonOperator: expired.ComparisonOperator,
        TreatMissingData: 'notBreaching',
        AlarmActions: expired.AlarmActions,
      }),
    );

    // Act
    const broken = await runCli(world.local('doctor', '--json'));
    await createLocalResources({
      endpoint: world.endpoint,
      region: world.target.region,
      names: world.resources.names,
    });
    const repaired = await runCli(world.local('doctor', '--json'));

    // Assess
    expect(broken.code).toBe(1);
    const checks = broken.json<DoctorReport>().checks;
    expect(checks.find((check) => check.name === 'alarm ConnectionsMisconfigured')).toEqual({
      name: 'alarm ConnectionsMisconfigured',
      status: 'fail',
      message: 'no alarm watches the ConnectionsMisconfigured metric',
      fix: "run 'npm run local -- init --aws-endpoint …' again",
    });
    expect(checks.find((check) => check.name === 'alarm ExpiredTokens')).toMatchObject({
      status: 'warn',
      message: `alarm ${prefix}-ExpiredTokens differs from its definition: statistic is Sum, expected Maximum; threshold is 5, expected 1; missing data is notBreaching, expected ignore`,
    });
    expect(verdicts(repaired.json<DoctorReport>())).toMatchObject({
      'alarm ConnectionsMisconfigured': 'ok',
      'alarm ExpiredTokens': 'ok',
      'alarms in AWS only': 'ok',
    });
  });

  it('checks the refresh queue: failed orders in its dead-letter queue warn and say what to do; no redrive policy fails', async () => {
    // Prepare
    const { refreshQueueUrl, refreshDeadLetterQueueUrl } = world.resources;
    await world.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: refreshDeadLetterQueueUrl,
        MessageBody: '{"connectionId":"dr-ok"}',
      }),
    );
    await world.clients.sqs.send(new SendMessageCommand({ QueueUrl: refreshQueueUrl, MessageBody: '{}' }));

    // Act
    const withDeadLetters = await runCli(world.local('doctor', '--json'));
    await world.clients.sqs.send(
      new SetQueueAttributesCommand({ QueueUrl: refreshQueueUrl, Attributes: { RedrivePolicy: '' } }),
    );
    const withoutRedrive = await runCli(world.local('doctor', '--json'));
    await createLocalResources({ endpoint: world.endpoint, region: world.target.region });
    await world.clients.sqs.send(new PurgeQueueCommand({ QueueUrl: refreshDeadLetterQueueUrl }));
    const repaired = await runCli(world.local('doctor', '--json'));

    // Assess
    const check = (result: typeof repaired, name: string) =>
      result.json<DoctorReport>().checks.find((candidate) => candidate.name === name);
    expect(check(withDeadLetters, 'refresh queue')).toEqual({
      name: 'refresh queue',
      status: 'ok',
      message: '1 order(s) waiting, 0 in flight, 0 delayed until their connection is due',
    });
    expect(check(withDeadLetters, 'refresh dead-letter queue')).toEqual({
      name: 'refresh dead-letter queue',
      status: 'warn',
      message: `1 refresh order(s) failed ${REFRESH_MAX_RECEIVES} deliveries in a row and wait there; their connections stay due, so the planner sends them again`,
      fix: `find the error in the worker's log group (the order names the connection: aws sqs receive-message --queue-url ${refreshDeadLetterQueueUrl}), fix it, then aws sqs purge-queue --queue-url ${refreshDeadLetterQueueUrl}`,
    });
    expect(withoutRedrive.code).toBe(1);
    expect(check(withoutRedrive, 'refresh dead-letter queue')).toMatchObject({
      status: 'fail',
      fix: "run 'npm run local -- init --aws-endpoint …' again",
    });
    expect(check(repaired, 'refresh dead-letter queue')).toEqual({
      name: 'refresh dead-letter queue',
      status: 'ok',
      message: `empty (an order lands there after ${REFRESH_MAX_RECEIVES} failed deliveries)`,
    });
  });

  it('fails a missing refresh queue', async () => {
    // Prepare
    await world.clients.sqs.send(new DeleteQueueCommand({ QueueUrl: world.resources.refreshQueueUrl }));

    // Act
    const result = await runCli(world.local('doctor', '--json'));
    await createLocalResources({ endpoint: world.endpoint, region: world.target.region });

    // Assess
    expect(result.code).toBe(1);
    expect(result.json<DoctorReport>().checks.find((check) => check.name === 'refresh queue')).toEqual({
      name: 'refresh queue',
      status: 'fail',
      message: 'the emulator has no refresh queue',
      fix: "run 'npm run local -- init --aws-endpoint …' again",
    });
  });

  it('fails a disabled refresh-token key', async () => {
    // Prepare
    await world.clients.kms.send(new DisableKeyCommand({ KeyId: world.resources.keyId }));

    // Act
    const result = await runCli(world.local('doctor', '--json'));

    // Assess
    expect(result.code).toBe(1);
    expect(result.json<DoctorReport>().checks.find((check) => check.name === 'key')).toMatchObject({
      status: 'fail',
      fix: 'enable the key (or cancel its deletion) in KMS',
    });
  });
});
