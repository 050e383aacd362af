/**
 * The settings of `cdk deploy`, read from CDK context (`-c key=value` or `cdk.json` → `context`).
 * Values from `-c` arrive as strings, from `cdk.json` as JSON: both are accepted. A value that does
 * not parse fails the synth with the context key in the message.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
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
  exampleConsumer: 'exampleConsumer',
  exampleConsumerConnectionId: 'exampleConsumerConnectionId',
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
  const exampleConsumer = optionalBoolean(CONTEXT_KEYS.exampleConsumer, read(CONTEXT_KEYS.exampleConsumer));
  const exampleConsumerConnectionId = text(CONTEXT_KEYS.exampleConsumerConnectionId);
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
    ...(exampleConsumer === undefined ? {} : { exampleConsumer }),
    ...(exampleConsumerConnectionId === undefined ? {} : { exampleConsumerConnectionId }),
  };
  return { stackName: text(CONTEXT_KEYS.stackName) ?? DEFAULT_STACK_NAME, refresher };
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

function parseRemovalPolicy(value: string): RemovalPolicy {
  if (value === 'retain') return RemovalPolicy.RETAIN;
  if (value === 'destroy') return RemovalPolicy.DESTROY;
  return fail(CONTEXT_KEYS.removalPolicy, "'retain' or 'destroy'", value);
}
