/**
 * ClientCredentialsProvider on Secrets Manager: one secret per client app,
 * `{"client_id","client_secret","client_secrets_by_dc"?: {"eu": "…"}}` (the secret may differ per DC).
 * Cached per container so a sweep of many connections of one app reads the secret once.
 */
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { ClientCredentialsNotFoundError } from '../core/errors';
import type { ClientCredentials, ClientCredentialsProvider } from '../core/ports';
import { MalformedClientCredentialsError } from './errors';
import { clientSecretName, parseClientName } from './names';

/** How long a client app secret is reused before it is read again (picks up rotations). */
export const CLIENT_CREDENTIALS_TTL_MS = 5 * 60_000;

/** Tag on client app secrets. */
export const CLIENT_REF_TAG = 'zoho-token-refresher:client-ref';

/** A client app as stored: the client id, its default secret and the secrets that differ per DC. */
export interface ClientApp {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly clientSecretsByDc?: Readonly<Record<string, string>>;
}

export interface SecretsManagerClientCredentialsOptions {
  /** Created once at module scope by the caller. */
  readonly client: SecretsManagerClient;
  readonly secretPrefix: string;
  /** @default CLIENT_CREDENTIALS_TTL_MS */
  readonly ttlMs?: number;
  /** Epoch milliseconds; injectable so tests control expiry. @default Date.now */
  readonly now?: () => number;
}

interface CacheEntry {
  readonly app: Promise<ClientApp>;
  readonly expiresAt: number;
}

/** The Secrets Manager ClientCredentialsProvider with a per-container cache. */
export class SecretsManagerClientCredentials implements ClientCredentialsProvider {
  readonly #client: SecretsManagerClient;
  readonly #prefix: string;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #cache = new Map<string, CacheEntry>();

  constructor(options: SecretsManagerClientCredentialsOptions) {
    this.#client = options.client;
    this.#prefix = options.secretPrefix;
    this.#ttlMs = options.ttlMs ?? CLIENT_CREDENTIALS_TTL_MS;
    this.#now = options.now ?? Date.now;
  }

  async get(clientRef: string, dc: string): Promise<ClientCredentials> {
    const app = await this.#app(clientRef);
    return { clientId: app.clientId, clientSecret: app.clientSecretsByDc?.[dc] ?? app.clientSecret };
  }

  #app(clientRef: string): Promise<ClientApp> {
    const now = this.#now();
    const cached = this.#cache.get(clientRef);
    if (cached !== undefined && cached.expiresAt > now) return cached.app;
    // The promise itself is cached: concurrent callers share one in-flight read.
    const app = this.#load(clientRef);
    this.#cache.set(clientRef, { app, expiresAt: now + this.#ttlMs });
    app.catch(() => {
      // A failed read is not cached: the next call tries again.
      if (this.#cache.get(clientRef)?.app === app) this.#cache.delete(clientRef);
    });
    return app;
  }

  async #load(clientRef: string): Promise<ClientApp> {
    let secretString: string | undefined;
    try {
      const output = await this.#client.send(
        new GetSecretValueCommand({ SecretId: clientSecretName(this.#prefix, clientRef) }),
      );
      secretString = output.SecretString;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) throw new ClientCredentialsNotFoundError(clientRef);
      throw error;
    }
    return parseClientApp(clientRef, secretString);
  }
}

/** Parses a client app secret; the error names what is wrong, never a value. */
export function parseClientApp(clientRef: string, secretString: string | undefined): ClientApp {
  let value: unknown;
  try {
    value = secretString === undefined ? undefined : JSON.parse(secretString);
  } catch {
    throw new MalformedClientCredentialsError(clientRef, 'the value is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MalformedClientCredentialsError(clientRef, 'the value is not a JSON object');
  }
  const v = value as Record<string, unknown>;
  if (!isNonEmptyString(v.client_id))
    throw new MalformedClientCredentialsError(clientRef, 'client_id is missing');
  if (!isNonEmptyString(v.client_secret)) {
    throw new MalformedClientCredentialsError(clientRef, 'client_secret is missing');
  }
  const byDc = v.client_secrets_by_dc;
  if (byDc === undefined) return { clientId: v.client_id, clientSecret: v.client_secret };
  if (
    typeof byDc !== 'object' ||
    byDc === null ||
    Array.isArray(byDc) ||
    !Object.values(byDc).every(isNonEmptyString)
  ) {
    throw new MalformedClientCredentialsError(
      clientRef,
      'client_secrets_by_dc is not an object of non-empty strings',
    );
  }
  return {
    clientId: v.client_id,
    clientSecret: v.client_secret,
    clientSecretsByDc: byDc as Record<string, string>,
  };
}

/** The secret value of a client app, in the stored JSON shape. */
export function toClientAppSecretString(app: ClientApp): string {
  return JSON.stringify({
    client_id: app.clientId,
    client_secret: app.clientSecret,
    ...(app.clientSecretsByDc === undefined ? {} : { client_secrets_by_dc: app.clientSecretsByDc }),
  });
}

/**
 * Stores a client app (for `zoho-tokens clients put`): a new version of its secret, or the secret
 * itself when it does not exist yet. Refreshers pick the change up within the cache TTL.
 */
export async function putClientCredentials(
  client: SecretsManagerClient,
  prefix: string,
  clientRef: string,
  app: ClientApp,
  options: { readonly kmsKeyId?: string } = {},
): Promise<'created' | 'updated'> {
  parseClientName(clientRef);
  // Validates before writing, so a bad value never reaches the secret.
  const secretString = toClientAppSecretString(app);
  parseClientApp(clientRef, secretString);
  const name = clientSecretName(prefix, clientRef);
  try {
    await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: secretString }));
    return 'updated';
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await client.send(
    new CreateSecretCommand({
      Name: name,
      SecretString: secretString,
      Description: `Zoho client app ${clientRef} (zoho-token-refresher)`,
      ...(options.kmsKeyId === undefined ? {} : { KmsKeyId: options.kmsKeyId }),
      Tags: [{ Key: CLIENT_REF_TAG, Value: clientRef }],
    }),
  );
  return 'created';
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}
