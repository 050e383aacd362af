import { GetSecretValueCommand, ResourceNotFoundException } from '@aws-sdk/client-secrets-manager';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { SecretsManagerTokenVault } from '../../../functions/aws/token-vault';
import { runCli } from './cli-run';
import { useCliWorld } from './cli-world';

const world = useCliWorld();

async function secretExists(id: string): Promise<boolean> {
  try {
    await world.clients.secretsManager.send(
      new GetSecretValueCommand({ SecretId: `zoho-token-refresher/${id}/access-token` }),
    );
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}

describe('zoho-tokens reject', () => {
  it("publishes a consumer's Token Rejected event under the connection's source, and the local queue receives it", async () => {
    // Prepare
    await world.putClient();
    await world.seedConnection('rj');

    // Act
    const result = await runCli(world.local('reject', 'rj', '--version', '0', '--code', '57', '--json'));

    // Assess
    expect(result.code).toBe(0);
    const published = result.json<{ eventId: string; source: string; detail: unknown }>();
    expect(published.source).toBe('zoho-token-refresher.consumer.rj');
    expect(published.detail).toEqual({ connectionId: 'rj', version: 0, status: 401, code: 57 });
    const { Messages = [] } = await world.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: world.resources.rejectedQueueUrl, MaxNumberOfMessages: 10 }),
    );
    expect(Messages).toHaveLength(1);
    expect(JSON.parse(Messages[0]?.Body ?? '{}')).toMatchObject({
      source: 'zoho-token-refresher.consumer.rj',
      'detail-type': 'Zoho Token Rejected',
      detail: { connectionId: 'rj', version: 0, status: 401, code: 57 },
    });
  });

  it('says to drain it locally', async () => {
    // Act
    const result = await runCli(world.local('reject', 'rj', '--version', '0'));

    // Assess
    expect(result.stdout).toContain(
      `Published "Zoho Token Rejected" for 'rj' version 0 on bus zoho-token-refresher (stored version: 0).`,
    );
    expect(result.stdout).toContain("'npm run local -- drain'");
  });

  it.each([
    [['reject', 'rj'], 2, 'reject: --version is required'],
    [
      ['reject', 'rj', '--version', '-1'],
      2,
      "--version needs a value; one that starts with '-' is written --version=-VALUE",
    ],
    [['reject', 'rj', '--version', 'v3'], 2, '--version must be a non-negative whole number'],
    [['reject', 'nope', '--version', '1'], 1, "No connection 'nope' is registered"],
  ])('%j exits %i', async (args, code, message) => {
    // Act
    const result = await runCli(world.local(...args));

    // Assess
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(message);
  });
});

describe('zoho-tokens revoke', () => {
  it('refuses without --yes when not on a terminal, and changes nothing', async () => {
    // Prepare
    await world.seedConnection('rv');
    expect((await runCli(world.localCustom('refresh', 'rv'))).code).toBe(0);

    // Act
    const result = await runCli(world.localCustom('revoke', 'rv'));

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("revoke: refusing to revoke 'rv' without confirmation");
    expect(result.stderr).toContain('hint: pass --yes when not on a terminal');
    expect((await world.store.get('rv'))?.status).toBe('active');
  });

  it('on a terminal, does nothing unless the id is typed back', async () => {
    // Act
    const result = await runCli(world.localCustom('revoke', 'rv'), { isTTY: true, stdin: 'yes\n' });

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Type the id to confirm:');
    expect(result.stderr).toContain("zoho-tokens: not confirmed; 'rv' was not revoked");
    expect((await world.store.get('rv'))?.status).toBe('active');
    expect(world.sim.calls.revoke).toBe(0);
  });

  it('revokes at Zoho once confirmed, marks it revoked and removes its token material', async () => {
    // Act
    const result = await runCli(world.localCustom('revoke', 'rv'), { isTTY: true, stdin: 'rv\n' });

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "Revoked 'rv' at Zoho and marked it revoked; its access-token secret is deleted.",
    );
    expect(world.sim.calls.revoke).toBe(1);
    expect(await world.store.get('rv')).toMatchObject({ status: 'revoked', encryptedRefreshToken: '' });
    expect(await secretExists('rv')).toBe(false);
    const [entry] = await world.store.listHistory('rv', 1);
    expect(entry).toMatchObject({ trigger: 'operator', outcome: 'revoked' });
  });

  it('says a second revoke has nothing left to do', async () => {
    // Act
    const result = await runCli(world.localCustom('revoke', 'rv', '--yes', '--json'));

    // Assess
    expect(result.code).toBe(0);
    expect(result.json()).toEqual({ connectionId: 'rv', outcome: 'revoked', alreadyRevoked: true });
    expect(world.sim.calls.revoke).toBe(1);
  });

  it('run again, asks nothing, calls no Zoho and deletes a secret a refresh left behind', async () => {
    // Prepare: the secret a refresh that lost its lease to the revoke wrote after it
    await new SecretsManagerTokenVault({
      client: world.clients.secretsManager,
      secretPrefix: world.resources.secretPrefix,
    }).write({
      connectionId: 'rv',
      version: 2,
      accessToken: '1000.test-at-left-behind',
      apiDomain: 'https://www.zohoapis.com',
      tokenType: 'Bearer',
      expiresAt: Date.now() + 3_600_000,
    });

    // Act: on a terminal, without --yes
    const result = await runCli(world.local('revoke', 'rv'), { isTTY: true, stdin: '' });

    // Assess
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('Type the id to confirm');
    expect(result.stdout).toContain(
      "'rv' was already revoked; an access-token secret left behind, if any, is deleted.",
    );
    expect(await secretExists('rv')).toBe(false);
    expect(world.sim.calls.revoke).toBe(1);
  });

  it('completes the revocation when Zoho no longer knows the token', async () => {
    // Prepare
    const refreshToken = await world.seedConnection('rv-gone');
    world.sim.revokeRefreshToken(refreshToken);

    // Act
    const result = await runCli(world.localCustom('revoke', 'rv-gone', '--yes', '--json'));

    // Assess
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({
      connectionId: 'rv-gone',
      outcome: 'revoked',
      revokedAtZoho: false,
    });
    expect((await world.store.get('rv-gone'))?.status).toBe('revoked');
  });

  it('changes nothing when Zoho fails transiently, so it can be run again', async () => {
    // Prepare
    await world.seedConnection('rv-later');
    world.sim.faults.queue('revoke', 'http-503');

    // Act
    const result = await runCli(world.localCustom('revoke', 'rv-later', '--yes'));

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('zoho-tokens: Zoho call failed transiently');
    expect((await world.store.get('rv-later'))?.status).toBe('active');
  });

  it('exits 1 for an unknown connection', async () => {
    // Act
    const result = await runCli(world.localCustom('revoke', 'nope', '--yes'));

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("No connection 'nope' is registered");
  });
});
