/**
 * The sandbox's third demo connection, added the way a customer would add one: a connect link served
 * by the local connect server, approved on the Zoho simulator's consent page in any browser.
 */
import { accountsServerResolver } from '../../functions/aws/connect-wiring';
import { cryptoLinkStates } from '../../functions/aws/link-states';
import { DynamoDbLinkStore } from '../../functions/aws/link-store';
import { DynamoDbRequestLimiter } from '../../functions/aws/request-limiter';
import { createConnectLink, MAX_LINK_LIFETIME_MS } from '../../functions/core/connect-link';
import type { RefreshDependencies } from '../../functions/core/refresh-deps';
import { startConnectServer } from '../connect-server';
import type { AwsSide } from './aws-side';
import { SANDBOX_CLIENT_REF } from './setup';
import type { ZohoSide } from './zoho-side';

/** The id of the connection the link adds. */
export const LINK_DEMO_CONNECTION_ID = 'demo-link';

/** A running link demo: the link to open, and how to stop its server. */
export interface LinkDemo {
  readonly url: string;
  readonly connectionId: string;
  /** Stops the server and removes the link item. */
  stop(): Promise<void>;
}

/** Starts the connect server and makes the link; undefined against a real Zoho (no consent page here). */
export async function startLinkDemo(
  aws: AwsSide,
  zoho: ZohoSide,
  deps: RefreshDependencies,
): Promise<LinkDemo | undefined> {
  if (zoho.simulator === undefined) return undefined;
  const { dynamodb } = aws.clients;
  const tableName = aws.resources.tableName;
  const links = new DynamoDbLinkStore({ client: dynamodb, tableName });
  const server = await startConnectServer({
    port: 0,
    dependencies: async () => ({
      ...deps,
      links,
      states: cryptoLinkStates,
      limiter: new DynamoDbRequestLimiter({ client: dynamodb, tableName }),
      resolveAccountsServer: accountsServerResolver(zoho.allowedAccountsServers),
    }),
  });
  try {
    // An id an earlier run left behind gets a suffix, as the other demo connections do.
    const taken = (await deps.store.get(LINK_DEMO_CONNECTION_ID)) !== undefined;
    const connectionId = taken
      ? `${LINK_DEMO_CONNECTION_ID}-${Date.now().toString(36)}`
      : LINK_DEMO_CONNECTION_ID;
    const link = await createConnectLink(
      { links, states: cryptoLinkStates, clock: deps.clock },
      server.baseUrl,
      {
        connectionId,
        clientRef: SANDBOX_CLIENT_REF,
        location: { dc: 'us', accountsServer: zoho.simulator.accountsServer('us') },
        // The longest lifetime: the link stays open for the whole run, however long.
        lifetimeMs: MAX_LINK_LIFETIME_MS,
      },
    );
    const state = new URL(link.url).searchParams.get('state') ?? '';
    return {
      url: link.url,
      connectionId,
      async stop() {
        await server.stop();
        // The link item would outlive the run in an emulator the sandbox did not start.
        await links.delete(cryptoLinkStates.hash(state));
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
