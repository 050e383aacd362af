/**
 * `zoho-tokens doctor ID` locally: the refresher's `check` operator command runs in-process and
 * says whether a refresh could decrypt the refresh token and read the client app and the
 * access-token secret (aws-mode.test.ts covers the same through the deployed function).
 */
import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { SubscribeCommand } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import type { Check } from '../../../cli/doctor/check';
import { accessTokenSecretName } from '../../../functions/aws/names';
import { runCli } from './cli-run';
import { useCliWorld } from './cli-world';

const world = useCliWorld();

interface DoctorReport {
  ok: boolean;
  checks: Check[];
}

async function doctor(id: string) {
  const result = await runCli(world.localCustom('doctor', id, '--json'));
  const checks = result.json<DoctorReport>().checks;
  const find = (name: string) => checks.find((check) => check.name === name);
  return { result, find };
}

describe('zoho-tokens doctor ID: what the refresher can read', () => {
  it('says the refresher decrypts the refresh token and reads the client app and the secret', async () => {
    // Prepare: someone is subscribed to the alarms, so every stack check passes too.
    await world.clients.sns.send(
      new SubscribeCommand({
        TopicArn: world.resources.alarmTopicArn,
        Protocol: 'sqs',
        Endpoint: world.resources.eventsQueueArn,
      }),
    );
    await world.putClient();
    await world.seedConnection('dr-good');
    expect((await runCli(world.localCustom('refresh', 'dr-good'))).code).toBe(0);
    world.sim.resetCounters();

    // Act
    const { result, find } = await doctor('dr-good');

    // Assess
    expect(result.code).toBe(0);
    expect(find('refresh token')).toEqual({
      name: 'refresh token',
      status: 'ok',
      message:
        "the refresher decrypts it with key alias/zoho-token-refresher under its connection's encryption context",
    });
    expect(find('refresher: client app books')).toEqual({
      name: 'refresher: client app books',
      status: 'ok',
      message: 'the refresher reads it for data centre custom',
    });
    expect(find('refresher: access-token secret')).toEqual({
      name: 'refresher: access-token secret',
      status: 'ok',
      message: 'the refresher reads it (version 1)',
    });
    // The check spends nothing at Zoho; only the client probe asks, with a code that cannot exist.
    expect(world.sim.calls.tokenByGrantType).toEqual({ authorization_code: 1 });
  });

  it('fails a refresh token bound to another connection and says to register it again', async () => {
    // Prepare
    const borrowed = (await world.store.get('dr-good'))?.encryptedRefreshToken;
    await world.seedConnection('dr-swapped', {
      ...(borrowed === undefined ? {} : { encryptedRefreshToken: borrowed }),
    });

    // Act
    const { result, find } = await doctor('dr-swapped');

    // Assess
    expect(result.code).toBe(1);
    expect(find('refresh token')).toEqual({
      name: 'refresh token',
      status: 'fail',
      message:
        'the refresher cannot decrypt it: RefreshTokenCipherRefusedError [refresh_token_cipher_refused] caused by InvalidCiphertextException',
      fix: 'register it again: zoho-tokens add --id dr-swapped … --refresh-token -',
    });
    expect(find('refresher: client app books')?.status).toBe('ok');
  });

  it('fails a client app the refresher cannot read, and an access-token secret edited by hand', async () => {
    // Prepare
    await world.seedConnection('dr-noclient', { clientRef: 'books-missing' });
    await world.seedConnection('dr-edited');
    expect((await runCli(world.localCustom('refresh', 'dr-edited'))).code).toBe(0);
    await world.clients.secretsManager.send(
      new PutSecretValueCommand({
        SecretId: accessTokenSecretName(world.target.names.secretPrefix, 'dr-edited'),
        SecretString: 'not json',
      }),
    );

    // Act
    const noClient = await doctor('dr-noclient');
    const edited = await doctor('dr-edited');

    // Assess
    expect(noClient.result.code).toBe(1);
    expect(noClient.find('refresher: client app books-missing')).toEqual({
      name: 'refresher: client app books-missing',
      status: 'fail',
      message: 'the refresher cannot read it: ClientCredentialsNotFoundError [client_credentials_not_found]',
      fix: 'store it: zoho-tokens clients put --client books-missing --client-id … --client-secret -',
    });
    expect(noClient.find('refresh token')?.status).toBe('ok');
    expect(edited.result.code).toBe(1);
    expect(edited.find('refresher: access-token secret')).toEqual({
      name: 'refresher: access-token secret',
      status: 'fail',
      message:
        'the refresher cannot read it: MalformedAccessTokenSecretError [malformed_access_token_secret]',
      fix: 'if its value was edited by hand, zoho-tokens refresh dr-edited --force writes a new version',
    });
  });

  it('checks a misconfigured connection too, and says how to reactivate it', async () => {
    // Prepare
    await world.seedConnection('dr-misconfigured', {
      status: 'misconfigured',
      lastError: { code: 'misconfigured_client', message: 'Zoho rejected the client app', at: 1 },
    });

    // Act
    const { find } = await doctor('dr-misconfigured');

    // Assess
    expect(find('refresh token')?.status).toBe('ok');
    expect(find('refresher: client app books')?.status).toBe('ok');
    expect(find('refresher: access-token secret')).toMatchObject({
      status: 'ok',
      message: 'the refresher reads it (none written yet)',
    });
    expect(find('connection dr-misconfigured')?.fix).toContain(
      'then zoho-tokens enable dr-misconfigured to reactivate',
    );
  });
});
