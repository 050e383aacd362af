/**
 * Every alarm of the refresher, as plain data and nothing else (no CDK import): infra/alarms.ts
 * turns it into CloudFormation alarms (which the workshop's `init` copies into the emulator from the
 * synthesized template), and `zoho-tokens doctor` checks that each one exists. One list, so the stack, the
 * sandbox and the doctor can never disagree on a threshold or a description.
 *
 * Each description is what arrives in the alarm e-mail: it says what happened and what to do.
 */
import { SETTING_LIMITS } from '../functions/aws/settings';
import { PLANNER_PERIOD_MS } from '../functions/core/plan-refreshes';
import type { MetricName } from '../functions/core/ports';
import { OPERATOR_CONCURRENCY } from './operator-concurrency';

/** The refresher's functions, as the alarms name them. */
export type RefresherFunction = 'planner' | 'refreshWorker' | 'onDemand' | 'operator';

/** What an alarm watches. */
export type AlarmSource =
  /** A refresher metric (namespace ZohoTokenRefresher, dimension `service`). */
  | { readonly kind: 'refresher'; readonly metric: MetricName }
  /** An AWS/Lambda metric of one of the refresher functions. */
  | { readonly kind: 'function'; readonly fn: RefresherFunction; readonly metric: 'Errors' | 'Throttles' }
  /** The AWS/SQS depth of the dead-letter queue (of the bus rules and the async invocations). */
  | { readonly kind: 'deadLetterQueue'; readonly metric: 'ApproximateNumberOfMessagesVisible' }
  /** The AWS/SQS age of the oldest order in the refresh queue. */
  | { readonly kind: 'refreshQueue'; readonly metric: 'ApproximateAgeOfOldestMessage' }
  /** The AWS/SQS depth of the refresh queue's dead-letter queue. */
  | { readonly kind: 'refreshDeadLetterQueue'; readonly metric: 'ApproximateNumberOfMessagesVisible' };

/** One alarm. The values of `comparison` and `treatMissingData` are CloudWatch's own spellings. */
export interface AlarmSpec {
  /** The construct id in the stack; the emulator's alarm is named `<prefix>-<id>`. */
  readonly id: string;
  readonly source: AlarmSource;
  readonly statistic: 'Sum' | 'Maximum' | 'Minimum';
  /** The threshold (with `thresholdIsRefreshMargin`: the default margin's, see alarmThreshold). */
  readonly threshold: number;
  /** The deployed threshold is the stack's refresh margin in seconds. @default false */
  readonly thresholdIsRefreshMargin?: boolean;
  readonly comparison: 'GreaterThanOrEqualToThreshold' | 'LessThanThreshold';
  /** A fixed five minutes, or the planner's period (one gauge data point per period: a minute). */
  readonly period: 'fiveMinutes' | 'plannerPeriod';
  readonly evaluationPeriods: number;
  /** @default evaluationPeriods */
  readonly datapointsToAlarm?: number;
  readonly treatMissingData: 'breaching' | 'notBreaching' | 'ignore';
  readonly description: string;
}

/** The five-minute period of the alarms that are not tied to the schedule, in seconds. */
export const FIVE_MINUTES_SECONDS = 300;

/**
 * A fleet gauge (emitted by every planner run, zeros included) at or above 1 in one planner period.
 * Missing data keeps the alarm's state ("ignore"): it does not breach (a silent planner is the
 * heartbeat alarm's job), and a run that lands in the next period cannot flip it to OK either.
 */
function gauge(id: string, metric: MetricName, description: string): AlarmSpec {
  return {
    id,
    source: { kind: 'refresher', metric },
    statistic: 'Maximum',
    threshold: 1,
    comparison: 'GreaterThanOrEqualToThreshold',
    period: 'plannerPeriod',
    evaluationPeriods: 1,
    treatMissingData: 'ignore',
    description,
  };
}

/**
 * Any data point of `source` (Sum, or Maximum for a depth) at or above 1 in `windows` five-minute
 * windows in a row (one by default); no data is no trouble. Generic in its source, so the connect
 * endpoint's alarms (connect-alarm-specs.ts) are made alike.
 */
