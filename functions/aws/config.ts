/**
 * The refresher functions' configuration, read once at cold start from the environment. A missing
 * or wrong value throws ConfigurationError naming the variable, so the function fails loudly
 * instead of running with an empty table name.
 */
import { ConfigurationError } from '../core/errors';
import { ENV } from './names';

/** Typed configuration of both refresher functions. */
export interface RefresherConfig {
  readonly tableName: string;
  readonly secretPrefix: string;
  /** KMS key (id, ARN or alias) of the refresh tokens. */
  readonly keyId: string;
  readonly eventBusName: string;
  /** Refresh this long before expiry. @default 900 */
  readonly refreshMarginSeconds: number;
  /** Zoho token requests per connection per 10 minutes; Zoho blocks the 11th. @default 9 */
  readonly zohoBudget: number;
  /** Connections refreshed at once by a sweep. @default 8 */
  readonly sweepConcurrency: number;
  /** Timeout of one Zoho call. @default 10000 */
  readonly zohoTimeoutMs: number;
  /** Accounts servers outside Zoho's DC list that may receive refresh tokens (origins). @default [] */
  readonly allowedAccountsServers: readonly string[];
  /** KMS key of the access-token secrets. @default the account's aws/secretsmanager key */
  readonly secretKmsKeyId?: string;
}

/** Defaults of the optional settings. */
export const CONFIG_DEFAULTS = {
  refreshMarginSeconds: 900,
  zohoBudget: 9,
  sweepConcurrency: 8,
  zohoTimeoutMs: 10_000,
} as const;

type Env = Readonly<Record<string, string | undefined>>;

const SECRET_PREFIX = /^[A-Za-z0-9/_+=.@-]*[A-Za-z0-9_+=.@-]$/;

/** Reads and checks the configuration; throws ConfigurationError naming the first bad variable. */
export function readRefresherConfig(env: Env = process.env): RefresherConfig {
  const secretPrefix = required(env, ENV.secretPrefix);
  if (!SECRET_PREFIX.test(secretPrefix)) {
    throw new ConfigurationError(
      `${ENV.secretPrefix} must be letters, digits and /_+=.@- and must not end with '/' (got ${JSON.stringify(secretPrefix)})`,
    );
  }
  const secretKmsKeyId = optional(env, ENV.secretKmsKeyId);
  return {
    tableName: required(env, ENV.tableName),
    secretPrefix,
    keyId: required(env, ENV.keyId),
    eventBusName: required(env, ENV.eventBusName),
    // At least the consumers' 5-minute cache, and below the one-hour token lifetime.
    refreshMarginSeconds: integer(
      env,
      ENV.refreshMarginSeconds,
      CONFIG_DEFAULTS.refreshMarginSeconds,
      300,
      3599,
    ),
    // Zoho allows 10 token requests per 10 minutes; we never send the 10th.
    zohoBudget: integer(env, ENV.zohoBudget, CONFIG_DEFAULTS.zohoBudget, 1, 9),
    sweepConcurrency: integer(env, ENV.sweepConcurrency, CONFIG_DEFAULTS.sweepConcurrency, 1, 64),
    // Well under the refresh lease (one minute), which must outlast a call.
    zohoTimeoutMs: integer(env, ENV.zohoTimeoutMs, CONFIG_DEFAULTS.zohoTimeoutMs, 100, 50_000),
    allowedAccountsServers: origins(env, ENV.allowedAccountsServers),
    ...(secretKmsKeyId === undefined ? {} : { secretKmsKeyId }),
  };
}

function required(env: Env, name: string): string {
  const value = optional(env, name);
  if (value === undefined) throw new ConfigurationError(`${name} is required but not set`);
  return value;
}

/** A blank optional variable counts as unset (`ZOHO_BUDGET= npm start`). */
function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigurationError(
      `${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(raw)})`,
    );
  }
  return value;
}

function origins(env: Env, name: string): string[] {
  const raw = optional(env, name);
  if (raw === undefined) return [];
  return raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const url = URL.canParse(entry) ? new URL(entry) : undefined;
      // An origin only: a path or query would never match an accounts server exactly.
      if (
        url === undefined ||
        !['http:', 'https:'].includes(url.protocol) ||
        url.origin !== entry.replace(/\/$/, '')
      ) {
        throw new ConfigurationError(
          `${name} must be comma-separated http(s) origins such as https://accounts.example.com (got ${JSON.stringify(entry)})`,
        );
      }
      return url.origin;
    });
}
