/**
 * The settings of `cdk deploy`, read from CDK context (`-c key=value` or `cdk.json` → `context`).
 * Values from `-c` arrive as strings, from `cdk.json` as JSON: both are accepted. A value that does
 * not parse fails the synth with the context key in the message.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { DEFAULT_STACK_NAME } from '../functions/aws/names';
import { ConfigurationError } from '../functions/core/errors';
import type { ZohoTokenRefresherProps } from './refresher-props';

/** Context keys the app reads. */
export const CONTEXT_KEYS = {
  stackName: 'stackName',
  refreshMarginMinutes: 'refreshMarginMinutes',
  refreshJitterSeconds: 'refreshJitterSeconds',
  zohoBudget: 'zohoBudget',
  secretWritesPerSecond: 'secretWritesPerSecond',
  secretPrefix: 'secretPrefix',
  alarmEmail: 'alarmEmail',
  removalPolicy: 'removalPolicy',
  allowedAccountsServers: 'allowedAccountsServers',
  connectEndpoint: 'connectEndpoint',
  exampleConsumer: 'exampleConsumer',
  exampleConsumerConnectionId: 'exampleConsumerConnectionId',
  instanceName: 'instanceName',
  metricsNamespace: 'metricsNamespace',
  /** An SNS topic of yours (ARN) for the alarms: the construct's `existingAlarmTopic`. */
  alarmTopicArn: 'alarmTopicArn',
  logRetentionDays: 'logRetentionDays',
  /** true: X-Ray active tracing (`lambda.Tracing.ACTIVE`). */
  tracing: 'tracing',
} as const;

/**
 * Keys of earlier versions that mean nothing any more: refused with the reason, so a deploy never
 * silently drops a setting its operator believes in.
 */
const REMOVED_KEYS: Readonly<Record<string, string>> = {
  scheduleRateMinutes: 'the planner runs every minute, and each refresh is queued for its due time',
  sweepConcurrency: 'refresh workers run side by side, as many as secretWritesPerSecond allows',
  sweepMemorySize: 'the scheduled sweep is gone: a planner queues the refreshes and workers run them',
};

export interface AppSettings {
  readonly stackName: string;
  readonly refresher: ZohoTokenRefresherProps;
  /** The stack imports this topic as the refresher's `existingAlarmTopic`. */
  readonly alarmTopicArn?: string;
  /** The stack deploys the example consumer for this connection (`exampleConsumer` true). */
  readonly exampleConsumerConnectionId?: string;
}

/** Reads the app settings from the context of `node` (the App's). */
export function settingsFromContext(node: Node): AppSettings {
  const read = (key: string): unknown => node.tryGetContext(key);
  for (const [key, why] of Object.entries(REMOVED_KEYS)) {
    if (read(key) !== undefined) throw new ConfigurationError(`context '${key}' was removed: ${why}`);
  }
  const number = (key: string) => optionalNumber(key, read(key));
  const text = (key: string) => optionalText(key, read(key));
  const refreshMargin = number(CONTEXT_KEYS.refreshMarginMinutes);
  const refreshJitter = number(CONTEXT_KEYS.refreshJitterSeconds);
  const zohoBudget = number(CONTEXT_KEYS.zohoBudget);
  const secretWritesPerSecond = number(CONTEXT_KEYS.secretWritesPerSecond);
  const secretPrefix = text(CONTEXT_KEYS.secretPrefix);
  const alarmEmail = text(CONTEXT_KEYS.alarmEmail);
  const removalPolicy = text(CONTEXT_KEYS.removalPolicy);
  const servers = read(CONTEXT_KEYS.allowedAccountsServers);
  const exampleConsumerConnectionId = exampleConsumer(
    optionalBoolean(CONTEXT_KEYS.exampleConsumer, read(CONTEXT_KEYS.exampleConsumer)),
    text(CONTEXT_KEYS.exampleConsumerConnectionId),
  );
  const connectEndpoint = optionalBoolean(CONTEXT_KEYS.connectEndpoint, read(CONTEXT_KEYS.connectEndpoint));
  const instanceName = text(CONTEXT_KEYS.instanceName);
  const metricsNamespace = text(CONTEXT_KEYS.metricsNamespace);
  const alarmTopicArn = optionalTopicArn(text(CONTEXT_KEYS.alarmTopicArn));
  const logRetention = optionalRetention(number(CONTEXT_KEYS.logRetentionDays));
  const tracing = optionalBoolean(CONTEXT_KEYS.tracing, read(CONTEXT_KEYS.tracing));
  const refresher: ZohoTokenRefresherProps = {
    ...(refreshMargin === undefined ? {} : { refreshMargin: Duration.minutes(refreshMargin) }),
    ...(refreshJitter === undefined ? {} : { refreshJitter: Duration.seconds(refreshJitter) }),
    ...(zohoBudget === undefined ? {} : { zohoBudget }),
    ...(secretWritesPerSecond === undefined ? {} : { secretWritesPerSecond }),
    ...(secretPrefix === undefined ? {} : { secretPrefix }),
    ...(alarmEmail === undefined ? {} : { alarmEmail }),
    ...(removalPolicy === undefined ? {} : { removalPolicy: parseRemovalPolicy(removalPolicy) }),
    ...(servers === undefined
      ? {}
      : { allowedAccountsServers: list(CONTEXT_KEYS.allowedAccountsServers, servers) }),
    ...(connectEndpoint === undefined ? {} : { connectEndpoint }),
    ...(instanceName === undefined ? {} : { instanceName }),
    ...(metricsNamespace === undefined ? {} : { metricsNamespace }),
    ...(logRetention === undefined ? {} : { logRetention }),
    ...(tracing === undefined ? {} : { tracing: tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED }),
  };
  return {
    stackName: text(CONTEXT_KEYS.stackName) ?? DEFAULT_STACK_NAME,
    refresher,
    ...(alarmTopicArn === undefined ? {} : { alarmTopicArn }),
    ...(exampleConsumerConnectionId === undefined ? {} : { exampleConsumerConnectionId }),
  };
}

