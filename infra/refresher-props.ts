/**
 * The props of the `ZohoTokenRefresher` construct and their validation. Invalid props fail at synth
 * (in the constructor) with a message that names the prop, so nothing broken ever reaches
 * CloudFormation.
 */
import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { parseMetricsNamespace } from '../functions/aws/metrics-identity';
import { METRICS_NAMESPACE } from '../functions/aws/names';
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
import { defaultSecretPrefix, type InstanceIdentity, instanceIdentity } from './instance-identity';
import { type OperationsSettings, resolveOperations } from './operations-props';

/** The refresher's own random head start (core's refresh policy), so the fleet does not refresh in lockstep. */
export const REFRESH_JITTER = Duration.millis(DEFAULT_REFRESH_POLICY.jitterMs);

export interface ZohoTokenRefresherProps {
  /**
   * Tells this refresher from others in the same account and region (a dev and a prod stack, or
   * two in one stack): its metrics carry the `service` dimension `zoho-token-refresher-<name>` (so
   * its alarms and dashboard see its own data only), its secrets default to the prefix
   * `zoho-token-refresher-<name>`, and `addRefresherOutputs` prefixes its output keys with the
   * capitalised name (`Dev`). 1-20 lowercase letters and digits, starting with a letter. Only one
   * refresher per account and region may go without; two that would share metrics, secrets or
   * outputs fail the synth.
   * @default - none: service `zoho-token-refresher`, secret prefix `zoho-token-refresher`, output keys unprefixed
   */
  readonly instanceName?: string;
  /**
   * CloudWatch namespace of the refresher's metrics, for teams that keep a namespace per
   * application or stage. Letters, digits, spaces and `.-_/#:`, up to 255; not `AWS/…`.
   * @default 'ZohoTokenRefresher'
   */
  readonly metricsNamespace?: string;
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
   * @default 'zoho-token-refresher', or 'zoho-token-refresher-<instanceName>' with an instanceName
   */
  readonly secretPrefix?: string;
  /**
   * E-mail address subscribed to the alarm topic (confirm the subscription mail after deploying).
   * A token (e.g. a `CfnParameter`'s `valueAsString`) is taken unchecked. Not with
   * `existingAlarmTopic`: subscribe to your own topic where it is defined.
   * @default - no subscription; subscribe to the topic named by the `AlarmTopicArn` output yourself
   */
  readonly alarmEmail?: string;
  /**
   * An SNS topic of yours that every alarm notifies (on ALARM and OK), e.g. one already wired to
   * chat or paging. The refresher then creates no topic and no topic key. If the topic is encrypted
   * with a customer key, its key policy must let `cloudwatch.amazonaws.com` use it.
   * @default - a topic of its own, encrypted with a key of its own
   */
  readonly existingAlarmTopic?: sns.ITopic;
  /**
   * How long the functions' log groups keep their logs.
   * @default logs.RetentionDays.THREE_MONTHS (long enough to investigate a monthly report)
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * X-Ray tracing of the functions. Off by default: a trace shows the invocation's own segments
   * (the functions do not instrument their AWS and Zoho calls), which the metrics and structured
   * logs already cover; X-Ray charges per trace recorded and retrieved beyond its free tier; and
   * the roles need `xray:PutTraceSegments` and `xray:PutTelemetryRecords`, which take no resource
   * but `*`. With `Tracing.ACTIVE` or `PASS_THROUGH` CDK adds exactly those two actions to each role.
   * @default lambda.Tracing.DISABLED
   */
  readonly tracing?: lambda.Tracing;
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
export interface ResolvedRefresherProps extends OperationsSettings {
  /** Metrics, outputs and instance name. */
  readonly identity: InstanceIdentity;
  readonly scheduleRate: Duration;
  readonly refreshMargin: Duration;
  readonly zohoBudget: number;
  readonly sweepConcurrency: number;
  readonly sweepMemorySize: number;
  readonly secretPrefix: string;
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
const REMOVAL_POLICIES: readonly RemovalPolicy[] = [RemovalPolicy.RETAIN, RemovalPolicy.DESTROY];

/** Applies the defaults and throws ConfigurationError, naming the prop, for anything invalid. */
export function resolveRefresherProps(props: ZohoTokenRefresherProps = {}): ResolvedRefresherProps {
  const scheduleRate = props.scheduleRate ?? Duration.minutes(5);
  const refreshMargin = props.refreshMargin ?? Duration.seconds(SETTING_LIMITS.refreshMarginSeconds.fallback);
  checkMargin(wholeMinutes('scheduleRate', scheduleRate), refreshMargin);
  const identity = instanceIdentity(props.instanceName, metricsNamespace(props.metricsNamespace));
  return {
    identity,
    ...resolveOperations(props),
    scheduleRate,
    refreshMargin,
    zohoBudget: limited('zohoBudget', props.zohoBudget, SETTING_LIMITS.zohoBudget),
    sweepConcurrency: limited('sweepConcurrency', props.sweepConcurrency, SETTING_LIMITS.sweepConcurrency),
    sweepMemorySize: limited('sweepMemorySize', props.sweepMemorySize, SWEEP_MEMORY_MB),
    secretPrefix: secretPrefix(props.secretPrefix ?? defaultSecretPrefix(identity.instanceName)),
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

function metricsNamespace(value: string | undefined): string {
  if (value === undefined) return METRICS_NAMESPACE;
  // The functions, the alarms and the instance check all need the name itself.
  if (Token.isUnresolved(value)) fail('metricsNamespace must be a concrete string, not a token');
  try {
    return parseMetricsNamespace(value);
  } catch (error) {
    fail(`metricsNamespace ${error instanceof InvalidInputError ? error.message : 'is invalid'}`);
  }
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
