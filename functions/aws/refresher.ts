/**
 * The composition root of the three refresher functions (and of the CLI's in-process runs): the AWS
 * ports, the Zoho client and the policy from the configuration, wired into the use case's
 * dependencies. Build it once per container and keep it.
 */
import { randomUUID } from 'node:crypto';
import { type Clock, type Log, type Metrics, systemClock, type ZohoAccounts } from '../core/ports';
import type { RefreshDependencies } from '../core/refresh-deps';
import { DEFAULT_REFRESH_POLICY } from '../core/refresh-policy';
import { createZohoAccountsClient } from '../zoho/accounts-client';
import type { RefresherConfig } from './config';
import { type AwsClients, type AwsPorts, createAwsPorts } from './runtime';

export interface RefresherWiring {
  readonly metrics: Metrics;
  readonly log: Log;
  readonly clients?: Partial<AwsClients>;
  /** Replaces the AWS ports (tests). */
  readonly ports?: AwsPorts;
  /** Replaces the Zoho client (tests). */
  readonly zoho?: ZohoAccounts;
  readonly clock?: Clock;
}

/** Time a sweep keeps in hand: one refresh's worst case (every attempt timing out) plus headroom. */
export const sweepReserveMs = (config: RefresherConfig) =>
  config.zohoTimeoutMs * DEFAULT_REFRESH_POLICY.maxAttempts + 5_000;

export function createRefresherDependencies(
  config: RefresherConfig,
  wiring: RefresherWiring,
): RefreshDependencies {
  const ports = wiring.ports ?? createAwsPorts(config, wiring.clients, { log: wiring.log });
  return {
    ...ports,
    zoho:
      wiring.zoho ??
      createZohoAccountsClient({
        timeoutMs: config.zohoTimeoutMs,
        allowedCustomServers: config.allowedAccountsServers,
      }),
    metrics: wiring.metrics,
    log: wiring.log,
    clock: wiring.clock ?? systemClock,
    policy: {
      ...DEFAULT_REFRESH_POLICY,
      marginMs: config.refreshMarginSeconds * 1000,
      budget: config.zohoBudget,
      // A lease outlives one Zoho call with its timeout, so a slow call cannot lose it midway.
      leaseMs: Math.max(DEFAULT_REFRESH_POLICY.leaseMs, config.zohoTimeoutMs * 2 + 5_000),
    },
    newLeaseOwner: randomUUID,
  };
}
