/**
 * Where the CLI and the sandbox act: the region, an optional emulator endpoint, and the names of the
 * table, bus, key and secret prefix — from flags, from the deployed stack's outputs, or (local mode)
 * the documented defaults of the local resources. Also builds the SDK clients once for that target.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { AWS_CALL_LIMITS, type AwsCallLimits, awsClientConfig } from '../functions/aws/client-config';
import type { RefresherConfig } from '../functions/aws/config';
import { CONFIG_DEFAULTS } from '../functions/aws/config';
import { DEFAULT_STACK_NAME, LOCAL_DEFAULTS } from '../functions/aws/names';
import { ConfigurationError } from '../functions/core/errors';
import { OUTPUT_KEYS } from '../infra/output-keys';
import { type AccessFlags, type AwsAccess, resolveAwsAccess } from './aws-access';
import { stackReadError } from './aws-errors';

export interface TargetNames {
  readonly tableName: string;
  readonly eventBusName: string;
  /** Id, ARN or alias of the refresh-token key. */
  readonly keyId: string;
  readonly secretPrefix: string;
  readonly alarmTopicArn?: string;
  /** The planner (every minute) and the refresh workers it queues orders for. */
  readonly plannerFunctionName?: string;
  readonly refreshWorkerFunctionName?: string;
  readonly refreshQueueUrl?: string;
  readonly refreshDeadLetterQueueUrl?: string;
  readonly onDemandFunctionName?: string;
  /** The function operator commands (refresh, enable, revoke, doctor ID) invoke. */
  readonly operatorFunctionName?: string;
  readonly deadLetterQueueUrl?: string;
  /** Namespace and `service` dimension of the refresher's metrics (a named instance has its own). */
  readonly metricsNamespace?: string;
  readonly metricsService?: string;
  /** The connect endpoint's base URL, when the stack deploys one. */
  readonly connectBaseUrl?: string;
}

export interface AwsTarget {
  readonly region: string;
  /** The profile named by --profile, which every SDK client is built with (real AWS only). */
  readonly profile?: string;
  /** An emulator's URL; undefined for real AWS. */
  readonly endpoint?: string;
  /** True against an emulator: names are the local defaults, and no functions are deployed to invoke. */
  readonly local: boolean;
  readonly stackName?: string;
  readonly names: TargetNames;
}

export interface TargetFlags {
  readonly region?: string;
  readonly profile?: string;
  readonly awsEndpoint?: string;
  readonly stack?: string;
  /** The refresher's instanceName, when its stack holds several: its output keys carry that prefix. */
  readonly instance?: string;
  readonly table?: string;
  readonly bus?: string;
  readonly key?: string;
  readonly secretPrefix?: string;
}

export interface TargetClients {
  readonly dynamodb: DynamoDBClient;
  readonly secretsManager: SecretsManagerClient;
  readonly kms: KMSClient;
  readonly eventBridge: EventBridgeClient;
  readonly sqs: SQSClient;
  readonly cloudWatch: CloudWatchClient;
  readonly sns: SNSClient;
  readonly cloudFormation: CloudFormationClient;
  readonly lambda: LambdaClient;
}

/**
 * The CLI's calls against an emulator: moto answers in milliseconds, but its first call to a service
 * loads that service's code, seconds on a busy laptop, and a timed-out write that is then retried
 * may be applied twice (a lease taken by the first attempt, refused to the second). Only a dead
 * emulator is cut short.
 */
export const EMULATOR_CALL_LIMITS: AwsCallLimits = { ...AWS_CALL_LIMITS, requestTimeoutMs: 30_000 };

/**
 * The Lambda client's calls: an Invoke waits for the function, up to the operator function's 60 s
 * timeout (the planner's is 50 s) plus a cold start (Lambda allows its init phase 10 s) and the
 * transfer. One attempt: an Invoke that timed out here still runs in Lambda, and a retry would run
 * the planner or the operator command again.
 */
export const LAMBDA_CALL_LIMITS: AwsCallLimits = {
  ...AWS_CALL_LIMITS,
  requestTimeoutMs: 75_000,
  maxAttempts: 1,
};

/**
 * SDK settings for a target: the call limits (real AWS: those of the functions) and the profile,
 * whose credentials the SDK's provider chain then uses; for an emulator its endpoint and, if none
 * are set, dummy credentials.
 */
