/**
 * The AWS side of one command run: the target (resolved once, from flags, an emulator or the
 * stack's outputs), its SDK clients and the refresher's ports, each built on first use so that
 * `--help` and usage errors never touch AWS.
 */

import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { type AwsPorts, createAwsPorts } from '../functions/aws/runtime';
import { ConfigurationError } from '../functions/core/errors';
import type { PlannerDependencies } from '../functions/core/plan-refreshes';
import type { Log, Metrics } from '../functions/core/ports';
import type { RefreshDependencies } from '../functions/core/refresh-deps';
import type { WorkerDependencies } from '../functions/core/run-refresh-orders';
import { createZohoAccountsClient, type ZohoAccountsClient } from '../functions/zoho/accounts-client';
import {
  type AwsTarget,
  createTargetClients,
  resolveTarget,
  type TargetClients,
  type TargetFlags,
} from './aws-target';
import { describeArgument, type OptionValues, stringOption } from './command';
import { UsageError } from './errors';
import {
  createInProcessPlanner,
  createInProcessRefresher,
  createInProcessWorker,
  inProcessConfig,
  quietLog,
} from '../dev/emulator/in-process';
import type { QueueRef } from '../dev/emulator/work';
import { findRefreshQueueUrl } from './refresh-queue';

export interface InProcessSettings {
  readonly allowedAccountsServers?: readonly string[];
  readonly log?: Log;
  readonly metrics?: Metrics;
}

/**
 * `--aws-endpoint` must be an absolute http(s) URL: the SDK would otherwise fail on first use with
 * an "Invalid URL" that names no flag. A usage error, before anything touches AWS.
 */
export function checkEndpoint(value: string): void {
  let protocol: string | undefined;
  try {
    protocol = new URL(value).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol === 'http:' || protocol === 'https:') return;
  throw new UsageError(
    `--aws-endpoint must be an http(s) URL (got ${describeArgument(value, 60)})`,
    "e.g. --aws-endpoint http://127.0.0.1:5000 (a moto server; 'npm start' runs one)",
  );
}

/** Lazily resolved target, clients and ports of one run. */
export class AwsSession {
  readonly #flags: TargetFlags;
  #target: Promise<AwsTarget> | undefined;
  #clients: TargetClients | undefined;
  #ports: AwsPorts | undefined;

  constructor(flags: TargetFlags) {
    this.#flags = flags;
  }

  /** Target flags of a command's parsed options. */
  static fromOptions(values: OptionValues): AwsSession {
    const flags: Record<string, string> = {};
    for (const [flag, key] of [
      ['region', 'region'],
      ['profile', 'profile'],
      ['aws-endpoint', 'awsEndpoint'],
      ['stack', 'stack'],
      ['instance', 'instance'],
      ['table', 'table'],
      ['bus', 'bus'],
      ['key', 'key'],
      ['secret-prefix', 'secretPrefix'],
    ] as const) {
      const value = stringOption(values, flag);
      if (value !== undefined) flags[key] = value;
    }
    if (flags.awsEndpoint !== undefined) checkEndpoint(flags.awsEndpoint);
    if (flags.awsEndpoint !== undefined && flags.profile !== undefined) {
      // An emulator takes any credentials: a profile there could only pull an SSO login or a
      // credential_process into a local run, for nothing.
      throw new UsageError(
        '--profile names AWS credentials; against an emulator (--aws-endpoint) none are needed',
        'drop --profile, or --aws-endpoint to act on the stack in AWS',
      );
    }
    return new AwsSession(flags as TargetFlags);
  }

  get flags(): TargetFlags {
    return this.#flags;
  }

  target(): Promise<AwsTarget> {
    this.#target ??= resolveTarget(this.#flags);
    return this.#target;
  }

  async clients(): Promise<TargetClients> {
    const target = await this.target();
    this.#clients ??= createTargetClients(target);
    return this.#clients;
  }

  /** Store, vault, cipher, client credentials and event publisher of the target. */
  async ports(): Promise<AwsPorts> {
    const target = await this.target();
    const clients = await this.clients();
    this.#ports ??= createAwsPorts(inProcessConfig(target), clients, { log: quietLog });
    return this.#ports;
  }

  /** The use case's dependencies, to run the Lambda handlers in this process. */
  async refresher(settings: InProcessSettings = {}): Promise<RefreshDependencies> {
    return createInProcessRefresher(await this.target(), await this.clients(), settings);
  }

  /**
   * The refresh queue the in-process planner fills and the local event source mapping drains; a
   * ConfigurationError saying what to do when the emulator has none.
   */
  async refreshQueue(): Promise<QueueRef> {
    const target = await this.target();
    const { sqs } = await this.clients();
    const url = await findRefreshQueueUrl(target, sqs);
    if (url === undefined) {
      throw new ConfigurationError(
        target.local
          ? "the emulator has no refresh queue; run 'zoho-tokens local init' first"
          : 'the stack names no refresh queue in its outputs; deploy this version of it',
      );
    }
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
    );
    return { url, arn: Attributes?.QueueArn ?? '' };
  }

  /** The planner's dependencies on the target's refresh queue, to run the planner handler in this process. */
  async planner(settings: InProcessSettings = {}): Promise<PlannerDependencies> {
    const queue = await this.refreshQueue();
    return createInProcessPlanner(await this.target(), await this.clients(), queue.url, settings);
  }

  /** A refresh worker's dependencies, to run the worker handler in this process. */
  async worker(settings: InProcessSettings = {}): Promise<WorkerDependencies> {
    const queue = await this.refreshQueue();
    return createInProcessWorker(await this.target(), await this.clients(), queue.url, settings);
  }

  /** A Zoho Accounts client for onboarding, revocation and checks made by the CLI itself. */
  zoho(allowedAccountsServers: readonly string[] = []): ZohoAccountsClient {
    return createZohoAccountsClient({ allowedCustomServers: allowedAccountsServers });
  }

  /** Closes the SDK clients' sockets so the process can exit at once. */
  destroy(): void {
    if (this.#clients === undefined) return;
    for (const client of Object.values(this.#clients)) client.destroy();
  }
}