/**
 * The example consumer's connection: both keys or neither (an id that deploys nothing is a mistake
 * worth hearing about).
 */
function exampleConsumer(deploy: boolean | undefined, connectionId: string | undefined): string | undefined {
  const { exampleConsumer: flag, exampleConsumerConnectionId: idKey } = CONTEXT_KEYS;
  if (deploy !== true) {
    if (connectionId !== undefined)
      throw new ConfigurationError(
        `context '${idKey}' is set but '${flag}' is not true: set both or neither`,
      );
    return undefined;
  }
  if (connectionId === undefined)
    throw new ConfigurationError(`context '${idKey}' is required when '${flag}' is true`);
  return connectionId;
}

function fail(key: string, expected: string, value: unknown): never {
  throw new ConfigurationError(`context '${key}' must be ${expected} (got ${JSON.stringify(value)})`);
}

function optionalText(key: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') fail(key, 'a non-empty string', value);
  return value.trim();
}

function optionalNumber(key: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const parsed =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d+$/.test(value)
        ? Number(value)
        : NaN;
  if (!Number.isSafeInteger(parsed)) fail(key, 'a whole number', value);
  return parsed;
}

function optionalBoolean(key: string, value: unknown): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  return fail(key, 'true or false', value);
}

function list(key: string, value: unknown): string[] {
  if (Array.isArray(value) && value.every((entry) => typeof entry === 'string')) return value;
  if (typeof value === 'string')
    return value
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
  return fail(key, 'a comma-separated list of URLs', value);
}

/** A number of days CloudWatch Logs offers (logs.RetentionDays). */
function optionalRetention(days: number | undefined): logs.RetentionDays | undefined {
  if (days === undefined) return undefined;
  const offered = Object.values(logs.RetentionDays).filter((value) => typeof value === 'number');
  if (!offered.includes(days)) fail(CONTEXT_KEYS.logRetentionDays, `one of ${offered.join(', ')}`, days);
  return days as logs.RetentionDays;
}

function optionalTopicArn(arn: string | undefined): string | undefined {
  if (arn !== undefined && !/^arn:[a-z-]+:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/.test(arn))
    fail(CONTEXT_KEYS.alarmTopicArn, 'the ARN of an SNS topic', arn);
  return arn;
}

function parseRemovalPolicy(value: string): RemovalPolicy {
  if (value === 'retain') return RemovalPolicy.RETAIN;
  if (value === 'destroy') return RemovalPolicy.DESTROY;
  return fail(CONTEXT_KEYS.removalPolicy, "'retain' or 'destroy'", value);
}
