/**
 * The refresher functions' configuration, read once at cold start from the environment. A missing
 * or wrong value throws ConfigurationError naming the variable, so the function fails loudly
 * instead of running with an empty table name.
 */
import { ConfigurationError } from '../core/errors';
import { ENV } from './names';
import { isWithinLimit, type LimitedSetting, SETTING_LIMITS, type SettingLimit } from './settings';

/** Typed configuration of the refresher functions. */
export interface RefresherConfig {
  readonly tableName: string;
  readonly secretPrefix: string;
  /** KMS key (id, ARN or alias) of the refresh tokens. */
  readonly keyId: string;
  readonly eventBusName: string;
  /** Refresh this long before expiry. @default 690 */
  readonly refreshMarginSeconds: number;
  /** Refresh up to this much earlier still, at random. @default 30 */
  readonly refreshJitterSeconds: number;
  /** The refresh workers' limit on secret writes per second, all workers together. @default 20 */
  readonly secretWritesPerSecond: number;
  /** Refresh workers running at once (the event source's maximum concurrency). @default 10 */
  readonly refreshWorkerConcurrency: number;
  /** The planner's and the workers' SQS queue; absent in the other functions. */
  readonly refreshQueueUrl?: string;
  /** Zoho token requests per connection per 10 minutes; Zoho blocks the 11th. @default 9 */
  readonly zohoBudget: number;
  /** Connections refreshed at once by a sweep. @default 8 */
  readonly sweepConcurrency: number;
  /** Timeout of one Zoho call. @default 8000 */
  readonly zohoTimeoutMs: number;
  /** Accounts servers outside Zoho's DC list that may receive refresh tokens (origins). @default [] */
  readonly allowedAccountsServers: readonly string[];
  /** KMS key of the access-token secrets. @default the account's aws/secretsmanager key */
  readonly secretKmsKeyId?: string;
  /**
   * The connect endpoint's base URL, when the stack deploys one: re-authorisation events then carry
   * a fresh link. @default none: no links
   */
  readonly connectBaseUrl?: string;
}

/** Defaults of the optional settings (the limits' fallbacks). */
export const CONFIG_DEFAULTS = {
  refreshMarginSeconds: SETTING_LIMITS.refreshMarginSeconds.fallback,
  refreshJitterSeconds: SETTING_LIMITS.refreshJitterSeconds.fallback,
  secretWritesPerSecond: SETTING_LIMITS.secretWritesPerSecond.fallback,
  refreshWorkerConcurrency: SETTING_LIMITS.refreshWorkerConcurrency.fallback,
  zohoBudget: SETTING_LIMITS.zohoBudget.fallback,
  sweepConcurrency: SETTING_LIMITS.sweepConcurrency.fallback,
  zohoTimeoutMs: SETTING_LIMITS.zohoTimeoutMs.fallback,
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
  const refreshQueueUrl = optional(env, ENV.refreshQueueUrl);
  const connectBaseUrl = optional(env, ENV.connectBaseUrl);
  return {
    tableName: required(env, ENV.tableName),
    secretPrefix,
    keyId: required(env, ENV.keyId),
    eventBusName: required(env, ENV.eventBusName),
    // The limits and their reasons are shared with the construct's props (settings.ts).
    refreshMarginSeconds: limited(env, 'refreshMarginSeconds'),
    refreshJitterSeconds: limited(env, 'refreshJitterSeconds'),
    secretWritesPerSecond: limited(env, 'secretWritesPerSecond'),
    refreshWorkerConcurrency: limited(env, 'refreshWorkerConcurrency'),
    zohoBudget: limited(env, 'zohoBudget'),
    sweepConcurrency: limited(env, 'sweepConcurrency'),
    zohoTimeoutMs: limited(env, 'zohoTimeoutMs'),
    allowedAccountsServers: origins(env, ENV.allowedAccountsServers),
    ...(secretKmsKeyId === undefined ? {} : { secretKmsKeyId }),
    ...(refreshQueueUrl === undefined ? {} : { refreshQueueUrl }),
    ...(connectBaseUrl === undefined ? {} : { connectBaseUrl }),
  };
}

/** The refresh queue's URL, which the planner and the workers cannot run without. */
export function requireRefreshQueueUrl(config: RefresherConfig): string {
  if (config.refreshQueueUrl === undefined) {
    throw new ConfigurationError(`${ENV.refreshQueueUrl} is required but not set`);
  }
  return config.refreshQueueUrl;
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

function limited(env: Env, setting: LimitedSetting): number {
  const name = ENV[setting];
  const limit: SettingLimit = SETTING_LIMITS[setting];
  const raw = optional(env, name);
  if (raw === undefined) return limit.fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!isWithinLimit(limit, value)) {
    throw new ConfigurationError(
      `${name} must be an integer from ${limit.min} to ${limit.max} (got ${JSON.stringify(raw)})`,
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
