/**
 * The AWS side of one command run: the target (resolved once, from flags, an emulator or the
 * stack's outputs), its SDK clients and the refresher's ports, each built on first use so that
 * `--help` and usage errors never touch AWS.
 */

import { type AwsPorts, createAwsPorts } from '../functions/aws/runtime';
import { ConfigurationError } from '../functions/core/errors';
import { createZohoAccountsClient, type ZohoAccountsClient } from '../functions/zoho/accounts-client';
import {
  type AwsTarget,
  createTargetClients,
  refresherConfigFor,
  resolveTarget,
  type TargetClients,
  type TargetFlags,
} from './aws-target';
import { describeArgument, type OptionValues, stringOption } from './command';
import type { EmulatorHooks } from './emulator-hooks';
import { UsageError } from './errors';
import { quietLog } from './quiet-log';

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
  readonly #emulator: EmulatorHooks | undefined;

  /** @param emulator what a development build adds for an emulator target; the shipped CLI has none. */
  constructor(flags: TargetFlags, emulator?: EmulatorHooks) {
    this.#flags = flags;
    this.#emulator = emulator;
  }

  /** Target flags of a command's parsed options. */
  static fromOptions(values: OptionValues, emulator?: EmulatorHooks): AwsSession {
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
    return new AwsSession(flags as TargetFlags, emulator);
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
    if (this.#clients === undefined) {
      const clients = createTargetClients(target);
      this.#clients =
        target.endpoint === undefined || this.#emulator === undefined
          ? clients
          : this.#emulator.adaptClients(clients);
    }
    return this.#clients;
  }

  /**
   * The in-process stand-ins for the refresher's functions against an emulator; a ConfigurationError
   * saying where to find them when this CLI has none (the shipped one: they belong to the workshop).
   */
  emulator(): EmulatorHooks {
    if (this.#emulator !== undefined) return this.#emulator;
    throw new ConfigurationError(
      "an emulator runs no Lambda functions, and this CLI does not run them in-process; from a clone of the project, 'npm run local -- <command> --aws-endpoint URL' does",
    );
  }

  /** Store, vault, cipher, client credentials and event publisher of the target. */
  async ports(): Promise<AwsPorts> {
    const target = await this.target();
    const clients = await this.clients();
    this.#ports ??= createAwsPorts(refresherConfigFor(target), clients, { log: quietLog });
    return this.#ports;
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
