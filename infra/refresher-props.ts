/**
 * The props of the `ZohoTokenRefresher` construct and their validation. Invalid props fail at synth
 * (in the constructor) with a message that names the prop, so nothing broken ever reaches
 * CloudFormation.
 */
import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { DEFAULT_SECRET_PREFIX } from '../functions/aws/names';
import {
  CONSUMER_CACHE_SECONDS,
  isWithinLimit,
  SETTING_LIMITS,
  type SettingLimit,
} from '../functions/aws/settings';
import { parseConnectionId } from '../functions/core/connection';
import { ConfigurationError, InvalidInputError } from '../functions/core/errors';
import { DEFAULT_REFRESH_POLICY } from '../functions/core/refresh-policy';
import { normaliseAccountsServer } from '../functions/zoho/data-centres';

/** The refresher's own random head start (core's refresh policy), so the fleet does not refresh in lockstep. */
export const REFRESH_JITTER = Duration.millis(DEFAULT_REFRESH_POLICY.jitterMs);

export interface ZohoTokenRefresherProps {
  /**
   * How often the sweep looks for connections whose refresh is due. Whole minutes.
   * @default Duration.minutes(5)
   */
  readonly scheduleRate?: Duration;
  /**
   * How long before expiry a token is refreshed. Must exceed `scheduleRate` + the consumers' 5-minute
   * cache + the 2-minute jitter (so no consumer ever holds a token about to die) and stay under 50 minutes.
   * Whole seconds.
   * @default Duration.minutes(15)
   */
  readonly refreshMargin?: Duration;
  /**
   * Zoho token requests allowed per connection per 10 minutes. Zoho blocks the 11th request; the
   * refresher never sends more than this. 1..9.
   * @default 9
   */
  readonly zohoBudget?: number;
  /**
   * Connections refreshed in parallel by one sweep. 1..50.
   * @default 8
   */
  readonly sweepConcurrency?: number;
  /**
   * Memory of the scheduled function in MB, which also buys its CPU (a sweep is CPU-bound). At 256 MB
   * one sweep refreshes about 300 connections in the time it has, enough for about 2,500 connections
   * in steady state; a larger fleet needs more (the SweepFallingBehind alarm says when). Past
   * 1,769 MB (one full vCPU) memory adds little: raise `sweepConcurrency` next. One sweep takes at
   * most 1,000 connections, so a stack serves at most about 9,000 at the 5-minute schedule.
   * 256..10240.
   * @default 256
   */
  readonly sweepMemorySize?: number;
  /**
   * Prefix of every secret: access tokens are `<prefix>/<connectionId>/access-token`, client apps
   * `<prefix>/_clients/<clientRef>`. Letters, digits and `_+=.@-`, segments separated by `/`.
   * @default 'zoho-token-refresher'
   */
  readonly secretPrefix?: string;
  /**
   * E-mail address subscribed to the alarm topic (confirm the subscription mail after deploying).
   * @default - no subscription; subscribe to the topic named by the `AlarmTopicArn` output yourself
   */
  readonly alarmEmail?: string;
  /**
   * What happens to the table, the key, the log groups and the queues when the stack is deleted:
   * `RETAIN` (the table also gets deletion protection) or `DESTROY`. `SNAPSHOT` is refused: the key,
   * the queues and the log groups have no snapshot.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Accounts servers outside Zoho's data centres that refresh tokens may be sent to (https origins).
   * Only for a Zoho-compatible server you run; the Zoho data centres are always allowed. The same
   * list names the API origins such a server may hand out as `api_domain` (besides its own origin
   * and Zoho's API hosts): list a custom server's API origin here too when it differs.
   * @default - none
   */
  readonly allowedAccountsServers?: readonly string[];
  /**
   * A customer-managed key that encrypts the access-token secrets. Consumers then also get
   * kms:Decrypt on it, via Secrets Manager only. Never the refresh-token key.
   * @default - the account's AWS managed key `aws/secretsmanager`
   */
  readonly accessTokenKey?: kms.IKey;
  /**
   * Deploys `functions/example-consumer/handler.ts`, granted only what a consumer needs
   * (`grantReadToken` for `exampleConsumerConnectionId`).
   * @default false
   */
  readonly exampleConsumer?: boolean;
  /**
   * The connection the example consumer reads. Required when `exampleConsumer` is true, refused
   * otherwise (an id that deploys nothing is a mistake worth hearing about).
   * @default - none
   */
  readonly exampleConsumerConnectionId?: string;
}

