/**
 * The tunable settings of the refresher functions: their limits, the reasons for them, and their
 * defaults, in one place for both sides that check them — the functions at cold start
 * (`config.ts`, from the environment) and the CDK construct at synth (`infra/refresher-props.ts`).
 * The construct may be stricter where it knows more (the margin against its schedule rate) but never
 * looser, so a stack can never deploy a value its functions refuse. Plain data: no CDK, no SDK.
 */
import { DEFAULT_REFRESH_POLICY, ZOHO_TOKEN_REQUEST_LIMIT } from '../core/refresh-policy';
import { workerConcurrencyFor } from '../core/write-pacer';

/**
 * An inclusive range of whole numbers and the default. Why the bounds are where they are is the
 * comment above each limit: prose, not data, so that it costs the functions' bundles nothing.
 */
export interface SettingLimit {
  readonly min: number;
  readonly max: number;
  /** What the functions use when the setting is not given. */
  readonly fallback: number;
  readonly unit:
    | 'seconds'
    | 'milliseconds'
    | 'requests'
    | 'requests per second'
    | 'connections'
    | 'megabytes';
}

/**
 * How long a consumer may keep a token it read without looking again, which the refresh margin must
 * cover: 5 minutes, the default TTL of the AWS Parameters and Secrets Lambda Extension and of caches
 * like it. The project's consumer library needs less: it caches until `expires_at` − 60 s and then
 * reads the secret again, so it never serves a token that is about to die whatever the margin.
 */
export const CONSUMER_CACHE_SECONDS = 5 * 60;

/** Zoho access tokens live one hour. */
export const ZOHO_TOKEN_LIFETIME_SECONDS = 60 * 60;

/** A margin this close to the token's life would leave it barely used; the bound is exclusive. */
const REFRESH_MARGIN_BELOW_SECONDS = 50 * 60;

/**
 * Secrets Manager's quota on PutSecretValue (shared with UpdateSecret and a few other write calls):
 * 50 requests per second per account and region, not adjustable.
 */
export const REGION_SECRET_WRITES_PER_SECOND = 50;

/** The most of that quota the refresh workers may take: 45 leaves at least 5 to everyone else. */
const MAX_SECRET_WRITES_PER_SECOND = 45;

/**
 * The refresh workers' default share: 40 % of the region's quota. At the default margin (a refresh
 * every 48.5 minutes, 1.24 per connection-hour) it serves N ≤ 2,500 × W = 50,000 connections with
 * room to catch up after an outage; 100,000 need 40. Raise it only as far as the other applications
 * of the account and region leave room.
 */
export const DEFAULT_SECRET_WRITES_PER_SECOND = 20;

/** The limits of every tunable setting, by the name `RefresherConfig` gives it. */
export const SETTING_LIMITS = {
  /**
   * At least the 5 minutes a consumer may cache a token it read, so none hands out a token about
   * to die; under 50 minutes of the one-hour token.
   */
  refreshMarginSeconds: {
    min: CONSUMER_CACHE_SECONDS,
    max: REFRESH_MARGIN_BELOW_SECONDS - 1,
    fallback: DEFAULT_REFRESH_POLICY.marginMs / 1000,
    unit: 'seconds',
  },
  /**
   * Spreads the refreshes of connections added together; each minute of it costs about 2 % more
   * refreshes, and past 10 minutes it only adds refreshes.
   */
  refreshJitterSeconds: {
    min: 0,
    max: 10 * 60,
    fallback: DEFAULT_REFRESH_POLICY.jitterMs / 1000,
    unit: 'seconds',
  },
  /**
   * The refresh workers' share of Secrets Manager's 50 PutSecretValue requests per second per
   * region (not adjustable), which every other application of the account and region also uses; at
   * most 45, so at least 5 stay for them.
   */
  secretWritesPerSecond: {
    min: 1,
    max: MAX_SECRET_WRITES_PER_SECOND,
    fallback: DEFAULT_SECRET_WRITES_PER_SECOND,
    unit: 'requests per second',
  },
  /**
   * Refresh workers running at once, derived from secretWritesPerSecond (two writes per second
   * each; the queue's event source needs at least 2): each worker paces its writes by it.
   */
  refreshWorkerConcurrency: {
    min: 2,
    max: workerConcurrencyFor(MAX_SECRET_WRITES_PER_SECOND),
    fallback: workerConcurrencyFor(DEFAULT_SECRET_WRITES_PER_SECOND),
    unit: 'connections',
  },
  /**
   * Zoho allows 10 token requests per connection per 10 minutes and blocks the 11th; we never send
   * the 10th.
   */
  zohoBudget: {
    min: 1,
    max: ZOHO_TOKEN_REQUEST_LIMIT - 1,
    fallback: ZOHO_TOKEN_REQUEST_LIMIT - 1,
    unit: 'requests',
  },
  /**
   * One sweep's parallel refreshes; more would only meet the KMS, Secrets Manager and Zoho rate
   * limits sooner.
   */
  sweepConcurrency: {
    min: 1,
    max: 50,
    fallback: 8,
    unit: 'connections',
  },
  /**
   * Three attempts of one Zoho call, three secret writes and their backoff must fit the on-demand
   * function's 60 s timeout.
   */
  zohoTimeoutMs: {
    min: 100,
    // One refresh makes up to 3 Zoho calls (the refresh policy's maxAttempts) plus their short
    // backoff, up to 3 secret writes of at most 5 s each, and the AWS calls around them, and must end
    // inside the on-demand function's 60 s timeout: refreshWorstCaseMs is about 47 s at 8 s. The
    // sweep keeps the same worst case in hand (sweepReserveMs).
    max: 8_000,
    fallback: 8_000,
    unit: 'milliseconds',
  },
} as const satisfies Record<string, SettingLimit>;

/** The name of a tunable setting. */
export type LimitedSetting = keyof typeof SETTING_LIMITS;

/** Whether `value` is a whole number within the limit (both ends included). */
export const isWithinLimit = (limit: SettingLimit, value: number): boolean =>
  Number.isSafeInteger(value) && value >= limit.min && value <= limit.max;

/**
 * Messages of one refresh-worker invocation (the event source's batch size), refreshed side by side.
 * Ten keeps a batch's worst case (one refresh's ≈ 47 s plus ten paced writes) inside the worker's
 * timeout, and a worker busy while its pacer spaces the batch's writes.
 */
export const REFRESH_WORKER_BATCH_SIZE = 10;
