/**
 * The connect endpoint on a laptop: a plain HTTP server on loopback that turns each request into the
 * Function URL event Lambda would deliver and runs the same handler (functions/connect) against the
 * emulator. It never logs a request: the query holds the link's state and Zoho's code.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { type ConnectHandlerDependencies, createConnectHandler } from '../functions/connect/connect-handler';
import { isLoopbackHost } from '../functions/zoho/data-centres';

export interface ConnectServerOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  /**
   * The handler's dependencies for a request whose accounts servers outside Zoho's data centres are
   * `allowed` (built once per distinct list and kept).
   */
  readonly dependencies: (allowed: readonly string[]) => Promise<ConnectHandlerDependencies>;
  /**
   * `--allow-custom-accounts-server`: a callback naming a loopback accounts server (the Zoho
   * simulator) may use it. Never anything beyond loopback. @default false
   */
  readonly allowLoopbackAccountsServers?: boolean;
}

/** A running local connect endpoint. */
export interface ConnectServer {
  /** `http://127.0.0.1:<port>`: the `--base-url` of `link create`, `<base>/callback` the redirect URI. */
  readonly baseUrl: string;
  stop(): Promise<void>;
}

/** Starts the server and resolves once it listens. */
export async function startConnectServer(options: ConnectServerOptions): Promise<ConnectServer> {
  const host = options.host ?? '127.0.0.1';
  const built = new Map<string, Promise<ConnectHandlerDependencies>>();
  let baseUrl = '';
  const handlerFor = async (allowed: readonly string[]) => {
    const key = allowed.join(' ');
    let deps = built.get(key);
    if (deps === undefined) {
      deps = options.dependencies(allowed);
      built.set(key, deps);
    }
    return createConnectHandler({ ...(await deps), baseUrl });
  };
  const server = createServer((req, res) => {
    serve(req, res).catch(() => {
      if (res.headersSent) res.destroy();
      else res.writeHead(500, { 'content-type': 'text/plain' }).end('connect server error');
    });
  });
  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', baseUrl);
    const allowed = options.allowLoopbackAccountsServers === true ? loopbackServerOf(url.searchParams) : [];
    const handler = await handlerFor(allowed);
    const answer = await handler(functionUrlEvent(req, url));
    res.writeHead(answer.statusCode, answer.headers);
    res.end(answer.body);
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  baseUrl = `http://${host}:${(server.address() as AddressInfo).port}`;
  let stopped: Promise<void> | undefined;
  return {
    baseUrl,
    stop: () => {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}

/** The callback's `accounts-server`, when it is a loopback origin (the simulator). */
function loopbackServerOf(query: URLSearchParams): string[] {
  const named = query.get('accounts-server');
  if (named === null) return [];
  try {
    const origin = new URL(named.includes('%') ? decodeURIComponent(named) : named);
    return isLoopbackHost(origin.hostname) ? [origin.origin] : [];
  } catch {
    return [];
  }
}

function functionUrlEvent(req: IncomingMessage, url: URL): LambdaFunctionURLEvent {
  const domainName = req.headers.host ?? url.host;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers: {},
    isBase64Encoded: false,
    requestContext: {
      accountId: 'anonymous',
      apiId: 'local',
      domainName,
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: req.headers['user-agent'] ?? '',
      },
      requestId: 'local',
      routeKey: '$default',
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
  } as LambdaFunctionURLEvent;
}