export function clientConfig(
  target: Pick<AwsTarget, 'region' | 'endpoint' | 'profile'>,
  limits?: AwsCallLimits,
) {
  const { region, endpoint, profile } = target;
  const calls = awsClientConfig(limits ?? (endpoint === undefined ? AWS_CALL_LIMITS : EMULATOR_CALL_LIMITS));
  if (endpoint === undefined) return { region, ...calls, ...(profile === undefined ? {} : { profile }) };
  const credentials =
    process.env.AWS_ACCESS_KEY_ID === undefined
      ? { accessKeyId: 'local-sandbox', secretAccessKey: 'local-sandbox' }
      : undefined;
  return { region, endpoint, ...calls, ...(credentials && { credentials }) };
}

/**
 * One SDK client per service for `target`, each call bounded (see clientConfig). The same for an
 * emulator as for AWS: what an emulator needs beyond its endpoint comes from a development build's
 * EmulatorHooks (emulator-hooks.ts).
 */
export function createTargetClients(
  target: Pick<AwsTarget, 'region' | 'endpoint' | 'profile'>,
): TargetClients {
  const config = clientConfig(target);
  return {
    dynamodb: new DynamoDBClient(config),
    secretsManager: new SecretsManagerClient(config),
    kms: new KMSClient(config),
    eventBridge: new EventBridgeClient(config),
    sqs: new SQSClient(config),
    cloudWatch: new CloudWatchClient(config),
    sns: new SNSClient(config),
    cloudFormation: new CloudFormationClient(config),
    lambda: new LambdaClient(clientConfig(target, LAMBDA_CALL_LIMITS)),
  };
}

/** The local (emulator) names: documented defaults, each replaceable by a flag. */
export function localTarget(flags: TargetFlags & { awsEndpoint: string }): AwsTarget {
  return {
    region: flags.region ?? process.env.AWS_REGION ?? LOCAL_DEFAULTS.region,
    endpoint: flags.awsEndpoint,
    local: true,
    names: {
      tableName: flags.table ?? LOCAL_DEFAULTS.tableName,
      eventBusName: flags.bus ?? LOCAL_DEFAULTS.eventBusName,
      keyId: flags.key ?? LOCAL_DEFAULTS.keyAlias,
      secretPrefix: flags.secretPrefix ?? LOCAL_DEFAULTS.secretPrefix,
    },
  };
}

/** What resolveTarget calls out to; tests replace them. */
export interface TargetResolvers {
  /** The region and profile (and a check that credentials exist). @default resolveAwsAccess */
  readonly access?: (flags: AccessFlags) => Promise<AwsAccess>;
  /** The stack's outputs by key. @default DescribeStacks through `client` */
  readonly describeStack?: (
    client: CloudFormationClient,
    stackName: string,
  ) => Promise<Record<string, string>>;
}

/**
 * Resolves the target: an emulator endpoint means local defaults; otherwise the region, profile and
 * credentials as the AWS CLI finds them (aws-access.ts), then explicit --table/--bus/--key win, and
 * the stack's outputs name everything else.
 */
