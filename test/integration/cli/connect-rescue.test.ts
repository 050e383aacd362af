/**
 * `connect` spends a single-use grant code and receives a refresh token that exists nowhere else:
 * what can fail is checked before the exchange, and a failure after it must not lose the token.
 * Failures "after the exchange" are made while the simulator holds its answer to the exchange.
 */
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CreateAliasCommand, DeleteAliasCommand } from '@aws-sdk/client-kms';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../../cli/main';
import { LOCAL_DEFAULTS } from '../../../functions/aws/names';
import { OPERATOR_WITH_HOOKS, runCli } from './cli-run';
import { CLIENT_ID, useCliWorld } from './cli-world';

const world = useCliWorld();
const code = () => world.sim.issueGrantCode({ clientId: CLIENT_ID, dc: 'us' });
const connectArgs = (id: string, ...extra: string[]) =>
  world.localCustom(
    'connect',
    '--id',
    id,
    '--client',
    'books',
    '--code',
    '-',
    '--accounts-server',
    world.accountsServer('us'),
    ...extra,
  );

/** Long enough for the test to break something while Zoho's answer to the exchange is held. */
const HELD_EXCHANGE = { latencyMs: 1_500 };

/** Runs `during` once the exchange reached the simulator (its answer held), then awaits `run`. */
async function duringTheExchange<T>(run: Promise<T>, during: () => Promise<unknown>): Promise<T> {
  let settled = false;
  void run.finally(() => {
    settled = true;
  });
  while ((world.sim.calls.tokenByGrantType.authorization_code ?? 0) === 0 && !settled) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  if (!settled) await during();
  return run;
}

const { keyAlias } = LOCAL_DEFAULTS;
const breakKeyAlias = () => world.clients.kms.send(new DeleteAliasCommand({ AliasName: keyAlias }));
const restoreKeyAlias = () =>
  world.clients.kms.send(new CreateAliasCommand({ AliasName: keyAlias, TargetKeyId: world.resources.keyId }));

