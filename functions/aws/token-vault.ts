/**
 * TokenVault on Secrets Manager: one secret per connection, `<prefix>/<connectionId>/access-token`,
 * whose value is the contract JSON consumers parse. Versions are fenced by a deterministic VersionId.
 */
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { TokenVault } from '../core/ports';
import { fromSecretValue, type StoredAccessToken, toSecretValue } from '../core/token';
import { MalformedAccessTokenSecretError } from './errors';
import { accessTokenSecretName } from './names';
import { accessTokenVersionId } from './version-id';

/** Tag on every access-token secret; consumer grants and operators find a connection's secret by it. */
export const CONNECTION_ID_TAG = 'zoho-token-refresher:connection-id';

export interface SecretsManagerTokenVaultOptions {
  /** Created once at module scope by the caller. */
  readonly client: SecretsManagerClient;
  readonly secretPrefix: string;
  /** KMS key of new secrets. @default the account's `aws/secretsmanager` key */
  readonly kmsKeyId?: string;
}

/** The Secrets Manager TokenVault. */
export class SecretsManagerTokenVault implements TokenVault {
  readonly #client: SecretsManagerClient;
  readonly #prefix: string;
  readonly #kmsKeyId: string | undefined;

  constructor(options: SecretsManagerTokenVaultOptions) {
    this.#client = options.client;
    this.#prefix = options.secretPrefix;
    this.#kmsKeyId = options.kmsKeyId;
  }

  async read(connectionId: string): Promise<StoredAccessToken | undefined> {
    let secretString: string | undefined;
    try {
      const output = await this.#client.send(
        new GetSecretValueCommand({ SecretId: this.#name(connectionId) }),
      );
      secretString = output.SecretString;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
    const token = fromSecretValue(parseJson(secretString));
    // Never echo the value: it may be a token in the wrong shape.
    if (token === undefined) throw new MalformedAccessTokenSecretError(connectionId);
    return token;
  }

  async write(token: StoredAccessToken): Promise<'written' | 'exists'> {
    const versionId = accessTokenVersionId(token.connectionId, token.version);
    const secretString = JSON.stringify(toSecretValue(token));
    try {
      return await this.#put(token.connectionId, versionId, secretString);
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
    try {
      await this.#client.send(
        new CreateSecretCommand({
          Name: this.#name(token.connectionId),
          ClientRequestToken: versionId,
          SecretString: secretString,
          Description: `Zoho access token of connection ${token.connectionId} (zoho-token-refresher)`,
          ...(this.#kmsKeyId === undefined ? {} : { KmsKeyId: this.#kmsKeyId }),
          Tags: [{ Key: CONNECTION_ID_TAG, Value: token.connectionId }],
        }),
      );
      return 'written';
    } catch (error) {
      if (!(error instanceof ResourceExistsException)) throw error;
    }
    // Another writer created the secret first. Putting again tells an idempotent retry of the same
    // value ('written') from a different value already written under this version ('exists').
    return this.#put(token.connectionId, versionId, secretString);
  }

  /**
   * Deletes at once, without the 7-30 day recovery window: remove() follows a revocation, after
   * which the token is dead at Zoho anyway, and a secret pending deletion would block re-creating
   * the connection under the same id for the whole window.
   */
  async remove(connectionId: string): Promise<void> {
    try {
      await this.#client.send(
        new DeleteSecretCommand({ SecretId: this.#name(connectionId), ForceDeleteWithoutRecovery: true }),
      );
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }

  async #put(connectionId: string, versionId: string, secretString: string): Promise<'written' | 'exists'> {
    try {
      await this.#client.send(
        new PutSecretValueCommand({
          SecretId: this.#name(connectionId),
          ClientRequestToken: versionId,
          SecretString: secretString,
        }),
      );
      return 'written';
    } catch (error) {
      // This VersionId already holds a different value: another writer got this version first.
      if (error instanceof ResourceExistsException) return 'exists';
      throw error;
    }
  }

  #name(connectionId: string): string {
    return accessTokenSecretName(this.#prefix, connectionId);
  }
}

function parseJson(value: string | undefined): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
