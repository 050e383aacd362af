/**
 * The environment of the refresher functions, under the names of `ENV` (read once at cold start by
 * `functions/aws/config.ts`). Optional settings are left out when not configured. The planner and
 * the workers also get the refresh queue's URL (the construct adds it to theirs only).
 */
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { ENV } from '../functions/aws/names';
import type { ResolvedRefresherProps } from './refresher-props';

/**
 * Timeout of one Zoho call. The on-demand function has 60 s: three attempts (core's policy) of 8 s,
 * three secret writes and the AWS calls around them fit (refreshWorstCaseMs ≈ 47 s). It is also the
 * most the functions accept (SETTING_LIMITS.zohoTimeoutMs.max), for the same reason.
 */
export const ZOHO_TIMEOUT_MS = 8_000;

export interface RefresherResources {
  readonly table: dynamodb.ITable;
  readonly refreshTokenKey: kms.IKey;
  readonly eventBus: events.IEventBus;
}

/** Variable name → value for the refresher functions. */
export function refresherEnvironment(
  settings: ResolvedRefresherProps,
  resources: RefresherResources,
): Record<string, string> {
  return {
    [ENV.tableName]: resources.table.tableName,
    [ENV.secretPrefix]: settings.secretPrefix,
    [ENV.keyId]: resources.refreshTokenKey.keyArn,
    [ENV.eventBusName]: resources.eventBus.eventBusName,
    [ENV.refreshMarginSeconds]: String(settings.refreshMargin.toSeconds()),
    [ENV.refreshJitterSeconds]: String(settings.refreshJitter.toSeconds()),
    [ENV.secretWritesPerSecond]: String(settings.secretWritesPerSecond),
    [ENV.refreshWorkerConcurrency]: String(settings.refreshWorkerConcurrency),
    [ENV.zohoBudget]: String(settings.zohoBudget),
    [ENV.zohoTimeoutMs]: String(ZOHO_TIMEOUT_MS),
    // The instance's own metrics and log `service`: its alarms watch exactly these.
    [ENV.metricsNamespace]: settings.identity.metrics.namespace,
    [ENV.serviceName]: settings.identity.metrics.service,
    ...(settings.allowedAccountsServers.length === 0
      ? {}
      : { [ENV.allowedAccountsServers]: settings.allowedAccountsServers.join(',') }),
    ...(settings.accessTokenKey === undefined
      ? {}
      : { [ENV.secretKmsKeyId]: settings.accessTokenKey.keyArn }),
  };
}