export async function resolveTarget(flags: TargetFlags, resolvers: TargetResolvers = {}): Promise<AwsTarget> {
  if (flags.awsEndpoint !== undefined) return localTarget({ ...flags, awsEndpoint: flags.awsEndpoint });
  const { region, profile, profileInUse } = await (resolvers.access ?? resolveAwsAccess)(flags);
  const where = { region, ...(profile === undefined ? {} : { profile }) };
  if (flags.table !== undefined && flags.bus !== undefined && flags.key !== undefined) {
    return {
      ...where,
      local: false,
      names: {
        tableName: flags.table,
        eventBusName: flags.bus,
        keyId: flags.key,
        secretPrefix: flags.secretPrefix ?? LOCAL_DEFAULTS.secretPrefix,
      },
    };
  }
  const stackName = flags.stack ?? DEFAULT_STACK_NAME;
  const client = new CloudFormationClient(clientConfig(where));
  let outputs: Record<string, string>;
  try {
    outputs = await (resolvers.describeStack ?? readStackOutputs)(client, stackName);
  } catch (error) {
    throw stackReadError(error, stackName, region, profileInUse);
  } finally {
    client.destroy();
  }
  const prefix = outputKeyPrefix(flags.instance);
  const output = (key: string): string | undefined => outputs[`${prefix}${key}`];
  const need = (key: string) => {
    const value = output(key);
    if (value === undefined) {
      throw new ConfigurationError(
        flags.instance === undefined
          ? `Stack '${stackName}' has no output '${key}'; is it a zoho-token-refresher stack?`
          : `Stack '${stackName}' has no output '${prefix}${key}': no refresher named '${flags.instance}' in it`,
      );
    }
    return value;
  };
  return {
    ...where,
    local: false,
    stackName,
    names: {
      tableName: flags.table ?? need(OUTPUT_KEYS.tableName),
      eventBusName: flags.bus ?? need(OUTPUT_KEYS.eventBusName),
      keyId: flags.key ?? need(OUTPUT_KEYS.refreshTokenKeyArn),
      secretPrefix: flags.secretPrefix ?? need(OUTPUT_KEYS.secretPrefix),
      ...optional('alarmTopicArn', output(OUTPUT_KEYS.alarmTopicArn)),
      ...optional('plannerFunctionName', output(OUTPUT_KEYS.plannerFunctionName)),
      ...optional('refreshWorkerFunctionName', output(OUTPUT_KEYS.refreshWorkerFunctionName)),
      ...optional('refreshQueueUrl', output(OUTPUT_KEYS.refreshQueueUrl)),
      ...optional('refreshDeadLetterQueueUrl', output(OUTPUT_KEYS.refreshDeadLetterQueueUrl)),
      ...optional('onDemandFunctionName', output(OUTPUT_KEYS.onDemandFunctionName)),
      ...optional('operatorFunctionName', output(OUTPUT_KEYS.operatorFunctionName)),
      ...optional('deadLetterQueueUrl', output(OUTPUT_KEYS.deadLetterQueueUrl)),
      ...optional('metricsNamespace', output(OUTPUT_KEYS.metricsNamespace)),
      ...optional('metricsService', output(OUTPUT_KEYS.metricsService)),
      ...optional('connectBaseUrl', output(OUTPUT_KEYS.connectBaseUrl)),
    },
  };
}

/**
 * The prefix of a named refresher's output keys, as the construct makes it (`addRefresherOutputs`):
 * the instance name capitalised (`dev` → `DevTableName`); none without a name.
 */
export const outputKeyPrefix = (instance: string | undefined): string =>
  instance === undefined ? '' : `${instance.charAt(0).toUpperCase()}${instance.slice(1)}`;

const optional = <K extends string>(key: K, value: string | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, string>>;

async function readStackOutputs(
  client: CloudFormationClient,
  stackName: string,
): Promise<Record<string, string>> {
  const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
  const outputs: Record<string, string> = {};
  for (const output of Stacks?.[0]?.Outputs ?? []) {
    if (output.OutputKey && output.OutputValue) outputs[output.OutputKey] = output.OutputValue;
  }
  return outputs;
}

/** The refresher configuration for running the handlers in-process against a target. */
export function refresherConfigFor(
  target: AwsTarget,
  options: { readonly allowedAccountsServers?: readonly string[]; readonly zohoTimeoutMs?: number } = {},
): RefresherConfig {
  return {
    tableName: target.names.tableName,
    secretPrefix: target.names.secretPrefix,
    keyId: target.names.keyId,
    eventBusName: target.names.eventBusName,
    refreshMarginSeconds: CONFIG_DEFAULTS.refreshMarginSeconds,
    refreshJitterSeconds: CONFIG_DEFAULTS.refreshJitterSeconds,
    secretWritesPerSecond: CONFIG_DEFAULTS.secretWritesPerSecond,
    refreshWorkerConcurrency: CONFIG_DEFAULTS.refreshWorkerConcurrency,
    zohoBudget: CONFIG_DEFAULTS.zohoBudget,
    sweepConcurrency: CONFIG_DEFAULTS.sweepConcurrency,
    zohoTimeoutMs: options.zohoTimeoutMs ?? CONFIG_DEFAULTS.zohoTimeoutMs,
    allowedAccountsServers: options.allowedAccountsServers ?? [],
  };
}
