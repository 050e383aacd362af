import { DeleteQueueCommand, PurgeQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionView } from '../../../cli/connection-view';
import { createLocalResources } from '../../../dev/resources/resources';
import { ESC, plain, runCli, runDevCli } from './cli-run';
import { useCliWorld } from './cli-world';

const world = useCliWorld();
const HOUR = 3_600_000;

beforeAll(async () => {
  await world.putClient();
  await world.seedConnection('ok-1');
  expect((await runCli(world.localCustom('refresh', 'ok-1'))).code).toBe(0);
  const now = Date.now();
  await world.seedConnection('expired', {
    refreshToken: '1000.test-rt-unknown-to-zoho',
    version: 3,
    expiresAt: now - 5 * 60_000,
    refreshedAt: now - HOUR,
  });
  await world.seedConnection('reauth', {
    status: 'reauthorization_required',
    version: 2,
    expiresAt: now - HOUR,
    consecutiveFailures: 1,
    lastError: {
      code: 'reauthorization_required',
      message: 'Zoho rejected the refresh token (invalid_code)',
      at: now,
    },
  });
  await world.seedConnection('failing', {
    version: 5,
    expiresAt: now + 30 * 60_000,
    refreshDueAt: now + 60_000,
    consecutiveFailures: 2,
    lastError: { code: 'timeout', message: 'Zoho call failed transiently: no answer', at: now },
  });
});

describe('zoho-tokens status', () => {
  it('shows every connection; trouble is marked even without colour, with what to do', async () => {
    // Act
    const result = await runCli(world.local('status'));

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain(ESC);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^ {2}id +dc +status +version +expires in +last refresh +failures +last error$/);
    expect(lines.find((line) => line.includes('ok-1'))).toMatch(
      /^ {2}ok-1 +custom +active +1 +(59m|1h) +\d+s ago +0 *$/,
    );
    expect(lines.find((line) => line.includes('✗ expired'))).toMatch(/active +3 +EXPIRED 5m ago +1h ago/);
    expect(lines.find((line) => line.startsWith('✗ reauth'))).toMatch(
      /reauthorization_required +2 +EXPIRED 1h ago +never +1 +reauthorization_required: Zoho rejected/,
    );
    expect(lines.find((line) => line.startsWith('! failing'))).toMatch(/active +5 +30m/);
    expect(result.stdout).toContain('2 connection(s) in trouble, 1 with warnings:');
    expect(result.stdout).toContain('✗ reauth: Zoho rejected the refresh token');
    expect(result.stdout).toContain(
      `    fix: send the customer a link: zoho-tokens link create --id reauth --client books --accounts-server ${world.accountsServer('us')} --allow-custom-accounts-server --reauthorize (the 'Zoho Reauthorization Required' event carries one when the connect endpoint is deployed); or authorise again: zoho-tokens connect --id reauth --client books --code - (--accounts-server ${world.accountsServer('us')} --allow-custom-accounts-server …)`,
    );
    expect(result.stdout).toContain('✗ expired: the access token has expired: consumers are failing');
  });

  it('colours trouble red on a terminal, and not with NO_COLOR', async () => {
    // Act
    const terminal = await runCli(world.local('status'), { isTTY: true });
    const noColour = await runCli(world.local('status'), { isTTY: true, env: { NO_COLOR: '1' } });

    // Assess
    const reauthLine = terminal.stdout.split('\n').find((line) => line.includes('✗ reauth'));
    expect(reauthLine?.startsWith(`${ESC}[1m${ESC}[31m✗ reauth`)).toBe(true);
    expect(plain(terminal.stdout)).toBe(noColour.stdout);
    expect(noColour.stdout).not.toContain(ESC);
  });

  it('prints every connection as JSON, without the encrypted refresh token', async () => {
    // Act
    const result = await runCli(world.local('status', '--json'));

    // Assess
    expect(result.code).toBe(0);
    const views = result.json<ConnectionView[]>();
    expect(views.map((view) => [view.connectionId, view.health])).toEqual([
      ['expired', 'trouble'],
      ['failing', 'warning'],
      ['ok-1', 'ok'],
      ['reauth', 'trouble'],
    ]);
    expect(views[2]).toMatchObject({ status: 'active', version: 1, consecutiveFailures: 0, lastError: null });
    expect(result.stdout).not.toContain('encryptedRefreshToken');
  });

  it('shows one connection with its details', async () => {
    // Act
    const table = await runCli(world.local('status', 'ok-1'));
    const json = await runCli(world.local('status', 'ok-1', '--json'));

    // Assess
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(`accounts server  ${world.accountsServer('us')}`);
    expect(table.stdout).toContain('client app       books');
    expect(json.json<ConnectionView>()).toMatchObject({ connectionId: 'ok-1', health: 'ok', dc: 'custom' });
  });

  it('exits 1 with --check when a connection is in trouble, and for an unknown connection', async () => {
    // Act
    const check = await runCli(world.local('status', '--check'));
    const healthy = await runCli(world.local('status', 'ok-1', '--check'));
    const unknown = await runCli(world.local('status', 'nope'));

    // Assess
    expect(check.code).toBe(1);
    expect(healthy.code).toBe(0);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("zoho-tokens: No connection 'nope' is registered");
    expect(unknown.stderr).toContain("hint: list the connections with 'zoho-tokens status'");
  });

  it('sums up the backlog and the refresh queue under the table', async () => {
    // Prepare: two orders waiting, one delayed, one that failed for good
    const send = (queueUrl: string, body: string, delay = 0) =>
      world.clients.sqs.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, DelaySeconds: delay }),
      );
    const before = await runCli(world.local('status'));
    await send(world.resources.refreshQueueUrl, '{"connectionId":"expired"}');
    await send(world.resources.refreshQueueUrl, '{"connectionId":"failing"}');
    await send(world.resources.refreshQueueUrl, '{"connectionId":"ok-1"}', 600);
    await send(world.resources.refreshDeadLetterQueueUrl, '{"connectionId":"gone"}');

    // Act
    const after = await runCli(world.local('status'));
    await world.clients.sqs.send(new PurgeQueueCommand({ QueueUrl: world.resources.refreshQueueUrl }));
    await world.clients.sqs.send(
      new PurgeQueueCommand({ QueueUrl: world.resources.refreshDeadLetterQueueUrl }),
    );
    const onlyOne = await runCli(world.local('status', 'ok-1'));

    // Assess: 'expired' is due since it was registered; 'failing' is due in a minute; 'reauth' is off the schedule
    expect(before.stdout).toMatch(
      /\n\nDue now: 1 of 3 active connection\(s\), the oldest for \d+s\.\nRefresh queue: empty; dead-letter queue: empty\.\n\n/,
    );
    expect(after.stdout).toContain(
      "Refresh queue: 2 waiting, 1 delayed; dead-letter queue: 1 failed order(s) ('zoho-tokens doctor' says what to do).",
    );
    expect(onlyOne.stdout).not.toContain('Refresh queue');
  });

  it('says the refresh queue is missing rather than failing', async () => {
    // Prepare
    await world.clients.sqs.send(new DeleteQueueCommand({ QueueUrl: world.resources.refreshQueueUrl }));

    // Act
    const result = await runCli(world.local('status'));
    await createLocalResources({ endpoint: world.endpoint, region: world.target.region });

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "Refresh queue: none in the emulator (run 'npm run local -- init' again).",
    );
  });

  it('says how to start when there are no connections', async () => {
    // Prepare
    expect((await runDevCli(world.local('init', '--table', 'empty-table'))).code).toBe(0);

    // Act
    const result = await runCli(world.local('status', '--table', 'empty-table'));

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "No connections yet. Register one with 'zoho-tokens connect' or 'zoho-tokens add'.",
    );
  });
});

