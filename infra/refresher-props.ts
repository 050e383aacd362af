/**
 * The props of the `ZohoTokenRefresher` construct and their validation. Invalid props fail at synth
 * (in the constructor) with a message that names the prop, so nothing broken ever reaches
 * CloudFormation.
 */
import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { DEFAULT_SECRET_PREFIX } from '../functions/aws/names';
import { parseConnectionId } from '../functions/core/connection';
import { ConfigurationError, InvalidInputError } from '../functions/core/errors';
import { DEFAULT_REFRESH_POLICY, ZOHO_TOKEN_REQUEST_LIMIT } from '../functions/core/refresh-policy';
import { normaliseAccountsServer } from '../functions/zoho/data-centres';

/** How long a consumer may cache a token (the consumer library's upper bound). */
export const CONSUMER_CACHE = Duration.minutes(5);
/** Zoho access tokens live one hour; a margin near it would refresh on every sweep. */
export const MAX_REFRESH_MARGIN = Duration.minutes(50);
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
   * What happens to the table, the key, the log groups and the queues when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Accounts servers outside Zoho's data centres that refresh tokens may be sent to (https origins).
   * Only for a Zoho-compatible server you run; the Zoho data centres are always allowed.
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
   * The connection the example consumer reads. Required when `exampleConsumer` is true.
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
  readonly secretPrefix: string;
  readonly alarmEmail: string | undefined;
  readonly removalPolicy: RemovalPolicy;
  readonly allowedAccountsServers: readonly string[];
  readonly accessTokenKey: kms.IKey | undefined;
  readonly exampleConsumerConnectionId: string | undefined;
}

const SECRET_PREFIX = /^[A-Za-z0-9_+=.@-]+(\/[A-Za-z0-9_+=.@-]+)*$/;
/** Leaves room for `/<64-character id>/access-token` within Secrets Manager's 512-character names. */
const MAX_SECRET_PREFIX_LENGTH = 200;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@.]{2,}$/;
const MAX_SWEEP_CONCURRENCY = 50;

/** Applies the defaults and throws ConfigurationError, naming the prop, for anything invalid. */
export function resolveRefresherProps(props: ZohoTokenRefresherProps = {}): ResolvedRefresherProps {
  const scheduleRate = props.scheduleRate ?? Duration.minutes(5);
  const refreshMargin = props.refreshMargin ?? Duration.minutes(15);
  const scheduleMinutes = wholeMinutes('scheduleRate', scheduleRate);
  const marginSeconds = refreshMargin.toSeconds();
  const lowest = scheduleMinutes * 60 + CONSUMER_CACHE.toSeconds() + REFRESH_JITTER.toSeconds();
  if (marginSeconds <= lowest || marginSeconds >= MAX_REFRESH_MARGIN.toSeconds()) {
    fail(
      `refreshMargin must exceed scheduleRate (${scheduleMinutes} min) + consumer cache (5 min) + jitter (${REFRESH_JITTER.toMinutes()} min) = ${lowest / 60} min and be less than 50 min (got ${marginSeconds / 60} min)`,
    );
  }
  const exampleConsumerConnectionId = props.exampleConsumer
    ? exampleConnectionId(props.exampleConsumerConnectionId)
    : undefined;
  return {
    scheduleRate,
    refreshMargin,
    zohoBudget: integerIn(
      'zohoBudget',
      props.zohoBudget ?? ZOHO_TOKEN_REQUEST_LIMIT - 1,
      1,
      ZOHO_TOKEN_REQUEST_LIMIT - 1,
    ),
    sweepConcurrency: integerIn('sweepConcurrency', props.sweepConcurrency ?? 8, 1, MAX_SWEEP_CONCURRENCY),
    secretPrefix: secretPrefix(props.secretPrefix ?? DEFAULT_SECRET_PREFIX),
    alarmEmail: props.alarmEmail === undefined ? undefined : email(props.alarmEmail),
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    allowedAccountsServers: (props.allowedAccountsServers ?? []).map(accountsServer),
    accessTokenKey: props.accessTokenKey,
    exampleConsumerConnectionId,
  };
}

function fail(message: string): never {
  throw new ConfigurationError(`ZohoTokenRefresher: ${message}`);
}

function wholeMinutes(name: string, value: Duration): number {
  if (Token.isUnresolved(value.toSeconds())) fail(`${name} must be a concrete duration, not a token`);
  const seconds = value.toSeconds();
  // EventBridge rate expressions count whole minutes.
  if (seconds < 60 || seconds % 60 !== 0)
    fail(`${name} must be a whole number of minutes, at least 1 (got ${seconds} s)`);
  return seconds / 60;
}

function integerIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(`${name} must be an integer from ${min} to ${max} (got ${value})`);
  }
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

function exampleConnectionId(value: string | undefined): string {
  if (value === undefined) fail('exampleConsumerConnectionId is required when exampleConsumer is true');
  try {
    return parseConnectionId(value);
  } catch (error) {
    fail(`exampleConsumerConnectionId: ${error instanceof InvalidInputError ? error.message : 'invalid'}`);
  }
}