describe('zoho-tokens connect never loses the refresh token it was granted', () => {
  afterEach(() => {
    world.sim.faults.clear();
  });

  it('checks that it may encrypt with the key before it spends the code', async () => {
    // Prepare
    await world.putClient();
    world.sim.resetCounters();

    // Act
    const result = await runCli(connectArgs('acme-nokey', '--key', 'alias/no-such-key'), { stdin: code() });

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('kms:Encrypt');
    expect(world.sim.calls.token).toBe(0);
    expect(await world.store.get('acme-nokey')).toBeUndefined();
  });

  it('counts the exchange in the Zoho budget of the new connection', async () => {
    // Act
    const before = Date.now();
    const result = await runCli(connectArgs('acme-budget'), { stdin: code() });

    // Assess: the exchange and the first refresh, in that order
    expect(result.code).toBe(0);
    const calls = (await world.store.get('acme-budget'))?.recentZohoCalls ?? [];
    expect(calls).toHaveLength(2);
    expect(calls[0]).toBeGreaterThanOrEqual(before);
    expect(calls[0]).toBeLessThanOrEqual(calls[1] ?? 0);
  });

  it('revokes the new refresh token when the table write fails after the exchange', async () => {
    // Prepare
    world.sim.resetCounters();
    world.sim.faults.queue('token', HELD_EXCHANGE);

    // Act: another operator registers the same id while Zoho's answer is on its way
    const result = await duringTheExchange(runCli(connectArgs('acme-race'), { stdin: code() }), () =>
      world.seedConnection('acme-race'),
    );

    // Assess: nothing stored by this run, the token revoked at Zoho, no secret shown
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("storing connection 'acme-race' failed");
    expect(result.stderr).toContain('The new refresh token was revoked at Zoho, so nothing was left behind');
    expect(result.stderr).toContain('hint: ');
    expect(result.stderr).toContain('generate a new code');
    expect(world.sim.calls.tokenByGrantType).toEqual({ authorization_code: 1 });
    expect(world.sim.calls.revoke).toBe(1);
    expect(await world.store.get('acme-race')).toMatchObject({ version: 0, recentZohoCalls: [] });
    expect(result.stdout + result.stderr).not.toMatch(/sim-rt-|sim-at-|sim-gc-/);
  });

  it('writes the token to a file only the operator can read when stderr is no terminal and the revocation fails too', async () => {
    // Prepare: the revocation cannot reach Zoho, and stderr is a CI log. The streams are this test's
    // own: nothing of the token may reach them (the suite's log scan covers runCli's).
    world.sim.resetCounters();
    world.sim.faults.queue('token', HELD_EXCHANGE);
    world.sim.faults.set('revoke', 'http-503');
    const cwd = await mkdtemp(join(tmpdir(), 'zoho-tokens-rescue-'));
    let stdout = '';
    let stderr = '';
    const io = {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text), isTTY: false },
      stdin: Readable.from([code()]),
      isTTY: false,
      env: {},
      cwd,
    };

    // Act: the key becomes unusable while Zoho's answer is on its way; then the operator stores it
    let exitCode: number;
    try {
      exitCode = await duringTheExchange(
        main(connectArgs('acme-lost'), io, OPERATOR_WITH_HOOKS),
        breakKeyAlias,
      );
    } finally {
      await restoreKeyAlias();
    }
    const files = await readdir(cwd);
    const path = join(cwd, files[0] ?? 'nothing written');
    const add = await runCli(
      world.localCustom(
        'add',
        '--id',
        'acme-lost',
        '--client',
        'books',
        '--accounts-server',
        world.accountsServer('us'),
        '--refresh-token',
        '-',
      ),
      { stdin: await readFile(path, 'utf8').catch(() => 'nothing written') },
    );
    const mode = (await stat(path)).mode & 0o777;
    await rm(cwd, { recursive: true, force: true });

    // Assess: one file of mode 0600, named on stderr with the command that stores it; and it works
    expect(exitCode).toBe(1);
    expect(files).toHaveLength(1);
    expect(mode).toBe(0o600);
    expect(stdout + stderr).not.toMatch(/sim-rt-/);
    expect(stderr).toContain(`was written to ${path} (readable by you only)`);
    expect(stderr).toContain(
      `zoho-tokens add --id acme-lost --client books --accounts-server ${world.accountsServer('us')} --allow-custom-accounts-server --refresh-token - < ${path}`,
    );
    expect(stderr).toContain('Revoking the new refresh token failed too');
    expect(world.sim.calls.revoke).toBe(1);
    expect(add.code).toBe(0);
    expect(await world.store.get('acme-lost')).toMatchObject({ status: 'active', version: 1 });
  });

  it('revokes the new refresh token when another operator re-authorised the connection meanwhile', async () => {
    // Prepare: a connection that needs re-authorisation; its old token's calls must not count
    await world.seedConnection('acme-moved', { status: 'reauthorization_required' });
    const theirs = await world.cipher.encrypt('acme-moved', '1000.test-rt-theirs');
    world.sim.resetCounters();
    world.sim.faults.queue('token', HELD_EXCHANGE);

    // Act: the other operator's re-authorisation lands while Zoho's answer to ours is on its way
    const result = await duringTheExchange(runCli(connectArgs('acme-moved'), { stdin: code() }), () =>
      world.store.setStatus('acme-moved', 'active', { encryptedRefreshToken: theirs, lastError: null }),
    );

    // Assess: their token stays, ours is revoked, and the operator is told why
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Connection 'acme-moved' is no longer reauthorization_required");
    expect(result.stderr).toContain('The new refresh token was revoked at Zoho, so nothing was left behind');
    expect(world.sim.calls.revoke).toBe(1);
    expect(await world.store.get('acme-moved')).toMatchObject({
      status: 'active',
      encryptedRefreshToken: theirs,
    });
  });
});
