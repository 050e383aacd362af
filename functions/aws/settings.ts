/**
 * The tunable settings of the refresher functions: their limits, the reasons for them, and their
 * defaults, in one place for both sides that check them — the functions at cold start
 * (`config.ts`, from the environment) and the CDK construct at synth (`infra/refresher-props.ts`).
 * The construct may be stricter where it knows more (the margin against its schedule rate) but never
 * looser, so a stack can never deploy a value its functions refuse. Plain data: no CDK, no SDK.
 */
import { ZOHO_TOKEN_REQUEST_LIMIT } from '../core/refresh-policy';

/** An inclusive range of whole numbers, with the default and the reason for the bounds. */
export interface SettingLimit {
  readonly min: number;
  readonly max: number;
  /** What the functions use when the setting is not given. */
  readonly fallback: number;
  readonly unit: 'seconds' | 'milliseconds' | 'requests' | 'connections';
  /** Why the bounds are where they are. */
  readonly why: string;
}

/** How long a consumer may cache a token: the consumer library's upper bound. */
export const CONSUMER_CACHE_SECONDS = 5 * 60;

/** Zoho access tokens live one hour. */
export const ZOHO_TOKEN_LIFETIME_SECONDS = 60 * 60;

/** A margin this close to the token's life would leave it barely used; the bound is exclusive. */
const REFRESH_MARGIN_BELOW_SECONDS = 50 * 60;

/** The limits of every tunable setting, by the name `RefresherConfig` gives it. */
export const SETTING_LIMITS = {
  refreshMarginSeconds: {
    min: CONSUMER_CACHE_SECONDS,
    max: REFRESH_MARGIN_BELOW_SECONDS - 1,
    fallback: 15 * 60,
    unit: 'seconds',
    why: "at least the consumers' 5-minute cache, so none hands out a token about to die; under 50 minutes of the one-hour token",
  },
  zohoBudget: {
    min: 1,
    max: ZOHO_TOKEN_REQUEST_LIMIT - 1,
    fallback: ZOHO_TOKEN_REQUEST_LIMIT - 1,
    unit: 'requests',
    why: 'Zoho allows 10 token requests per connection per 10 minutes and blocks the 11th; we never send the 10th',
  },
  sweepConcurrency: {
    min: 1,
    max: 50,
    fallback: 8,
    unit: 'connections',
    why: "one sweep's parallel refreshes; more would only meet the KMS, Secrets Manager and Zoho rate limits sooner",
  },
  zohoTimeoutMs: {
    min: 100,
    max: 50_000,
    fallback: 10_000,
    unit: 'milliseconds',
    why: 'a Zoho call needs some time, and must end well within the one-minute refresh lease',
  },
} as const satisfies Record<string, SettingLimit>;

/** The name of a tunable setting. */
export type LimitedSetting = keyof typeof SETTING_LIMITS;

/** Whether `value` is a whole number within the limit (both ends included). */
export const isWithinLimit = (limit: SettingLimit, value: number): boolean =>
  Number.isSafeInteger(value) && value >= limit.min && value <= limit.max;
