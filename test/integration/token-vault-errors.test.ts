/**
 * How the token vault tells a secret scheduled for deletion from the other causes of
 * InvalidRequestException: DescribeSecret's DeletedDate, here answered by the Secrets Manager
 * emulator. AWS refuses PutSecretValue on such a secret; moto accepts it, so a middleware stands in
 * for AWS's refusal and everything else is the emulator's.
 */
import {
  DeleteSecretCommand,
  InvalidRequestException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { awsClientConfig } from '../../functions/aws/client-config';
import { accessTokenSecretName } from '../../functions/aws/names';
import { SecretsManagerTokenVault } from '../../functions/aws/token-vault';
import { SecretPendingDeletionError, SecretWriteFailedError } from '../../functions/core/errors';
import type { StoredAccessToken } from '../../functions/core/token';
import { useEmulator } from '../support/emulator';

const { clientConfig } = useEmulator();
const PREFIX = 'vault-errors';

/** A vault whose PutSecretValue calls fail as AWS fails them on a secret in the deletion window. */
function refusingVault() {
  const client = new SecretsManagerClient({ ...clientConfig, ...awsClientConfig() });
  let refuse = false;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (refuse && context.commandName === 'PutSecretValueCommand') {
        throw new InvalidRequestException({
          message: "You can't perform this operation on the secret because it was marked for deletion.",
          $metadata: { httpStatusCode: 400 },
        });
      }
      return next(args);
    },
    { step: 'initialize', name: 'refuseWritesAsAwsDoesDuringDeletion' },
  );
  const vault = new SecretsManagerTokenVault({ client, secretPrefix: PREFIX });
  return {
    client,
    vault,
    refuseFromNowOn: () => {
      refuse = true;
    },
  };
}

const token = (connectionId: string, version: number): StoredAccessToken => ({
  connectionId,
  version,
  accessToken: `1000.test-at-${connectionId}-${version}`,
  apiDomain: 'https://www.zohoapis.eu',
  tokenType: 'Bearer',
  expiresAt: Date.UTC(2026, 10, 26, 9, 0, 0),
});

describe('the token vault on the Secrets Manager emulator', () => {
  it('reports a refused write to a secret scheduled for deletion as SecretPendingDeletionError', async () => {
    // Prepare
    const { client, vault, refuseFromNowOn } = refusingVault();
    expect(await vault.write(token('in-deletion', 1))).toBe('written');
    await client.send(
      new DeleteSecretCommand({
        SecretId: accessTokenSecretName(PREFIX, 'in-deletion'),
        RecoveryWindowInDays: 7,
      }),
    );
    refuseFromNowOn();

    // Act
    const error = await vault.write(token('in-deletion', 2)).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(SecretPendingDeletionError);
    expect((error as SecretPendingDeletionError).cause).toBeInstanceOf(InvalidRequestException);
  });

  it('reports the same refusal of a secret not scheduled for deletion as a generic failure', async () => {
    // Prepare
    const { vault, refuseFromNowOn } = refusingVault();
    expect(await vault.write(token('standing', 1))).toBe('written');
    refuseFromNowOn();

    // Act
    const error = await vault.write(token('standing', 2)).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(SecretWriteFailedError);
    expect((error as Error).message).toContain('(InvalidRequestException)');
  });
});
