import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SIM_DCS, type SimDc } from './dcs';

/** The two hosts of a Zoho data centre: `accounts.zoho.<tld>` and `www.zohoapis.<tld>`. */
export const SIM_ROLES = ['accounts', 'api'] as const;
export type SimRole = (typeof SIM_ROLES)[number];

/** Puts `server` on a free port of `host`; tests replace it to make one listener fail. */
export type Bind = (server: Server, host: string, dc: SimDc, role: SimRole) => Promise<void>;

/** Two loopback servers per data centre, each its own origin. */
export interface DcListeners {
  /** `http://127.0.0.1:<port>` of every data centre's accounts server and api domain. */
  readonly origins: Readonly<Record<SimDc, Readonly<Record<SimRole, string>>>>;
  /** Closes every server and every socket, hung requests included. */
  close(): Promise<void>;
}

/**
 * Starts a server on a free port for each data centre and role. Zoho's accounts servers and api
 * domains are origins, and the real adapters reduce them to origins, so a data centre cannot live
 * under a path prefix: it needs a host:port of its own. Accounts and API get one each, as in Zoho, so
 * a client that sends API calls to the accounts server (or the reverse) fails here as it would there.
 * If one port fails, the servers already listening close.
 */
export async function listenPerDc(
  host: string,
  listenerFor: (dc: SimDc, role: SimRole) => RequestListener,
  bind: Bind = bindFreePort,
): Promise<DcListeners> {
  const slots = SIM_DCS.flatMap((dc) =>
    SIM_ROLES.map((role) => ({ dc, role, server: createServer(listenerFor(dc, role)) })),
  );
  const started = await Promise.allSettled(slots.map(({ dc, role, server }) => bind(server, host, dc, role)));
  const close = () => Promise.all(slots.map(({ server }) => closeServer(server))).then(() => undefined);
  const failed = started.find((result) => result.status === 'rejected');
  if (failed !== undefined) {
    await close();
    throw failed.reason;
  }
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const origins = {} as Record<SimDc, Record<SimRole, string>>;
  for (const { dc, role, server } of slots) {
    const { port } = server.address() as AddressInfo;
    origins[dc] = { ...origins[dc], [role]: `http://${hostPart}:${port}` };
  }
  return { origins, close };
}

function bindFreePort(server: Server, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    // close() alone waits for keep-alive and hung sockets; a test run must not.
    server.closeAllConnections();
  });
}
