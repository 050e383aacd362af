import 'aws-sdk-client-mock-vitest/extend';
import {
  CreateSecretCommand,
  DecryptionFailure,
  DeleteSecretCommand,
  DescribeSecretCommand,
  EncryptionFailure,
  GetSecretValueCommand,
  InternalServiceError,
  InvalidRequestException,
  LimitExceededException,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { MalformedAccessTokenSecretError } from '../../../functions/aws/errors';
import { SecretsManagerTokenVault } from '../../../functions/aws/token-vault';
import {
  SecretAccessDeniedError,
  SecretPendingDeletionError,
  SecretVersionQuotaError,
  SecretWriteFailedError,
  SecretWriteThrottledError,
  TokenVaultWriteError,
} from '../../../functions/core/errors';
import type { StoredAccessToken } from '../../../functions/core/token';
import { NOW, PREFIX, rejection } from './fixtures';

const SECRET = `${PREFIX}/books-eu/access-token`;
const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const token = (version = 8, connectionId = 'books-eu'): StoredAccessToken => ({
  connectionId,
  version,
  accessToken: `1000.test-at-${connectionId}-${version}`,
  apiDomain: 'https://www.zohoapis.eu',
  tokenType: 'Bearer',
  expiresAt: NOW + 3_600_000,
});

const contractJson = (t: StoredAccessToken) =>
  JSON.stringify({
    access_token: t.accessToken,
    api_domain: t.apiDomain,
    token_type: t.tokenType,
    expires_at: new Date(t.expiresAt).toISOString(),
    version: t.version,
    connection_id: t.connectionId,
  });

const notFound = () =>
  new ResourceNotFoundException({ message: "Secrets Manager can't find the secret", $metadata: {} });
const exists = () => new ResourceExistsException({ message: 'version exists', $metadata: {} });

describe('SecretsManagerTokenVault', () => {
  const secrets = mockClient(SecretsManagerClient);
  const vault = new SecretsManagerTokenVault({
    client: new SecretsManagerClient({ region: 'us-east-1' }),
    secretPrefix: PREFIX,
    kmsKeyId: 'alias/zoho-secrets',
  });

  beforeEach(() => {
    secrets.reset();
  });

  it('puts a new version of an existing secret with the contract JSON and a UUIDv5 VersionId', async () => {
    // Prepare
    secrets.on(PutSecretValueCommand).resolves({});

    // Act
    const outcome = await vault.write(token());

    // Assess
    expect(outcome).toBe('written');
    expect(secrets).toReceiveCommandTimes(PutSecretValueCommand, 1);
    expect(secrets).toReceiveCommandTimes(CreateSecretCommand, 0);
    expect(secrets).toReceiveCommandWith(PutSecretValueCommand, {
      SecretId: SECRET,
      ClientRequestToken: expect.stringMatching(UUID_V5),
      SecretString: contractJson(token()),
    });
  });

  it('creates the secret with the same VersionId, the KMS key and the connection tag when it does not exist', async () => {
    // Prepare
    secrets.on(PutSecretValueCommand).rejects(notFound());
    secrets.on(CreateSecretCommand).resolves({});

    // Act
    const outcome = await vault.write(token());

    // Assess
    expect(outcome).toBe('written');
    const putToken = secrets.commandCalls(PutSecretValueCommand)[0]?.args[0].input.ClientRequestToken;
    expect(secrets).toReceiveCommandTimes(CreateSecretCommand, 1);
    expect(secrets).toReceiveCommandWith(CreateSecretCommand, {
      Name: SECRET,
      ClientRequestToken: putToken,
      SecretString: contractJson(token()),
      KmsKeyId: 'alias/zoho-secrets',
      Tags: [{ Key: 'zoho-token-refresher:connection-id', Value: 'books-eu' }],
    });
  });

  it('sends PutSecretValue through the write client and reads through the other', async () => {
    // Prepare: a vault with a write client of its own
    const client = new SecretsManagerClient({ region: 'us-east-1' });
    const writeClient = new SecretsManagerClient({ region: 'us-east-1' });
    const split = new SecretsManagerTokenVault({ client, writeClient, secretPrefix: PREFIX });
    secrets.on(PutSecretValueCommand).resolves({});
    secrets.on(GetSecretValueCommand).resolves({ SecretString: contractJson(token()) });

    // Act
    await split.write(token());
    await split.read('books-eu');

    // Assess
    const puts = secrets.commandCalls(PutSecretValueCommand);
    const gets = secrets.commandCalls(GetSecretValueCommand);
    expect([puts.length, gets.length]).toEqual([1, 1]);
    expect(puts[0]?.thisValue).toBe(writeClient);
    expect(gets[0]?.thisValue).toBe(client);
  });

  it("answers 'exists' when another writer already wrote this version", async () => {
    // Prepare
    secrets.on(PutSecretValueCommand).rejects(exists());

    // Act
    const outcome = await vault.write(token());

    // Assess
    expect(outcome).toBe('exists');
    expect(secrets).toReceiveCommandTimes(PutSecretValueCommand, 1);
  });

  it("answers 'exists' when another writer created the secret first with a different value", async () => {
    // Prepare
    secrets.on(PutSecretValueCommand).rejectsOnce(notFound()).rejects(exists());
    secrets.on(CreateSecretCommand).rejects(exists());

    // Act
    const outcome = await vault.write(token());

    // Assess
    expect(outcome).toBe('exists');
    expect(secrets).toReceiveCommandTimes(CreateSecretCommand, 1);
    expect(secrets).toReceiveCommandTimes(PutSecretValueCommand, 2);
  });

  it('uses the same VersionId for the same (connection, version) and a different one otherwise', async () => {
    // Prepare
    secrets.on(PutSecretValueCommand).resolves({});

    // Act
    await vault.write(token(8));
    await vault.write(token(8));
    await vault.write(token(9));
    await vault.write(token(8, 'books-us'));

    // Assess
    const ids = secrets
      .commandCalls(PutSecretValueCommand)
      .map((call) => call.args[0].input.ClientRequestToken);
    expect(ids).toHaveLength(4);
    for (const id of ids) expect(id).toMatch(UUID_V5);
    expect(ids[0]).toBe(ids[1]);
    expect(new Set(ids).size).toBe(3);
  });

  it('reads the current token back from the contract JSON', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand).resolves({ SecretString: contractJson(token()) });

    // Act
    const read = await vault.read('books-eu');

    // Assess
    expect(read).toEqual(token());
    expect(secrets).toReceiveCommandWith(GetSecretValueCommand, { SecretId: SECRET });
  });

  it('reads undefined before the first write', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand).rejects(notFound());

    // Act
    const read = await vault.read('books-eu');

    // Assess
    expect(read).toBeUndefined();
  });

  it.each([
    ['not JSON', 'test-at-plain-token'],
    ['JSON of another shape', JSON.stringify({ token: 'test-at-wrong-shape', version: 8 })],
  ])('throws a typed error for a value that is %s, without echoing it', async (_kind, value) => {
    // Prepare
    secrets.on(GetSecretValueCommand).resolves({ SecretString: value });

    // Act
    const error = await rejection(vault.read('books-eu'));

    // Assess
    expect(error).toBeInstanceOf(MalformedAccessTokenSecretError);
    expect(error.message).toBe(
      "The access-token secret of connection 'books-eu' is not of the documented JSON shape",
    );
  });

  it('deletes the secret at once on removal, and tolerates it being gone', async () => {
    // Prepare
    secrets.on(DeleteSecretCommand).resolvesOnce({}).rejects(notFound());

    // Act
    await vault.remove('books-eu');
    await vault.remove('books-eu');

    // Assess
    expect(secrets).toReceiveCommandTimes(DeleteSecretCommand, 2);
    expect(secrets).toReceiveCommandWith(DeleteSecretCommand, {
      SecretId: SECRET,
      ForceDeleteWithoutRecovery: true,
    });
  });
});