describe('zoho-tokens history', () => {
  it('lists the attempts newest first with trigger, outcome, error and duration', async () => {
    // Prepare
    expect((await runCli(world.localCustom('refresh', 'ok-1', '--force'))).code).toBe(0);
    expect((await runCli(world.localCustom('refresh', 'expired'))).code).toBe(1);

    // Act
    const ok = await runCli(world.local('history', 'ok-1'));
    const failed = await runCli(world.local('history', 'expired', '--json'));

    // Assess
    expect(ok.code).toBe(0);
    const rows = ok.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^time +trigger +outcome +version +zoho error +duration +zoho calls +message$/);
    expect(rows.slice(1).map((row) => row.split(/ {2,}/).slice(1, 4))).toEqual([
      ['operator', 'refreshed', '2'],
      ['operator', 'refreshed', '1'],
    ]);
    expect(failed.code).toBe(0);
    const [entry] = failed.json<Array<Record<string, unknown>>>();
    expect(entry).toMatchObject({
      connectionId: 'expired',
      trigger: 'operator',
      outcome: 'reauthorization_required',
      errorCode: 'reauthorization_required',
      zohoCalls: 1,
    });
    expect(typeof entry?.at).toBe('string');
  });

  it('honours --limit', async () => {
    // Act
    const result = await runCli(world.local('history', 'ok-1', '--limit', '1', '--json'));

    // Assess
    expect(result.json<unknown[]>()).toHaveLength(1);
  });

  it.each([
    [['history', 'nope'], 1, "No connection 'nope' is registered"],
    [['history', 'ok-1', '--limit', '0'], 2, '--limit must be at least 1'],
    [['history', 'ok-1', '--limit', 'ten'], 2, '--limit must be a non-negative whole number'],
    [['history'], 2, 'history: missing connection ID'],
  ])('%j exits %i', async (args, code, message) => {
    // Act
    const result = await runCli(world.local(...args));

    // Assess
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(message);
  });

  it('never repeats a secret pasted as the connection id, even in "not registered"', async () => {
    // Act: a client secret has the characters of an id
    const result = await runCli(world.local('status', 'test-cs-0a1b2c3d4e5f60718293a4b5c6d7e8f9'));

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("No connection '[not shown]' is registered");
    expect(result.stderr).not.toContain('test-cs-');
  });
});