/** Props after defaults and validation. */
export interface ResolvedRefresherProps {
  readonly scheduleRate: Duration;
  readonly refreshMargin: Duration;
  readonly zohoBudget: number;
  readonly sweepConcurrency: number;
  readonly sweepMemorySize: number;
  readonly secretPrefix: string;
  readonly alarmEmail: string | undefined;
  readonly removalPolicy: RemovalPolicy;
  readonly allowedAccountsServers: readonly string[];
  readonly accessTokenKey: kms.IKey | undefined;
  readonly exampleConsumerConnectionId: string | undefined;
}

/** Only the construct sizes the function: the sweep itself never reads its memory. */
const SWEEP_MEMORY_MB: SettingLimit = {
  min: 256,
  max: 10_240,
  fallback: 256,
  unit: 'megabytes',
  why: "Lambda's ceiling is 10,240 MB; below 256 MB (0.145 vCPU) a sweep refreshes too few connections to be worth its minute",
};

const SECRET_PREFIX = /^[A-Za-z0-9_+=.@-]+(\/[A-Za-z0-9_+=.@-]+)*$/;
/** Leaves room for `/<64-character id>/access-token` within Secrets Manager's 512-character names. */
const MAX_SECRET_PREFIX_LENGTH = 200;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@.]{2,}$/;
const REMOVAL_POLICIES: readonly RemovalPolicy[] = [RemovalPolicy.RETAIN, RemovalPolicy.DESTROY];

/** Applies the defaults and throws ConfigurationError, naming the prop, for anything invalid. */
export function resolveRefresherProps(props: ZohoTokenRefresherProps = {}): ResolvedRefresherProps {
  const scheduleRate = props.scheduleRate ?? Duration.minutes(5);
  const refreshMargin = props.refreshMargin ?? Duration.seconds(SETTING_LIMITS.refreshMarginSeconds.fallback);
  checkMargin(wholeMinutes('scheduleRate', scheduleRate), refreshMargin);
  return {
    scheduleRate,
    refreshMargin,
    zohoBudget: limited('zohoBudget', props.zohoBudget, SETTING_LIMITS.zohoBudget),
    sweepConcurrency: limited('sweepConcurrency', props.sweepConcurrency, SETTING_LIMITS.sweepConcurrency),
    sweepMemorySize: limited('sweepMemorySize', props.sweepMemorySize, SWEEP_MEMORY_MB),
    secretPrefix: secretPrefix(props.secretPrefix ?? DEFAULT_SECRET_PREFIX),
    alarmEmail: props.alarmEmail === undefined ? undefined : email(props.alarmEmail),
    removalPolicy: removalPolicy(props.removalPolicy ?? RemovalPolicy.RETAIN),
    allowedAccountsServers: (props.allowedAccountsServers ?? []).map(accountsServer),
    accessTokenKey: props.accessTokenKey,
    exampleConsumerConnectionId: exampleConsumer(props),
  };
}

/**
 * The functions' limit (settings.ts), made stricter by what only the construct knows: a token due
 * now is refreshed by the next sweep, up to `scheduleRate` later, and may then sit in a consumer's
 * cache for 5 minutes, after the jitter moved its refresh earlier or not at all.
 */