/** An AWS error the SDK has no class for: only its code (`name`) and HTTP status say what it is. */
const unmodelled = (name: string, httpStatusCode = 400) =>
  new SecretsManagerServiceException({
    name,
    $fault: 'client',
    message: `${name} (test)`,
    $metadata: { httpStatusCode },
  });
const meta = { message: 'test', $metadata: {} };

describe('SecretsManagerTokenVault write failures', () => {
  const secrets = mockClient(SecretsManagerClient);
  const vault = new SecretsManagerTokenVault({
    client: new SecretsManagerClient({ region: 'us-east-1' }),
    secretPrefix: PREFIX,
  });

  beforeEach(() => {
    secrets.reset();
  });

  it.each([
    [
      'ThrottlingException',
      unmodelled('ThrottlingException'),
      SecretWriteThrottledError,
      'secret_throttled',
      true,
    ],
    [
      'an HTTP 429 by any name',
      unmodelled('SlowDownPlease', 429),
      SecretWriteThrottledError,
      'secret_throttled',
      true,
    ],
    [
      'LimitExceededException',
      new LimitExceededException(meta),
      SecretVersionQuotaError,
      'secret_version_quota',
      false,
    ],
    [
      'AccessDeniedException',
      unmodelled('AccessDeniedException'),
      SecretAccessDeniedError,
      'secret_access_denied',
      false,
    ],
    [
      'EncryptionFailure (the KMS key)',
      new EncryptionFailure(meta),
      SecretAccessDeniedError,
      'secret_access_denied',
      false,
    ],
    [
      'DecryptionFailure (the KMS key)',
      new DecryptionFailure(meta),
      SecretAccessDeniedError,
      'secret_access_denied',
      false,
    ],
    [
      'InternalServiceError',
      new InternalServiceError(meta),
      SecretWriteFailedError,
      'secret_write_failed',
      true,
    ],
    [
      'a timeout',
      Object.assign(new Error('timed out'), { name: 'TimeoutError' }),
      SecretWriteFailedError,
      'secret_write_failed',
      true,
    ],
    [
      'a reset connection',
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      SecretWriteFailedError,
      'secret_write_failed',
      true,
    ],
  ])('maps %s on PutSecretValue to its typed error', async (_what, awsError, type, code, retryable) => {
    // Prepare
    secrets.on(PutSecretValueCommand).rejects(awsError);

    // Act
    const error = await rejection(vault.write(token()));

    // Assess
    expect(error).toBeInstanceOf(type);
    expect(error).toBeInstanceOf(TokenVaultWriteError);
    expect(error).toMatchObject({ code, retryable, cause: awsError });
    expect(error.message).toContain("'books-eu'");
    expect(error.message).not.toContain('test-at-');
    expect(secrets).toReceiveCommandTimes(PutSecretValueCommand, 1);
    expect(secrets).toReceiveCommandTimes(CreateSecretCommand, 0);
    expect(secrets).toReceiveCommandTimes(DescribeSecretCommand, 0);
  });

  it('names the AWS error of a generic failure, so the operator sees what failed', async () => {
    // Prepare
    secrets.on(PutSecretValueCommand).rejects(new InternalServiceError(meta));

    // Act
    const error = await rejection(vault.write(token()));

    // Assess
    expect(error.message).toBe("Writing the access-token secret of 'books-eu' failed (InternalServiceError)");
  });

  it('maps InvalidRequestException on a secret scheduled for deletion (DescribeSecret has DeletedDate)', async () => {
    // Prepare
    const invalid = new InvalidRequestException(meta);
    secrets.on(PutSecretValueCommand).rejects(invalid);
    secrets.on(DescribeSecretCommand).resolves({ Name: SECRET, DeletedDate: new Date(NOW) });

    // Act
    const error = await rejection(vault.write(token()));

    // Assess
    expect(error).toBeInstanceOf(SecretPendingDeletionError);
    expect(error).toMatchObject({ code: 'secret_pending_deletion', retryable: false, cause: invalid });
    expect(secrets).toReceiveCommandTimes(DescribeSecretCommand, 1);
    expect(secrets).toReceiveCommandWith(DescribeSecretCommand, { SecretId: SECRET });
  });

  it('refuses a read of a secret scheduled for deletion with the same error, before any token is minted', async () => {
    // Prepare
    const invalid = new InvalidRequestException(meta);
    secrets.on(GetSecretValueCommand).rejects(invalid);
    secrets.on(DescribeSecretCommand).resolves({ Name: SECRET, DeletedDate: new Date(NOW) });

    // Act
    const error = await rejection(vault.read('books-eu'));

    // Assess
    expect(error).toBeInstanceOf(SecretPendingDeletionError);
    expect(error).toMatchObject({ code: 'secret_pending_deletion', cause: invalid });
  });

  it.each([
    [
      'the secret is not scheduled for deletion',
      () => secrets.on(DescribeSecretCommand).resolves({ Name: SECRET }),
    ],
    [
      'DescribeSecret fails too',
      () => secrets.on(DescribeSecretCommand).rejects(unmodelled('AccessDeniedException')),
    ],
  ])('keeps InvalidRequestException a generic failure when %s', async (_when, answerDescribe) => {
    // Prepare
    secrets.on(PutSecretValueCommand).rejects(new InvalidRequestException(meta));
    answerDescribe();

    // Act
    const error = await rejection(vault.write(token()));

    // Assess
    expect(error).toBeInstanceOf(SecretWriteFailedError);
    expect(error.message).toContain('(InvalidRequestException)');
    expect(secrets).toReceiveCommandTimes(DescribeSecretCommand, 1);
  });

  it('maps a CreateSecret refused for a name scheduled for deletion the same way', async () => {
    // Prepare
    secrets.on(PutSecretValueCommand).rejects(notFound());
    secrets.on(CreateSecretCommand).rejects(new InvalidRequestException(meta));
    secrets.on(DescribeSecretCommand).resolves({ Name: SECRET, DeletedDate: new Date(NOW) });

    // Act
    const error = await rejection(vault.write(token()));

    // Assess
    expect(error).toBeInstanceOf(SecretPendingDeletionError);
    expect(secrets).toReceiveCommandTimes(CreateSecretCommand, 1);
  });

  it("keeps CreateSecret's LimitExceededException (the account's secrets) apart from the version quota", async () => {
    // Prepare
    secrets.on(PutSecretValueCommand).rejects(notFound());
    secrets.on(CreateSecretCommand).rejects(new LimitExceededException(meta));

    // Act
    const error = await rejection(vault.write(token()));

    // Assess
    expect(error).toBeInstanceOf(SecretWriteFailedError);
    expect(error.message).toContain('(LimitExceededException)');
  });

  it('fails as a generic failure when the secret another writer created is gone before the second put', async () => {
    // Prepare
    secrets.on(PutSecretValueCommand).rejects(notFound());
    secrets.on(CreateSecretCommand).rejects(exists());

    // Act
    const error = await rejection(vault.write(token()));

    // Assess
    expect(error).toBeInstanceOf(SecretWriteFailedError);
    expect(error.message).toContain('(ResourceNotFoundException)');
    expect(secrets).toReceiveCommandTimes(PutSecretValueCommand, 2);
    expect(secrets).toReceiveCommandTimes(CreateSecretCommand, 1);
  });
});
