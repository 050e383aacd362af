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
import { ConfigurationError, InvalidInputError } from '../functions/core/errors';
import { PLANNER_PERIOD_MS } from '../functions/core/plan-refreshes';
import { workerConcurrencyFor } from '../functions/core/write-pacer';
import { normaliseAccountsServer } from '../functions/zoho/data-centres';
import { defaultSecretPrefix, type InstanceIdentity, instanceIdentity } from './instance-identity';
import { type OperationsSettings, resolveOperations } from './operations-props';

/** How often the planner runs: every minute (EventBridge's finest rate), fixed. */
export const PLANNER_RATE = Duration.millis(PLANNER_PERIOD_MS);

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
   * How long before expiry a token is refreshed. Must exceed the planner's minute + the consumers'
   * 5-minute cache + `refreshJitter` (so no consumer ever holds a token about to die) and stay under
   * 50 minutes. A Zoho outage shorter than the margin costs no token; each minute more costs about
   * 2 % more refreshes (and secret writes). Whole seconds.
   * @default Duration.seconds(690) (11½ minutes)
   */
  readonly refreshMargin?: Duration;
  /**
   * Up to how much earlier still a token is refreshed, at random, so connections added together do
   * not stay in lockstep. 0..10 minutes, whole seconds.
   * @default Duration.seconds(30)
   */
  readonly refreshJitter?: Duration;
  /**
   * Secret writes per second the refresh workers may make, all together: their share of Secrets
   * Manager's 50 PutSecretValue requests per second per region (not adjustable), which every other
   * application in the account and region also uses. The workers' concurrency follows from it
   * (max(2, ⌈W/2⌉)), each spacing its writes so the total never exceeds it. Size it as
   * N ≤ 2,500 × W connections: the steady rate (W × 3,600 / 1.24) with 15 % left to catch up after
   * an outage (20: 50,000; 100,000 need 40). 1..45.
   * @default 20
   */
  readonly secretWritesPerSecond?: number;
  /**
   * Zoho token requests allowed per connection per 10 minutes. Zoho blocks the 11th request; the
   * refresher never sends more than this. 1..9.
   * @default 9
   */
  readonly zohoBudget?: number;
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
   * Deploys the connect endpoint: a public Lambda Function URL serving `GET /connect` and
   * `GET /callback` of Zoho's server-based consent flow, so `zoho-tokens link create` can hand a
   * customer a single-use link, and `Zoho Reauthorization Required` events carry a fresh one. The
   * stack outputs `ConnectRedirectUri`, to register in Zoho's API console.
   * @default false
   */
  readonly connectEndpoint?: boolean;
}

/** Props after defaults and validation. */
export interface ResolvedRefresherProps extends OperationsSettings {
  /** Metrics, outputs and instance name. */
  readonly identity: InstanceIdentity;
  readonly refreshMargin: Duration;
  readonly refreshJitter: Duration;
  readonly zohoBudget: number;
  readonly secretWritesPerSecond: number;
  /** Refresh workers at once: the event source's maximum and the function's reserved concurrency. */
  readonly refreshWorkerConcurrency: number;
  readonly secretPrefix: string;
  readonly removalPolicy: RemovalPolicy;
  readonly allowedAccountsServers: readonly string[];
  readonly accessTokenKey: kms.IKey | undefined;
  readonly connectEndpoint: boolean;
}

const SECRET_PREFIX = /^[A-Za-z0-9_+=.@-]+(\/[A-Za-z0-9_+=.@-]+)*$/;
/** Leaves room for `/<64-character id>/access-token` within Secrets Manager's 512-character names. */
const MAX_SECRET_PREFIX_LENGTH = 200;
const REMOVAL_POLICIES: readonly RemovalPolicy[] = [RemovalPolicy.RETAIN, RemovalPolicy.DESTROY];

/** Applies the defaults and throws ConfigurationError, naming the prop, for anything invalid. */
export function resolveRefresherProps(props: ZohoTokenRefresherProps = {}): ResolvedRefresherProps {
  const refreshMargin = props.refreshMargin ?? Duration.seconds(SETTING_LIMITS.refreshMarginSeconds.fallback);
  const refreshJitter = props.refreshJitter ?? Duration.seconds(SETTING_LIMITS.refreshJitterSeconds.fallback);
  const jitterSeconds = wholeSeconds('refreshJitter', refreshJitter);
  if (!isWithinLimit(SETTING_LIMITS.refreshJitterSeconds, jitterSeconds)) {
    fail(
      `refreshJitter must be from 0 to ${SETTING_LIMITS.refreshJitterSeconds.max / 60} minutes (got ${jitterSeconds} s)`,
    );
  }
  checkMargin(refreshMargin, jitterSeconds);
  const secretWritesPerSecond = limited(
    'secretWritesPerSecond',
    props.secretWritesPerSecond,
    SETTING_LIMITS.secretWritesPerSecond,
  );
  const identity = instanceIdentity(props.instanceName, metricsNamespace(props.metricsNamespace));
  return {
    identity,
    ...resolveOperations(props),
    refreshMargin,
    refreshJitter,
    zohoBudget: limited('zohoBudget', props.zohoBudget, SETTING_LIMITS.zohoBudget),
    secretWritesPerSecond,
    refreshWorkerConcurrency: workerConcurrencyFor(secretWritesPerSecond),
    secretPrefix: secretPrefix(props.secretPrefix ?? defaultSecretPrefix(identity.instanceName)),
    removalPolicy: removalPolicy(props.removalPolicy ?? RemovalPolicy.RETAIN),
    allowedAccountsServers: (props.allowedAccountsServers ?? []).map(accountsServer),
    accessTokenKey: props.accessTokenKey,
    connectEndpoint: props.connectEndpoint === true,
  };
}

/**
 * The functions' limit (settings.ts), made stricter by what only the construct knows: a token due
 * now is queued by a planner run up to a minute later at worst (a run missed), and may then sit in a
 * consumer's cache for 5 minutes, after the jitter moved its refresh earlier or not at all.
 */
function checkMargin(refreshMargin: Duration, jitterSeconds: number): void {
  const marginSeconds = wholeSeconds('refreshMargin', refreshMargin);
  const lowest = PLANNER_RATE.toSeconds() + CONSUMER_CACHE_SECONDS + jitterSeconds;
  // The functions' own range applies too, though `lowest` is always above its minimum.
  if (marginSeconds <= lowest || !isWithinLimit(SETTING_LIMITS.refreshMarginSeconds, marginSeconds)) {
    fail(
      `refreshMargin must exceed the planner's period (1 min) + consumer cache (${CONSUMER_CACHE_SECONDS / 60} min) + refreshJitter (${jitterSeconds / 60} min) = ${lowest / 60} min and be less than ${(SETTING_LIMITS.refreshMarginSeconds.max + 1) / 60} min (got ${marginSeconds / 60} min)`,
    );
  }
}

/** A concrete duration in whole seconds (the functions read whole seconds). */
function wholeSeconds(name: string, value: Duration): number {
  const seconds = value.toSeconds({ integral: false });
  if (Token.isUnresolved(seconds)) fail(`${name} must be a concrete duration, not a token`);
  if (!Number.isInteger(seconds)) fail(`${name} must be a whole number of seconds (got ${seconds} s)`);
  return seconds;
}

function fail(message: string): never {
  throw new ConfigurationError(`ZohoTokenRefresher: ${message}`);
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
