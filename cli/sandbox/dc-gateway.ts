/**
 * Gives each simulated Zoho data centre an origin of its own. Zoho's accounts servers and api
 * domains are origins (`https://accounts.zoho.eu`), and the Zoho adapter and the consumer library
 * reduce them to origins on purpose. The simulator serves every data centre on one port under path
 * prefixes (`/accounts/eu`, `/api/eu`), which those origins cannot reach. So each data centre gets a
 * loopback port that forwards `/oauth/...` to `<simulator>/accounts/<dc>/oauth/...` and anything else
 * (`/books/v3/...`) to `<simulator>/api/<dc>/...`, and rewrites the `api_domain` of token answers to
 * its own origin. A data centre the simulator already serves on an origin of its own is passed
 * through untouched, so this disappears by itself once the simulator listens per data centre.
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Where a data centre's token calls and API calls go. */
export interface DcEndpoints {
  readonly accountsServer: string;
  readonly apiDomain: string;
}

/** What the gateway needs from the simulator. */
export interface PathPrefixedZoho {
  accountsServer(dc: string): string;
  apiDomain(dc: string): string;
}

export interface DcGateway {
  /** The origins of `dc`; throws for a data centre the gateway was not started with. */
  forDc(dc: string): DcEndpoints;
  /** Every accounts server origin, for `allowedCustomServers`. */
  readonly accountsServers: readonly string[];
  /** Closes every port and every open socket, hung upstream requests included. Safe to call twice. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
/** Hop-by-hop headers are the proxy's own business, and the body length changes with the rewrite. */
const DROPPED_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

/** Starts one forwarding port per data centre that needs one. */
export async function startDcGateway(zoho: PathPrefixedZoho, dcs: readonly string[]): Promise<DcGateway> {
  const endpoints = new Map<string, DcEndpoints>();
  const servers: Server[] = [];
  try {
    for (const dc of dcs) {
      const upstream = { accounts: zoho.accountsServer(dc), api: zoho.apiDomain(dc) };
      if (isOrigin(upstream.accounts) && isOrigin(upstream.api)) {
        endpoints.set(dc, { accountsServer: upstream.accounts, apiDomain: upstream.api });
        continue;
      }
      const { server, origin } = await listen(upstream);
      servers.push(server);
      endpoints.set(dc, { accountsServer: origin, apiDomain: origin });
    }
  } catch (error) {
    await closeAll(servers);
    throw error;
  }
  let stopped: Promise<void> | undefined;
  return {
    forDc(dc) {
      const found = endpoints.get(dc);
      if (found === undefined) throw new Error(`the DC gateway was not started for data centre ${dc}`);
      return found;
    },
    accountsServers: [...new Set([...endpoints.values()].map((entry) => entry.accountsServer))],
    stop: () => {
      stopped ??= closeAll(servers);
      return stopped;
    },
  };
}

function isOrigin(url: string): boolean {
  const parsed = new URL(url);
  return parsed.pathname === '/' && parsed.search === '';
}

async function listen(upstream: { accounts: string; api: string }) {
  let origin = '';
  const server = createServer((req, res) => forward(req, res, upstream, origin));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  origin = `http://${HOST}:${(server.address() as AddressInfo).port}`;
  return { server, origin };
}

function forward(
  req: IncomingMessage,
  res: ServerResponse,
  upstream: { accounts: string; api: string },
  origin: string,
): void {
  const path = req.url ?? '/';
  const isAccounts = path.startsWith('/oauth/');
  const target = new URL(`${isAccounts ? upstream.accounts : upstream.api}${path}`);
  const outgoing = request(
    target,
    { method: req.method, headers: { ...req.headers, host: target.host } },
    (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('error', () => res.destroy());
      answer.on('end', () => {
        let body = Buffer.concat(chunks).toString('utf8');
        // The simulator names its path-prefixed API domain; consumers must get this DC's origin.
        if (isAccounts) body = body.replaceAll(upstream.api, origin);
        const headers: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(answer.headers)) {
          if (value !== undefined && !DROPPED_HEADERS.has(name)) headers[name] = value;
        }
        res.writeHead(answer.statusCode ?? 502, { ...headers, 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
    },
  );
  // A reset upstream resets the caller too; a caller that gave up (timeout) stops the upstream wait.
  outgoing.on('error', () => res.destroy());
  res.on('close', () => outgoing.destroy());
  req.pipe(outgoing);
}

function closeAll(servers: readonly Server[]): Promise<void> {
  return Promise.all(
    servers.map(
      (server) =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    ),
  ).then(() => undefined);
}