function checkMargin(scheduleMinutes: number, refreshMargin: Duration): void {
  const marginSeconds = refreshMargin.toSeconds({ integral: false });
  if (Token.isUnresolved(marginSeconds)) fail('refreshMargin must be a concrete duration, not a token');
  // The functions read the margin as whole seconds.
  if (!Number.isInteger(marginSeconds))
    fail(`refreshMargin must be a whole number of seconds (got ${marginSeconds} s)`);
  const lowest = scheduleMinutes * 60 + CONSUMER_CACHE_SECONDS + REFRESH_JITTER.toSeconds();
  // The functions' own range applies too, though `lowest` is always above its minimum.
  if (marginSeconds <= lowest || !isWithinLimit(SETTING_LIMITS.refreshMarginSeconds, marginSeconds)) {
    fail(
      `refreshMargin must exceed scheduleRate (${scheduleMinutes} min) + consumer cache (${CONSUMER_CACHE_SECONDS / 60} min) + jitter (${REFRESH_JITTER.toMinutes()} min) = ${lowest / 60} min and be less than ${(SETTING_LIMITS.refreshMarginSeconds.max + 1) / 60} min (got ${marginSeconds / 60} min)`,
    );
  }
}

function fail(message: string): never {
  throw new ConfigurationError(`ZohoTokenRefresher: ${message}`);
}

function wholeMinutes(name: string, value: Duration): number {
  const seconds = value.toSeconds({ integral: false });
  if (Token.isUnresolved(seconds)) fail(`${name} must be a concrete duration, not a token`);
  // EventBridge rate expressions count whole minutes.
  if (seconds < 60 || seconds % 60 !== 0)
    fail(`${name} must be a whole number of minutes, at least 1 (got ${seconds} s)`);
  return seconds / 60;
}

function limited(name: string, value: number | undefined, limit: SettingLimit): number {
  if (value === undefined) return limit.fallback;
  if (!isWithinLimit(limit, value)) {
    fail(`${name} must be an integer from ${limit.min} to ${limit.max} (got ${value})`);
  }
  return value;
}

function removalPolicy(value: RemovalPolicy): RemovalPolicy {
  // CDK would fail deep inside the key or a queue, without naming this prop.
  if (!REMOVAL_POLICIES.includes(value))
    fail(`removalPolicy must be RemovalPolicy.RETAIN or RemovalPolicy.DESTROY (got ${value})`);
  return value;
}

function secretPrefix(value: string): string {
  // The prefix becomes part of IAM resource patterns: `*` or `?` in it would widen every grant.
  if (!SECRET_PREFIX.test(value) || value.length > MAX_SECRET_PREFIX_LENGTH) {
    fail(
      `secretPrefix must be 1-${MAX_SECRET_PREFIX_LENGTH} characters of letters, digits and _+=.@-, segments separated by single '/', no leading or trailing '/' (got ${JSON.stringify(value.slice(0, 80))})`,
    );
  }
  return value;
}

function email(value: string): string {
  if (!EMAIL.test(value))
    fail(
      `alarmEmail must be an e-mail address like ops@example.com (got ${JSON.stringify(value.slice(0, 80))})`,
    );
  return value;
}

function accountsServer(value: string): string {
  let origin: string;
  try {
    origin = normaliseAccountsServer(value);
  } catch (error) {
    fail(`allowedAccountsServers: ${error instanceof InvalidInputError ? error.message : 'not a URL'}`);
  }
  // The body of a token call carries the client secret and the refresh token: never over plain http.
  if (!origin.startsWith('https://')) fail(`allowedAccountsServers: ${origin} must use https`);
  return origin;
}

function exampleConsumer(props: ZohoTokenRefresherProps): string | undefined {
  const value = props.exampleConsumerConnectionId;
  if (!props.exampleConsumer) {
    if (value !== undefined)
      fail('exampleConsumerConnectionId is set but exampleConsumer is not true: set both or neither');
    return undefined;
  }
  if (value === undefined) fail('exampleConsumerConnectionId is required when exampleConsumer is true');
  try {
    return parseConnectionId(value);
  } catch (error) {
    fail(`exampleConsumerConnectionId: ${error instanceof InvalidInputError ? error.message : 'invalid'}`);
  }
}
