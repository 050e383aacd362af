/** Re-authorisation links for the refreshers' `Zoho Reauthorization Required` events. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createConnectLink, REAUTHORIZATION_LINK_LIFETIME_MS } from '../core/connect-link';
import type { Clock } from '../core/ports';
import type { ReauthorizationLinks } from '../core/refresh-deps';
import { cryptoLinkStates } from './link-states';
import { DynamoDbLinkStore } from './link-store';

/**
 * Links to the connect endpoint at `baseUrl`, for the connection's own client app and accounts
 * server, marked for re-authorisation, valid REAUTHORIZATION_LINK_LIFETIME_MS.
 */
export function tableReauthorizationLinks(options: {
  readonly baseUrl: string;
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly clock: Clock;
}): ReauthorizationLinks {
  const deps = {
    links: new DynamoDbLinkStore({ client: options.client, tableName: options.tableName }),
    states: cryptoLinkStates,
    clock: options.clock,
  };
  return {
    create: (connection) =>
      createConnectLink(deps, options.baseUrl, {
        connectionId: connection.connectionId,
        clientRef: connection.clientRef,
        location: { dc: connection.dc, accountsServer: connection.accountsServer },
        lifetimeMs: REAUTHORIZATION_LINK_LIFETIME_MS,
        reauthorize: true,
      }),
  };
}