export function anyInFiveMinutes<Source extends { readonly kind: string }>(
  id: string,
  source: Source,
  description: string,
  windows = 1,
): Omit<AlarmSpec, 'source'> & { readonly source: Source } {
  // A queue's depth is a level, not a count: its worst point in the window, not a sum.
  const depth = source.kind === 'deadLetterQueue' || source.kind === 'refreshDeadLetterQueue';
  return {
    id,
    source,
    statistic: depth ? 'Maximum' : 'Sum',
    threshold: 1,
    comparison: 'GreaterThanOrEqualToThreshold',
    period: 'fiveMinutes',
    evaluationPeriods: windows,
    treatMissingData: 'notBreaching',
    description,
  };
}

/**
 * The operator function's alarms. Its callers are people at a terminal, who see each failure
 * themselves; the alarms tell whoever watches the stack that an emergency command may not have
 * gone through, and show invocations nobody on the team made (its errors and throttles come only
 * from principals allowed to invoke it).
 */
const OPERATOR_FUNCTION_ALARMS: readonly AlarmSpec[] = [
  anyInFiveMinutes(
    'OperatorErrors',
    { kind: 'function', fn: 'operator', metric: 'Errors' },
    "An operator command (zoho-tokens refresh, enable, revoke or doctor ID) failed in the Operator function: a transient Zoho or AWS failure, a revoke that found the connection busy, a timeout or a crash. The operator who ran it saw the error; a revoke that failed is safe to run again, and must be. If nobody ran one, find the caller in CloudTrail. See the function's log group.",
  ),
  // A throttle means more commands at once than the function reserves, which people at terminals
  // do not do; an emergency revoke may have been refused.
  anyInFiveMinutes(
    'OperatorThrottles',
    { kind: 'function', fn: 'operator', metric: 'Throttles' },
    `Operator commands were throttled: more than ${OPERATOR_CONCURRENCY} ran at once (the Operator function reserves ${OPERATOR_CONCURRENCY}). A script fanning out commands crowds out an emergency revoke: stop it, run commands one after another, and check with \`zoho-tokens status\` that every revoke meant went through.`,
  ),
];

