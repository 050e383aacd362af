/**
 * The refresher's use-case dependencies for running the Lambda handlers in this process (the dev
 * CLI against an emulator, the sandbox): the same composition root as the functions, with quiet
 * observability ports instead of the functions' own (lambda-observability.ts), which would print
 * JSON lines and EMF blobs.
 */

import { type AwsTarget, refresherConfigFor, type TargetClients } from '../../cli/aws-target';
import type { RefresherConfig } from '../../functions/aws/config';
import { createPlannerDependencies, createWorkerDependencies } from '../../functions/aws/fleet-wiring';
import { createRefresherDependencies, type RefresherWiring } from '../../functions/aws/refresher';
import type { PlannerDependencies } from '../../functions/core/plan-refreshes';
import type { Clock, Log, MetricName, Metrics, MetricUnit, ZohoAccounts } from '../../functions/core/ports';
import type { RefreshDependencies } from '../../functions/core/refresh-deps';
import type { WorkerDependencies } from '../../functions/core/run-refresh-orders';

/** Log attributes that are safe and useful on a terminal; anything else is dropped, never printed. */
const PRINTABLE_ATTRIBUTES = [
  'connectionId',
  'trigger',
  'outcome',
  'reason',
  'version',
  'errorCode',
  'errorName',
] as const;

/**
 * A Log port for a terminal: warnings and errors become one human line each (`warning: … (connectionId=x)`),
 * debug and info are dropped. Only the attributes of {@link PRINTABLE_ATTRIBUTES} are shown, so a
 * token can never reach the screen even if a caller put one into an attribute by mistake.
 */
export function humanLog(write: (line: string) => void): Log {
  const line = (level: string) => (message: string, attributes?: Record<string, unknown>) => {
    const shown = PRINTABLE_ATTRIBUTES.filter((key) => isPrintable(attributes?.[key])).map(
      (key) => `${key}=${String(attributes?.[key])}`,
    );
    write(`${level}: ${message}${shown.length > 0 ? ` (${shown.join(', ')})` : ''}\n`);
  };
  return { debug: () => undefined, info: () => undefined, warn: line('warning'), error: line('error') };
}

/** A Metrics port that prints nothing and keeps totals per metric (and per `name:reason`). */
export class CountingMetrics implements Metrics {
  readonly totals = new Map<string, number>();

  add(name: MetricName, value: number, _unit: MetricUnit, reason?: string): void {
    this.#bump(name, value);
    if (reason !== undefined && reason !== '') this.#bump(`${name}:${reason}`, value);
  }

  /** The total of `name` (with `reason`, of that reason only); 0 when never emitted. */
  total(name: MetricName, reason?: string): number {
    return this.totals.get(reason === undefined ? name : `${name}:${reason}`) ?? 0;
  }

  #bump(key: string, value: number) {
    this.totals.set(key, (this.totals.get(key) ?? 0) + value);
  }
}

export interface InProcessOptions {
  /** Accounts servers outside Zoho's list that may receive refresh tokens (sandbox, tests). @default [] */
  readonly allowedAccountsServers?: readonly string[];
  /** @default warnings and errors as human lines on stderr */
  readonly log?: Log;
  /** @default a CountingMetrics (prints nothing) */
  readonly metrics?: Metrics;
  /** Timeout of one Zoho call. @default the functions' default (10 s) */
  readonly zohoTimeoutMs?: number;
  /** Replaces the Zoho client (tests). */
  readonly zoho?: ZohoAccounts;
  readonly clock?: Clock;
}

/** The refresher configuration the in-process handlers run with for `target`. */
export function inProcessConfig(target: AwsTarget, options: InProcessOptions = {}): RefresherConfig {
  return refresherConfigFor(target, {
    ...(options.allowedAccountsServers === undefined
      ? {}
      : { allowedAccountsServers: options.allowedAccountsServers }),
    ...(options.zohoTimeoutMs === undefined ? {} : { zohoTimeoutMs: options.zohoTimeoutMs }),
  });
}

/**
 * The use case's dependencies against `target`, built with the functions' own composition root
 * (`createRefresherDependencies`) on the target's SDK clients. Pass the result to
 * `createTokenRejectedHandler` or `createOperatorHandler` to run exactly what the Lambdas run.
 */
export function createInProcessRefresher(
  target: AwsTarget,
  clients: RefresherClients,
  options: InProcessOptions = {},
): RefreshDependencies {
  return createRefresherDependencies(inProcessConfig(target, options), wiringOf(clients, options));
}

/** The SDK clients the refresher's ports use. */
type RefresherClients = Pick<TargetClients, 'dynamodb' | 'secretsManager' | 'kms' | 'eventBridge'>;

/** The refresher's clients and the refresh queue's. */
export type FleetClients = RefresherClients & Pick<TargetClients, 'sqs'>;

export interface FleetInProcessOptions extends InProcessOptions {
  /**
   * The secret writes per second of all the workers together (the in-process worker stands for
   * every deployed one: its pacer spaces writes `1 / secretWritesPerSecond` apart).
   * @default the stack's default
   */
  readonly secretWritesPerSecond?: number;
}

/** The planner's dependencies against `target`'s refresh queue: the planner function's composition root. */
export function createInProcessPlanner(
  target: AwsTarget,
  clients: FleetClients,
  queueUrl: string,
  options: FleetInProcessOptions = {},
): PlannerDependencies {
  return createPlannerDependencies(fleetConfig(target, queueUrl, options), {
    ...wiringOf(clients, options),
    sqs: clients.sqs,
  });
}

/**
 * A refresh worker's dependencies against `target`: the worker function's composition root, for
 * `createRefreshWorkerHandler`. One in-process worker takes the place of all the deployed ones, so
 * its write pacer holds the whole limit (`refreshWorkerConcurrency` 1), however many batches it runs
 * side by side.
 */
export function createInProcessWorker(
  target: AwsTarget,
  clients: FleetClients,
  queueUrl: string,
  options: FleetInProcessOptions = {},
): WorkerDependencies {
  return createWorkerDependencies(fleetConfig(target, queueUrl, options), {
    ...wiringOf(clients, options),
    sqs: clients.sqs,
  });
}

function fleetConfig(target: AwsTarget, queueUrl: string, options: FleetInProcessOptions): RefresherConfig {
  const config = inProcessConfig(target, options);
  return {
    ...config,
    refreshQueueUrl: queueUrl,
    refreshWorkerConcurrency: 1,
    secretWritesPerSecond: options.secretWritesPerSecond ?? config.secretWritesPerSecond,
  };
}

function wiringOf(clients: RefresherClients, options: InProcessOptions): RefresherWiring {
  return {
    metrics: options.metrics ?? new CountingMetrics(),
    log: options.log ?? humanLog((line) => process.stderr.write(line)),
    clients: {
      dynamodb: clients.dynamodb,
      secretsManager: clients.secretsManager,
      kms: clients.kms,
      eventBridge: clients.eventBridge,
    },
    ...(options.zoho === undefined ? {} : { zoho: options.zoho }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  };
}

function isPrintable(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
