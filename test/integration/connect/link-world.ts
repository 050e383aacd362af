/**
 * The connect endpoint's handler on the engine's world (moto + the Zoho simulator), driven with
 * Function URL events as a browser's requests would arrive. Zoho's consent is played by issuing a
 * redirect-flow grant code in the simulator (the browser tests click the real consent page).
 */
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { accountsServerResolver } from '../../../functions/aws/connect-wiring';
import { cryptoLinkStates } from '../../../functions/aws/link-states';
import { DynamoDbLinkStore } from '../../../functions/aws/link-store';
import { DynamoDbRequestLimiter } from '../../../functions/aws/request-limiter';
import {
  type ConnectAnswer,
  type ConnectHandlerDependencies,
  createConnectHandler,
} from '../../../functions/connect/connect-handler';
import { createConnectLink, type LinkRequest, redirectUriOf } from '../../../functions/core/connect-link';
import type { EngineWorld } from '../engine/world';

/** The local base URL the tests pretend the endpoint has (nothing listens: events go straight in). */
export const BASE_URL = 'http://127.0.0.1:8765';
export const REDIRECT_URI = redirectUriOf(BASE_URL);
/** The engine world's client app. */
export const CLIENT = { clientRef: 'books', clientId: '1000.SIMCLIENT' } as const;

export interface LinkWorld {
  readonly deps: ConnectHandlerDependencies;
  /** One GET (or another method) of the endpoint, from `sourceIp`. */
  request(
    path: string,
    query: Record<string, string>,
    options?: { method?: string; sourceIp?: string },
  ): Promise<ConnectAnswer>;
  /** A link as `zoho-tokens link create` makes it; returns its state too. */
  link(
    connectionId: string,
    dc: 'us' | 'eu',
    options?: Partial<Pick<LinkRequest, 'reauthorize' | 'lifetimeMs' | 'clientRef'>>,
  ): Promise<{ url: string; state: string }>;
  /** What Zoho's consent page hands the browser on approval: a code and its data centre's server. */
  approve(dc: 'us' | 'eu'): { code: string; accountsServer: string };
  /** The callback of a customer who approved on `dc`'s consent page, from an address of its own. */
  approvedCallback(state: string, dc: 'us' | 'eu'): Promise<ConnectAnswer>;
}

export function linkWorld(world: EngineWorld, changes: Partial<ConnectHandlerDependencies> = {}): LinkWorld {
  const { dynamodb } = world.clients;
  const tableName = world.config.tableName;
  const deps: ConnectHandlerDependencies = {
    ...world.deps,
    links: new DynamoDbLinkStore({ client: dynamodb, tableName }),
    states: cryptoLinkStates,
    limiter: new DynamoDbRequestLimiter({ client: dynamodb, tableName }),
    resolveAccountsServer: accountsServerResolver(world.config.allowedAccountsServers),
    baseUrl: BASE_URL,
    ...changes,
  };
  const handler = createConnectHandler(deps);
  return {
    deps,
    async request(path, query, options = {}) {
      return handler(functionUrlEvent(path, query, options.method ?? 'GET', options.sourceIp));
    },
    async link(connectionId, dc, options = {}) {
      const url = await createConnectLink(deps, BASE_URL, {
        connectionId,
        clientRef: options.clientRef ?? CLIENT.clientRef,
        location: { dc, accountsServer: world.sim.accountsServer(dc) },
        ...options,
      });
      const state = new URL(url.url).searchParams.get('state') ?? '';
      return { url: url.url, state };
    },
    approve(dc) {
      const code = world.sim.issueGrantCode({ clientId: CLIENT.clientId, dc, redirectUri: REDIRECT_URI });
      return { code, accountsServer: world.sim.accountsServer(dc) };
    },
    approvedCallback(state, dc) {
      return this.request('/callback', { state, ...withServer(this.approve(dc)) }, { sourceIp: nextIp() });
    },
  };
}

let requestCount = 0;

function functionUrlEvent(
  path: string,
  query: Record<string, string>,
  method: string,
  sourceIp = '198.51.100.7',
): LambdaFunctionURLEvent {
  requestCount += 1;
  const rawQueryString = new URLSearchParams(query).toString();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString,
    headers: { host: 'example.lambda-url.eu-west-1.on.aws' },
    isBase64Encoded: false,
    requestContext: {
      accountId: 'anonymous',
      apiId: 'example',
      domainName: 'example.lambda-url.eu-west-1.on.aws',
      domainPrefix: 'example',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp, userAgent: 'test' },
      requestId: `request-${requestCount}`,
      routeKey: '$default',
      stage: '$default',
      time: '06/Dec/2026:23:00:00 +0000',
      timeEpoch: 0,
    },
  } as LambdaFunctionURLEvent;
}

let ip = 0;
/** A source address of its own per request group, so the request limit of one test never touches another. */
export const nextIp = () => `203.0.113.${++ip}`;

/** The callback's query of an approval (without the state). */
export function withServer(approval: { code: string; accountsServer: string }) {
  return { code: approval.code, 'accounts-server': approval.accountsServer };
}
