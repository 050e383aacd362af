/**
 * The composition root of the connect endpoint (and of the local connect server): the refresher's
 * dependencies, because the callback stores a connection and makes its first refresh exactly as the
 * operator's `connect` does, plus the link states, the request limit and the accounts-server guard.
 */

import type { ConnectHandlerDependencies } from '../connect/connect-handler';
import type { AccountsServerResolver } from '../core/complete-link';
import { InvalidInputError } from '../core/errors';
import { resolveDataCentre } from '../zoho/data-centres';
import type { RefresherConfig } from './config';
import { cryptoLinkStates } from './link-states';
import { DynamoDbLinkStore } from './link-store';
import { createRefresherDependencies, type RefresherWiring } from './refresher';
import { DynamoDbRequestLimiter } from './request-limiter';
import { createAwsClients } from './runtime';

export interface ConnectWiring extends RefresherWiring {
  /** @default the Function URL's own domain */
  readonly baseUrl?: string;
  /** Requests per source address and minute. @default REQUESTS_PER_MINUTE */
  readonly requestsPerMinute?: number;
}

/** Everything the connect handler needs; build it once per container. */
export function createConnectDependencies(
  config: RefresherConfig,
  wiring: ConnectWiring,
): ConnectHandlerDependencies {
  const clients = createAwsClients(wiring.clients);
  const refresher = createRefresherDependencies(config, { ...wiring, clients });
  return {
    ...refresher,
    links: new DynamoDbLinkStore({ client: clients.dynamodb, tableName: config.tableName }),
    states: cryptoLinkStates,
    limiter: new DynamoDbRequestLimiter({
      client: clients.dynamodb,
      tableName: config.tableName,
      ...(wiring.requestsPerMinute === undefined ? {} : { limit: wiring.requestsPerMinute }),
    }),
    resolveAccountsServer: accountsServerResolver(config.allowedAccountsServers),
    ...(wiring.baseUrl === undefined ? {} : { baseUrl: wiring.baseUrl }),
  };
}

/** A Zoho data centre's accounts server, or one of `allowed`; anything else resolves to undefined. */
export function accountsServerResolver(allowed: readonly string[]): AccountsServerResolver {
  return (accountsServer) => {
    try {
      return resolveDataCentre({ accountsServer, allowedCustomServers: allowed });
    } catch (error) {
      if (error instanceof InvalidInputError) return undefined;
      throw error;
    }
  };
}
