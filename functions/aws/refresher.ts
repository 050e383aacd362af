/**
 * The composition root of the refresher functions (and of the CLI's in-process runs): the AWS
 * ports, the Zoho client and the policy from the configuration, wired into the use case's
 * dependencies. Build it once per container and keep it.
 */
import { randomUUID } from 'node:crypto';
import { type Clock, type Log, type Metrics, systemClock, type ZohoAccounts } from '../core/ports';
import type { RefreshDependencies } from '../core/refresh-deps';
import { DEFAULT_REFRESH_POLICY, retryDelay } from '../core/refresh-policy';
import { createZohoAccountsClient } from '../zoho/accounts-client';
import { AWS_CALL_WORST_CASE_MS } from './client-config';
import type { RefresherConfig } from './config';
import { tableReauthorizationLinks } from './reauthorization-links';
import { type AwsClients, type AwsPorts, createAwsClients, createAwsPorts } from './runtime';

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

/** The AWS calls around a refresh's Zoho calls and secret writes (lease, reads, commit, history, event). */
export const AWS_CALLS_HEADROOM_MS = 5_000;

/**
 * One refresh's worst case: every Zoho attempt runs into its timeout with the longest backoff between
 * them, then every secret-write attempt into the AWS call's worst case with its backoff, plus
 * headroom for the other AWS calls. The on-demand and operator functions' timeouts and the sweep's
 * reserve are built on it (3 × 8 s + 1.75 s + 3 × 5 s + 0.75 s + 5 s ≈ 46.5 s).
 */
export function refreshWorstCaseMs(config: Pick<RefresherConfig, 'zohoTimeoutMs'>): number {
  const policy = { ...DEFAULT_REFRESH_POLICY, random: () => 0.999_999 };
  const pauses = (attempts: number) =>
    Array.from({ length: attempts - 1 }, (_, i) => retryDelay(i + 1, policy)).reduce((a, b) => a + b, 0);
  return (
    policy.maxAttempts * config.zohoTimeoutMs +
    pauses(policy.maxAttempts) +
    policy.secretWriteAttempts * AWS_CALL_WORST_CASE_MS +
    pauses(policy.secretWriteAttempts) +
    AWS_CALLS_HEADROOM_MS
  );
}

/** Time a sweep keeps in hand: one refresh's worst case, so the last one it starts can finish. */
export const sweepReserveMs = (config: RefresherConfig) => refreshWorstCaseMs(config);

export function createRefresherDependencies(
  config: RefresherConfig,
  wiring: RefresherWiring,
): RefreshDependencies {
  // With a connect endpoint the link store shares the ports' DynamoDB client; without, nothing changes.
  const clients = config.connectBaseUrl === undefined ? wiring.clients : createAwsClients(wiring.clients);
  const ports = wiring.ports ?? createAwsPorts(config, clients, { log: wiring.log });
  const clock = wiring.clock ?? systemClock;
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
    clock,
    policy: {
      ...DEFAULT_REFRESH_POLICY,
      marginMs: config.refreshMarginSeconds * 1000,
      jitterMs: config.refreshJitterSeconds * 1000,
      budget: config.zohoBudget,
      // A lease outlives one Zoho call with its timeout, so a slow call cannot lose it midway.
      leaseMs: Math.max(DEFAULT_REFRESH_POLICY.leaseMs, config.zohoTimeoutMs * 2 + 5_000),
    },
    newLeaseOwner: randomUUID,
    ...(config.connectBaseUrl === undefined
      ? {}
      : {
          reauthorizationLinks: tableReauthorizationLinks({
            baseUrl: config.connectBaseUrl,
            client: createAwsClients(clients).dynamodb,
            tableName: config.tableName,
            clock,
          }),
        }),
  };
}
