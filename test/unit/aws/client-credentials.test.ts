import 'aws-sdk-client-mock-vitest/extend';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  CLIENT_CREDENTIALS_TTL_MS,
  putClientCredentials,
  SecretsManagerClientCredentials,
} from '../../../functions/aws/client-credentials';
import { MalformedClientCredentialsError, ReservedClientNameError } from '../../../functions/aws/errors';
import { ClientCredentialsNotFoundError, InvalidInputError } from '../../../functions/core/errors';
import { NOW, PREFIX, rejection } from './fixtures';

const SECRET = `${PREFIX}/_clients/books-app`;
const APP = JSON.stringify({
  client_id: '1000.CLIENTID',
  client_secret: 'test-cs-default',
  client_secrets_by_dc: { eu: 'test-cs-eu' },
});
const notFound = () =>
  new ResourceNotFoundException({ message: "Secrets Manager can't find the secret", $metadata: {} });

describe('client app secrets', () => {
  const secrets = mockClient(SecretsManagerClient);
  const client = new SecretsManagerClient({ region: 'us-east-1' });

  beforeEach(() => {
    secrets.reset();
  });

  describe('SecretsManagerClientCredentials', () => {
    let now = NOW;
    let provider: SecretsManagerClientCredentials;

    beforeEach(() => {
      now = NOW;
      provider = new SecretsManagerClientCredentials({ client, secretPrefix: PREFIX, now: () => now });
    });

    it('reads the client app once for concurrent callers and picks the secret of the DC', async () => {
      // Prepare
      secrets.on(GetSecretValueCommand).resolves({ SecretString: APP });

      // Act
      const [eu, us] = await Promise.all([provider.get('books-app', 'eu'), provider.get('books-app', 'us')]);

      // Assess
      expect(eu).toEqual({ clientId: '1000.CLIENTID', clientSecret: 'test-cs-eu' });
      expect(us).toEqual({ clientId: '1000.CLIENTID', clientSecret: 'test-cs-default' });
      expect(secrets).toReceiveCommandTimes(GetSecretValueCommand, 1);
      expect(secrets).toReceiveCommandWith(GetSecretValueCommand, { SecretId: SECRET });
    });

    it('serves from the cache for 5 minutes and reads again after', async () => {
      // Prepare
      secrets.on(GetSecretValueCommand).resolves({ SecretString: APP });

      // Act
      await provider.get('books-app', 'eu');
      now += CLIENT_CREDENTIALS_TTL_MS - 1;
      await provider.get('books-app', 'eu');
      const readsWithinTtl = secrets.commandCalls(GetSecretValueCommand).length;
      now += 1;
      await provider.get('books-app', 'eu');

      // Assess
      expect(CLIENT_CREDENTIALS_TTL_MS).toBe(300_000);
      expect(readsWithinTtl).toBe(1);
      expect(secrets).toReceiveCommandTimes(GetSecretValueCommand, 2);
    });

    it('does not cache a failed read', async () => {
      // Prepare
      const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      secrets.on(GetSecretValueCommand).rejectsOnce(throttled).resolves({ SecretString: APP });

      // Act
      const first = await rejection(provider.get('books-app', 'us'));
      const second = await provider.get('books-app', 'us');

      // Assess
      expect(first).toBe(throttled);
      expect(second.clientSecret).toBe('test-cs-default');
      expect(secrets).toReceiveCommandTimes(GetSecretValueCommand, 2);
    });

    it('throws ClientCredentialsNotFoundError for an unknown client app', async () => {
      // Prepare
      secrets.on(GetSecretValueCommand).rejects(notFound());

      // Act
      const error = await rejection(provider.get('books-app', 'eu'));

      // Assess
      expect(error).toBeInstanceOf(ClientCredentialsNotFoundError);
    });

    it.each([
      ['not JSON', 'test-cs-bare', 'the value is not JSON'],
      ['without client_id', JSON.stringify({ client_secret: 'test-cs-x' }), 'client_id is missing'],
      ['without client_secret', JSON.stringify({ client_id: 'id' }), 'client_secret is missing'],
      [
        'with a bad per-DC map',
        JSON.stringify({ client_id: 'id', client_secret: 'test-cs-x', client_secrets_by_dc: { eu: 7 } }),
        'client_secrets_by_dc is not an object of non-empty strings',
      ],
    ])('throws a typed error for a secret %s, never echoing it', async (_kind, value, detail) => {
      // Prepare
      secrets.on(GetSecretValueCommand).resolves({ SecretString: value });

      // Act
      const error = await rejection(provider.get('books-app', 'eu'));

      // Assess
      expect(error).toBeInstanceOf(MalformedClientCredentialsError);
      expect(error.message).toBe(`The secret of client app 'books-app' is malformed: ${detail}`);
    });
  });

  describe('putClientCredentials', () => {
    const app = {
      clientId: '1000.CLIENTID',
      clientSecret: 'test-cs-default',
      clientSecretsByDc: { eu: 'test-cs-eu' },
    };

    it('puts a new version of an existing client app secret', async () => {
      // Prepare
      secrets.on(PutSecretValueCommand).resolves({});

      // Act
      const outcome = await putClientCredentials(client, PREFIX, 'books-app', app);

      // Assess
      expect(outcome).toBe('updated');
      expect(secrets).toReceiveCommandWith(PutSecretValueCommand, { SecretId: SECRET, SecretString: APP });
      expect(secrets).toReceiveCommandTimes(CreateSecretCommand, 0);
    });

    it('creates the secret, tagged, when the client app is new', async () => {
      // Prepare
      secrets.on(PutSecretValueCommand).rejects(notFound());
      secrets.on(CreateSecretCommand).resolves({});

      // Act
      const outcome = await putClientCredentials(client, PREFIX, 'books-app', app, {
        kmsKeyId: 'alias/zoho-secrets',
      });

      // Assess
      expect(outcome).toBe('created');
      expect(secrets).toReceiveCommandWith(CreateSecretCommand, {
        Name: SECRET,
        SecretString: APP,
        KmsKeyId: 'alias/zoho-secrets',
        Tags: [{ Key: 'zoho-token-refresher:client-ref', Value: 'books-app' }],
      });
    });

    it('refuses a client name that cannot be part of a secret name, before any call', async () => {
      // Act
      const error = await rejection(putClientCredentials(client, PREFIX, '../other', app));

      // Assess
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(secrets.calls()).toHaveLength(0);
    });

    it("refuses a reserved name (the consumers' secret pattern reaches it), before any call", async () => {
      // Act
      const error = await rejection(putClientCredentials(client, PREFIX, 'access-token', app));

      // Assess
      expect(error).toBeInstanceOf(ReservedClientNameError);
      expect(secrets.calls()).toHaveLength(0);
    });
  });
});
