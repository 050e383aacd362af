/**
 * TokenVault on Secrets Manager: one secret per connection, `<prefix>/<connectionId>/access-token`,
 * whose value is the contract JSON consumers parse. Versions are fenced by a deterministic VersionId.
 */
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidRequestException,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  SecretPendingDeletionError,
  SecretWriteFailedError,
  type TokenVaultWriteError,
} from '../core/errors';
import type { TokenVault } from '../core/ports';
import { fromSecretValue, type StoredAccessToken, toSecretValue } from '../core/token';
import { MalformedAccessTokenSecretError } from './errors';
import { accessTokenSecretName } from './names';
import { type SecretWriteCall, secretWriteError } from './secret-write-errors';
import { accessTokenVersionId } from './version-id';

/** Tag on every access-token secret; consumer grants and operators find a connection's secret by it. */
export const CONNECTION_ID_TAG = 'zoho-token-refresher:connection-id';

export interface SecretsManagerTokenVaultOptions {
  /** Created once at module scope by the caller. */
  readonly client: SecretsManagerClient;
  /**
   * The client of PutSecretValue, built with SECRET_WRITE_CALL_LIMITS (no SDK retries: the refresh
   * retries writes itself, paced). @default `client`
   */
  readonly writeClient?: SecretsManagerClient;
  readonly secretPrefix: string;
  /** KMS key of new secrets. @default the account's `aws/secretsmanager` key */
  readonly kmsKeyId?: string;
}

/** The Secrets Manager TokenVault. */
export class SecretsManagerTokenVault implements TokenVault {
  readonly #client: SecretsManagerClient;
  readonly #writeClient: SecretsManagerClient;
  readonly #prefix: string;
  readonly #kmsKeyId: string | undefined;

  constructor(options: SecretsManagerTokenVaultOptions) {
    this.#client = options.client;
    this.#writeClient = options.writeClient ?? options.client;
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
      // A secret scheduled for deletion refuses reads as it refuses writes: the refresh fails with the
      // error that tells the operator what to do, before it asks Zoho for a token it could not store.
      if (error instanceof InvalidRequestException && (await this.#isPendingDeletion(connectionId))) {
        throw new SecretPendingDeletionError(connectionId, { cause: error });
      }
      throw error;
    }
    const token = fromSecretValue(parseJson(secretString));
    // Never echo the value: it may be a token in the wrong shape.
    if (token === undefined) throw new MalformedAccessTokenSecretError(connectionId);
    return token;
  }

  /**
   * Writes `token` as the version VersionId(connection, version): 'written' (also for an identical
   * retry), or 'exists' when another writer holds this version with another value. Any other failure
   * throws a TokenVaultWriteError subclass (see secret-write-errors.ts).
   */
  async write(token: StoredAccessToken): Promise<'written' | 'exists'> {
    const { connectionId } = token;
    const versionId = accessTokenVersionId(connectionId, token.version);
    const secretString = JSON.stringify(toSecretValue(token));
    const first = await this.#put(connectionId, versionId, secretString);
    if (first !== 'missing') return first;
    if ((await this.#create(connectionId, versionId, secretString)) === 'created') return 'written';
    // Another writer created the secret first. Putting again tells an idempotent retry of the same
    // value ('written') from a different value already written under this version ('exists').
    const second = await this.#put(connectionId, versionId, secretString);
    if (second !== 'missing') return second;
    // Created a moment ago and gone again (a revoke removed it meanwhile): worth another try only if
    // the connection still stands, which the caller knows.
    throw new SecretWriteFailedError(connectionId, 'ResourceNotFoundException');
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

  async #put(
    connectionId: string,
    versionId: string,
    secretString: string,
  ): Promise<'written' | 'exists' | 'missing'> {
    try {
      await this.#writeClient.send(
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
      if (error instanceof ResourceNotFoundException) return 'missing';
      throw await this.#writeError(connectionId, 'PutSecretValue', error);
    }
  }

  async #create(
    connectionId: string,
    versionId: string,
    secretString: string,
  ): Promise<'created' | 'exists'> {
    try {
      await this.#client.send(
        new CreateSecretCommand({
          Name: this.#name(connectionId),
          ClientRequestToken: versionId,
          SecretString: secretString,
          Description: `Zoho access token of connection ${connectionId} (zoho-token-refresher)`,
          ...(this.#kmsKeyId === undefined ? {} : { KmsKeyId: this.#kmsKeyId }),
          Tags: [{ Key: CONNECTION_ID_TAG, Value: connectionId }],
        }),
      );
      return 'created';
    } catch (error) {
      if (error instanceof ResourceExistsException) return 'exists';
      throw await this.#writeError(connectionId, 'CreateSecret', error);
    }
  }

  /**
   * The typed error of a failed write. InvalidRequestException means "not valid for the secret's
   * current state": for our own secrets that is mostly a deletion scheduled by hand, but AWS tells it
   * from the exception's other causes only in the message, so DescribeSecret's DeletedDate decides.
   */
  async #writeError(
    connectionId: string,
    call: SecretWriteCall,
    error: unknown,
  ): Promise<TokenVaultWriteError> {
    const pendingDeletion =
      error instanceof InvalidRequestException && (await this.#isPendingDeletion(connectionId));
    return secretWriteError({ connectionId, call, error, pendingDeletion });
  }

  /** False when DescribeSecret fails too: the write's own error then stands as a generic failure. */
  async #isPendingDeletion(connectionId: string): Promise<boolean> {
    try {
      const described = await this.#client.send(
        new DescribeSecretCommand({ SecretId: this.#name(connectionId) }),
      );
      return described.DeletedDate !== undefined;
    } catch {
      return false;
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