/** Every alarm of the stack. */
export const ALARM_SPECS: readonly AlarmSpec[] = [
  gauge(
    'ConnectionsNeedingReauthorization',
    'ConnectionsNeedingReauthorization',
    'At least one connection needs re-authorisation: Zoho rejected its refresh token (revoked, deleted or evicted), so it is off the schedule and its consumers fail once its token expires. Find them with `zoho-tokens status` (status reauthorization_required) and send each customer a re-authorisation link: the `Zoho Reauthorization Required` event carries one (reauthorizationUrl) when the connect endpoint is deployed, and `zoho-tokens link create --id <id> ... --reauthorize` makes one; or run `zoho-tokens connect --id <id> ...` with a new code. The alarm clears at the first planner run (every minute) after the last one is fixed.',
  ),
  gauge(
    'ConnectionsMisconfigured',
    'ConnectionsMisconfigured',
    'At least one connection is misconfigured, off the schedule, by a fault of its own that retrying cannot fix: Zoho refused its client app in its data centre (wrong client id or secret, client not enabled there, wrong DC), its accounts server is not allowed, or KMS refuses its stored refresh token (encrypted for another connection or key). Find them with `zoho-tokens status` (status misconfigured) and run `zoho-tokens doctor <id>`. Fix the client with `zoho-tokens clients put`, then `zoho-tokens enable <id>` (it keeps the refresh token; the functions may use a client secret read up to 5 minutes earlier, so if it fails at once, run it again after that); a refresh token KMS refuses cannot be recovered and needs a new authorisation. An unreadable key or client app lands in ConnectionsFailing instead.',
  ),
  gauge(
    'ConnectionsFailing',
    'ConnectionsFailing',
    'At least one active connection has failed 3 or more refreshes in a row: Zoho throttling or unreachable, the refresh-token key or a client app unreadable (key disabled, pending deletion or denied by a changed policy; client app missing or malformed after `zoho-tokens clients put`: run `zoho-tokens doctor <id>`), or an internal error. It stays on the schedule and is retried with a growing backoff; its current token stays in place until it expires. Run `zoho-tokens status` and `zoho-tokens history <id>`; the dashboard splits failures by reason.',
  ),
  gauge(
    'ExpiredTokens',
    'ExpiredTokens',
    'At least one active connection holds an expired access token: its consumers are failing now. Run `zoho-tokens status`, then `zoho-tokens refresh <id>` and `zoho-tokens doctor <id>` for each expired one.',
  ),
  // A single transient failure is normal (the current token stays valid); failures in two of three
  // consecutive 5-minute windows are a persisting problem.
  {
    ...anyInFiveMinutes(
      'RefreshFailures',
      { kind: 'refresher', metric: 'RefreshFailed' },
      'Zoho token refreshes keep failing. Run `zoho-tokens status` and `zoho-tokens history <id>`; the dashboard splits failures by reason.',
      3,
    ),
    datapointsToAlarm: 2,
  },
  // A failed secret write is never routine: the minted token waits on the connection instead of
  // serving consumers, and a version quota or a deletion does not heal by itself. One is a page.
  anyInFiveMinutes(
    'SecretWriteFailures',
    { kind: 'refresher', metric: 'SecretWriteFailed' },
    "Secrets Manager failed or refused to store a freshly minted access token. The refresher keeps that token encrypted on the connection and stores it at the next run without calling Zoho while it is valid; consumers keep the current token until it expires (then ExpiredTokens). The dashboard's 'Secret write failures by reason' says which: secret_throttled or secret_write_failed (throttling, network, timeout, 5xx) heal by themselves; secret_version_quota means the secret got too many versions in 24 hours (see SecretWriteBudgetExhausted and FreshTokenRejected: who refreshes it so often?); secret_pending_deletion: restore the secret (`aws secretsmanager restore-secret --secret-id <prefix>/<id>/access-token`) or revoke the connection; secret_access_denied: the refresher's role or the secret's KMS key policy changed, run `zoho-tokens doctor <id>`. `zoho-tokens history <id>` names the connection.",
  ),
  // The budget holding back a refresh means something asks for far more refreshes than the schedule:
  // harmless for now (the current token stays), but only an operator can find out who.
  anyInFiveMinutes(
    'SecretWriteBudgetExhausted',
    { kind: 'refresher', metric: 'SecretWriteBudgetExhausted' },
    "A connection's access-token secret has taken as many new versions as its write budget allows in the last hour or day, so further refreshes of it are held back: its current token stays in place and the connection stays active, but a token that really dies now is not replaced until the budget frees up. The schedule alone never gets near the budget: look for a consumer reporting its tokens as rejected (FreshTokenRejected on the dashboard; `zoho-tokens history <id>`, `zoho-tokens status <id>`), or operators forcing refreshes.",
  ),
  // Zoho changing what a success looks like breaks every connection at once; the refresher spends at
  // most one Zoho call per budget window on it, so the alarm is the only sign until tokens expire.
  anyInFiveMinutes(
    'ZohoMalformedResponse',
    { kind: 'refresher', metric: 'ZohoMalformedResponse' },
    "Zoho's token endpoint answered a success the refresher could not use: not the expected JSON, or a value outside its limits (access_token not a token, expires_in out of range, api_domain not a Zoho API host of the connection's data centre). Nothing was stored; the current token stays until it expires, and at most one Zoho call per budget window goes to that connection meanwhile. If it persists, Zoho changed its answer or something between the refresher and Zoho rewrites it (a proxy; a custom accounts server): `zoho-tokens history <id>` shows which connections and since when.",
  ),
  // The queue holds each order until it is due (at most two minutes ahead), so its oldest message is
  // normally younger than that; one older than the margin is a token that expires before its refresh.
  {
    id: 'RefreshBacklogAge',
    source: { kind: 'refreshQueue', metric: 'ApproximateAgeOfOldestMessage' },
    statistic: 'Maximum',
    threshold: SETTING_LIMITS.refreshMarginSeconds.fallback,
    thresholdIsRefreshMargin: true,
    comparison: 'GreaterThanOrEqualToThreshold',
    period: 'plannerPeriod',
    evaluationPeriods: 2,
    treatMissingData: 'notBreaching',
    description:
      "The oldest refresh order has waited in the refresh queue for longer than the refresh margin, two minutes in a row: the refresh workers are not keeping up, and tokens expire (ExpiredTokens). The workers write at most secretWritesPerSecond secrets per second, all together: a stack serves about secretWritesPerSecond × 2,500 connections (20: 50,000; 100,000 need 40). If the fleet outgrew it, raise the construct prop secretWritesPerSecond (at most 45, a share of the region's 50 per second that every other application of the account and region also uses) and deploy; otherwise look at RefreshWorkerErrors and the worker's log group. Orders that throw are not this alarm's: they go to the refresh dead-letter queue.",
  },
  // Three minutes in a row without a run (not one: EventBridge may deliver a schedule late).
  {
    id: 'PlannerHeartbeatMissing',
    source: { kind: 'refresher', metric: 'PlannerHeartbeat' },
    statistic: 'Sum',
    threshold: 1,
    comparison: 'LessThanThreshold',
    period: 'plannerPeriod',
    evaluationPeriods: 3,
    treatMissingData: 'breaching',
    description:
      'The planner has not queued its refreshes for three minutes: nothing new reaches the refresh workers, tokens are not refreshed on schedule, and the fleet gauges (the other alarms) see no new data. A run that could not queue every order also skips its heartbeat (the RefreshOrdersNotQueued metric says how many). Check the Planner function, its log group and its schedule rule.',
  },
  anyInFiveMinutes(
    'PlannerErrors',
    { kind: 'function', fn: 'planner', metric: 'Errors' },
    "The Planner function failed (an unhandled error, a timeout or a crash): that minute's refreshes were not queued; the next runs' catch-up queues them two minutes late. See its log group.",
  ),
  anyInFiveMinutes(
    'RefreshWorkerErrors',
    { kind: 'function', fn: 'refreshWorker', metric: 'Errors' },
    "The RefreshWorker function failed as a whole (a timeout or a crash, not one connection's refresh): SQS delivers the batch again once its visibility timeout has passed, so those refreshes are late by minutes. See its log group.",
  ),
  // One run at a time: a throttle means a run overran into the next minute's.
  anyInFiveMinutes(
    'PlannerThrottles',
    { kind: 'function', fn: 'planner', metric: 'Throttles' },
    'A planner run was throttled: the previous one was still running after a minute. Runs may be too slow (the planner reads one minute of due connections; see its log group and duration).',
  ),
  anyInFiveMinutes(
    'OnDemandRefreshErrors',
    { kind: 'function', fn: 'onDemand', metric: 'Errors' },
    'The OnDemandRefresh function failed (an unhandled error, a timeout or a crash). See its log group.',
  ),
  // A burst of 401 reports is throttled on purpose (it protects the Zoho budget) and retried by
  // Lambda; only throttling that lasts 15 minutes is worth a page.
  anyInFiveMinutes(
    'OnDemandRefreshThrottles',
    { kind: 'function', fn: 'onDemand', metric: 'Throttles' },
    'On-demand refreshes have been throttled for 15 minutes: consumers keep reporting rejected tokens.',
    3,
  ),
  anyInFiveMinutes(
    'DeadLetterQueueNotEmpty',
    { kind: 'deadLetterQueue', metric: 'ApproximateNumberOfMessagesVisible' },
    'An event or invocation failed for good and landed in the dead-letter queue. Read the messages, fix the cause, then purge the queue.',
  ),
  anyInFiveMinutes(
    'RefreshDeadLetterQueueNotEmpty',
    { kind: 'refreshDeadLetterQueue', metric: 'ApproximateNumberOfMessagesVisible' },
    "A refresh order failed five deliveries (it threw: the table or another AWS service failed, or the connection's item is unreadable) and landed in the refresh dead-letter queue; the other connections went on. Each message names its connection (connectionId): run `zoho-tokens status <id>` and `zoho-tokens doctor <id>`, fix the cause, then purge the queue. The planner queues a connection that is still due again on its own, at growing intervals.",
  ),
  ...OPERATOR_FUNCTION_ALARMS,
];

/** The alarms on the refresher's own metrics: the only ones an emulator can hold (no functions, no DLQ). */
export const REFRESHER_METRIC_ALARMS: readonly (AlarmSpec & {
  readonly source: Extract<AlarmSource, { kind: 'refresher' }>;
})[] = ALARM_SPECS.filter(
  (spec): spec is AlarmSpec & { source: Extract<AlarmSource, { kind: 'refresher' }> } =>
    spec.source.kind === 'refresher',
);

/** An alarm's period in seconds. */
export function periodSeconds(spec: Pick<AlarmSpec, 'period'>): number {
  return spec.period === 'plannerPeriod' ? PLANNER_PERIOD_MS / 1000 : FIVE_MINUTES_SECONDS;
}

/** An alarm's threshold in a stack whose refresh margin is `refreshMarginSeconds`. */
export function alarmThreshold(
  spec: Pick<AlarmSpec, 'threshold' | 'thresholdIsRefreshMargin'>,
  refreshMarginSeconds: number,
): number {
  return spec.thresholdIsRefreshMargin ? refreshMarginSeconds : spec.threshold;
}
